// Goals' conversions, bounded at any number of distinct paths (lib/goalMirror.ts says how a
// wildcard goal's own rows are kept and why they are exact): the compaction side, which adds
// merged page content to them and walks a new goal's history, and the read side, which every
// unfiltered goal report (getGoals, getRangePart's "goals") goes through.
import type { Doc, Id } from "../_generated/dataModel.js";
import type { MutationCtx, QueryCtx } from "../_generated/server.js";
import { COMPACTED_PARTITION, mergeRows, type MergeableRow } from "./compaction.js";
import type { RowLike } from "../read/figures.js";
import {
  GOAL_DIMENSION,
  GOAL_SHARD_PARTITION,
  mirrorAction,
  mirrorReady,
  type MirrorCursor,
} from "./goalMirror.js";
import {
  goalDimension,
  goalKey,
  goalKeyMatcher,
  isWildcardGoal,
  type GoalDefinition,
} from "../read/goals.js";
import { PARTITIONS } from "../lib/limits.js";
import type { ReadBudget } from "../lib/readBudget.js";
import type { RowRef } from "../aggregate/rollup.js";
import { coverRange } from "../lib/time.js";
import { definitionOf, siteGoals } from "../read/goalDocs.js";
import { countRead, keyRows, rangeRows, rollupRow, type RowsRead } from "../read/rollupReads.js";

type Mirrored = { goal: Doc<"goals">; matches: (path: string) => boolean; cursor: MirrorCursor };

/**
 * One compaction step's additions to wildcard goals' hour rows: collected as the step merges
 * page groups and walks, written once per (hour, goal) at the end of the step.
 */
export class GoalMirror {
  private readonly additions = new Map<string, { ref: RowRef; rows: MergeableRow[] }>();

  private constructor(
    private readonly ctx: MutationCtx,
    private readonly siteId: Id<"sites">,
    private readonly goals: Mirrored[],
    private readonly budget: ReadBudget,
  ) {}

  static async load(ctx: MutationCtx, siteId: Id<"sites">, budget: ReadBudget) {
    const goals: Mirrored[] = [];
    for (const goal of await siteGoals(ctx, siteId)) {
      budget.spend(goal);
      const definition = definitionOf(goal);
      if (isWildcardGoal(definition))
        goals.push({ goal, matches: goalKeyMatcher(definition), cursor: goal.mirror });
    }
    return new GoalMirror(ctx, siteId, goals, budget);
  }

  private matching(group: RowRef) {
    if (group.dimension !== "page" || group.granularity !== "hour") return [];
    return this.goals.filter((goal) => goal.matches(group.key));
  }

  /** Whether a group must wait for a goal's walk to leave its bucket before it is merged. */
  defers(group: RowRef): boolean {
    return this.matching(group).some((g) => mirrorAction(g.cursor, group.bucket) === "defer");
  }

  /** A page hour group is being merged: its shards' content goes to the goals that add it. */
  merged(group: RowRef, rows: readonly Doc<"rollups">[]) {
    const shards = rows.filter((row) => row.partition >= 0);
    if (!shards.length) return;
    for (const goal of this.matching(group))
      if (mirrorAction(goal.cursor, group.bucket) === "add")
        this.add(group.bucket, goal.goal._id, mergeRows(shards));
  }

  private add(bucket: number, goalId: Id<"goals">, content: MergeableRow) {
    const ref: RowRef = { granularity: "hour", bucket, dimension: GOAL_DIMENSION, key: goalId };
    const id = JSON.stringify([bucket, goalId]);
    const entry = this.additions.get(id) ?? { ref, rows: [] };
    entry.rows.push(content);
    this.additions.set(id, entry);
  }

  /**
   * Walks the oldest unfinished goal's history (merged page hour rows in index order), within
   * `walk`: its matching rows are added, its cursor moves to the last row read. Returns whether
   * a walk is left for a later step.
   */
  async backfill(walk: ReadBudget): Promise<boolean> {
    const goal = this.goals.find((g) => g.cursor !== "done");
    if (!goal) return false;
    if (walk.spent) return true;
    const cursor = goal.cursor as Exclude<MirrorCursor, "done">;
    let last: Doc<"rollups"> | null = null;
    const take = async (rows: AsyncIterable<Doc<"rollups">>) => {
      for await (const row of rows) {
        if (walk.spent) return false;
        walk.spend(row);
        last = row;
        if (row.partition === COMPACTED_PARTITION && goal.matches(row.key))
          this.add(row.bucket, goal.goal._id, row);
      }
      return true;
    };
    const pageHours = () =>
      this.ctx.db
        .query("rollups")
        .withIndex("by_row", (q) =>
          q.eq("siteId", this.siteId).eq("granularity", "hour").eq("dimension", "page"),
        );
    // The rest of the bucket it stopped in (every partition of a key walked comes first: its
    // shards, which the walk skips, sort after its merged row), then the buckets after it.
    let finished = true;
    if (cursor) {
      finished = await take(
        this.ctx.db
          .query("rollups")
          .withIndex("by_row", (q) =>
            q
              .eq("siteId", this.siteId)
              .eq("granularity", "hour")
              .eq("dimension", "page")
              .eq("bucket", cursor.bucket)
              .gt("key", cursor.key),
          ),
      );
    }
    if (finished) {
      finished = await take(
        cursor
          ? this.ctx.db
              .query("rollups")
              .withIndex("by_row", (q) =>
                q
                  .eq("siteId", this.siteId)
                  .eq("granularity", "hour")
                  .eq("dimension", "page")
                  .gt("bucket", cursor.bucket),
              )
          : pageHours(),
      );
    }
    const stopped = last as Doc<"rollups"> | null;
    const next: MirrorCursor = finished ? "done" : { bucket: stopped!.bucket, key: stopped!.key };
    await this.ctx.db.patch("goals", goal.goal._id, { mirror: next });
    goal.cursor = next;
    // More to walk: this goal's rest, or the next goal's whole history (one goal per step).
    return this.goals.some((g) => g.cursor !== "done");
  }

  /** Adds what the step collected to the goals' hour rows (one read and one write per row). */
  async write() {
    for (const { ref, rows } of this.additions.values()) {
      const existing = await rollupRow(this.ctx, this.siteId, ref, GOAL_SHARD_PARTITION);
      if (existing) {
        this.budget.spend(existing);
        await this.ctx.db.patch("rollups", existing._id, mergeRows([existing, ...rows]));
      } else {
        await this.ctx.db.insert("rollups", {
          siteId: this.siteId,
          ...ref,
          partition: GOAL_SHARD_PARTITION,
          // Compaction folds it into the goal's day and month rows, as it folds any open hour.
          unfolded: true,
          ...mergeRows(rows),
        });
      }
    }
  }
}

/** A goal as the reads use it. */
export type ReadGoal = { goalId: string; definition: GoalDefinition; mirror: MirrorCursor };

export async function readGoals(
  ctx: QueryCtx,
  siteId: Id<"sites">,
): Promise<(ReadGoal & { name: string })[]> {
  return (await siteGoals(ctx, siteId)).map((goal) => ({
    goalId: goal._id as string,
    name: goal.name,
    definition: definitionOf(goal),
    mirror: goal.mirror,
  }));
}

/**
 * Every goal's converting rows over [from, to): an event goal's and an exact page goal's one
 * key's rows; a wildcard goal's own rows plus the matching page hour shards compaction has not
 * merged yet. None of it grows with the number of distinct paths. A wildcard goal whose history
 * is still being walked reads the range's page rows whole, under the shared read budget, as
 * before goals had rows of their own.
 */
export async function goalConversions(
  ctx: QueryCtx,
  site: Doc<"sites">,
  goals: readonly ReadGoal[],
  from: number,
  to: number,
  read: RowsRead,
): Promise<Map<string, RowLike[]>> {
  const segments = coverRange(from, to, site.timezone, true);
  let pending: RowLike[] | undefined;
  let allPages: RowLike[] | undefined;
  const conversions = new Map<string, RowLike[]>();
  for (const { goalId, definition, mirror } of goals) {
    let rows: RowLike[];
    if (!isWildcardGoal(definition)) {
      rows = await keyRows(
        ctx,
        site,
        goalDimension(definition),
        goalKey(definition),
        segments,
        read,
      );
    } else if (mirrorReady(mirror)) {
      pending ??= await unmergedPageHours(ctx, site._id, from, to, read);
      const matches = goalKeyMatcher(definition);
      rows = [
        ...(await keyRows(ctx, site, GOAL_DIMENSION, goalId, segments, read)),
        ...pending.filter((row) => matches(row.key)),
      ];
    } else {
      allPages ??= await rangeRows(ctx, site, "page", from, to, read);
      const matches = goalKeyMatcher(definition);
      rows = allPages.filter((row) => matches(row.key));
    }
    conversions.set(goalId, rows);
  }
  return conversions;
}

/**
 * The page hour shards of [from, to) compaction has not merged (the open hours, and late
 * events' rows until the next pass): their content is in no goal row yet. Found through
 * by_shard_dimension, which holds one dimension's shards: the page shards alone, each row read
 * counted.
 */
async function unmergedPageHours(
  ctx: QueryCtx,
  siteId: Id<"sites">,
  from: number,
  to: number,
  read: RowsRead,
) {
  const rows: RowLike[] = [];
  for (let partition = 0; partition < PARTITIONS; partition++) {
    const shards = ctx.db
      .query("rollups")
      .withIndex("by_shard_dimension", (q) =>
        q
          .eq("siteId", siteId)
          .eq("partition", partition)
          .eq("dimension", "page")
          .eq("granularity", "hour")
          .gte("bucket", from)
          .lt("bucket", to),
      );
    for await (const row of shards) {
      countRead(read, row);
      rows.push(row);
    }
  }
  return rows;
}
