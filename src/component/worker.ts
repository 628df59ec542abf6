// The aggregation worker: folds pending events of one (site, partition) into sessions,
// visitors and rollup shard rows, and marks them done, all in one transaction
// (invariant 2: exactly once). Partitions are by visitor, so one visitor's sessions are
// only ever touched by one transaction at a time (invariant 3); concurrent kicks of the
// same partition read the same pending range, so Convex's OCC serializes them and the
// later one finds nothing left to do.
import { v } from "convex/values";
import { internal } from "./_generated/api.js";
import type { Doc, Id } from "./_generated/dataModel.js";
import { internalMutation, type MutationCtx } from "./_generated/server.js";
import { tallyReceived } from "./lib/admission.js";
import { HOUR_MS, PENDING_SETTLE_MS, WORKER_BATCH_EVENTS } from "./lib/limits.js";
import { nextDay, nextMonth } from "./lib/time.js";
import {
  ALL,
  RollupDelta,
  parseRowId,
  propertyDimension,
  propertyKey,
  rowId,
  type Counters,
  type Granularity,
} from "./lib/rollup.js";
import {
  attributeRows,
  foldSessions,
  rowsAt,
  sessionContribution,
  type Activity,
  type SessionState,
} from "./lib/session.js";
import { emptySketch, hashId, sketchAdd, sketchRemove } from "./lib/sketch.js";

export const aggregate = internalMutation({
  args: { siteId: v.id("sites"), partition: v.number() },
  returns: v.object({ folded: v.number(), more: v.boolean() }),
  handler: async (ctx, { siteId, partition }) => {
    const site = await ctx.db.get("sites", siteId);
    if (!site) return { folded: 0, more: false };
    // Only events received before the settle window: an ingest still in flight inserts
    // at receivedAt ≈ now, outside this range, so it can't invalidate this read (invariant 4).
    const cutoff = Date.now() - PENDING_SETTLE_MS;
    const pending = await ctx.db
      .query("events")
      .withIndex("by_status", (q) =>
        q
          .eq("siteId", siteId)
          .eq("partition", partition)
          .eq("status", "pending")
          .lt("receivedAt", cutoff),
      )
      .take(WORKER_BATCH_EVENTS);
    if (pending.length === 0) return { folded: 0, more: false };
    await foldBatch(ctx, site, partition, pending);
    const more = pending.length === WORKER_BATCH_EVENTS;
    if (more) await ctx.scheduler.runAfter(0, internal.worker.aggregate, { siteId, partition });
    return { folded: pending.length, more };
  },
});

type EventDoc = Doc<"events">;

const SESSION_ACTIVITY = new Set<EventDoc["type"]>(["pageview", "event", "heartbeat"]);

function toActivity(event: EventDoc): Activity {
  const activity: Activity = {
    ts: event.ts,
    type: event.type,
    source: event.source,
    device: event.device,
    browser: event.browser,
    os: event.os,
    country: event.country,
  };
  if (event.path !== undefined) activity.path = event.path;
  if (event.name !== undefined) activity.name = event.name;
  if (event.utmSource !== undefined) activity.utmSource = event.utmSource;
  if (event.utmMedium !== undefined) activity.utmMedium = event.utmMedium;
  if (event.utmCampaign !== undefined) activity.utmCampaign = event.utmCampaign;
  return activity;
}

function stateOf(session: Doc<"sessions">): SessionState {
  const { startTs, endTs, pageviews, eventCount, eventNames, entry, client } = session;
  return { startTs, endTs, pageviews, eventCount, eventNames, entry, client };
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items)
    (groups.get(key(item)) ?? groups.set(key(item), []).get(key(item))!).push(item);
  return groups;
}

type BatchStats = { sessionsCreated: number; sessionsExtended: number; failed: number };

async function foldBatch(
  ctx: MutationCtx,
  site: Doc<"sites">,
  partition: number,
  pending: EventDoc[],
) {
  const events = [...pending].sort((a, b) => a.ts - b.ts || (a.eventId < b.eventId ? -1 : 1));
  const delta = new RollupDelta();
  const stats: BatchStats = { sessionsCreated: 0, sessionsExtended: 0, failed: 0 };
  const failures = new Map<Id<"events">, string>();
  const staleAttributes = new Map<string, Set<string>>();

  for (const group of groupBy(events, (e) => JSON.stringify([e.visitorId, e.sessionId])).values()) {
    try {
      await foldSessionGroup(ctx, site, partition, group, delta, stats, staleAttributes);
    } catch (error) {
      // foldSessionGroup computes everything before its first write, so a throw here
      // leaves nothing half-written.
      // A poison event must not block its partition forever: it is set aside as failed
      // (reported by getHealth) and the rest of the batch goes on.
      for (const event of group)
        failures.set(event._id, error instanceof Error ? error.message : String(error));
    }
  }
  for (const event of events) {
    if (!failures.has(event._id)) addEventFigures(event, site.timezone, delta);
  }
  await retractStaleAttributeVisitors(ctx, site, staleAttributes, delta);
  await upsertVisitors(
    ctx,
    site._id,
    partition,
    events.filter((e) => !failures.has(e._id)),
  );
  await writeRollups(ctx, site._id, partition, delta);
  for (const event of events) {
    const failure = failures.get(event._id);
    await ctx.db.patch(
      "events",
      event._id,
      failure === undefined ? { status: "done" } : { status: "failed", failure },
    );
  }
  stats.failed = failures.size;
  await recordRun(
    ctx,
    site._id,
    partition,
    events.map((e) => e.receivedAt),
    events.length - failures.size,
    stats,
  );
}

async function foldSessionGroup(
  ctx: MutationCtx,
  site: Doc<"sites">,
  partition: number,
  group: EventDoc[],
  delta: RollupDelta,
  stats: BatchStats,
  staleAttributes: Map<string, Set<string>>,
) {
  const activities = group.filter((e) => SESSION_ACTIVITY.has(e.type)).map(toActivity);
  if (activities.length === 0) return;
  const { visitorId, sessionId } = group[0];
  const { sessionTimeoutMs, pageviewDedupMs } = site.settings;
  const minTs = activities[0].ts;
  const maxTs = activities[activities.length - 1].ts;

  // Stored sessions are disjoint intervals; walk back from the latest one that could
  // touch the new activities until one ends before they could reach it.
  const stored: Doc<"sessions">[] = [];
  const candidates = ctx.db
    .query("sessions")
    .withIndex("by_visitor_session", (q) =>
      q
        .eq("siteId", site._id)
        .eq("visitorId", visitorId)
        .eq("sessionId", sessionId)
        .lte("startTs", maxTs + sessionTimeoutMs),
    )
    .order("desc");
  for await (const session of candidates) {
    if (session.endTs < minTs - sessionTimeoutMs) break;
    stored.push(session);
  }

  const params = { timezone: site.timezone, pageviewDedupMs };
  const folded = foldSessions(
    stored.map((s) => ({ id: s._id, state: stateOf(s) })),
    activities,
    sessionTimeoutMs,
  );
  const storedById = new Map(stored.map((s) => [s._id, s]));
  const groupDelta = new RollupDelta();
  const stale = new Set<string>();
  for (const { state, storedIds } of folded) {
    const current = new Set(attributeRows(state, site.timezone).map(rowId));
    for (const id of storedIds) {
      const old = storedById.get(id)!;
      groupDelta.addAll(
        sessionContribution(stateOf(old), {
          timezone: old.timezone,
          pageviewDedupMs: old.pageviewDedupMs,
        }),
        -1,
      );
      for (const row of attributeRows(stateOf(old), old.timezone))
        if (!current.has(rowId(row))) stale.add(rowId(row));
    }
    groupDelta.addAll(sessionContribution(state, params), 1);
    const visitorHash = hashId(visitorId);
    for (const row of attributeRows(state, site.timezone)) groupDelta.addVisitor(row, visitorHash);
  }
  delta.merge(groupDelta);
  const staleForVisitor =
    staleAttributes.get(visitorId) ?? staleAttributes.set(visitorId, new Set()).get(visitorId)!;
  for (const id of stale) staleForVisitor.add(id);
  for (const { state, storedIds } of folded) {
    const doc = { ...state, ...params };
    if (storedIds.length === 0) {
      await ctx.db.insert("sessions", {
        siteId: site._id,
        partition,
        visitorId,
        sessionId,
        ...doc,
      });
      stats.sessionsCreated++;
    } else {
      await ctx.db.patch("sessions", storedIds[0], doc);
      for (const id of storedIds.slice(1)) await ctx.db.delete("sessions", id);
      stats.sessionsExtended++;
    }
  }
}

/** Sessions of one visitor looked at to decide whether a sketch may forget them. */
const MAX_VISITOR_SESSIONS_CHECKED = 500;
/**
 * Sessions all retractions of one worker batch may read: with 100 events per batch this
 * keeps the worker far inside the 32,000 documents a transaction may read.
 */
const MAX_RETRACTION_READS_PER_BATCH = 5_000;

function bucketEnd(row: { granularity: Granularity; bucket: number }, timezone: string) {
  if (row.granularity === "hour") return row.bucket + HOUR_MS;
  return row.granularity === "day"
    ? nextDay(row.bucket, timezone)
    : nextMonth(row.bucket, timezone);
}

/**
 * Sketches can only grow, so when a late event changes a session's entry page or source,
 * the visitor would stay counted under the old value. Counters are retracted exactly; for
 * the sketch, once this batch's sessions are written, the visitor is taken out of an exact
 * (sparse) sketch when none of its sessions starting in that bucket still has that value.
 * Only sessions starting inside the stale rows' buckets can hold those rows, so only they are
 * read. When a visitor has more of them than MAX_VISITOR_SESSIONS_CHECKED, or the batch's
 * budget is spent, the visitor stays counted: a rare overcount, never an undercount. A
 * HyperLogLog (over 1,024 visitors in one bucket) can't forget; there the error is within
 * the sketch's own tolerance.
 */
async function retractStaleAttributeVisitors(
  ctx: MutationCtx,
  site: Doc<"sites">,
  staleAttributes: Map<string, Set<string>>,
  delta: RollupDelta,
) {
  let budget = MAX_RETRACTION_READS_PER_BATCH;
  for (const [visitorId, stale] of staleAttributes) {
    if (stale.size === 0) continue;
    const rows = [...stale].map(parseRowId);
    const from = Math.min(...rows.map((row) => row.bucket));
    const to = Math.max(...rows.map((row) => bucketEnd(row, site.timezone)));
    const limit = Math.min(MAX_VISITOR_SESSIONS_CHECKED, budget);
    if (limit <= 0) break;
    const sessions = await ctx.db
      .query("sessions")
      .withIndex("by_visitor_start", (q) =>
        q.eq("siteId", site._id).eq("visitorId", visitorId).gte("startTs", from).lt("startTs", to),
      )
      .take(limit + 1);
    budget -= sessions.length;
    if (sessions.length > limit) continue;
    const stillCounted = new Set(
      sessions.flatMap((s) => attributeRows(stateOf(s), s.timezone).map(rowId)),
    );
    for (const id of stale) {
      if (!stillCounted.has(id)) delta.removeVisitor(parseRowId(id), hashId(visitorId));
    }
  }
}

/** Figures that belong to an event itself, not to its session: never retracted. */
function addEventFigures(event: EventDoc, timezone: string, delta: RollupDelta) {
  const visitorHash = hashId(event.visitorId);
  const at = (dimension: string, key: string) => rowsAt(event.ts, timezone, dimension, key);
  if (event.type === "identify" && event.userId !== undefined) {
    for (const row of at(ALL, "")) delta.addUser(row, hashId(event.userId));
    return;
  }
  if (event.type !== "pageview" && event.type !== "event") return;
  for (const row of at(ALL, "")) delta.addVisitor(row, visitorHash);
  if (event.type === "pageview" && event.path !== undefined) {
    for (const row of at("page", event.path)) delta.addVisitor(row, visitorHash);
    return;
  }
  const name = event.name ?? "";
  for (const row of [...at(ALL, ""), ...at("event", name)]) delta.add(row, { events: 1 });
  for (const row of at("event", name)) delta.addVisitor(row, visitorHash);
  for (const [property, value] of Object.entries(event.props ?? {})) {
    for (const row of at(propertyDimension(name, property), propertyKey(value))) {
      delta.add(row, { events: 1 });
      delta.addVisitor(row, visitorHash);
    }
  }
}

async function upsertVisitors(
  ctx: MutationCtx,
  siteId: Id<"sites">,
  partition: number,
  events: EventDoc[],
) {
  for (const [visitorId, visits] of groupBy(events, (e) => e.visitorId)) {
    const firstSeen = Math.min(...visits.map((e) => e.ts));
    const lastSeen = Math.max(...visits.map((e) => e.ts));
    const identified = visits
      .filter((e) => e.type === "identify" && e.userId !== undefined)
      .pop()?.userId;
    const existing = await ctx.db
      .query("visitors")
      .withIndex("by_visitor", (q) => q.eq("siteId", siteId).eq("visitorId", visitorId))
      .unique();
    if (!existing) {
      await ctx.db.insert("visitors", {
        siteId,
        partition,
        visitorId,
        firstSeen,
        lastSeen,
        ...(identified !== undefined ? { userId: identified } : {}),
      });
    } else {
      await ctx.db.patch("visitors", existing._id, {
        firstSeen: Math.min(existing.firstSeen, firstSeen),
        lastSeen: Math.max(existing.lastSeen, lastSeen),
        ...(identified !== undefined ? { userId: identified } : {}),
      });
    }
  }
}

async function writeRollups(
  ctx: MutationCtx,
  siteId: Id<"sites">,
  partition: number,
  delta: RollupDelta,
) {
  for (const id of delta.touchedRows()) {
    const row = parseRowId(id);
    const change: Partial<Counters> = delta.counters.get(id) ?? {};
    const visitorHashes = [...(delta.visitors.get(id) ?? [])];
    const userHashes = [...(delta.users.get(id) ?? [])];
    const existing = await ctx.db
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
    const counters = {
      pageviews: (existing?.pageviews ?? 0) + (change.pageviews ?? 0),
      events: (existing?.events ?? 0) + (change.events ?? 0),
      sessions: (existing?.sessions ?? 0) + (change.sessions ?? 0),
      bounces: (existing?.bounces ?? 0) + (change.bounces ?? 0),
      pvSessions: (existing?.pvSessions ?? 0) + (change.pvSessions ?? 0),
      durationMs: (existing?.durationMs ?? 0) + (change.durationMs ?? 0),
    };
    const removed = [...(delta.removedVisitors.get(id) ?? [])];
    let visitors = existing?.visitors ?? emptySketch();
    if (visitorHashes.length) visitors = sketchAdd(visitors, visitorHashes);
    if (removed.length) visitors = sketchRemove(visitors, removed);
    const users = userHashes.length
      ? sketchAdd(existing?.users ?? emptySketch(), userHashes)
      : existing?.users;
    if (existing) {
      await ctx.db.patch("rollups", existing._id, {
        ...counters,
        visitors,
        ...(users ? { users } : {}),
      });
    } else {
      await ctx.db.insert("rollups", {
        siteId,
        ...row,
        partition,
        ...counters,
        visitors,
        ...(users ? { users } : {}),
      });
    }
  }
}

async function recordRun(
  ctx: MutationCtx,
  siteId: Id<"sites">,
  partition: number,
  receivedAt: number[],
  aggregated: number,
  stats: BatchStats,
) {
  const now = Date.now();
  const state = await ctx.db
    .query("workerState")
    .withIndex("by_partition", (q) => q.eq("siteId", siteId).eq("partition", partition))
    .unique();
  const fields = {
    lastRunAt: now,
    aggregatedEvents: (state?.aggregatedEvents ?? 0) + aggregated,
    sessionsCreated: (state?.sessionsCreated ?? 0) + stats.sessionsCreated,
    sessionsExtended: (state?.sessionsExtended ?? 0) + stats.sessionsExtended,
    failedEvents: (state?.failedEvents ?? 0) + stats.failed,
    receivedPerMinute: tallyReceived(state?.receivedPerMinute ?? [], receivedAt, now),
  };
  if (state) await ctx.db.patch("workerState", state._id, fields);
  else await ctx.db.insert("workerState", { siteId, partition, ...fields });
}
