// Retention at volume: 100,000 raw events past retention are deleted in bounded steps, each
// one transaction inside Convex's limits (convex-test enforces them here), and the figures
// of the kept range don't move. Runs the component on its own, so the test can seed the
// old events straight into its tables.
import { convexTest } from "convex-test";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { api, internal } from "../../src/component/_generated/api.js";
import { RETENTION_DELETES_PER_STEP } from "../../src/component/lib/limits.js";
import schema from "../../src/component/schema.js";
import { modules } from "../../src/test.js";

const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);
const DAY = 86_400_000;
const OLD_EVENTS = 100_000;
const SEED_BATCH = 5_000;

describe("retention at volume", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(NOW);
  });
  afterEach(() => vi.useRealTimers());

  it("deletes 100,000 expired events in bounded steps and leaves the kept figures unchanged", async () => {
    const t = convexTest({ schema, modules, transactionLimits: true });
    const { siteId } = await t.mutation(api.sites.createSite, {
      slug: "big",
      name: "Big",
      domain: "example.com",
    });
    await t.mutation(api.sites.updateSite, { siteId, settings: { retentionDays: 30 } });
    for (let batch = 0; batch < 2; batch++) {
      const events = Array.from({ length: 500 }, (_, i) => ({
        type: "pageview",
        id: `recent-${batch}-${i}`,
        ts: NOW - (i % 7) * DAY - batch * 3_600_000,
        visitorId: `v${i % 50}`,
        sessionId: `s${i % 50}-${i % 7}`,
        url: `https://example.com/p${i % 10}`,
      }));
      await t.mutation(api.ingest.importEvents, { siteId, events });
    }
    await t.finishAllScheduledFunctions(() => vi.runAllTimers());
    const week = { siteId, from: NOW - 7 * DAY, to: NOW };
    const kept = await t.query(api.reports.getOverview, week);
    expect(kept.pageviews).toBeGreaterThan(0);

    // Seed expired events as the worker leaves them: aggregated ("done").
    const template = await t.run(async (ctx) => {
      const { _id, _creationTime, ...doc } = (await ctx.db.query("events").first())!;
      return doc;
    });
    for (let start = 0; start < OLD_EVENTS; start += SEED_BATCH) {
      await t.run(async (ctx) => {
        for (let i = start; i < start + SEED_BATCH; i++) {
          await ctx.db.insert("events", {
            ...template,
            eventId: `old-${i}`,
            ts: NOW - 400 * DAY + i * 1_000,
            status: "done",
          });
        }
      });
    }

    let steps = 0;
    let expired = 0;
    for (let more = true; more; steps++) {
      expect(steps).toBeLessThan(OLD_EVENTS / RETENTION_DELETES_PER_STEP + 10);
      const result = await t.mutation(internal.maintenance.step, { task: "retention", siteId });
      expired += result.done;
      more = result.more;
    }
    console.log(
      `retention: ${expired} documents expired in ${steps} steps of at most ${RETENTION_DELETES_PER_STEP} deletes`,
    );
    expect(expired).toBe(OLD_EVENTS);
    expect(steps).toBe(OLD_EVENTS / RETENTION_DELETES_PER_STEP);
    const left = await t.run(async (ctx) => (await ctx.db.query("events").collect()).length);
    expect(left).toBe(1_000);
    expect(await t.query(api.reports.getOverview, week)).toEqual(kept);
  });
});
