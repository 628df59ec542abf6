// A wildcard page goal's own rows (docs/read-path.md, "Goals"). A pattern such as /blog/* can
// match any number of distinct paths, so summing the matching page rows of a range would read a
// row per path. Instead compaction keeps, per goal, rows in GOAL_DIMENSION (key: the goal's id)
// that hold what the matching page rows hold, and a goal reads O(buckets) of them whatever the
// number of paths. Pure: this module says which page content a goal's rows already hold.
//
// How the rows are kept, at hour level only (day and month follow by compaction's own folding,
// as for any dimension: a day's content is the sum of its hours'):
// - When compaction merges a page hour group's shard rows (partition ≥ 0) into its merged row,
//   it adds the shards' content (counters summed, sketches united) to the goal's hour row at
//   GOAL_SHARD_PARTITION, marked unfolded, for every goal the path matches.
// - A goal created after its site has history gets the rest by a backfill that walks the
//   page hour rows merged before (partition −1, index order: bucket, then key) and adds the
//   matching ones the same way. Its cursor makes the two exact together: a merge of a group
//   the walk has passed is added by the merge; one ahead of it is read by the walk later;
//   a group in the bucket the walk is inside waits (compaction defers it) until the walk
//   leaves that bucket, so that key order never has to be compared outside the index.
// - What compaction has not merged yet (page hour shards of the range) is read as it is.

/** The dimension of goals' own rows; the key of a row is its goal's id. */
export const GOAL_DIMENSION = "goal";

/** The partition of the hour rows compaction adds a goal's conversions to (one per hour). */
export const GOAL_SHARD_PARTITION = 0;

/**
 * Where a goal's backfill is: absent before it started (nothing walked), "done" once every
 * merged page hour row was walked, else the last row it walked (every row before it, in index
 * order, is walked too).
 */
export type MirrorCursor = undefined | "done" | { bucket: number; key: string };

/**
 * What compaction does with the shards of a page hour group of `bucket` whose path matches a
 * goal: `add` them to the goal's rows (the walk has passed the bucket, or is done), `leave`
 * them to the walk (it hasn't reached the bucket: it will read the merged row), or `defer` the
 * merge (the walk is inside the bucket).
 */
export function mirrorAction(cursor: MirrorCursor, bucket: number): "add" | "leave" | "defer" {
  if (cursor === "done") return "add";
  if (cursor === undefined || bucket > cursor.bucket) return "leave";
  return bucket < cursor.bucket ? "add" : "defer";
}

/** Whether a goal's rows hold all its history, so that reads may use them. */
export function mirrorReady(cursor: MirrorCursor): boolean {
  return cursor === "done";
}
