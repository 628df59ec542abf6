// Reads of a busy site: a query may read at most 16 MiB (convex-test enforces it here), and
// rollup rows of busy buckets carry a 16 KiB sketch. getHealth counts a bounded backlog; a
// dashboard read that would need too much says so, naming what to do.
import { convexTest } from "convex-test";
import { afterEach, beforeEach, expect, it, vi } from "vitest";
import { api } from "../../src/component/_generated/api.js";
import { HEALTH_BACKLOG_SCAN, PARTITIONS } from "../../src/component/lib/limits.js";
import { MAX_ROLLUP_BYTES_PER_READ } from "../../src/component/lib/limits.js";
import { ROLLUP_GRANULARITIES } from "../../src/component/aggregate/session.js";
import schema from "../../src/component/schema.js";
import { modules } from "../../src/test.js";

const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);
const DAY = 86_400_000;
/** A dense (HyperLogLog) sketch, as a bucket with more than 1,024 visitors holds. */
const DENSE_SKETCH_BYTES = 16_385;
/** Per granularity (hour and day): 2,200 such rows are 36 MB, over twice what a query may read. */
const BACKLOG_ROWS = 1_100;
const SEED_BATCH = 400;

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(NOW);
});
afterEach(() => vi.useRealTimers());

type Harness = ReturnType<typeof convexTest>;
type DenseRow = { granularity: "hour" | "day"; key: string; partition: number };

/** A busy site: one closed day (10 days ago) whose rollup rows each carry a dense sketch. */
async function busySite(slug: string, rows: DenseRow[]) {
  const t = convexTest({ schema, modules, transactionLimits: true });
  const { siteId } = await t.mutation(api.sites.createSite, {
    slug,
    name: slug,
    domain: "example.com",
  });
  const day = NOW - 10 * DAY - (NOW % DAY);
  for (let start = 0; start < rows.length; start += SEED_BATCH) {
    await t.run(async (ctx) => {
      for (const { granularity, key, partition } of rows.slice(start, start + SEED_BATCH)) {
        await ctx.db.insert("rollups", {
          siteId: siteId as never,
          granularity,
          bucket: day,
          dimension: "page",
          key,
          partition,
          pageviews: 5_000,
          events: 0,
          sessions: 4_000,
          bounces: 2_000,
          pvSessions: 4_000,
          durationMs: 1_000_000,
          visitors: new ArrayBuffer(DENSE_SKETCH_BYTES),
        });
      }
    });
  }
  return { t: t as Harness, siteId, day };
}

it("getHealth stays within the 16 MiB read limit with a backlog of 2,200 dense rollup rows", async () => {
  const backlog = (["hour", "day"] as const).flatMap((granularity) =>
    Array.from({ length: BACKLOG_ROWS }, (_, i) => ({
      granularity,
      key: `/page-${i}`,
      partition: 0,
    })),
  );
  const { t, siteId } = await busySite("busy", backlog);
  const health = await t.query(api.maintenance.getHealth, { siteId, now: Date.now() });
  expect(health.compactionBacklog).toBe(2 * HEALTH_BACKLOG_SCAN);
  // The most it can read of the backlog, every row dense, is still well under 16 MiB.
  expect(
    PARTITIONS * ROLLUP_GRANULARITIES.length * HEALTH_BACKLOG_SCAN * DENSE_SKETCH_BYTES,
  ).toBeLessThan(8 * 2 ** 20);
});

it("a breakdown that would read more than 12 MiB of rollup rows fails with an error naming the fix, not the platform's limit", async () => {
  // 275 busy pages on one day, still in four shards each: 1,100 rows, 17 MiB.
  const pages = Array.from({ length: 1_100 }, (_, i) => ({
    granularity: "day" as const,
    key: `/page-${i % 275}`,
    partition: i % PARTITIONS,
  }));
  const { t, siteId, day } = await busySite("wide", pages);
  const breakdown = t.query(api.reports.getBreakdown, {
    siteId,
    from: day,
    to: day + DAY,
    dimension: "page",
  });
  await expect(breakdown).rejects.toThrow(
    `this report needs more than ${MAX_ROLLUP_BYTES_PER_READ / 2 ** 20} MiB of rollup rows: narrow the range`,
  );
  // The overview of the same day reads only the site-wide rows: it is unaffected.
  await expect(
    t.query(api.reports.getOverview, { siteId, from: day, to: day + DAY }),
  ).resolves.toMatchObject({ pageviews: 0 });
});
