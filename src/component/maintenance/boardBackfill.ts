// Leaderboards for rows stored before leaderboards existed (docs/read-path.md): a site's
// merged rows of closed buckets that compaction will never revisit have no board, and a late
// event into such a bucket would make compaction write a board listing only its own key, which a
// breakdown would trust. So each site's rows are walked once, in by_row order (granularity,
// dimension, bucket, key, partition), a bounded piece per compaction step, and every bucket's
// board is rebuilt from its merged rows (−1, and −2 for days: a key's whole score, as
// compaction's Boards sets it). A board being rebuilt is marked `building` and reads ignore it
// (they read its bucket's rows whole, as a bucket without a board); compaction's updates to it
// meanwhile go through BoardDraft.set like the walk's, so the board is right when the mark goes.
import type { Doc } from "../_generated/dataModel.js";
import type { MutationCtx } from "../_generated/server.js";
import { firstOpenBucket, mergeRows } from "./compaction.js";
import { GOAL_DIMENSION } from "./goalMirror.js";
import { BoardDraft, scoreMetric } from "../read/leaderboard.js";
import { LEADERBOARD_SIZE } from "../lib/limits.js";
import type { ReadBudget } from "../lib/readBudget.js";
import { ALL, type Granularity } from "../aggregate/rollup.js";
import { ROLLUP_GRANULARITIES } from "../aggregate/session.js";
import { sketchCount } from "../lib/sketch.js";

type Cursor = NonNullable<Doc<"boardBackfills">["cursor"]>;
type Group = {
  granularity: Granularity;
  dimension: string;
  bucket: number;
  draft: BoardDraft;
  doc: Doc<"leaderboards"> | null;
  unfolded: boolean;
};

/** Dimensions with one key (or one per goal): no board, as compaction's Boards keeps none. */
const unboarded = (dimension: string) => dimension === ALL || dimension === GOAL_DIMENSION;

/**
 * A site's rollup rows of closed buckets in by_row order from `cursor` (its key's rows again,
 * all of them). Each dimension's range ends where its buckets open: the walk never reads the
 * rows the worker is writing. Finding the next dimension reads its first row (`spend`).
 */
async function* rowsFrom(
  ctx: MutationCtx,
  site: Doc<"sites">,
  cursor: Cursor | undefined,
  now: number,
  spend: (row: Doc<"rollups">) => void,
) {
  const start = cursor ? ROLLUP_GRANULARITIES.indexOf(cursor.granularity) : 0;
  for (let i = start; i < ROLLUP_GRANULARITIES.length; i++) {
    const granularity = ROLLUP_GRANULARITIES[i]!;
    const openFrom = firstOpenBucket(granularity, now, site.timezone);
    const at = cursor && i === start ? cursor : undefined;
    const rows = ctx.db.query("rollups");
    const nextDimension = async (after?: string) => {
      const row = await rows
        .withIndex("by_row", (q) =>
          after === undefined
            ? q.eq("siteId", site._id).eq("granularity", granularity)
            : q.eq("siteId", site._id).eq("granularity", granularity).gt("dimension", after),
        )
        .first();
      if (row) spend(row);
      return row?.dimension;
    };
    let dimension = at ? at.dimension : await nextDimension();
    while (dimension !== undefined) {
      const d = dimension;
      if (at && at.dimension === d && at.bucket < openFrom) {
        yield* rows.withIndex("by_row", (q) =>
          q
            .eq("siteId", site._id)
            .eq("granularity", granularity)
            .eq("dimension", d)
            .eq("bucket", at.bucket)
            .gte("key", at.key),
        );
        yield* rows.withIndex("by_row", (q) =>
          q
            .eq("siteId", site._id)
            .eq("granularity", granularity)
            .eq("dimension", d)
            .gt("bucket", at.bucket)
            .lt("bucket", openFrom),
        );
      } else if (!at || at.dimension !== d) {
        yield* rows.withIndex("by_row", (q) =>
          q
            .eq("siteId", site._id)
            .eq("granularity", granularity)
            .eq("dimension", d)
            .lt("bucket", openFrom),
        );
      }
      dimension = await nextDimension(d);
    }
  }
}

/**
 * Walks the next piece of a site's rows within `walk`, rebuilding their buckets' boards.
 * Returns whether rows are left for a later step.
 */
export async function backfillBoards(
  ctx: MutationCtx,
  site: Doc<"sites">,
  now: number,
  walk: ReadBudget,
): Promise<boolean> {
  const siteId = site._id;
  const state = await ctx.db
    .query("boardBackfills")
    .withIndex("by_site", (q) => q.eq("siteId", siteId))
    .unique();
  if (state?.done) return false;
  if (walk.spent) return true;
  let group: Group | null = null;
  let key: { key: string; rows: Doc<"rollups">[] } | null = null;
  let stopped: Cursor | null = null;

  const setKey = () => {
    if (!group || !key) return;
    const merged = key.rows.filter((row) => row.partition < 0);
    if (merged.length) {
      const total = mergeRows(merged);
      const score =
        scoreMetric(group.dimension) === "events" ? total.events : sketchCount(total.visitors);
      group.draft.set(key.key, score);
      group.unfolded ||= merged.some((row) => row.unfolded);
    }
    key = null;
  };
  const writeGroup = async (building: boolean) => {
    if (!group) return;
    const board = {
      ...group.draft.board(),
      building: building ? true : undefined,
      // Compaction keeps a day's mark while its −2 rows are not in its month yet.
      unfolded: group.doc?.unfolded ?? (group.unfolded || undefined),
    };
    if (group.doc) await ctx.db.patch("leaderboards", group.doc._id, board);
    else if (board.entries.length)
      await ctx.db.insert("leaderboards", {
        siteId,
        granularity: group.granularity,
        bucket: group.bucket,
        dimension: group.dimension,
        ...board,
      });
    group = null;
  };

  const spend = (row: Doc<"rollups">) => walk.spend(row);
  for await (const row of rowsFrom(ctx, site, state?.cursor, now, spend)) {
    if (walk.spent) {
      stopped = {
        granularity: row.granularity,
        dimension: row.dimension,
        bucket: row.bucket,
        key: row.key,
      };
      break;
    }
    walk.spend(row);
    if (unboarded(row.dimension)) continue;
    const current = group as Group | null;
    if (
      !current ||
      current.granularity !== row.granularity ||
      current.dimension !== row.dimension ||
      current.bucket !== row.bucket
    ) {
      setKey();
      await writeGroup(false);
      const doc = await ctx.db
        .query("leaderboards")
        .withIndex("by_bucket", (q) =>
          q
            .eq("siteId", siteId)
            .eq("dimension", row.dimension)
            .eq("granularity", row.granularity)
            .eq("bucket", row.bucket),
        )
        .unique();
      if (doc) walk.spend(doc);
      // Resuming inside a bucket: its board so far (marked building) goes on; else anew.
      const c = state?.cursor;
      const resumed =
        doc?.building &&
        c?.granularity === row.granularity &&
        c.dimension === row.dimension &&
        c.bucket === row.bucket;
      group = {
        granularity: row.granularity,
        dimension: row.dimension,
        bucket: row.bucket,
        draft: new BoardDraft(resumed ? doc : { entries: [], floor: 0 }, LEADERBOARD_SIZE),
        doc,
        unfolded: false,
      };
    }
    if (key && key.key !== row.key) setKey();
    key ??= { key: row.key, rows: [] };
    key.rows.push(row);
  }
  setKey();
  // Stopped inside a bucket: its board is marked building until the walk finishes it.
  const open = group as Group | null;
  const inside =
    stopped !== null &&
    open !== null &&
    open.granularity === stopped.granularity &&
    open.dimension === stopped.dimension &&
    open.bucket === stopped.bucket;
  await writeGroup(inside);
  const next = stopped ? { cursor: stopped, done: false } : { cursor: undefined, done: true };
  if (state) await ctx.db.patch("boardBackfills", state._id, next);
  else await ctx.db.insert("boardBackfills", { siteId, ...next });
  return stopped !== null;
}
