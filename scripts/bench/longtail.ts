// Long tails: what a breakdown reads over 30 days and 12 months of a site whose pages, sources
// and campaigns have 1,000 and 1,000,000 distinct keys a month, and how far its top 10 is from
// the exact figures.
//
// Seeding. Folding millions of pageviews through ingest, the workers and compaction would take
// hours in convex-test, so each site is written as compaction leaves a year of closed months:
// one merged row (partition −1) per (month, dimension, key) with its counters and its visitors'
// sketch, and each month's leaderboard built by read/leaderboard's BoardDraft, as compaction
// builds it (maintenance.ts Boards: one `set` per key with its score, sketchCount(visitors)).
// The reads go through the real getBreakdown, measured with getTransactionMetrics. The ranges
// are whole months (30 days: April 2026; 12 months: June 2025 to May 2026), so a read touches
// month rows and month boards only; day and hour segments read the same way.
//
// At 1,000,000 keys a month (12 million rows a dimension) two shortcuts keep it to minutes,
// neither of which changes what a read touches:
// - A board is fed its keys in descending score order and only down to the first key that can't
//   enter it: every later key has a score ≤ that one's, so `set` would only raise the floor to
//   at most the same value. The board is the one feeding every key in that order gives.
// - Only the rows of keys that some month's board lists are stored (≤ 128 × 12 keys, in every
//   month). A breakdown reads the rows of its candidates, and with a board on every bucket (no
//   open part) a candidate is a key a board lists: rows of other keys are never read, and
//   their absence changes no index range it reads. At 1,000 keys every row is stored.
// The exact figures (the reference) are computed in closed form over every key.
//
// Traffic (deterministic): key k's rank in month m is k for the 50 head keys and rotates through
// the tail from month to month; a key of rank r has max(1, ⌊TOP_PAGEVIEWS / (r+1)⌋) pageviews
// in the month (Zipf: ~1.03 million a month at 1,000,000 keys), each a session of its own, by as
// many visitors: half of them the key's regulars (the same ids every month), half new that
// month. So the exact figures over any months are known in closed form: pageviews add, visitors
// = the most regulars of any month + every month's new ones.
import { api } from "../../src/component/_generated/api.js";
import { COMPACTED_PARTITION } from "../../src/component/maintenance/compaction.js";
import { BoardDraft } from "../../src/component/read/leaderboard.js";
import { LEADERBOARD_SIZE } from "../../src/component/lib/limits.js";
import {
  emptySketch,
  hashId,
  sketchAdd,
  sketchCount,
  SPARSE_LIMIT,
} from "../../src/component/lib/sketch.js";
import { nextMonth } from "../../src/component/lib/time.js";
import type { Doc } from "../../src/component/_generated/dataModel.js";
import {
  createComponentBackend,
  createSite,
  measure,
  round,
  type ComponentBackend,
} from "../../harness/component.js";

export const LONG_TAIL_KEY_COUNTS = [1_000, 1_000_000];
/** Key counts up to this are stored whole (every key's row every month). */
const STORED_WHOLE = 20_000;
const DIMENSIONS = [
  { dimension: "page", keyOf: (k: number) => `/posts/${k}` },
  { dimension: "source", keyOf: (k: number) => `site${k}.example.net` },
  { dimension: "utmCampaign", keyOf: (k: number) => `campaign-${k}` },
] as const;
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

/** The key of rank r in a month: rank's inverse. */
function keyAt(r: number, month: number, keys: number) {
  if (r < HEAD_PAGES) return r;
  const tail = keys - HEAD_PAGES;
  return ((((r - HEAD_PAGES - month * 997) % tail) + tail) % tail) + HEAD_PAGES;
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

/** A row's score as compaction gives it: its sketch's count (the exact count below the limit). */
const scoreOf = (key: number, month: number, pageviews: number) =>
  pageviews <= SPARSE_LIMIT ? pageviews : sketchCount(rowVisitors(key, month, pageviews));

/** The exact top rows over months [first, last), in the breakdown's order. */
function reference(keys: number, first: number, last: number, keyOf: (k: number) => string) {
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
    rows.push({ key: keyOf(key), pageviews, visitors: regulars + fresh });
  }
  return rows.sort((a, b) => b.visitors - a.visitors || (a.key < b.key ? -1 : 1));
}

type RollupDoc = Omit<Doc<"rollups">, "_id" | "_creationTime">;

async function insertRows(t: ComponentBackend, docs: RollupDoc[]) {
  await t.run(async (ctx) => {
    for (const doc of docs) await ctx.db.insert("rollups", doc);
  });
}

/** A month's board: its keys fed in descending score order until one can't enter (above). */
function monthBoard(month: number, keys: number, keyOf: (k: number) => string) {
  const board = new BoardDraft({ entries: [], floor: 0 }, LEADERBOARD_SIZE);
  for (let r = 0; r < keys; r++) {
    const key = keyAt(r, month, keys);
    board.set(keyOf(key), scoreOf(key, month, pageviewsOf(key, month, keys)));
    if (r >= LEADERBOARD_SIZE) break;
  }
  return board.board();
}

async function seed(keys: number) {
  const t = createComponentBackend();
  const siteId = await createSite(t, `longtail-${keys}`);
  let rows = 0;
  for (const { dimension, keyOf } of DIMENSIONS) {
    const boards = months.map((_, m) => monthBoard(m, keys, keyOf));
    const listed = new Set(boards.flatMap((b) => b.entries.map((e) => e.key)));
    const stored =
      keys <= STORED_WHOLE
        ? Array.from({ length: keys }, (_, k) => k)
        : Array.from({ length: keys }, (_, k) => k).filter((k) => listed.has(keyOf(k)));
    for (const [m, bucket] of months.entries()) {
      for (let from = 0; from < stored.length; from += ROLLUP_BATCH) {
        const docs: RollupDoc[] = stored.slice(from, from + ROLLUP_BATCH).map((key) => {
          const pageviews = pageviewsOf(key, m, keys);
          return {
            siteId: siteId as Doc<"rollups">["siteId"],
            granularity: "month" as const,
            bucket,
            dimension,
            key: keyOf(key),
            partition: COMPACTED_PARTITION,
            pageviews,
            events: 0,
            sessions: pageviews,
            bounces: pageviews,
            pvSessions: pageviews,
            durationMs: 0,
            visitors: rowVisitors(key, m, pageviews),
          };
        });
        await insertRows(t, docs);
        rows += docs.length;
      }
      await t.run(async (ctx) => {
        await ctx.db.insert("leaderboards", {
          siteId: siteId as never,
          granularity: "month",
          bucket,
          dimension,
          ...boards[m]!,
        });
      });
    }
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
      `  seeded ${rows} rows (${keys} keys a month in each of ${DIMENSIONS.length} dimensions) in ${round((performance.now() - started) / 1000, 1)} s`,
    );
    for (const { dimension, keyOf } of DIMENSIONS) {
      for (const { range, from, to } of RANGES) {
        const { result, cost } = await measure(t, (ctx) =>
          ctx.runQuery(api.reports.getBreakdown, { siteId, from, to, dimension, limit: 10 }),
        );
        const first = months.indexOf(from);
        const last = months.indexOf(to) === -1 ? MONTHS : months.indexOf(to);
        const exact = reference(keys, first, last, keyOf);
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
          dimension,
          range,
          keys,
          documentsRead: cost.documentsRead,
          bytesRead: cost.bytesRead,
          indexRanges: cost.indexRanges,
          /** What reading every row of the range (before leaderboards) would have read. */
          rowsInRange: keys * (last - first),
          approximate: "approximate" in result,
          top10: { pageviewsExact, visitorsMaxRelativeError: round(visitorsMaxRelativeError, 4) },
        };
        log(`  ${dimension} ${range} at ${keys} keys/month: ${JSON.stringify(entry)}`);
        reads.push(entry);
      }
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
