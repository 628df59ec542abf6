// Read API behaviour: timezones, compare ranges, pagination, and reads that don't grow with
// traffic (invariant 6).
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { api, components, internal } from "../example/convex/_generated/api.js";
import { PARTITIONS } from "../src/component/lib/limits.js";
import { partitionOf } from "../src/component/ingest/pipeline.js";
import { createHarness, DAY, HOUR, MINUTE, type Harness } from "../harness/host.js";

const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);

function view(id: string, ts: number, visitor: string, path = "/") {
  return {
    type: "pageview",
    id,
    ts,
    visitorId: visitor,
    sessionId: `${visitor}-s`,
    url: `https://example.com${path}`,
  };
}

describe("reads", () => {
  let h: Harness;
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(NOW);
  });
  afterEach(() => vi.useRealTimers());

  it("buckets days at local midnight for a site in America/New_York", async () => {
    h = await createHarness({ timezone: "America/New_York" });
    // 2026-11-20 03:30 UTC is 22:30 on the 19th in New York; 06:00 UTC is 01:00 on the 20th.
    await h.send([
      view("a", Date.UTC(2026, 10, 20, 3, 30), "v1"),
      view("b", Date.UTC(2026, 10, 20, 6, 0), "v2"),
    ]);
    await h.settle();
    const series = await h.admin.query(api.analytics.getTimeseries, {
      siteId: h.siteId,
      from: Date.UTC(2026, 10, 19, 5),
      to: Date.UTC(2026, 10, 21, 5),
      interval: "day",
    });
    expect(
      series.points.map((p) => [new Date(p.t).toISOString(), p.pageviews, p.visitors, p.sessions]),
    ).toEqual([
      ["2026-11-19T05:00:00.000Z", 1, 1, 1],
      ["2026-11-20T05:00:00.000Z", 1, 1, 1],
    ]);
  });

  it("compares with the range of equal length just before", async () => {
    h = await createHarness();
    const from = NOW - 2 * HOUR;
    await h.send([
      view("p1", from - 90 * MINUTE, "v1"), // previous hour-pair
      view("c1", from + 10 * MINUTE, "v2"),
      view("c2", from + 70 * MINUTE, "v3"),
    ]);
    await h.settle();
    const overview = await h.admin.query(api.analytics.getOverview, {
      siteId: h.siteId,
      from,
      to: NOW,
      compare: true,
    });
    expect([overview.range, overview.pageviews, overview.visitors]).toEqual([
      { from, to: NOW },
      2,
      2,
    ]);
    expect((overview as { previous?: unknown }).previous).toMatchObject({
      range: { from: from - 2 * HOUR, to: from },
      pageviews: 1,
      visitors: 1,
      sessions: 1,
    });
  });

  it("rejects a reversed range, an oversized one and a bad limit with clear messages", async () => {
    h = await createHarness();
    const read = (args: object) =>
      h.admin.query(api.analytics.getBreakdown, {
        siteId: h.siteId,
        dimension: "page",
        ...args,
      } as never);
    await expect(read({ from: NOW, to: NOW - HOUR })).rejects.toThrow(/from must be before to/);
    await expect(read({ from: NOW - 4000 * DAY, to: NOW })).rejects.toThrow(/at most 1098 days/);
    await expect(read({ from: NOW - HOUR, to: NOW, limit: 101 })).rejects.toThrow(
      /limit must be an integer from 1 to 100/,
    );
    await expect(
      h.admin.query(api.analytics.getOverview, { siteId: "nope", from: 0, to: HOUR }),
    ).rejects.toThrow(/no site with id nope/);
  });

  it("pages through sessions and events newest first without gaps or repeats", async () => {
    h = await createHarness();
    const events = Array.from({ length: 25 }, (_, i) =>
      view(`e${i}`, NOW - 5 * HOUR + i * 10 * MINUTE, `v${i}`),
    );
    await h.send(events);
    await h.settle();
    for (const fn of [api.analytics.listEvents, api.analytics.listSessions]) {
      const seen: string[] = [];
      let cursor: string | null = null;
      for (let pages = 0; pages < 10; pages++) {
        const result: { page: { visitorId: string }[]; isDone: boolean; continueCursor: string } =
          await h.admin.query(fn, {
            siteId: h.siteId,
            paginationOpts: { numItems: 10, cursor },
          });
        seen.push(...result.page.map((item) => item.visitorId));
        if (result.isDone) break;
        cursor = result.continueCursor;
      }
      expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => `v${24 - i}`));
    }
    const windowed = await h.admin.query(api.analytics.listEvents, {
      siteId: h.siteId,
      from: NOW - 5 * HOUR + 100 * MINUTE,
      to: NOW - 5 * HOUR + 140 * MINUTE,
      paginationOpts: { numItems: 10, cursor: null },
    });
    expect(windowed.page.map((e) => e.eventId)).toEqual(["e13", "e12", "e11", "e10"]);
    // A window with a page size pages too (a page never exceeds numItems).
    const window = {
      siteId: h.siteId,
      from: NOW - 5 * HOUR + 100 * MINUTE,
      to: NOW - 5 * HOUR + 140 * MINUTE,
    };
    const first = await h.admin.query(api.analytics.listEvents, {
      ...window,
      paginationOpts: { numItems: 3, cursor: null },
    });
    expect([first.page.map((e) => e.eventId), first.isDone]).toEqual([
      ["e13", "e12", "e11"],
      false,
    ]);
    const second = await h.admin.query(api.analytics.listEvents, {
      ...window,
      paginationOpts: { numItems: 3, cursor: first.continueCursor },
    });
    expect(second.page.map((e) => e.eventId)).toEqual(["e10"]);
  });

  it("reads no more documents for a 30-day overview at 5,000 events than at 200, once compacted", async () => {
    // Day-aligned range: the overview reads exactly 30 day buckets. In every event slot one
    // visitor of each partition visits, so at both volumes every bucket holds a row for every
    // partition and the only difference left is the number of events.
    const rangeEnd = NOW - (NOW % DAY);
    const rangeStart = rangeEnd - 30 * DAY;
    const visitorsByPartition = Array.from({ length: PARTITIONS }, () => [] as string[]);
    for (let i = 0; visitorsByPartition.some((visitors) => visitors.length < 10); i++) {
      const visitors = visitorsByPartition[partitionOf(`v${i}`)]!;
      if (visitors.length < 10) visitors.push(`v${i}`);
    }
    const docsRead = async (eventCount: number) => {
      const site = await createHarness();
      const batch: object[] = [];
      const slots = eventCount / PARTITIONS;
      for (let slot = 0; slot < slots; slot++) {
        const ts = rangeStart + Math.floor((slot * 30 * DAY) / slots);
        for (let partition = 0; partition < PARTITIONS; partition++) {
          const visitor = visitorsByPartition[partition]![slot % 10]!;
          batch.push(view(`e${slot}-${partition}`, ts, visitor, `/p${slot % 5}`));
        }
      }
      for (let i = 0; i < batch.length; i += 500) {
        await site.admin.mutation(api.analytics.importEvents, {
          siteId: site.siteId,
          events: batch.slice(i, i + 500),
        });
      }
      await site.settle();
      const read = () =>
        site.t.run(async (ctx) => {
          const before = await ctx.meta.getTransactionMetrics();
          const overview = await ctx.runQuery(components.analytics.reports.getOverview, {
            siteId: site.siteId,
            from: rangeStart,
            to: rangeEnd,
          });
          const after = await ctx.meta.getTransactionMetrics();
          expect(overview.pageviews).toBe(eventCount);
          return after.documentsRead.used - before.documentsRead.used;
        });
      const uncompacted = await read();
      // What the hourly `compact` cron does: fold the closed hours into their days and months.
      await site.t.action(internal.analytics.analyticsMaintenance, { task: "compact" });
      await site.settle();
      return { uncompacted, compacted: await read() };
    };
    const small = await docsRead(200);
    const large = await docsRead(5_000);
    console.log(
      `30-day overview documents read: ${JSON.stringify(small)} at 200 events, ${JSON.stringify(large)} at 5,000 events`,
    );
    // Compacted: the 30 day rows of the overview's one dimension, plus the site, whatever the
    // traffic. Before compaction at most a day row per shard: the events are a backfill of
    // closed hours, whose day rows the workers write as they fold (no hour row is left for a
    // read to add); a site-wide run writes shard 0 for every partition, and only a partition's
    // own continuation run (a full batch) writes its partition's shard.
    expect(small.compacted).toBe(30 + 1);
    expect(large.compacted).toBe(small.compacted);
    expect(small.uncompacted).toBeLessThanOrEqual(30 * PARTITIONS + 1);
    expect(large.uncompacted).toBeLessThanOrEqual(30 * PARTITIONS + 1);
  });
});
