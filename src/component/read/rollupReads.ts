// Rollup reads shared by every report: the range check, the budgeted row read, and the
// breakdowns' candidate read. The first reads O(buckets × keys × shards) documents whatever
// the traffic (invariant 6), through by_row; the last O(buckets × candidates), whatever the
// number of distinct keys, through the leaderboards and by_key (docs/read-path.md).
import type { Doc, Id } from "../_generated/dataModel.js";
import type { QueryCtx } from "../_generated/server.js";
import type { RowLike } from "./figures.js";
import type { RowRef } from "../aggregate/rollup.js";
import { chooseCandidates, scoreMetric } from "./leaderboard.js";
import {
  DAY_MS,
  MAX_BOARDS_PER_SEGMENT,
  MAX_OPEN_BYTES_PER_READ,
  MAX_OPEN_ROWS_PER_READ,
  MAX_RANGE_DAYS,
  MAX_ROLLUP_BYTES_PER_READ,
  MAX_ROLLUP_ROWS_PER_READ,
} from "../lib/limits.js";
import { sketchCount } from "../lib/sketch.js";
import { bucketsIn, coverRange, nextMonth, snapRange, type Segment } from "../lib/time.js";
import { invalidArgument } from "../ingest/validate.js";

/** A rollup row's bytes besides its sketches (ids, bucket, key, counters), rounded up. */
const ROLLUP_ROW_FIXED_BYTES = 400;

export function checkedRange(from: number, to: number, timezone: string, maxDays = MAX_RANGE_DAYS) {
  if (!Number.isFinite(from) || !Number.isFinite(to))
    throw invalidArgument("from/to must be finite numbers (ms since epoch)");
  if (from >= to) throw invalidArgument("from must be before to");
  if (to - from > maxDays * DAY_MS)
    throw invalidArgument(`the range must be at most ${maxDays} days`);
  return snapRange(from, to, timezone);
}

/** The granularities whose unfolded rows a segment adds: their data is not in its rows yet. */
export const UNFOLDED_FINER: Record<Segment["granularity"], Segment["granularity"][]> = {
  hour: [],
  day: ["hour"],
  month: ["hour", "day"],
};

/** Rollup rows one query has read so far: a query that reads several dimensions shares one. */
export type RowsRead = { rows: number; bytes: number };

function addRead(read: RowsRead, row: RowLike) {
  read.rows++;
  read.bytes += ROLLUP_ROW_FIXED_BYTES + row.visitors.byteLength + (row.users?.byteLength ?? 0);
}

/** Counts a row read, and stops the query before the platform's limits would. */
export function countRead(read: RowsRead, row: RowLike) {
  addRead(read, row);
  if (read.rows > MAX_ROLLUP_ROWS_PER_READ) {
    throw invalidArgument(
      `this report needs more than ${MAX_ROLLUP_ROWS_PER_READ} rollup rows: narrow the range`,
    );
  }
  if (read.bytes > MAX_ROLLUP_BYTES_PER_READ) {
    throw invalidArgument(
      `this report needs more than ${MAX_ROLLUP_BYTES_PER_READ / 2 ** 20} MiB of rollup rows: narrow the range (maintenance compacts busy sites' rows within the hour)`,
    );
  }
}

export async function readRows(
  ctx: QueryCtx,
  site: Doc<"sites">,
  dimension: string,
  segments: Segment[],
  read: RowsRead = { rows: 0, bytes: 0 },
): Promise<RowLike[]> {
  const rows: RowLike[] = [];
  const take = (row: RowLike) => {
    rows.push(row);
    countRead(read, row);
  };
  for (const segment of segments) {
    // Streamed, so that the budgets stop the read before the platform's limit would.
    const stream = ctx.db
      .query("rollups")
      .withIndex("by_row", (q) =>
        q
          .eq("siteId", site._id)
          .eq("granularity", segment.granularity)
          .eq("dimension", dimension)
          .gte("bucket", segment.from)
          .lt("bucket", segment.to),
      );
    for await (const row of stream) take(row);
    // A day row holds only its folded hours, a month row its folded days (compaction folds
    // each closed hour into its day, each closed day into its month): what is not folded yet
    // is read as it is. Workers mark only rows of open hours, and compaction runs every 15
    // minutes, so these are the last two hours and today, unless it stopped (getHealth's
    // backlog).
    for (const finer of UNFOLDED_FINER[segment.granularity]) {
      const unfolded = ctx.db
        .query("rollups")
        .withIndex("by_unfolded", (q) =>
          q
            .eq("siteId", site._id)
            .eq("dimension", dimension)
            .eq("unfolded", true)
            .eq("granularity", finer)
            .gte("bucket", segment.from)
            .lt("bucket", segment.to),
        );
      for await (const row of unfolded) take(row);
    }
  }
  return rows;
}

export async function rangeRows(
  ctx: QueryCtx,
  site: Doc<"sites">,
  dimension: string,
  from: number,
  to: number,
  read?: RowsRead,
) {
  return readRows(ctx, site, dimension, coverRange(from, to, site.timezone, true), read);
}

/** The one row of (granularity, bucket, dimension, key) in `partition`, or null. */
export async function rollupRow(
  ctx: QueryCtx,
  siteId: Id<"sites">,
  row: RowRef,
  partition: number,
) {
  return await ctx.db
    .query("rollups")
    .withIndex("by_row", (q) =>
      q
        .eq("siteId", siteId)
        .eq("granularity", row.granularity)
        .eq("dimension", row.dimension)
        .eq("bucket", row.bucket)
        .eq("key", row.key)
        .eq("partition", partition),
    )
    .unique();
}

/**
 * The rows of a breakdown's `count` candidate keys over [from, to) (docs/read-path.md): the
 * range's leaderboards, plus the rows no board covers yet (the open hours, and buckets
 * compaction has not reached: read whole, up to MAX_OPEN_ROWS_PER_READ), choose the keys with
 * the highest upper bounds; then each candidate's rows are read through by_key, exactly the
 * rows `rangeRows` would read for it. So what is read grows with the range and `count`, not
 * with the number of distinct keys. `rest` bounds the score of every key not returned;
 * `capped`: the open part was larger than the cap, so a key's rows there may be unseen.
 */
export async function candidateRows(
  ctx: QueryCtx,
  site: Doc<"sites">,
  dimension: string,
  from: number,
  to: number,
  count: number,
  read: RowsRead = { rows: 0, bytes: 0 },
): Promise<{ rows: RowLike[]; rest: number; capped: boolean }> {
  const segments = coverRange(from, to, site.timezone, true);
  const siteId = site._id;
  const boards: Doc<"leaderboards">[][] = [];
  for (const segment of segments) {
    const found = await ctx.db
      .query("leaderboards")
      .withIndex("by_bucket", (q) =>
        q
          .eq("siteId", siteId)
          .eq("dimension", dimension)
          .eq("granularity", segment.granularity)
          .gte("bucket", segment.from)
          .lt("bucket", segment.to),
      )
      .take(MAX_BOARDS_PER_SEGMENT);
    if (segment.granularity === "month") {
      // Days whose −2 rows are not all in their month yet.
      found.push(
        ...(await ctx.db
          .query("leaderboards")
          .withIndex("by_unfolded", (q) =>
            q
              .eq("siteId", siteId)
              .eq("dimension", dimension)
              .eq("unfolded", true)
              .eq("granularity", "day")
              .gte("bucket", segment.from)
              .lt("bucket", segment.to),
          )
          .take(MAX_BOARDS_PER_SEGMENT)),
      );
    }
    // A board being rebuilt (maintenance/boardBackfill.ts) bounds nothing yet: its bucket is read whole.
    boards.push(found.filter((board) => !board.building));
  }
  // A range compaction has not reached (a new site, rows stored before leaderboards) is read
  // whole, as before: every key's rows, under readRows' budget.
  if (boards.every((found) => found.length === 0))
    return { rows: await readRows(ctx, site, dimension, segments, read), rest: 0, capped: false };

  const metric = scoreMetric(dimension);
  const open = new Map<string, number>();
  const openRead: RowsRead = { rows: 0, bytes: 0 };
  let capped = false;
  /** Rows no board covers yet: their scores count exactly, up to the cap. */
  const readOpen = async (rows: AsyncIterable<Doc<"rollups">>) => {
    for await (const row of rows) {
      addRead(openRead, row);
      if (openRead.rows > MAX_OPEN_ROWS_PER_READ || openRead.bytes > MAX_OPEN_BYTES_PER_READ) {
        capped = true;
        return;
      }
      const score = metric === "events" ? row.events : sketchCount(row.visitors);
      open.set(row.key, (open.get(row.key) ?? 0) + score);
    }
  };
  for (const [i, segment] of segments.entries()) {
    // A month's first day starts when the month does: only the segment's own boards cover it.
    const covered = new Set(
      boards[i]!.filter((board) => board.granularity === segment.granularity).map((b) => b.bucket),
    );
    for (const bucket of segmentBuckets(segment, site.timezone)) {
      if (covered.has(bucket) || capped) continue;
      await readOpen(
        ctx.db
          .query("rollups")
          .withIndex("by_row", (q) =>
            q
              .eq("siteId", siteId)
              .eq("granularity", segment.granularity)
              .eq("dimension", dimension)
              .eq("bucket", bucket),
          ),
      );
    }
    if (segment.granularity !== "hour" && !capped) {
      await readOpen(
        ctx.db
          .query("rollups")
          .withIndex("by_unfolded", (q) =>
            q
              .eq("siteId", siteId)
              .eq("dimension", dimension)
              .eq("unfolded", true)
              .eq("granularity", "hour")
              .gte("bucket", segment.from)
              .lt("bucket", segment.to),
          ),
      );
    }
  }
  const { candidates, rest } = chooseCandidates(boards.flat(), open, count);
  const rows: RowLike[] = [];
  for (const key of candidates)
    rows.push(...(await keyRows(ctx, site, dimension, key, segments, read)));
  return { rows, rest, capped };
}

/** Bucket starts of a segment's granularity inside it. */
function segmentBuckets(segment: Segment, timezone: string): number[] {
  if (segment.granularity !== "month")
    return bucketsIn(segment.from, segment.to, segment.granularity, timezone);
  const buckets: number[] = [];
  for (let month = segment.from; month < segment.to; month = nextMonth(month, timezone))
    buckets.push(month);
  return buckets;
}

/**
 * One key's rows over the segments: what `readRows` reads for it. A segment's own rows (folded
 * or not), and the unfolded rows of the finer granularities.
 */
export async function keyRows(
  ctx: QueryCtx,
  site: Doc<"sites">,
  dimension: string,
  key: string,
  segments: Segment[],
  read: RowsRead,
): Promise<RowLike[]> {
  const rows: RowLike[] = [];
  const reads: [boolean | undefined, Segment["granularity"], Segment][] = [];
  for (const segment of segments) {
    reads.push([undefined, segment.granularity, segment], [true, segment.granularity, segment]);
    for (const finer of UNFOLDED_FINER[segment.granularity]) reads.push([true, finer, segment]);
  }
  for (const [unfolded, granularity, segment] of reads) {
    const found = ctx.db
      .query("rollups")
      .withIndex("by_key", (q) =>
        q
          .eq("siteId", site._id)
          .eq("dimension", dimension)
          .eq("key", key)
          .eq("unfolded", unfolded)
          .eq("granularity", granularity)
          .gte("bucket", segment.from)
          .lt("bucket", segment.to),
      );
    for await (const row of found) {
      countRead(read, row);
      rows.push(row);
    }
  }
  return rows;
}
