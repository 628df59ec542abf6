// Maintenance (ARCHITECTURE invariant 5): compaction, retention, the sweep for pending
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
  mutation,
  query,
  type MutationCtx,
  type QueryCtx,
} from "./_generated/server.js";
import { COMPACTED_PARTITION, firstOpenBucket, mergeRows } from "./lib/compaction.js";
import {
  COMPACTION_GROUPS_PER_STEP,
  DAY_MS,
  HEALTH_BACKLOG_SCAN,
  HEALTH_PENDING_SCAN,
  HEALTH_SESSION_SCAN,
  MAINTENANCE_STEPS_PER_RUN,
  MAX_SITES_PER_MAINTENANCE,
  PARTITIONS,
  RETENTION_DELETES_PER_STEP,
  RETENTION_SCAN_PER_STEP,
  SWEEP_STALE_PENDING_MS,
} from "./lib/limits.js";
import { rowId } from "./lib/rollup.js";
import { ROLLUP_GRANULARITIES } from "./lib/session.js";
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

/** Merges up to COMPACTION_GROUPS_PER_STEP closed buckets' shard rows of one site. */
async function compactStep(ctx: MutationCtx, site: Doc<"sites">, now: number) {
  const groups = new Map<string, Doc<"rollups">>();
  let more = false;
  for (const granularity of ROLLUP_GRANULARITIES) {
    const openFrom = firstOpenBucket(granularity, now, site.timezone);
    for (let partition = 0; partition < PARTITIONS; partition++) {
      const budget = COMPACTION_GROUPS_PER_STEP - groups.size;
      if (budget <= 0) return { done: await mergeGroups(ctx, site._id, groups), more: true };
      const shards = await ctx.db
        .query("rollups")
        .withIndex("by_shard", (q) =>
          q
            .eq("siteId", site._id)
            .eq("partition", partition)
            .eq("granularity", granularity)
            .lt("bucket", openFrom),
        )
        .take(budget + 1);
      if (shards.length > budget) more = true;
      for (const shard of shards.slice(0, budget)) groups.set(rowId(shard), shard);
    }
  }
  return { done: await mergeGroups(ctx, site._id, groups), more };
}

/** One row per group: the shards and the earlier merged row fold into the merged row. */
async function mergeGroups(
  ctx: MutationCtx,
  siteId: Id<"sites">,
  groups: Map<string, Doc<"rollups">>,
) {
  for (const sample of groups.values()) {
    const rows = await ctx.db
      .query("rollups")
      .withIndex("by_row", (q) =>
        q
          .eq("siteId", siteId)
          .eq("granularity", sample.granularity)
          .eq("dimension", sample.dimension)
          .eq("bucket", sample.bucket)
          .eq("key", sample.key),
      )
      .take(PARTITIONS + 1); // one shard per partition + the merged row
    if (rows.length === 1) {
      // A lone shard is already the whole bucket: re-tag it (one write, not insert + delete).
      await ctx.db.patch("rollups", rows[0]!._id, { partition: COMPACTED_PARTITION });
      continue;
    }
    const merged = mergeRows(rows);
    const target = rows.find((row) => row.partition === COMPACTED_PARTITION);
    if (target) await ctx.db.patch("rollups", target._id, merged);
    else {
      const { granularity, bucket, dimension, key } = sample;
      await ctx.db.insert("rollups", {
        siteId,
        granularity,
        bucket,
        dimension,
        key,
        partition: COMPACTED_PARTITION,
        ...merged,
      });
    }
    for (const row of rows)
      if (row.partition !== COMPACTED_PARTITION) await ctx.db.delete("rollups", row._id);
  }
  return groups.size;
}

// ---------------------------------------------------------------- retention

/**
 * Deletes raw events older than the site's retention, then sessions and visitors nothing
 * newer refers to. A pending event is never deleted (invariant 5): retention reads only the
 * folded ("done") and "failed" ranges of by_status_ts, so a pending one is not even seen until
 * the worker has counted it; a later pass deletes it. Rollups are kept: they are the figures.
 */
async function retentionStep(ctx: MutationCtx, site: Doc<"sites">, now: number) {
  const cutoff = now - site.settings.retentionDays * DAY_MS;
  // A session (and its visitor) is kept while an event inside retention could still extend it.
  const sessionCutoff = cutoff - site.settings.sessionTimeoutMs;
  const budget = { scanned: 0, deleted: 0, more: false };
  const sweep = async <Table extends "events" | "sessions" | "visitors">(
    table: Table,
    rows: AsyncIterable<Doc<Table>>,
    deletable: (row: Doc<Table>) => boolean,
  ) => {
    for await (const row of rows) {
      if (
        budget.scanned >= RETENTION_SCAN_PER_STEP ||
        budget.deleted >= RETENTION_DELETES_PER_STEP
      ) {
        budget.more = true;
        return;
      }
      budget.scanned++;
      if (!deletable(row)) continue;
      await ctx.db.delete(table, row._id);
      budget.deleted++;
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
  await sweep(
    "visitors",
    ctx.db
      .query("visitors")
      .withIndex("by_last_seen", (q) => q.eq("siteId", site._id).lt("lastSeen", sessionCutoff)),
    () => true,
  );
  return { done: budget.deleted, more: budget.more };
}

// ---------------------------------------------------------------- sweep

/**
 * Ingest kicks the workers itself; this re-kicks a partition whose oldest pending event has
 * waited SWEEP_STALE_PENDING_MS (its worker was lost, e.g. the deployment restarted).
 */
async function sweepStep(ctx: MutationCtx, site: Doc<"sites">, now: number) {
  let kicked = 0;
  for (let partition = 0; partition < PARTITIONS; partition++) {
    const oldest = await oldestPending(ctx, site._id, partition);
    if (oldest && now - oldest.receivedAt >= SWEEP_STALE_PENDING_MS) {
      await ctx.scheduler.runAfter(0, internal.worker.aggregate, { siteId: site._id, partition });
      kicked++;
    }
  }
  return { done: kicked, more: false };
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

async function sitesFor(ctx: QueryCtx, siteId: string | undefined) {
  if (siteId !== undefined) return [await loadSite(ctx, siteId)];
  return await ctx.db.query("sites").take(MAX_SITES_PER_MAINTENANCE);
}

/** One bounded step of one task over one site or every site. */
export const step = internalMutation({
  args: { task: taskValidator, siteId: v.optional(v.string()) },
  returns: stepResult,
  handler: async (ctx, { task, siteId }) => {
    const now = Date.now();
    let done = 0;
    let more = false;
    for (const site of await sitesFor(ctx, siteId)) {
      const result = await runTaskStep(ctx, task, site, now);
      done += result.done;
      more ||= result.more;
    }
    return { done, more };
  },
});

/**
 * Runs one task to completion in at most MAINTENANCE_STEPS_PER_RUN steps, then reschedules
 * itself if work remains. What the default crons call.
 */
export const run = action({
  args: { task: taskValidator, siteId: v.optional(v.string()) },
  returns: v.object({ steps: v.number(), done: v.number(), more: v.boolean() }),
  handler: async (ctx, args) => {
    let done = 0;
    for (let steps = 1; steps <= MAINTENANCE_STEPS_PER_RUN; steps++) {
      const result = await ctx.runMutation(internal.maintenance.step, args);
      done += result.done;
      if (!result.more) return { steps, done, more: false };
    }
    await ctx.scheduler.runAfter(0, api.maintenance.run, args);
    return { steps: MAINTENANCE_STEPS_PER_RUN, done, more: true };
  },
});

/** SPEC §4: one bounded pass of compaction, retention and presence cleanup. */
export const runMaintenance = mutation({
  args: { siteId: v.optional(v.string()) },
  returns: v.object({
    compacted: v.number(),
    expired: v.number(),
    presenceCleared: v.number(),
    more: v.boolean(),
  }),
  handler: async (ctx, { siteId }) => {
    const now = Date.now();
    const totals = { compacted: 0, expired: 0, presenceCleared: 0, more: false };
    for (const site of await sitesFor(ctx, siteId)) {
      const compacted = await compactStep(ctx, site, now);
      const expired = await retentionStep(ctx, site, now);
      const presence = await sweepPresence(ctx, site, now);
      totals.compacted += compacted.done;
      totals.expired += expired.done;
      totals.presenceCleared += presence.done;
      totals.more ||= compacted.more || expired.more || presence.more;
    }
    return totals;
  },
});

// ---------------------------------------------------------------- health

export const getHealth = query({
  args: { siteId: v.string() },
  returns: v.object({
    pendingEvents: v.number(),
    oldestPendingMs: v.union(v.number(), v.null()),
    lastAggregatedAt: v.union(v.number(), v.null()),
    failedEvents: v.number(),
    duplicateSessions: v.number(),
    sessionReuseRatio: v.number(),
    compactionBacklog: v.number(),
  }),
  handler: async (ctx, { siteId }) => {
    const site = await loadSite(ctx, siteId);
    const now = Date.now();
    let pendingEvents = 0;
    let oldestReceivedAt: number | null = null;
    let compactionBacklog = 0;
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
      for (const granularity of ROLLUP_GRANULARITIES) {
        const openFrom = firstOpenBucket(granularity, now, site.timezone);
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
    const states = await ctx.db
      .query("workerState")
      .withIndex("by_partition", (q) => q.eq("siteId", site._id))
      .take(PARTITIONS); // one per partition
    const created = states.reduce((sum, s) => sum + s.sessionsCreated, 0);
    const extended = states.reduce((sum, s) => sum + s.sessionsExtended, 0);
    return {
      pendingEvents,
      oldestPendingMs: oldestReceivedAt === null ? null : Math.max(0, now - oldestReceivedAt),
      lastAggregatedAt: states.length ? Math.max(...states.map((s) => s.lastRunAt)) : null,
      failedEvents: states.reduce((sum, s) => sum + s.failedEvents, 0),
      duplicateSessions: await countDuplicateSessions(ctx, site),
      sessionReuseRatio: created + extended === 0 ? 0 : extended / (created + extended),
      compactionBacklog,
    };
  },
});

/**
 * Sessions among the most recent HEALTH_SESSION_SCAN that overlap another session of the
 * same (visitor, session id) within the idle timeout: two rows for one visit. Invariant 3
 * says there are none; this is the alarm if that ever breaks.
 */
async function countDuplicateSessions(ctx: QueryCtx, site: Doc<"sites">) {
  const recent = await ctx.db
    .query("sessions")
    .withIndex("by_start", (q) => q.eq("siteId", site._id))
    .order("desc")
    .take(HEALTH_SESSION_SCAN);
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
