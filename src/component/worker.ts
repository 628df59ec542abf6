// The aggregation worker: folds pending events of a site (every partition, or one) into sessions
// and rollup shard rows, and marks them done, all in one transaction (invariant 2: exactly
// once). Partitions are by visitor, so one visitor's sessions are only ever touched by one
// transaction at a time (invariant 3); concurrent runs that fold a partition read its pending
// range, so Convex's OCC serializes them and the later one finds nothing left to do.
//
// A run plans before it writes (invariant 9). It admits events one at a time, oldest first:
// it reads what the event needs (stored sessions, rollup rows), measuring every
// document, computes the event's and its session's deltas, and adds up what the whole batch
// would then read and write. It stops before the first event that would pass WORKER_BUDGET
// and schedules the next run; an event that passes it even alone is set aside as failed. An
// event whose planning throws is left pending with one more attempt and retried by a later
// run (set aside after MAX_EVENT_ATTEMPTS), while the rest of the batch goes on. Nothing is
// written until the plan is final, so a throw while writing rolls the whole run back.
import { v } from "convex/values";
import { internal } from "./_generated/api.js";
import type { Doc, Id } from "./_generated/dataModel.js";
import { internalMutation, type MutationCtx } from "./_generated/server.js";
import {
  Ledger,
  addCost,
  overBudget,
  rollupRowBytesBound,
  zeroCost,
  sizeOf,
  writeCost,
  type Cost,
  type CostField,
} from "./aggregate/budget.js";
import {
  HOUR_MS,
  MAX_EVENT_ATTEMPTS,
  MAX_FAILURE_LENGTH,
  PARTITIONS,
  PENDING_SETTLE_MS,
  WORKER_BATCH_EVENTS,
  WORKER_BUDGET,
  WORKER_GROUP_SESSIONS,
  WORKER_RETRY_DELAY_MS,
} from "./lib/limits.js";
import { nextDay, nextMonth } from "./lib/time.js";
import {
  RollupDelta,
  addCounters,
  countersOf,
  parseRowId,
  rowId,
  storedCounters,
  type Counters,
  type Granularity,
  type RowRef,
} from "./aggregate/rollup.js";
import {
  attributeRows,
  eventFigures,
  coarserRows,
  foldGroup,
  type Activity,
  type GroupFold,
  type SessionState,
} from "./aggregate/session.js";
import { emptySketch, hashId, sketchAdd, sketchRemove } from "./lib/sketch.js";
import { sampleOf } from "./read/sample.js";
import { firstOpenBucket } from "./maintenance/compaction.js";
import { rollupRow } from "./read/rollupReads.js";
import { sessionState } from "./read/visits.js";

/**
 * What ingest schedules: one run per kick window for the whole site (aggregate/kick.ts), folding the
 * pending events of every partition in one plan and one transaction, so a window of traffic
 * costs one call, not one per partition (invariant 11), and each row the window touches is read
 * and written once. It takes at most SITE_RUN_EVENTS_PER_PARTITION events of each partition
 * (WORKER_BATCH_EVENTS in all, the bound the budget's headroom assumes); a partition with more,
 * or with events the budget deferred, goes on in a run of its own (`aggregate`).
 */
export const aggregateSite = internalMutation({
  args: { siteId: v.id("sites") },
  returns: v.object({ folded: v.number(), more: v.boolean() }),
  handler: async (ctx, { siteId }) => {
    const site = await ctx.db.get("sites", siteId);
    if (!site) return { folded: 0, more: false };
    const partitions = Array.from({ length: PARTITIONS }, (_, p) => p);
    return await fold(ctx, site, partitions, SITE_RUN_EVENTS_PER_PARTITION, SITE_RUN_SHARD);
  },
});

/** One partition's run: its continuation after a full batch, a deferral or a retry. */
export const aggregate = internalMutation({
  args: { siteId: v.id("sites"), partition: v.number() },
  returns: v.object({ folded: v.number(), more: v.boolean() }),
  handler: async (ctx, { siteId, partition }) => {
    const site = await ctx.db.get("sites", siteId);
    if (!site) return { folded: 0, more: false };
    return await fold(ctx, site, [partition], WORKER_BATCH_EVENTS, partition);
  },
});

const SITE_RUN_EVENTS_PER_PARTITION = Math.floor(WORKER_BATCH_EVENTS / PARTITIONS);

/**
 * The rollup shard a site-wide run writes its rows to: one row per (bucket, key) for a window
 * of the site's traffic instead of one per partition, so a read of the open hours sums a
 * quarter as many. Runs of one site are serialized (they read the same pending ranges), and a
 * partition's own run (`aggregate`) writes its partition's shard: the two only meet on shard 0,
 * where Convex's OCC serializes them.
 */
const SITE_RUN_SHARD = 0;

/** Folds the pending events of `partitions` (at most `perPartition` each) into `shard`. */
async function fold(
  ctx: MutationCtx,
  site: Doc<"sites">,
  partitions: readonly number[],
  perPartition: number,
  shard: number,
): Promise<{ folded: number; more: boolean }> {
  const siteId = site._id;
  const ledger = new Ledger();
  ledger.read([site]);
  // Only events received before the settle window: an ingest still in flight inserts
  // at receivedAt ≈ now, outside this range, so it can't invalidate this read (invariant 4).
  const cutoff = Date.now() - PENDING_SETTLE_MS;
  const pending: EventDoc[] = [];
  const full = new Set<number>();
  for (const partition of partitions) {
    const batch = await ctx.db
      .query("events")
      .withIndex("by_status", (q) =>
        q
          .eq("siteId", siteId)
          .eq("partition", partition)
          .eq("status", "pending")
          .lt("receivedAt", cutoff),
      )
      .take(perPartition);
    if (batch.length === perPartition) full.add(partition);
    pending.push(...batch);
  }
  ledger.read(pending);
  if (pending.length === 0) return { folded: 0, more: false };
  const plan = await planBatch(ctx, site, pending, ledger, shard);
  await writePlan(ctx, site, plan);
  // A full batch may have more behind it; a deferred event is next; a retry waits a moment.
  const done = new Set([...plan.folded, ...plan.setAside.map((f) => f.event)].map((e) => e._id));
  const retried = new Set(plan.retried.map((f) => f.event._id));
  const deferred = new Set(
    pending.filter((e) => !done.has(e._id) && !retried.has(e._id)).map((e) => e.partition),
  );
  const retryAfter = new Set(plan.retried.map((f) => f.event.partition));
  let more = false;
  for (const partition of partitions) {
    const now = full.has(partition) || deferred.has(partition);
    if (!now && !retryAfter.has(partition)) continue;
    more = true;
    await ctx.scheduler.runAfter(now ? 0 : WORKER_RETRY_DELAY_MS, internal.worker.aggregate, {
      siteId,
      partition,
    });
  }
  return { folded: plan.folded.length, more };
}

type EventDoc = Doc<"events">;

const SESSION_ACTIVITY = new Set<EventDoc["type"]>([
  "pageview",
  "event",
  "heartbeat",
  "engagement",
]);

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
  if (event.hostname !== undefined) activity.hostname = event.hostname;
  if (event.name !== undefined) activity.name = event.name;
  if (event.props !== undefined) activity.props = event.props;
  if (event.interactive === false) activity.interactive = false;
  if (event.scrollDepth !== undefined) activity.scrollDepth = event.scrollDepth;
  if (event.engagedMs !== undefined) activity.engagedMs = event.engagedMs;
  if (event.utmSource !== undefined) activity.utmSource = event.utmSource;
  if (event.utmMedium !== undefined) activity.utmMedium = event.utmMedium;
  if (event.utmCampaign !== undefined) activity.utmCampaign = event.utmCampaign;
  return activity;
}

// ---------------------------------------------------------------- planning

/** Thrown while planning an event that the budget can't take: not an attempt, a decision. */
class OverBudget extends Error {}

/** One (visitorId, sessionId) of the batch: its stored sessions and its admitted activities. */
type GroupPlan = {
  visitorId: string;
  sessionId: string;
  /** The visitor's partition: its sessions' `partition`. */
  partition: number;
  stored: Map<Id<"sessions">, Doc<"sessions">>;
  /** The ts window whose touching stored sessions are all in `stored`. */
  loaded: { lo: number; hi: number } | null;
  activities: Activity[];
  fold: GroupFold<Id<"sessions">> | null;
  /** What writing `fold` costs. */
  writes: Partial<Cost>;
};

type Failure = { event: EventDoc; failure: string };

type Plan = {
  folded: EventDoc[];
  /** Threw while planned: left pending with one more attempt. */
  retried: Failure[];
  /** Status "failed": over the budget alone, or out of attempts. */
  setAside: Failure[];
  /** Stopped before an event that didn't fit: the next run starts with it. */
  deferred: boolean;
  groups: Map<string, GroupPlan>;
  eventDelta: RollupDelta;
  /** Every row any admitted delta touches, read once: null when it doesn't exist yet. */
  rows: Map<string, Doc<"rollups"> | null>;
  rowBytes: Map<string, number>;
  /**
   * Shard hour rows outside compaction's fold (no `unfolded` mark), whose day and month copies
   * are written live, so a change to one is written to those too (aggregate/session.ts coarserRows,
   * also in `rows`): rows stored before hour-only writes, and new rows of an hour that is
   * already closed (`foldFrom`). A closed hour is a backfill or a late event: compaction may
   * fold that hour at any moment, and a read would add a marked row to every day and month
   * read until it did; written live, the day and month rows are whole at once (a bulk import
   * shares them across its events), and reads never see more than the open hours as hours.
   */
  copiedRows: Set<string>;
  /** The first hour compaction does not fold yet at this run's clock: hours before it are closed. */
  foldFrom: number;
  /** The final delta, once planning is done. */
  delta: RollupDelta;
  /** The rollup shard the run reads and writes its rows in. */
  shard: number;
};

const groupKey = (e: { visitorId: string; sessionId: string }) =>
  JSON.stringify([e.visitorId, e.sessionId]);

const failureOf = (error: unknown) =>
  (error instanceof Error ? error.message : String(error)).slice(0, MAX_FAILURE_LENGTH);

async function planBatch(
  ctx: MutationCtx,
  site: Doc<"sites">,
  pending: EventDoc[],
  ledger: Ledger,
  shard: number,
): Promise<Plan> {
  const plan: Plan = {
    folded: [],
    retried: [],
    setAside: [],
    deferred: false,
    groups: new Map(),
    eventDelta: new RollupDelta(),
    rows: new Map(),
    rowBytes: new Map(),
    copiedRows: new Set(),
    foldFrom: firstOpenBucket("hour", Date.now(), site.timezone),
    delta: new RollupDelta(),
    shard,
  };
  const events = [...pending].sort((a, b) => a.ts - b.ts || (a.eventId < b.eventId ? -1 : 1));
  for (const [index, event] of events.entries()) {
    const verdict = await admit(ctx, site, plan, event, ledger);
    if (verdict.ok) continue;
    if ("retry" in verdict) {
      const attempts = (event.attempts ?? 0) + 1;
      const failure = { event, failure: verdict.retry };
      if (attempts >= MAX_EVENT_ATTEMPTS) plan.setAside.push(failure);
      else plan.retried.push(failure);
      continue;
    }
    // Over the budget: alone (the first event this run looked at, with nothing else read),
    // it never fits and is set aside; otherwise the next run starts with it.
    if (index === 0) plan.setAside.push({ event, failure: verdict.over });
    else plan.deferred = true;
    break;
  }
  for (const group of plan.groups.values()) if (group.fold) plan.delta.merge(group.fold.delta);
  plan.delta.merge(plan.eventDelta);
  withLiveCopies(plan.delta, plan.copiedRows, site.timezone);
  await retractStaleAttributeVisitors(ctx, site, plan, ledger);
  return plan;
}

type Verdict = { ok: true } | { ok: false; retry: string } | { ok: false; over: string };

const overReason = (fields: CostField[]) =>
  `needs more than one worker transaction may use (${fields.join(", ")}), even alone`;

/** Plans one more event into `plan` if the batch still fits the budget with it. */
async function admit(
  ctx: MutationCtx,
  site: Doc<"sites">,
  plan: Plan,
  event: EventDoc,
  ledger: Ledger,
): Promise<Verdict> {
  const { timezone, settings } = site;
  let group: GroupPlan;
  let fold: GroupFold<Id<"sessions">> | null;
  let activities: Activity[];
  let own: RollupDelta;
  try {
    group = plan.groups.get(groupKey(event)) ?? newGroup(plan, event);
    activities = group.activities;
    fold = group.fold;
    if (SESSION_ACTIVITY.has(event.type)) {
      await loadSessions(ctx, site, group, event.ts, ledger);
      activities = [...group.activities, toActivity(event)];
      fold = foldGroup(
        [...group.stored.values()].map((s) => ({
          id: s._id,
          state: sessionState(s),
          timezone: s.timezone,
          pageviewDedupMs: s.pageviewDedupMs,
        })),
        activities,
        hashId(event.visitorId),
        { timezone, ...settings },
      );
    }
    own = eventFigures(event, timezone);
  } catch (error) {
    if (error instanceof OverBudget) return { ok: false, over: error.message };
    return { ok: false, retry: failureOf(error) };
  }

  // Count what the reads would cost before making them: a batch of many distinct rows is
  // turned back here, without reading thousands of rows first.
  const needed = new Set([...(fold?.delta.touchedRows() ?? []), ...own.touchedRows()]);
  const newRows = [...needed].filter((id) => !plan.rows.has(id));
  const reads = addCost(ledger.cost, {
    databaseQueries: newRows.length,
    documentsRead: newRows.length,
  });
  const countOver = overBudget(reads, WORKER_BUDGET);
  if (countOver.length) return { ok: false, over: overReason(countOver) };
  const toRead = [...newRows];
  while (toRead.length) {
    const id = toRead.shift()!;
    const ref = parseRowId(id);
    const row = await readRollup(ctx, site._id, plan.shard, ref, ledger);
    const copied = ref.granularity === "hour" && (row ? !row.unfolded : ref.bucket < plan.foldFrom);
    plan.rows.set(id, row);
    plan.rowBytes.set(id, sizeOf(row ?? newRollup(site._id, plan.shard, ref, !copied)));
    if (copied) {
      plan.copiedRows.add(id);
      for (const coarse of coarserRows(ref, site.timezone))
        if (!plan.rows.has(rowId(coarse))) toRead.push(rowId(coarse));
    }
    const over = overBudget(ledger.cost, WORKER_BUDGET);
    if (over.length) return { ok: false, over: overReason(over) };
  }

  const groupWrites = fold === group.fold ? group.writes : sessionWrites(site, event, fold);
  const total = addCost(ledger.cost, plannedWrites(plan, group, groupWrites));
  const over = overBudget(total, WORKER_BUDGET);
  if (over.length) return { ok: false, over: overReason(over) };

  group.activities = activities;
  group.fold = fold;
  group.writes = groupWrites;
  plan.eventDelta.merge(own);
  plan.folded.push(event);
  return { ok: true };
}

function newGroup(plan: Plan, event: EventDoc): GroupPlan {
  const group: GroupPlan = {
    visitorId: event.visitorId,
    sessionId: event.sessionId,
    partition: event.partition,
    stored: new Map(),
    loaded: null,
    activities: [],
    fold: null,
    writes: {},
  };
  plan.groups.set(groupKey(event), group);
  return group;
}

/**
 * Loads the stored sessions of the group that an activity at `ts` could touch (those within
 * the idle timeout of it), reading only the part of that window not loaded yet. Stored
 * sessions are disjoint intervals, so a walk back from the latest one that starts in reach
 * stops at the first that ends out of reach.
 */
async function loadSessions(
  ctx: MutationCtx,
  site: Doc<"sites">,
  group: GroupPlan,
  ts: number,
  ledger: Ledger,
) {
  const reach = site.settings.sessionTimeoutMs;
  const lo = ts - reach;
  const hi = ts + reach;
  const loaded = group.loaded;
  if (loaded && loaded.lo <= lo && hi <= loaded.hi) return;
  const keep = (session: Doc<"sessions">) => {
    group.stored.set(session._id, session);
    if (group.stored.size > WORKER_GROUP_SESSIONS)
      throw new OverBudget(
        `more than ${WORKER_GROUP_SESSIONS} stored sessions of this visit within its idle timeout`,
      );
  };
  const visit = { siteId: site._id, visitorId: group.visitorId, sessionId: group.sessionId };
  // Walks back from the sessions starting before `before` until one ends before `until`.
  const walkBack = async (before: number, inclusive: boolean, until: number) => {
    const sessions = ctx.db
      .query("sessions")
      .withIndex("by_visitor_session", (q) => {
        const prefix = q
          .eq("siteId", visit.siteId)
          .eq("visitorId", visit.visitorId)
          .eq("sessionId", visit.sessionId);
        return inclusive ? prefix.lte("startTs", before) : prefix.lt("startTs", before);
      })
      .order("desc");
    ledger.read([]);
    for await (const session of sessions) {
      ledger.read([session]);
      if (session.endTs < until) break;
      if (!group.stored.has(session._id)) keep(session);
    }
  };
  if (!loaded) await walkBack(hi, true, lo);
  else {
    if (hi > loaded.hi) {
      const later = ctx.db
        .query("sessions")
        .withIndex("by_visitor_session", (q) =>
          q
            .eq("siteId", visit.siteId)
            .eq("visitorId", visit.visitorId)
            .eq("sessionId", visit.sessionId)
            .gt("startTs", loaded.hi)
            .lte("startTs", hi),
        );
      ledger.read([]);
      for await (const session of later) {
        ledger.read([session]);
        keep(session);
      }
    }
    if (lo < loaded.lo) await walkBack(loaded.lo, false, lo);
  }
  group.loaded = { lo: Math.min(lo, loaded?.lo ?? lo), hi: Math.max(hi, loaded?.hi ?? hi) };
}

async function readRollup(
  ctx: MutationCtx,
  siteId: Id<"sites">,
  partition: number,
  row: RowRef,
  ledger: Ledger,
) {
  const existing = await rollupRow(ctx, siteId, row, partition);
  ledger.read(existing ? [existing] : []);
  return existing;
}

/**
 * Adds to `delta` the day and month copies of its changes to hour rows outside the fold
 * (Plan.copiedRows): counters and added visitors. A visitor taken out of an hour row may still
 * belong in its day (another of its sessions that day): retractStaleAttributeVisitors decides
 * each of the copies on its own bucket's sessions.
 */
function withLiveCopies(delta: RollupDelta, copiedRows: Set<string>, timezone: string) {
  for (const id of copiedRows) {
    const counters = delta.counters.get(id);
    const visitors = delta.visitors.get(id);
    const users = delta.users.get(id);
    for (const coarse of coarserRows(parseRowId(id), timezone)) {
      if (counters) delta.add(coarse, counters);
      for (const hash of visitors ?? []) delta.addVisitor(coarse, hash);
      for (const hash of users ?? []) delta.addUser(coarse, hash);
    }
  }
}

/** `unfolded`: a new hour row of an open hour, in no day or month row until compaction folds it. */
function newRollup(siteId: Id<"sites">, partition: number, row: RowRef, unfolded: boolean) {
  return {
    siteId,
    ...row,
    ...(unfolded ? { unfolded: true } : {}),
    partition,
    pageviews: 0,
    events: 0,
    sessions: 0,
    bounces: 0,
    pvSessions: 0,
    durationMs: 0,
    visitors: emptySketch(),
  };
}

/** A session as writePlan writes it (the same fields, for its size). */
function sessionDoc(site: Doc<"sites">, event: EventDoc, state: SessionState) {
  return {
    siteId: site._id,
    partition: event.partition,
    visitorId: event.visitorId,
    sessionId: event.sessionId,
    ...state,
    timezone: site.timezone,
    pageviewDedupMs: site.settings.pageviewDedupMs,
    sample: 0,
    writes: 0,
  };
}

function sessionWrites(
  site: Doc<"sites">,
  event: EventDoc,
  fold: GroupFold<Id<"sessions">> | null,
): Partial<Cost> {
  if (!fold) return {};
  const docs = fold.folded.map(({ state }) => sessionDoc(site, event, state));
  const deletes = fold.folded.reduce((n, f) => n + Math.max(0, f.storedIds.length - 1), 0);
  return addCost(addCost(zeroCost(), writeCost(docs)), { documentsWritten: deletes });
}

/**
 * What writing the plan costs with `group`'s writes replaced by `groupWrites`. Every rollup row
 * read so far belongs to the plan or to the event being admitted, so each may be written.
 */
function plannedWrites(plan: Plan, group: GroupPlan, groupWrites: Partial<Cost>): Partial<Cost> {
  let cost = zeroCost();
  for (const other of plan.groups.values())
    cost = addCost(cost, other === group ? groupWrites : other.writes);
  const marked = [...plan.folded, ...plan.retried.map((f) => f.event)];
  // Each marked event is rewritten with a status and at most a failure reason.
  cost = addCost(cost, writeCost(marked));
  cost = addCost(cost, {
    documentsWritten: 1,
    bytesWritten: MARK_BYTES * (marked.length + 1),
  });
  // Every hash the batch adds goes to a row at most once: a row grows by at most the events'.
  const added = plan.folded.length + 1;
  for (const [id, existing] of plan.rows) {
    const bytes = plan.rowBytes.get(id) ?? 0;
    cost = addCost(cost, {
      documentsWritten: 1,
      bytesWritten: rollupRowBytesBound(
        existing ?? { visitors: emptySketch() },
        bytes + (existing ? 0 : ROW_ID_BYTES),
        added,
      ),
    });
  }
  return cost;
}

/** A status, attempts and a failure reason of MAX_FAILURE_LENGTH, with field names. */
const MARK_BYTES = 64 + MAX_FAILURE_LENGTH;
/** The system fields a new document gets (_id, _creationTime). */
const ROW_ID_BYTES = 64;

/** Sessions of one visitor looked at to decide whether a sketch may forget them. */
const MAX_VISITOR_SESSIONS_CHECKED = 500;

function bucketEnd(row: { granularity: Granularity; bucket: number }, timezone: string) {
  if (row.granularity === "hour") return row.bucket + HOUR_MS;
  return row.granularity === "day"
    ? nextDay(row.bucket, timezone)
    : nextMonth(row.bucket, timezone);
}

/**
 * Sketches can only grow, so when a late event changes a session's entry page or source,
 * the visitor would stay counted under the old value. Counters are retracted exactly; for
 * the sketch, the visitor is taken out of an exact (sparse) sketch when none of its sessions
 * starting in that bucket will still have that value once this batch is written: the stored
 * ones it doesn't rewrite, and the ones it writes. Only sessions starting inside the stale
 * rows' buckets can hold those rows, so only they are read. When a visitor has more of them
 * than MAX_VISITOR_SESSIONS_CHECKED, or the run's read budget is spent, the visitor stays
 * counted: a rare overcount, never an undercount. A HyperLogLog (over 1,024 visitors in one
 * bucket) can't forget; there the error is within the sketch's own tolerance.
 */
async function retractStaleAttributeVisitors(
  ctx: MutationCtx,
  site: Doc<"sites">,
  plan: Plan,
  ledger: Ledger,
) {
  const byVisitor = new Map<
    string,
    { stale: Set<string>; rewritten: Set<string>; states: SessionState[] }
  >();
  for (const group of plan.groups.values()) {
    if (!group.fold) continue;
    const entry =
      byVisitor.get(group.visitorId) ??
      byVisitor
        .set(group.visitorId, { stale: new Set(), rewritten: new Set(), states: [] })
        .get(group.visitorId)!;
    for (const id of group.fold.stale) {
      entry.stale.add(id);
      // A row outside the fold has live day and month copies: the visitor leaves them too.
      if (plan.copiedRows.has(id))
        for (const coarse of coarserRows(parseRowId(id), site.timezone))
          entry.stale.add(rowId(coarse));
    }
    for (const { state, storedIds } of group.fold.folded) {
      entry.states.push(state);
      for (const id of storedIds) entry.rewritten.add(id);
    }
  }
  for (const [visitorId, { stale, rewritten, states }] of byVisitor) {
    if (stale.size === 0) continue;
    const rows = [...stale].map(parseRowId);
    const from = Math.min(...rows.map((row) => row.bucket));
    const to = Math.max(...rows.map((row) => bucketEnd(row, site.timezone)));
    const sessions = ctx.db
      .query("sessions")
      .withIndex("by_visitor_start", (q) =>
        q.eq("siteId", site._id).eq("visitorId", visitorId).gte("startTs", from).lt("startTs", to),
      );
    ledger.read([]);
    const stillCounted = new Set(states.flatMap((state) => attributeRowIds(state, site.timezone)));
    let checked = 0;
    let complete = true;
    for await (const session of sessions) {
      ledger.read([session]);
      if (
        ++checked > MAX_VISITOR_SESSIONS_CHECKED ||
        overBudget(ledger.cost, WORKER_BUDGET).length
      ) {
        complete = false;
        break;
      }
      if (rewritten.has(session._id)) continue;
      for (const id of attributeRowIds(sessionState(session), session.timezone))
        stillCounted.add(id);
    }
    if (!complete) continue;
    for (const id of stale) {
      if (!stillCounted.has(id) && plan.rows.has(id))
        plan.delta.removeVisitor(parseRowId(id), hashId(visitorId));
    }
  }
}

/** A session's attribute rows, with their day and month (the stale rows' copies may be those). */
function attributeRowIds(state: SessionState, timezone: string) {
  return attributeRows(state, timezone).flatMap((row) =>
    [row, ...coarserRows(row, timezone)].map(rowId),
  );
}

// ---------------------------------------------------------------- writing

/** Writes a final plan: every value was computed (and every document read) while planning. */
async function writePlan(ctx: MutationCtx, site: Doc<"sites">, plan: Plan) {
  for (const group of plan.groups.values()) {
    if (!group.fold) continue;
    for (const { state: session, storedIds } of group.fold.folded) {
      const doc = {
        ...session,
        timezone: site.timezone,
        pageviewDedupMs: site.settings.pageviewDedupMs,
        sample: sampleOf(group.visitorId),
        // This run's write, and those of the stored sessions it merges (getHealth's reuse ratio).
        writes: storedIds.reduce((n, id) => n + (group.stored.get(id)?.writes ?? 1), 1),
      };
      if (storedIds.length === 0) {
        await ctx.db.insert("sessions", {
          siteId: site._id,
          partition: group.partition,
          visitorId: group.visitorId,
          sessionId: group.sessionId,
          ...doc,
        });
      } else {
        await ctx.db.patch("sessions", storedIds[0], doc);
        for (const id of storedIds.slice(1)) await ctx.db.delete("sessions", id);
      }
    }
  }
  await writeRollups(ctx, site._id, plan.shard, plan);
  const foldedAt = Date.now();
  for (const event of plan.folded)
    await ctx.db.patch("events", event._id, { status: "done", foldedAt });
  for (const { event, failure } of plan.retried)
    await ctx.db.patch("events", event._id, { attempts: (event.attempts ?? 0) + 1, failure });
  for (const { event, failure } of plan.setAside)
    await ctx.db.patch("events", event._id, { status: "failed", failure });
}

async function writeRollups(ctx: MutationCtx, siteId: Id<"sites">, shard: number, plan: Plan) {
  const { delta } = plan;
  for (const id of delta.touchedRows()) {
    const row = parseRowId(id);
    const change: Partial<Counters> = delta.counters.get(id) ?? {};
    const visitorHashes = [...(delta.visitors.get(id) ?? [])];
    const userHashes = [...(delta.users.get(id) ?? [])];
    // Every touched row was read while planning (planBatch admits only rows it read).
    const existing = plan.rows.get(id) ?? null;
    const counters = storedCounters(addCounters(countersOf(existing), change));
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
        ...(row.granularity === "hour" && !plan.copiedRows.has(id) ? { unfolded: true } : {}),
        partition: shard,
        ...counters,
        visitors,
        ...(users ? { users } : {}),
      });
    }
  }
}
