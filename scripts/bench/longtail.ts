// Long tails (docs/read-path.md): what a top-pages breakdown reads over 30 days and 12 months at two
// numbers of distinct pages a month, and how far its top 10 is from the exact figures.
//
// Seeding. Folding millions of pageviews through ingest, the workers and compaction would take
// hours in convex-test, so each site is written as compaction leaves a year of closed months:
// one merged row (partition −1) per (month, page) with its counters and its visitors' sketch,
// and each month's leaderboard built by read/leaderboard's BoardDraft from the same rows, one
// `set` per row as compaction makes them (maintenance.ts Boards). The ranges are whole months
// (30 days: April 2026; 12 months: June 2025 to May 2026), so a read touches month rows and
// month boards only; day and hour segments read the same way (boards, then candidates' rows).
//
// Traffic (deterministic): page k's rank in month m is k for the 50 head pages and rotates
// through the tail from month to month; a page of rank r has max(1, ⌊TOP_PAGEVIEWS / (r+1)⌋)
// pageviews in the month (Zipf), each a session of its own, by as many visitors: half of them
// the page's regulars (the same ids every month), half new that month. So the exact figures
// over any months are known in closed form: pageviews add, visitors = the most regulars of any
// month + every month's new ones.
//
// Scaled down: 1,000 and 20,000 distinct pages a month (a large site has 1,000,000; writing
// 12 million rows into convex-test's in-memory database takes far longer than the bench's
// minutes). What a read touches doesn't depend on it: the boards (LEADERBOARD_SIZE entries
// each) and the candidates' rows (limit + BREAKDOWN_CANDIDATE_MARGIN keys × buckets).
import { api } from "../../src/component/_generated/api.js";
import { COMPACTED_PARTITION } from "../../src/component/maintenance/compaction.js";
import { BoardDraft } from "../../src/component/read/leaderboard.js";
import { LEADERBOARD_SIZE } from "../../src/component/lib/limits.js";
import { emptySketch, hashId, sketchAdd, sketchCount } from "../../src/component/lib/sketch.js";
import { nextMonth } from "../../src/component/lib/time.js";
import type { Doc } from "../../src/component/_generated/dataModel.js";
import {
  createComponentBackend,
  createSite,
  measure,
  round,
  type ComponentBackend,
} from "../../harness/component.js";

export const LONG_TAIL_KEY_COUNTS = [1_000, 20_000];
const HEAD_PAGES = 50;
const TOP_PAGEVIEWS = 4_000;
const FIRST_MONTH = Date.UTC(2025, 5, 1);
const MONTHS = 12;
const RANGES = [
  { range: "30 days", from: Date.UTC(2026, 3, 1), to: Date.UTC(2026, 4, 1) },
  { range: "12 months", from: FIRST_MONTH, to: Date.UTC(2026, 5, 1) },
];
const ROLLUP_BATCH = 4_000;

const months = (() => {
  const starts = [FIRST_MONTH];
  while (starts.length < MONTHS) starts.push(nextMonth(starts[starts.length - 1]!, "UTC"));
  return starts;
})();

function rank(key: number, month: number, keys: number) {
  if (key < HEAD_PAGES) return key;
  return ((key - HEAD_PAGES + month * 997) % (keys - HEAD_PAGES)) + HEAD_PAGES;
}

const pageviewsOf = (key: number, month: number, keys: number) =>
  Math.max(1, Math.floor(TOP_PAGEVIEWS / (rank(key, month, keys) + 1)));
const regularsOf = (pageviews: number) => Math.floor(pageviews / 2);

function rowVisitors(key: number, month: number, pageviews: number) {
  const hashes: number[] = [];
  const regulars = regularsOf(pageviews);
  for (let j = 0; j < regulars; j++) hashes.push(hashId(`r${key}:${j}`));
  for (let j = regulars; j < pageviews; j++) hashes.push(hashId(`n${key}:${month}:${j}`));
  return sketchAdd(emptySketch(), hashes);
}

/** The exact top rows over months [first, last), in the breakdown's order. */
function reference(keys: number, first: number, last: number) {
  const rows = [];
  for (let key = 0; key < keys; key++) {
    let pageviews = 0;
    let regulars = 0;
    let fresh = 0;
    for (let m = first; m < last; m++) {
      const views = pageviewsOf(key, m, keys);
      pageviews += views;
      regulars = Math.max(regulars, regularsOf(views));
      fresh += views - regularsOf(views);
    }
    rows.push({ key: `/posts/${key}`, pageviews, visitors: regulars + fresh });
  }
  return rows.sort((a, b) => b.visitors - a.visitors || (a.key < b.key ? -1 : 1));
}

type RollupDoc = Omit<Doc<"rollups">, "_id" | "_creationTime">;

async function insertRows(t: ComponentBackend, docs: RollupDoc[]) {
  await t.run(async (ctx) => {
    for (const doc of docs) await ctx.db.insert("rollups", doc);
  });
}

async function seed(keys: number) {
  const t = createComponentBackend();
  const siteId = await createSite(t, `longtail-${keys}`);
  let rows = 0;
  for (const [m, bucket] of months.entries()) {
    const board = new BoardDraft({ entries: [], floor: 0 }, LEADERBOARD_SIZE);
    for (let from = 0; from < keys; from += ROLLUP_BATCH) {
      const docs: Parameters<typeof insertRows>[1] = [];
      for (let key = from; key < Math.min(keys, from + ROLLUP_BATCH); key++) {
        const pageviews = pageviewsOf(key, m, keys);
        const visitors = rowVisitors(key, m, pageviews);
        board.set(`/posts/${key}`, sketchCount(visitors));
        docs.push({
          siteId: siteId as Doc<"rollups">["siteId"],
          granularity: "month" as const,
          bucket,
          dimension: "page",
          key: `/posts/${key}`,
          partition: COMPACTED_PARTITION,
          pageviews,
          events: 0,
          sessions: pageviews,
          bounces: pageviews,
          pvSessions: pageviews,
          durationMs: 0,
          visitors,
        });
      }
      await insertRows(t, docs);
      rows += docs.length;
    }
    await t.run(async (ctx) => {
      await ctx.db.insert("leaderboards", {
        siteId: siteId as never,
        granularity: "month",
        bucket,
        dimension: "page",
        ...board.board(),
      });
    });
  }
  return { t, siteId, rows };
}

export async function benchLongTail(options: { log?: (line: string) => void } = {}) {
  const log = options.log ?? (() => {});
  const reads = [];
  for (const keys of LONG_TAIL_KEY_COUNTS) {
    const started = performance.now();
    const { t, siteId, rows } = await seed(keys);
    log(
      `  seeded ${rows} rows (${keys} pages a month) in ${round((performance.now() - started) / 1000, 1)} s`,
    );
    for (const { range, from, to } of RANGES) {
      const { result, cost } = await measure(t, (ctx) =>
        ctx.runQuery(api.reports.getBreakdown, { siteId, from, to, dimension: "page", limit: 10 }),
      );
      const first = months.indexOf(from);
      const exact = reference(keys, first, months.indexOf(to) === -1 ? MONTHS : months.indexOf(to));
      const top10 = exact.slice(0, 10);
      const pageviewsExact =
        result.rows.length === 10 &&
        result.rows.every(
          (row, i) => row.key === top10[i]!.key && row.pageviews === top10[i]!.pageviews,
        );
      const visitorsMaxRelativeError = Math.max(
        ...result.rows.map((row) => {
          const truth = exact.find((r) => r.key === row.key)!.visitors;
          return Math.abs(row.visitors - truth) / truth;
        }),
      );
      const entry = {
        dimension: "page",
        range,
        keys,
        documentsRead: cost.documentsRead,
        bytesRead: cost.bytesRead,
        indexRanges: cost.indexRanges,
        /** What reading every row of the range (before leaderboards) would have read. */
        rowsInRange: keys * Math.round((to - from) / (30.4 * 86_400_000)),
        approximate: "approximate" in result,
        top10: { pageviewsExact, visitorsMaxRelativeError: round(visitorsMaxRelativeError, 4) },
      };
      log(`  ${range} at ${keys} pages/month: ${JSON.stringify(entry)}`);
      reads.push(entry);
    }
  }
  return { keyCounts: LONG_TAIL_KEY_COUNTS, reads };
}

export function longTailRows(
  report: Awaited<ReturnType<typeof benchLongTail>>,
): [string, string][] {
  return report.reads.map((read) => [
    `${read.dimension} ${read.range}, ${read.keys} keys/month`,
    `${read.documentsRead} docs, ${round(read.bytesRead / 1024, 1)} KiB, ${read.indexRanges} index ranges; top 10 pageviews ${read.top10.pageviewsExact ? "exact" : "NOT exact"}, visitors max error ${(read.top10.visitorsMaxRelativeError * 100).toFixed(2)} %${read.approximate ? " (approximate)" : ""}`,
  ]);
}
