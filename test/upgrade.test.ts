// The upgrade path: a deployment with data written by 0.1.x
// keeps every figure after the upgrade. The documents are seeded as 0.1.x stored them: rollup
// shard rows per partition at hour, day and month granularity (written live, no `unfolded`
// mark), sessions without the fields added since, a raw event the worker left pending when the
// deployment was upgraded, rate-limit reservations without running totals, and a presence row
// without its session's source.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { api, internal } from "../example/convex/_generated/api.js";
import { partitionOf } from "../src/component/ingest/pipeline.js";
import { emptySketch, hashId, sketchAdd } from "../src/component/lib/sketch.js";
import {
  createHarness,
  DAY,
  HOUR,
  inComponent,
  MINUTE,
  pageview,
  type Harness,
} from "../harness/host.js";

const NOW = Date.UTC(2026, 5, 15, 12);
const DAY3 = Date.UTC(2026, 5, 12);
const MONTH = Date.UTC(2026, 5, 1);

let h: Harness;
beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(NOW);
});
afterEach(() => vi.useRealTimers());

const counters = (pageviews: number, sessions: number) => ({
  pageviews,
  events: 0,
  sessions,
  bounces: sessions,
  pvSessions: sessions,
  durationMs: 0,
});

/** What 0.1.x wrote for two visitors' one-page visits on DAY3 at 10:00: a shard per partition. */
async function seed0_1() {
  h = await createHarness();
  const siteId = h.siteId;
  await inComponent(h, async ({ db }) => {
    for (const [visitor, path] of [
      ["old-a", "/"],
      ["old-b", "/pricing"],
    ] as const) {
      const partition = partitionOf(visitor);
      const visitors = sketchAdd(emptySketch(), [hashId(visitor)]);
      for (const [granularity, bucket] of [
        ["hour", DAY3 + 10 * HOUR],
        ["day", DAY3],
        ["month", MONTH],
      ] as const) {
        for (const [dimension, key] of [
          ["all", ""],
          ["page", path],
          ["entryPage", path],
          ["exitPage", path],
          ["source", "Direct / None"],
        ]) {
          await db.insert("rollups", {
            siteId,
            granularity,
            bucket,
            dimension,
            key,
            partition,
            ...counters(1, 1),
            visitors,
          });
        }
      }
      await db.insert("sessions", {
        siteId,
        partition,
        visitorId: visitor,
        sessionId: visitor,
        startTs: DAY3 + 10 * HOUR,
        endTs: DAY3 + 10 * HOUR,
        pageviews: [{ ts: DAY3 + 10 * HOUR, path }],
        eventCount: 0,
        eventNames: [],
        entry: { ts: DAY3 + 10 * HOUR, path, isPageview: true, source: "Direct / None" },
        client: {
          ts: DAY3 + 10 * HOUR,
          device: "desktop",
          browser: "Firefox",
          os: "Linux",
          country: "FR",
        },
        timezone: "UTC",
        pageviewDedupMs: 30 * MINUTE,
      });
    }
    // A pageview 0.1.x had stored but not folded yet when the deployment was upgraded.
    await db.insert("events", {
      siteId,
      partition: partitionOf("old-c"),
      status: "pending",
      receivedAt: NOW - 2 * MINUTE,
      eventId: "old-pending",
      type: "pageview",
      ts: NOW - 2 * MINUTE,
      visitorId: "old-c",
      sessionId: "old-c",
      path: "/",
      hostname: "example.com",
      source: "Direct / None",
      device: "desktop",
      browser: "Firefox",
      os: "Linux",
      country: "FR",
    });
    // 0.1.x's reservations: no running total. A presence row: no source.
    await db.insert("ingestReservations", {
      siteId,
      minute: Math.floor((NOW - 10_000) / MINUTE) * MINUTE,
      at: NOW - 10_000,
      events: 5,
    });
    await db.insert("presence", {
      siteId,
      visitorId: "old-c",
      sessionId: "old-c",
      path: "/",
      lastSeen: NOW - 5_000,
    });
  });
}

describe("upgrading from 0.1.x", () => {
  it("keeps every figure 0.1.x stored, folds what it left pending, and goes on counting", async () => {
    await seed0_1();
    const range = { siteId: h.siteId, from: DAY3 - DAY, to: NOW + HOUR };
    // Read as stored: the day and month shard rows of 0.1.x.
    expect(await h.admin.query(api.analytics.getOverview, range)).toMatchObject({
      pageviews: 2,
      visitors: 2,
      sessions: 2,
      bounceRate: 1,
    });
    // The sweep re-kicks the partition 0.1.x left pending; the new worker folds it once.
    await h.t.action(internal.analytics.analyticsMaintenance, { task: "sweep" });
    await h.settle();
    expect(await h.admin.query(api.analytics.getOverview, range)).toMatchObject({
      pageviews: 3,
      visitors: 3,
      sessions: 3,
    });
    // The rate limit counts 0.1.x's reservation: 5 of 6 events used, one more fits.
    await h.admin.mutation(api.analytics.updateSite, {
      siteId: h.siteId,
      settings: { ingestRatePerMinute: 6 },
    });
    const sent = await h.send([
      {
        ...pageview("new1", NOW, "/"),
        visitorId: "new-a",
        sessionId: "new-a",
        referrer: "https://www.google.com/",
      },
      { ...pageview("new2", NOW, "/"), visitorId: "new-b", sessionId: "new-b" },
    ]);
    expect(sent.body).toMatchObject({ accepted: 1, rejected: [{ index: 1 }] });
    await h.settle();
    // Compaction merges 0.1.x's shards with the new rows: no figure moves.
    const before = await h.admin.query(api.analytics.getBreakdown, { ...range, dimension: "page" });
    vi.setSystemTime(NOW + 3 * DAY);
    await h.t.action(internal.analytics.analyticsMaintenance, { task: "compact" });
    await h.settle();
    expect(
      await h.admin.query(api.analytics.getBreakdown, { ...range, dimension: "page" }),
    ).toEqual(before);
    expect(before.rows).toEqual([
      { key: "/", visitors: 3, pageviews: 3, sessions: 3, events: 0 },
      { key: "/pricing", visitors: 1, pageviews: 1, sessions: 1, events: 0 },
    ]);
  });

  it("realtime counts a 0.1.x presence row, and the new rows carry their session's source", async () => {
    await seed0_1();
    await h.send([
      {
        ...pageview("rt1", NOW, "/"),
        visitorId: "new-a",
        sessionId: "new-a",
        referrer: "https://www.google.com/",
      },
    ]);
    // The request starts the realtime loop; its first turn runs at once.
    await vi.advanceTimersByTimeAsync(1_000);
    await h.t.finishInProgressScheduledFunctions();
    const realtime = await h.admin.query(api.analytics.getRealtime, { siteId: h.siteId });
    expect(realtime.activeVisitors).toBe(2);
    // Only rows that know their source are in the sources: the old row times out in minutes.
    expect(realtime.sources).toEqual([{ source: "google.com", visitors: 1 }]);
  });
});
