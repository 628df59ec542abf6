// Maintenance (invariant 5): compaction, retention, the sweep for pending
// events a crash left behind, and health. Every step is one mutation with bounded reads and
// writes; `run` is the action that loops steps within a budget and reschedules itself while
// work remains. Overlapping runs are safe: two steps that touch the same rows conflict and
// Convex retries the later one, which then finds the work done.
import { v } from "convex/values";
import { api, internal } from "./_generated/api.js";
import type { Doc, Id } from "./_generated/dataModel.js";
import {
  action,
  internalMutation,
  internalQuery,
  mutation,
  query,
  type MutationCtx,
  type QueryCtx,
} from "./_generated/server.js";
import {
  COMPACTED_PARTITION,
  UNFOLDED_DAY_PARTITION,
  firstOpenBucket,
  mergeRows,
  type MergeableRow,
} from "./maintenance/compaction.js";
import { GOAL_DIMENSION } from "./maintenance/goalMirror.js";
import { BoardDraft, scoreMetric } from "./read/leaderboard.js";
import { GoalMirror } from "./maintenance/goalMirrorRows.js";
import { backfillBoards } from "./maintenance/boardBackfill.js";
import * as signatures from "./lib/signatures.js";
import { ReadBudget } from "./lib/readBudget.js";
import { countUnion } from "./lib/sketch.js";
import { rollupRow } from "./read/rollupReads.js";
import { visitRetentionDays } from "./lib/settings.js";
import {
  COMPACTION_GROUPS_PER_STEP,
  BOARD_BACKFILL_ROWS_PER_STEP,
  DAY_MS,
  GOAL_BACKFILL_ROWS_PER_STEP,
  HEALTH_BACKLOG_SCAN,
  HEALTH_FAILED_SCAN,
  HEALTH_FAILURE_REASONS,
  HEALTH_FAILURE_SAMPLES,
  HEALTH_PENDING_SCAN,
  HEALTH_SESSION_SCAN,
  LEADERBOARD_SIZE,
  MAINTENANCE_BYTES_PER_STEP,
  MAINTENANCE_SITES_PER_PAGE,
  MAINTENANCE_STEPS_PER_RUN,
  PARTITIONS,
  RATE_RESERVATION_TTL_MS,
  RESERVATIONS_PRUNED_PER_STEP,
  RETENTION_DELETES_PER_STEP,
  RETENTION_SCAN_PER_STEP,
  SWEEP_STALE_PENDING_MS,
} from "./lib/limits.js";
import { ALL, rowId, type Granularity, type RowRef } from "./aggregate/rollup.js";
import { coarserRows, ROLLUP_GRANULARITIES } from "./aggregate/session.js";
import { sweepPresence } from "./presence.js";
import { loadSite } from "./sites.js";

const taskValidator = v.union(
  v.literal("sweep"),
  v.literal("compact"),
  v.literal("retention"),
  v.literal("presence"),
);
export type MaintenanceTask = "sweep" | "compact" | "retention" | "presence";

const stepResult = v.object({ done: v.number(), more: v.boolean() });

// ---------------------------------------------------------------- compaction

/**
 * Merges up to COMPACTION_GROUPS_PER_STEP closed buckets' shard rows of one site, within
 * MAINTENANCE_BYTES_PER_STEP of rows read (finding the groups and merging them both count).
 */
async function compactStep(ctx: MutationCtx, site: Doc<"sites">, now: number) {
  // A group's rows (a shard per partition, −2 and −1) and the row its unfolded part folds into.
  const budget = new ReadBudget(
    COMPACTION_GROUPS_PER_STEP * (PARTITIONS + 3),
    MAINTENANCE_BYTES_PER_STEP,
  );
  const groups = new Map<string, Doc<"rollups">>();
  let more = false;
  for (const granularity of ROLLUP_GRANULARITIES) {
    const openFrom = firstOpenBucket(granularity, now, site.timezone);
    for (const partition of workListPartitions(granularity)) {
      const shards = ctx.db
        .query("rollups")
        .withIndex("by_shard", (q) =>
          q
            .eq("siteId", site._id)
            .eq("partition", partition)
            .eq("granularity", granularity)
            .lt("bucket", openFrom),
        );
      for await (const shard of shards) {
        // Half the bytes find groups, the other half merges them (each group's rows are read
        // again, with the other partitions' shards and the merged row).
        if (groups.size >= COMPACTION_GROUPS_PER_STEP || budget.bytes >= budget.maxBytes / 2) {
          more = true;
          break;
        }
        budget.spend(shard);
        groups.set(rowId(shard), shard);
      }
    }
  }
  const mirror = await GoalMirror.load(ctx, site._id, budget);
  const merged = await mergeGroups(ctx, site, groups, budget, now, mirror);
  // A wildcard goal's history (maintenance/goalMirrorRows.ts), within what the merges left of the step's bytes.
  const walking = await mirror.backfill(
    new ReadBudget(GOAL_BACKFILL_ROWS_PER_STEP, (MAINTENANCE_BYTES_PER_STEP - budget.bytes) / 2),
  );
  await mirror.write();
  // Boards for buckets merged before leaderboards existed (maintenance/boardBackfill.ts), once per site.
  const rebuilding = await backfillBoards(
    ctx,
    site,
    now,
    new ReadBudget(BOARD_BACKFILL_ROWS_PER_STEP, (MAINTENANCE_BYTES_PER_STEP - budget.bytes) / 2),
  );
  return {
    done: merged.groups,
    more: more || walking || rebuilding || merged.groups < groups.size || merged.closedDays,
  };
}

/** The partitions whose rows of closed buckets compaction merges: the shards, and −2 days. */
function workListPartitions(granularity: Granularity) {
  const shards = Array.from({ length: PARTITIONS }, (_, partition) => partition);
  return granularity === "day" ? [...shards, UNFOLDED_DAY_PARTITION] : shards;
}

/**
 * One row per group: the shards, the −2 row and the earlier merged row fold into the merged
 * row. A group's unfolded rows are also added to the next coarser row, in the same transaction
 * that drops their mark: a closed hour's unfolded shards (written by workers while the hour was
 * open) to its day's −2 row, a closed day's −2 row to its month's merged row. So a row always
 * holds exactly what was folded into it (reads add the rest: read/rollupReads.ts), and each (hour,
 * key) costs one write in the day, each (day, key) one in the month.
 * Stops before a group whose rows would pass the budget; the next step merges it. `closedDays`:
 * an hour went into a closed day's −2 row that this step doesn't merge (the day's last hour
 * closes with it), so the run takes another step instead of leaving it to the next cron.
 */
async function mergeGroups(
  ctx: MutationCtx,
  site: Doc<"sites">,
  groups: Map<string, Doc<"rollups">>,
  budget: ReadBudget,
  now: number,
  mirror: GoalMirror,
) {
  const siteId = site._id;
  const dayOpenFrom = firstOpenBucket("day", now, site.timezone);
  const boards = new Boards(ctx, siteId, budget);
  let mergedGroups = 0;
  let closedDays = false;
  for (const sample of groups.values()) {
    if (budget.spent) break;
    if (mirror.defers(sample)) continue;
    mergedGroups++;
    const rows = await groupRows(ctx, siteId, sample);
    for (const row of rows) budget.spend(row);
    mirror.merged(sample, rows);
    const unfolded = rows.filter((row) => row.unfolded);
    const coarse = coarserRow(sample, site.timezone);
    if (unfolded.length && coarse) {
      let total = await foldInto(ctx, siteId, coarse, mergeRows(unfolded), budget);
      const dayClosed = coarse.bucket < dayOpenFrom;
      if (coarse.partition === UNFOLDED_DAY_PARTITION) {
        // A closed day may already have its −1 row (the day merged before its last hour
        // folded): the board holds the day's whole score.
        const merged = dayClosed ? await rollupRow(ctx, siteId, coarse, COMPACTED_PARTITION) : null;
        if (merged) {
          budget.spend(merged);
          total = mergeRows([total, merged]);
        }
        closedDays ||= dayClosed && !groups.has(rowId(coarse));
      }
      await boards.set(coarse, total, coarse.partition === UNFOLDED_DAY_PARTITION);
    }
    if (rows.length === 1) {
      // A lone shard is already the whole bucket: re-tag it (one write, not insert + delete).
      await ctx.db.patch("rollups", rows[0]!._id, {
        partition: COMPACTED_PARTITION,
        unfolded: undefined,
      });
      await boards.set(sample, rows[0]!);
      continue;
    }
    const merged = mergeRows(rows);
    await boards.set(sample, merged);
    const target = rows.find((row) => row.partition === COMPACTED_PARTITION);
    if (target) await ctx.db.patch("rollups", target._id, merged);
    else await insertMerged(ctx, siteId, sample, merged);
    for (const row of rows)
      if (row.partition !== COMPACTED_PARTITION) await ctx.db.delete("rollups", row._id);
  }
  await boards.write(dayOpenFrom);
  return { groups: mergedGroups, closedDays };
}

/**
 * The leaderboards one compaction step updates (read/leaderboard.ts), each read once and
 * written once at the end of the step. Every row compaction writes gives its key's whole
 * score in the bucket (its −1 and −2 rows together), so a board sees every change compaction
 * makes.
 */
class Boards {
  private readonly drafts = new Map<
    string,
    {
      ref: Omit<RowRef, "key">;
      doc: Doc<"leaderboards"> | null;
      draft: BoardDraft;
      unfolded: boolean;
    }
  >();

  constructor(
    private readonly ctx: MutationCtx,
    private readonly siteId: Id<"sites">,
    private readonly budget: ReadBudget,
  ) {}

  /** `unfolded`: the score includes a day's −2 row, which its month doesn't hold yet. */
  async set(row: RowRef, total: MergeableRow, unfolded = false) {
    // The whole-site dimension has one key, a goal's rows one per goal: neither needs a board.
    if (row.dimension === ALL || row.dimension === GOAL_DIMENSION) return;
    const { granularity, bucket, dimension } = row;
    const id = JSON.stringify([granularity, bucket, dimension]);
    let entry = this.drafts.get(id);
    if (!entry) {
      const doc = await this.ctx.db
        .query("leaderboards")
        .withIndex("by_bucket", (q) =>
          q
            .eq("siteId", this.siteId)
            .eq("dimension", dimension)
            .eq("granularity", granularity)
            .eq("bucket", bucket),
        )
        .unique();
      if (doc) this.budget.spend(doc);
      const draft = new BoardDraft(doc ?? { entries: [], floor: 0 }, LEADERBOARD_SIZE);
      entry = { ref: { granularity, bucket, dimension }, doc, draft, unfolded: !!doc?.unfolded };
      this.drafts.set(id, entry);
    }
    entry.unfolded ||= unfolded;
    const score = scoreMetric(dimension) === "events" ? total.events : countUnion([total.visitors]);
    entry.draft.set(row.key, score);
  }

  /**
   * Writes the boards. A closed day's board keeps its `unfolded` mark while any of its −2 rows
   * is still to fold into the month: the step that folds the last one touches the board.
   */
  async write(dayOpenFrom: number) {
    for (const { ref, doc, draft, unfolded } of this.drafts.values()) {
      let stillUnfolded = unfolded;
      if (unfolded && ref.granularity === "day" && ref.bucket < dayOpenFrom) {
        const left = await this.ctx.db
          .query("rollups")
          .withIndex("by_unfolded", (q) =>
            q
              .eq("siteId", this.siteId)
              .eq("dimension", ref.dimension)
              .eq("unfolded", true)
              .eq("granularity", "day")
              .eq("bucket", ref.bucket),
          )
          .first();
        stillUnfolded = left !== null;
      }
      const board = draft.board();
      if (doc)
        await this.ctx.db.patch("leaderboards", doc._id, {
          ...board,
          unfolded: stillUnfolded ? true : undefined,
        });
      else
        await this.ctx.db.insert("leaderboards", {
          siteId: this.siteId,
          ...ref,
          ...board,
          ...(stillUnfolded ? { unfolded: true } : {}),
        });
    }
  }
}

/** The rows of one (granularity, bucket, dimension, key): a shard per partition, −2 and −1. */
async function groupRows(ctx: MutationCtx, siteId: Id<"sites">, row: RowRef) {
  return await ctx.db
    .query("rollups")
    .withIndex("by_row", (q) =>
      q
        .eq("siteId", siteId)
        .eq("granularity", row.granularity)
        .eq("dimension", row.dimension)
        .eq("bucket", row.bucket)
        .eq("key", row.key),
    )
    .take(PARTITIONS + 2);
}

async function insertMerged(
  ctx: MutationCtx,
  siteId: Id<"sites">,
  row: RowRef,
  merged: MergeableRow,
  partition = COMPACTED_PARTITION,
) {
  const { granularity, bucket, dimension, key } = row;
  await ctx.db.insert("rollups", {
    siteId,
    granularity,
    bucket,
    dimension,
    key,
    partition,
    ...(partition === UNFOLDED_DAY_PARTITION ? { unfolded: true } : {}),
    ...merged,
  });
}

/** Where a group's unfolded rows fold: an hour into its day's −2 row, a day into its month. */
function coarserRow(row: RowRef, timezone: string): (RowRef & { partition: number }) | null {
  if (row.granularity === "month") return null;
  const [day, month] = coarserRows(row, timezone);
  return row.granularity === "hour"
    ? { ...day!, partition: UNFOLDED_DAY_PARTITION }
    : { ...month!, partition: COMPACTED_PARTITION };
}

/** Adds folded rows to their coarser row (created when there is none); returns its new value. */
async function foldInto(
  ctx: MutationCtx,
  siteId: Id<"sites">,
  row: RowRef & { partition: number },
  folded: MergeableRow,
  budget: ReadBudget,
) {
  const target = await rollupRow(ctx, siteId, row, row.partition);
  if (!target) {
    await insertMerged(ctx, siteId, row, folded, row.partition);
    return folded;
  }
  budget.spend(target);
  const total = mergeRows([target, folded]);
  await ctx.db.patch("rollups", target._id, total);
  return total;
}

// ---------------------------------------------------------------- retention

/**
 * Deletes raw events older than the site's retention, visitors nothing newer refers to, and
 * sessions older than the visit retention (they are the filtered reads' facts). A pending event
 * is never deleted (invariant 5): retention reads only the folded ("done") and "failed" ranges
 * of by_status_ts, so a pending one is not even seen until the worker has counted it; a later
 * pass deletes it. Rollups are kept: they are the figures.
 */
async function retentionStep(ctx: MutationCtx, site: Doc<"sites">, now: number) {
  const cutoff = now - site.settings.retentionDays * DAY_MS;
  // A session (and its visitor) is kept while an event inside retention could still extend it.
  const visitorCutoff = cutoff - site.settings.sessionTimeoutMs;
  // Sessions are also what filtered reads count (read/visits.ts): kept for the visit retention.
  const visitDays = Math.max(site.settings.retentionDays, visitRetentionDays(site.settings));
  const sessionCutoff = now - visitDays * DAY_MS - site.settings.sessionTimeoutMs;
  const budget = new ReadBudget(RETENTION_SCAN_PER_STEP, MAINTENANCE_BYTES_PER_STEP);
  let deleted = 0;
  let more = false;
  const sweep = async <Table extends "events" | "sessions" | "visitors">(
    table: Table,
    rows: AsyncIterable<Doc<Table>>,
    deletable: (row: Doc<Table>) => boolean,
  ) => {
    for await (const row of rows) {
      if (budget.spent || deleted >= RETENTION_DELETES_PER_STEP) {
        more = true;
        return;
      }
      budget.spend(row);
      if (!deletable(row)) continue;
      await ctx.db.delete(table, row._id);
      deleted++;
    }
  };
  for (const status of ["done", "failed"] as const) {
    await sweep(
      "events",
      ctx.db
        .query("events")
        .withIndex("by_status_ts", (q) =>
          q.eq("siteId", site._id).eq("status", status).lt("ts", cutoff),
        ),
      () => true,
    );
  }
  await sweep(
    "sessions",
    ctx.db
      .query("sessions")
      .withIndex("by_start", (q) => q.eq("siteId", site._id).lt("startTs", sessionCutoff)),
    (session) => session.endTs < sessionCutoff,
  );
  // Visitor rows are no longer written (no figure reads them): rows stored by earlier versions
  // go once their visitor is out of retention.
  await sweep(
    "visitors",
    ctx.db
      .query("visitors")
      .withIndex("by_last_seen", (q) => q.eq("siteId", site._id).lt("lastSeen", visitorCutoff)),
    () => true,
  );
  return { done: deleted, more };
}

// ---------------------------------------------------------------- sweep

/**
 * Ingest kicks the workers itself; this re-kicks a partition whose oldest pending event has
 * waited SWEEP_STALE_PENDING_MS (its worker was lost, e.g. the deployment restarted), and
 * deletes rate-limit reservations out of the window. Those lie in minutes before any request
 * in flight reserves in, so the sweep's read range never meets a new reservation.
 */
async function sweepStep(ctx: MutationCtx, site: Doc<"sites">, now: number) {
  const expired = await ctx.db
    .query("ingestReservations")
    .withIndex("by_minute", (q) =>
      q.eq("siteId", site._id).lt("minute", now - RATE_RESERVATION_TTL_MS),
    )
    .take(RESERVATIONS_PRUNED_PER_STEP + 1);
  for (const row of expired.slice(0, RESERVATIONS_PRUNED_PER_STEP))
    await ctx.db.delete("ingestReservations", row._id);
  let kicked = 0;
  for (let partition = 0; partition < PARTITIONS; partition++) {
    const oldest = await oldestPending(ctx, site._id, partition);
    if (oldest && now - oldest.receivedAt >= SWEEP_STALE_PENDING_MS) {
      await ctx.scheduler.runAfter(0, internal.worker.aggregate, { siteId: site._id, partition });
      kicked++;
    }
  }
  return {
    done: kicked + Math.min(expired.length, RESERVATIONS_PRUNED_PER_STEP),
    more: expired.length > RESERVATIONS_PRUNED_PER_STEP,
  };
}

async function oldestPending(ctx: QueryCtx, siteId: Id<"sites">, partition: number) {
  return await ctx.db
    .query("events")
    .withIndex("by_status", (q) =>
      q.eq("siteId", siteId).eq("partition", partition).eq("status", "pending"),
    )
    .first();
}

// ---------------------------------------------------------------- entry points

async function runTaskStep(
  ctx: MutationCtx,
  task: MaintenanceTask,
  site: Doc<"sites">,
  now: number,
) {
  switch (task) {
    case "compact":
      return await compactStep(ctx, site, now);
    case "retention":
      return await retentionStep(ctx, site, now);
    case "sweep":
      return await sweepStep(ctx, site, now);
    case "presence":
      return await sweepPresence(ctx, site, now);
  }
}

/** One bounded step of one task over one site: every budget holds per transaction. */
export const step = internalMutation({
  args: { task: taskValidator, siteId: v.string() },
  returns: stepResult,
  handler: async (ctx, { task, siteId }) => {
    return await runTaskStep(ctx, task, await loadSite(ctx, siteId), Date.now());
  },
});

/** Sites in creation order after `after`, a page at a time: how a run visits every site. */
export const sitesPage = internalQuery({
  args: { after: v.optional(v.number()) },
  returns: v.array(v.object({ siteId: v.id("sites"), createdAt: v.number() })),
  handler: async (ctx, { after }) => {
    const sites = await ctx.db
      .query("sites")
      .withIndex("by_creation_time", (q) =>
        after === undefined ? q : q.gt("_creationTime", after),
      )
      .take(MAINTENANCE_SITES_PER_PAGE);
    return sites.map((site) => ({ siteId: site._id, createdAt: site._creationTime }));
  },
});

const runArgs = {
  task: taskValidator,
  siteId: v.optional(v.string()),
  /** Sites created up to this time are done: where a run over every site carries on. */
  after: v.optional(v.number()),
};

/**
 * Runs one task to completion, one site per step mutation, over one site or every site (in
 * creation order), in at most MAINTENANCE_STEPS_PER_RUN steps; then reschedules itself where
 * it stopped if work remains. What the default crons call.
 */
export const run = action({
  args: runArgs,
  returns: v.object({ steps: v.number(), done: v.number(), more: v.boolean() }),
  handler: async (ctx, { task, siteId, after }) => {
    let steps = 0;
    let done = 0;
    /** Steps one site until its work is done (true) or the run's budget is spent (false). */
    const finishSite = async (site: string) => {
      while (steps < MAINTENANCE_STEPS_PER_RUN) {
        steps++;
        const result = await ctx.runMutation(internal.maintenance.step, { task, siteId: site });
        done += result.done;
        if (!result.more) return true;
      }
      return false;
    };
    const carryOn = async (args: { siteId?: string; after?: number }) => {
      await ctx.scheduler.runAfter(0, api.maintenance.run, { task, ...args });
      return { steps, done, more: true };
    };
    if (siteId !== undefined && after === undefined) {
      return (await finishSite(siteId)) ? { steps, done, more: false } : await carryOn({ siteId });
    }
    let cursor = after;
    for (;;) {
      const page = await ctx.runQuery(internal.maintenance.sitesPage, { after: cursor });
      for (const site of page) {
        if (!(await finishSite(site.siteId))) return await carryOn({ after: cursor });
        cursor = site.createdAt;
      }
      if (page.length < MAINTENANCE_SITES_PER_PAGE) return { steps, done, more: false };
    }
  },
});

const MAINTENANCE_TASKS: MaintenanceTask[] = ["compact", "retention", "presence"];

/**
 * contract §4: one bounded pass of compaction, retention and presence cleanup over one site (each
 * task's step inside MAINTENANCE_BYTES_PER_STEP, so three fit in one transaction). Without a
 * siteId a pass over every site can't fit one transaction, so it is handed to the background
 * run (one scheduled action per task, one site per transaction) and `more` is true.
 */
export const runMaintenance = mutation({
  args: signatures.runMaintenance.args,
  returns: signatures.runMaintenance.returns,
  handler: async (ctx, { siteId }) => {
    if (siteId === undefined) {
      for (const task of MAINTENANCE_TASKS)
        await ctx.scheduler.runAfter(0, api.maintenance.run, { task });
      return { compacted: 0, expired: 0, presenceCleared: 0, more: true };
    }
    const site = await loadSite(ctx, siteId);
    const now = Date.now();
    const compacted = await compactStep(ctx, site, now);
    const expired = await retentionStep(ctx, site, now);
    const presence = await sweepPresence(ctx, site, now);
    return {
      compacted: compacted.done,
      expired: expired.done,
      presenceCleared: presence.done,
      more: compacted.more || expired.more || presence.more,
    };
  },
});

// ---------------------------------------------------------------- health

/**
 * Health of one site's pipeline. `now` is the caller's clock, rounded (the dashboard passes it
 * to the minute): a query that read the clock itself would never be re-run by time passing,
 * and one taking an exact time would give every subscriber its own subscription.
 */
export const getHealth = query({
  args: signatures.getHealth.args,
  returns: signatures.getHealth.returns,
  handler: async (ctx, { siteId, now }) => {
    const site = await loadSite(ctx, siteId);
    let pendingEvents = 0;
    let oldestReceivedAt: number | null = null;
    let compactionBacklog = 0;
    const failed: Doc<"events">[] = [];
    for (let partition = 0; partition < PARTITIONS; partition++) {
      const pending = await ctx.db
        .query("events")
        .withIndex("by_status", (q) =>
          q.eq("siteId", site._id).eq("partition", partition).eq("status", "pending"),
        )
        .take(HEALTH_PENDING_SCAN);
      pendingEvents += pending.length;
      if (pending.length)
        oldestReceivedAt = Math.min(oldestReceivedAt ?? Infinity, pending[0]!.receivedAt);
      failed.push(
        ...(await ctx.db
          .query("events")
          .withIndex("by_status", (q) =>
            q.eq("siteId", site._id).eq("partition", partition).eq("status", "failed"),
          )
          .take(HEALTH_FAILED_SCAN)),
      );
    }
    for (const granularity of ROLLUP_GRANULARITIES) {
      const openFrom = firstOpenBucket(granularity, now, site.timezone);
      for (const partition of workListPartitions(granularity)) {
        const backlog = await ctx.db
          .query("rollups")
          .withIndex("by_shard", (q) =>
            q
              .eq("siteId", site._id)
              .eq("partition", partition)
              .eq("granularity", granularity)
              .lt("bucket", openFrom),
          )
          .take(HEALTH_BACKLOG_SCAN);
        compactionBacklog += backlog.length;
      }
    }
    const recent = await ctx.db
      .query("sessions")
      .withIndex("by_start", (q) => q.eq("siteId", site._id))
      .order("desc")
      .take(HEALTH_SESSION_SCAN);
    // Each session counts the worker runs that wrote it: one created it, the others extended it.
    const writes = recent.reduce((sum, session) => sum + (session.writes ?? 1), 0);
    return {
      pendingEvents,
      oldestPendingMs: oldestReceivedAt === null ? null : Math.max(0, now - oldestReceivedAt),
      lastAggregatedAt: await lastFoldedAt(ctx, site._id),
      failedEvents: failed.length,
      failures: failureSummary(failed),
      duplicateSessions: countDuplicateSessions(site, recent),
      sessionReuseRatio: writes === 0 ? 0 : (writes - recent.length) / writes,
      compactionBacklog,
    };
  },
});

/** Set-aside events by reason, most frequent first, with a few event ids to look up. */
function failureSummary(failed: readonly Doc<"events">[]) {
  const byReason = new Map<string, Doc<"events">[]>();
  for (const event of failed) {
    const reason = event.failure ?? "unknown";
    (byReason.get(reason) ?? byReason.set(reason, []).get(reason)!).push(event);
  }
  return [...byReason]
    .map(([reason, events]) => ({
      reason,
      count: events.length,
      sampleEventIds: events.slice(0, HEALTH_FAILURE_SAMPLES).map((e) => e.eventId),
    }))
    .sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : 1))
    .slice(0, HEALTH_FAILURE_REASONS);
}

/**
 * When a worker last folded events: the newest folded event of each partition (by arrival)
 * says when it was folded. Events folded before `foldedAt` existed give their arrival, a
 * lower bound.
 */
async function lastFoldedAt(ctx: QueryCtx, siteId: Id<"sites">) {
  let last: number | null = null;
  for (let partition = 0; partition < PARTITIONS; partition++) {
    const newest = await ctx.db
      .query("events")
      .withIndex("by_status", (q) =>
        q.eq("siteId", siteId).eq("partition", partition).eq("status", "done"),
      )
      .order("desc")
      .first();
    if (newest) last = Math.max(last ?? 0, newest.foldedAt ?? newest.receivedAt);
  }
  return last;
}

/**
 * Sessions among the most recent HEALTH_SESSION_SCAN that overlap another session of the
 * same (visitor, session id) within the idle timeout: two rows for one visit. Invariant 3
 * says there are none; this is the alarm if that ever breaks.
 */
function countDuplicateSessions(site: Doc<"sites">, recent: Doc<"sessions">[]) {
  const byVisit = new Map<string, Doc<"sessions">[]>();
  for (const session of recent) {
    const key = JSON.stringify([session.visitorId, session.sessionId]);
    (byVisit.get(key) ?? byVisit.set(key, []).get(key)!).push(session);
  }
  let duplicates = 0;
  for (const sessions of byVisit.values()) {
    sessions.sort((a, b) => a.startTs - b.startTs);
    for (let i = 1; i < sessions.length; i++) {
      if (sessions[i]!.startTs - sessions[i - 1]!.endTs <= site.settings.sessionTimeoutMs)
        duplicates++;
    }
  }
  return duplicates;
}
