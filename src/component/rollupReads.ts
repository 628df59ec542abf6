// Rollup reads shared by every report: the range check and the budgeted row read. Each reads
// O(buckets × keys × shards) documents whatever the traffic (invariant 6), through by_row.
import type { Doc, Id } from "./_generated/dataModel.js";
import type { QueryCtx } from "./_generated/server.js";
import type { RowLike } from "./lib/figures.js";
import type { RowRef } from "./lib/rollup.js";
import { DAY_MS } from "./lib/limits.js";
import { coverRange, snapRange, type Segment } from "./lib/time.js";
import { invalidArgument } from "./lib/validate.js";

/** Longest range a read accepts; hourly series are shorter (their points are sent). */
export const MAX_RANGE_DAYS = 3 * 366;
export const MAX_HOURLY_RANGE_DAYS = 62;
/** A read that would need more rollup rows than this asks for a narrower range instead. */
export const MAX_ROLLUP_ROWS_PER_READ = 20_000;
/**
 * The same for bytes, under Convex's 16 MiB per-query read limit with room for the rest of
 * the query: a busy bucket's row carries a 16 KiB sketch, so a wide breakdown of a busy site
 * can need more, and gets this error naming what to do instead of the platform's.
 */
export const MAX_ROLLUP_BYTES_PER_READ = 12 * 2 ** 20;
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
    read.rows++;
    read.bytes += ROLLUP_ROW_FIXED_BYTES + row.visitors.byteLength + (row.users?.byteLength ?? 0);
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
