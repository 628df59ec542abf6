// Maintenance bounds every transaction whatever the sites hold and however many there are:
// a step touches one site and stops at MAINTENANCE_BYTES_PER_STEP of documents read, and the
// run the crons start visits every site, resuming where it stopped. convex-test enforces
// Convex's per-transaction limits here (transactionLimits: true), so a step that read more
// than 16 MiB would fail the test.
import { convexTest } from "convex-test";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { api, internal } from "../../src/component/_generated/api.js";
import type { Id } from "../../src/component/_generated/dataModel.js";
import {
  MAINTENANCE_STEPS_PER_RUN,
  MAX_PROP_STRING_LENGTH,
  MAX_PROPS,
  RETENTION_DELETES_PER_STEP,
} from "../../src/component/lib/limits.js";
import schema from "../../src/component/schema.js";
import { modules } from "../../src/test.js";

const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);
const DAY = 86_400_000;
/** 32 props of 512 characters: an event as large as contract §2 lets a public sender make it. */
const LARGE_PROPS = Object.fromEntries(
  Array.from({ length: MAX_PROPS }, (_, i) => [`p${i}`, "x".repeat(MAX_PROP_STRING_LENGTH)]),
);

type T = ReturnType<typeof convexTest>;

async function siteWithExpiredEvents(t: T, slug: string, count: number, props?: object) {
  const { siteId } = await t.mutation(api.sites.createSite, { slug, name: slug });
  await t.mutation(api.sites.updateSite, { siteId, settings: { retentionDays: 30 } });
  const site = siteId as Id<"sites">;
  const batch = props ? 400 : 2_000; // a seeding transaction may write 16 MiB too
  for (let start = 0; start < count; start += batch) {
    await t.run(async (ctx) => {
      for (let i = start; i < Math.min(count, start + batch); i++) {
        await ctx.db.insert("events", {
          siteId: site,
          partition: i % 4,
          status: "done",
          receivedAt: NOW - 400 * DAY,
          eventId: `${slug}-${i}`,
          type: "event",
          name: "signup",
          ts: NOW - 400 * DAY + i * 1_000,
          visitorId: `v${i}`,
          sessionId: `s${i}`,
          device: "Desktop",
          browser: "Chrome",
          os: "Linux",
          country: "Unknown",
          source: "Direct / None",
          ...(props ? { props } : {}),
        } as never);
      }
    });
  }
  return site;
}

const eventsLeft = (t: T) =>
  t.run(async (ctx) => (await ctx.db.query("events").take(100_000)).length);

describe("maintenance transactions", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(NOW);
  });
  afterEach(() => vi.useRealTimers());

  it("a retention step over events of 17 KB each stops at its byte budget, under the 16 MiB read limit", async () => {
    const t = convexTest({ schema, modules, transactionLimits: true });
    // 1,000 such events (the step's document budget) are ~17 MiB: past the limit by count alone.
    const siteId = await siteWithExpiredEvents(t, "large", 1_100, LARGE_PROPS);
    let steps = 0;
    let expired = 0;
    for (let more = true; more; steps++) {
      const result = await t.mutation(internal.maintenance.step, { task: "retention", siteId });
      expired += result.done;
      more = result.more;
    }
    expect(expired).toBe(1_100);
    // ~4 MiB of 17 KB events a step: more steps than the document budget alone would take.
    expect(steps).toBeGreaterThan(Math.ceil(1_100 / RETENTION_DELETES_PER_STEP));
    expect(await eventsLeft(t)).toBe(0);
  });

  it("the crons' run visits every site one transaction at a time, though together they hold more than one transaction may read", async () => {
    const t = convexTest({ schema, modules, transactionLimits: true });
    // Three sites of 400 large events: ~20 MiB, which no single transaction may read.
    for (const slug of ["a", "b", "c"]) await siteWithExpiredEvents(t, slug, 400, LARGE_PROPS);
    const first = await t.action(api.maintenance.run, { task: "retention" });
    await t.finishAllScheduledFunctions(() => vi.runAllTimers());
    expect(first.done).toBe(1_200);
    expect(await eventsLeft(t)).toBe(0);
  });

  it("a run that spends its steps on one site reschedules itself there and then goes on to the next sites", async () => {
    const t = convexTest({ schema, modules, transactionLimits: true });
    const busy = (MAINTENANCE_STEPS_PER_RUN + 2) * RETENTION_DELETES_PER_STEP;
    await siteWithExpiredEvents(t, "busy", busy);
    await siteWithExpiredEvents(t, "quiet", 100);
    const first = await t.action(api.maintenance.run, { task: "retention" });
    expect(first).toEqual({
      steps: MAINTENANCE_STEPS_PER_RUN,
      done: MAINTENANCE_STEPS_PER_RUN * RETENTION_DELETES_PER_STEP,
      more: true,
    });
    await t.finishAllScheduledFunctions(() => vi.runAllTimers());
    expect(await eventsLeft(t)).toBe(0);
  });

  it("runMaintenance without a site hands every site to the background run and reports more", async () => {
    const t = convexTest({ schema, modules, transactionLimits: true });
    for (const slug of ["a", "b"]) await siteWithExpiredEvents(t, slug, 300);
    const pass = await t.mutation(api.maintenance.runMaintenance, {});
    expect(pass).toEqual({ compacted: 0, expired: 0, presenceCleared: 0, more: true });
    await t.finishAllScheduledFunctions(() => vi.runAllTimers());
    expect(await eventsLeft(t)).toBe(0);
  });

  it("the sweep deletes rate-limit reservations out of the window and keeps the window's", async () => {
    const t = convexTest({ schema, modules, transactionLimits: true });
    const { siteId } = await t.mutation(api.sites.createSite, { slug: "rl", name: "rl" });
    let cumulative = 0;
    for (const ago of [10 * 60_000, 5 * 60_000, 3 * 60_000, 30_000]) {
      const at = NOW - ago;
      cumulative += 10;
      await t.run(async (ctx) => {
        await ctx.db.insert("ingestReservations", {
          siteId: siteId as Id<"sites">,
          minute: Math.floor(at / 60_000) * 60_000,
          at,
          events: 10,
          cumulative,
        });
      });
    }
    const swept = await t.mutation(internal.maintenance.step, { task: "sweep", siteId });
    expect(swept).toEqual({ done: 3, more: false });
    const left = await t.run(async (ctx) => await ctx.db.query("ingestReservations").take(10));
    expect(left.map((r) => r.at)).toEqual([NOW - 30_000]);
  });
});
