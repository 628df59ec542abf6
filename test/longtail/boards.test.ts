// Leaderboards for rows stored before leaderboards existed (src/component/maintenance/boardBackfill.ts): a
// closed month of 2,500 distinct pages merged by an earlier version (−1 rows, no board), and a
// late event's shard for one of its pages. Compaction must rebuild the month's whole board (over
// two steps: the walk resumes inside the bucket), not write one listing the late key only, and
// the month's top pages must then be the rows' own, read through the board.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { api, internal } from "../../example/convex/_generated/api.js";
import { BOARD_BACKFILL_ROWS_PER_STEP, LEADERBOARD_SIZE } from "../../src/component/lib/limits.js";
import { emptySketch, hashId, sketchAdd } from "../../src/component/lib/sketch.js";
import { componentDocs, createHarness, inComponent, type Harness } from "../../harness/host.js";

const NOW = Date.UTC(2026, 5, 15, 12);
const MONTH = Date.UTC(2026, 3, 1);
const NEXT_MONTH = Date.UTC(2026, 4, 1);
const PAGES = 2_500;
/** The late shard: new visitors of a tail page, enough to lift it into the top 10 (sketches
 * stay exact: every score below 1,024). */
const LATE_PAGE = 1_800;
const LATE_VISITORS = 100;

const visitorsOf = (page: number) => Math.max(1, Math.floor(1_000 / (page + 1)));
const sketchOf = (prefix: string, count: number) =>
  sketchAdd(
    emptySketch(),
    Array.from({ length: count }, (_, i) => hashId(`${prefix}:${i}`)),
  );

let h: Harness;
beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(NOW);
});
afterEach(() => vi.useRealTimers());

const row = (page: number, partition: number, visitors: number, prefix: string) => ({
  siteId: h.siteId,
  granularity: "month",
  bucket: MONTH,
  dimension: "page",
  key: `/p${page}`,
  partition,
  pageviews: 2 * visitors,
  events: 0,
  sessions: visitors,
  bounces: 0,
  pvSessions: visitors,
  durationMs: 0,
  visitors: sketchOf(prefix, visitors),
});

describe("leaderboards for buckets merged before leaderboards", () => {
  it("are rebuilt whole by compaction, over steps, and a late shard does not make a one-key board", async () => {
    h = await createHarness({ timezone: "UTC" });
    expect(PAGES).toBeGreaterThan(BOARD_BACKFILL_ROWS_PER_STEP);
    for (let from = 0; from < PAGES; from += 500)
      await inComponent(h, async ({ db }) => {
        for (let page = from; page < from + 500; page++)
          await db.insert("rollups", row(page, -1, visitorsOf(page), `v${page}`));
      });
    await inComponent(h, async ({ db }) => {
      await db.insert("rollups", row(LATE_PAGE, 0, LATE_VISITORS, "late"));
    });

    await h.t.action(internal.analytics.analyticsMaintenance, { task: "compact" });
    await h.t.finishAllScheduledFunctions(() => vi.runAllTimers());

    const boards = await componentDocs<{
      dimension: string;
      bucket: number;
      entries: { key: string; score: number }[];
      floor: number;
      building?: boolean;
    }>(h, "leaderboards");
    const month = boards.find((b) => b.dimension === "page" && b.bucket === MONTH)!;
    expect(month.building).toBeUndefined();
    expect(month.entries).toHaveLength(LEADERBOARD_SIZE);
    // Every page's score, the late one's with its new visitors: the board keeps the 128 highest.
    const scores = Array.from({ length: PAGES }, (_, page) => ({
      key: `/p${page}`,
      score: visitorsOf(page) + (page === LATE_PAGE ? LATE_VISITORS : 0),
    })).sort((a, b) => b.score - a.score || (a.key < b.key ? -1 : 1));
    expect(month.entries.slice(0, 12)).toEqual(scores.slice(0, 12));
    expect(month.floor).toBe(scores[LEADERBOARD_SIZE]!.score);
    expect(await componentDocs(h, "boardBackfills")).toMatchObject([{ done: true }]);

    const top = await h.admin.query(api.analytics.getBreakdown, {
      siteId: h.siteId,
      from: MONTH,
      to: NEXT_MONTH,
      dimension: "page",
      limit: 10,
    });
    expect(top.rows.map((r) => ({ key: r.key, visitors: r.visitors }))).toEqual(
      scores.slice(0, 10).map((s) => ({ key: s.key, visitors: s.score })),
    );
    expect(top.rows.map((r) => r.key)).toContain(`/p${LATE_PAGE}`);
    expect("approximate" in top).toBe(false);
  }, 300_000);
});
