// Compaction (invariant 5): the shard rows of a closed bucket (one per partition, plus any
// row an earlier compaction left at COMPACTED_PARTITION) fold into one row. Counters add
// and sketches union, so merging is exact and can run again at any time: a late event
// for a compacted bucket writes a fresh shard row that the next pass folds in.
import { monthBucket, dayBucket, hourBucket } from "../lib/time.js";
import { COMPACTION_GRACE_MS, HOUR_MS } from "../lib/limits.js";
import {
  addCounters,
  storedCounters,
  zeroCounters,
  type Granularity,
  type StoredCounters,
} from "../aggregate/rollup.js";
import { mergeAll } from "../lib/sketch.js";

/** The partition of merged rows; workers write partitions 0…PARTITIONS−1. */
export const COMPACTED_PARTITION = -1;

/**
 * The partition of a day's row built from its folded hours (marked `unfolded`): it is not in
 * the month row yet. Compaction folds each closed hour into it (one write per hour and key,
 * where folding into the day and the month each hour wrote two), and the closed day into its
 * month once (maintenance/compaction's firstOpenBucket), then merges it into the day's −1 row. Kept
 * apart from −1 because −1 also merges day shards whose month the worker wrote live: a row
 * holding both couldn't say which part its month still lacks.
 */
export const UNFOLDED_DAY_PARTITION = -2;

export type MergeableRow = StoredCounters & { visitors: ArrayBuffer; users?: ArrayBuffer };

export function mergeRows(rows: readonly MergeableRow[]): MergeableRow {
  const counters = zeroCounters();
  for (const row of rows) addCounters(counters, row);
  const userSketches = rows.flatMap((row) => (row.users ? [row.users] : []));
  return {
    ...storedCounters(counters),
    visitors: mergeAll(rows.map((row) => row.visitors)),
    ...(userSketches.length ? { users: mergeAll(userSketches) } : {}),
  };
}

/**
 * The first bucket start of `granularity` that is not closed yet: every bucket before it
 * ended at least COMPACTION_GRACE_MS ago.
 */
export function firstOpenBucket(granularity: Granularity, now: number, timezone: string): number {
  const settled = now - COMPACTION_GRACE_MS;
  if (granularity === "hour") return hourBucket(settled - HOUR_MS, timezone) + HOUR_MS;
  return granularity === "day" ? dayBucket(settled, timezone) : monthBucket(settled, timezone);
}
