// Presence and realtime (invariant 7). Ingest hands heartbeats and pageviews to `touch`
// (scheduled, so ingest stays append-only): a touch writes its session's presence row only
// when lib/presence says it changed, and stores a heartbeat as a raw event (for session
// duration) only then. A refresh loop per site, running only while someone is live,
// rewrites the realtime summary at most every REALTIME_REFRESH_MS; getRealtime reads only it.
// The summary also keeps visitors per minute for the last 30 minutes and the live sessions'
// sources, both computed by that loop from the rows it already reads (plus one bounded
// session lookup each for sources), so neither touches nor ingest do any more work.
// Presence rows are per session and path: two tabs of one session on different pages each
// keep their own row, instead of taking turns rewriting one.
import { v } from "convex/values";
import { internal } from "./_generated/api.js";
import type { Doc, Id } from "./_generated/dataModel.js";
import {
  internalAction,
  internalMutation,
  internalQuery,
  query,
  type MutationCtx,
  type QueryCtx,
} from "./_generated/server.js";
import {
  PRESENCE_SWEEP_PER_STEP,
  REALTIME_REFRESH_MS,
  REALTIME_SCAN,
  REALTIME_STALL_MS,
} from "./lib/limits.js";
import type { EnrichedEvent } from "./lib/pipeline.js";
import {
  currentMinute,
  latestTouches,
  mergeMinute,
  minuteSeries,
  presenceUpdate,
  sessionsToLookUp,
  summarizePresence,
  topSources,
  touchKey,
  type Touch,
} from "./lib/presence.js";
import { realtimeValidator } from "./lib/validators.js";
import { loadSite } from "./sites.js";

/** Heartbeats the worker folds into session duration are scheduled like ingest's events. */
const HEARTBEAT_KICK_DELAY_MS = 2_500;

export const touch = internalMutation({
  // Built by ingest from events it validated and enriched (never from client input directly).
  args: { siteId: v.id("sites"), touches: v.array(v.any()), heartbeats: v.array(v.any()) },
  returns: v.null(),
  handler: async (ctx, args) => {
    const site = await ctx.db.get("sites", args.siteId);
    if (!site) return null;
    const touches = args.touches as Touch[];
    const heartbeats = args.heartbeats as EnrichedEvent[];
    const written = new Set<string>();
    for (const latest of latestTouches(touches)) {
      const row = await ctx.db
        .query("presence")
        .withIndex("by_session", (q) =>
          q
            .eq("siteId", site._id)
            .eq("visitorId", latest.visitorId)
            .eq("sessionId", latest.sessionId)
            .eq("path", latest.path),
        )
        .unique();
      const update = presenceUpdate(row, latest, site.settings.heartbeatDedupMs);
      if (update === null) continue;
      if (row) await ctx.db.patch("presence", row._id, update);
      else
        await ctx.db.insert("presence", {
          siteId: site._id,
          visitorId: latest.visitorId,
          sessionId: latest.sessionId,
          ...update,
        });
      written.add(touchKey(latest));
    }
    await storeHeartbeats(
      ctx,
      site,
      heartbeats.filter((h) => written.has(touchKey({ ...h, path: h.path ?? "" }))),
    );
    if (written.size > 0) await ensureRefreshLoop(ctx, site._id);
    return null;
  },
});

/** The heartbeats of sessions whose row changed: one raw event per dedup window at most. */
async function storeHeartbeats(ctx: MutationCtx, site: Doc<"sites">, heartbeats: EnrichedEvent[]) {
  const partitions = new Set<number>();
  const receivedAt = Date.now();
  for (const heartbeat of heartbeats) {
    const existing = await ctx.db
      .query("events")
      .withIndex("by_event_id", (q) => q.eq("siteId", site._id).eq("eventId", heartbeat.eventId))
      .first();
    if (existing) continue;
    await ctx.db.insert("events", {
      ...heartbeat,
      siteId: site._id,
      status: "pending",
      receivedAt,
    });
    partitions.add(heartbeat.partition);
  }
  for (const partition of partitions) {
    await ctx.scheduler.runAfter(HEARTBEAT_KICK_DELAY_MS, internal.worker.aggregate, {
      siteId: site._id,
      partition,
    });
  }
}

/** The site's loop flag: apart from the summary, so touches reading it aren't invalidated by refreshes. */
const loopOf = (ctx: QueryCtx, siteId: Id<"sites">) =>
  ctx.db
    .query("realtimeLoop")
    .withIndex("by_site", (q) => q.eq("siteId", siteId))
    .unique();

const summaryOf = (ctx: QueryCtx, siteId: Id<"sites">) =>
  ctx.db
    .query("realtimeSummary")
    .withIndex("by_site", (q) => q.eq("siteId", siteId))
    .unique();

async function ensureRefreshLoop(ctx: MutationCtx, siteId: Id<"sites">) {
  const loop = await loopOf(ctx, siteId);
  if (loop?.running) return;
  if (loop) await ctx.db.patch("realtimeLoop", loop._id, { running: true });
  else await ctx.db.insert("realtimeLoop", { siteId, running: true });
  await ctx.scheduler.runAfter(0, internal.presence.refresh, { siteId });
}

/**
 * One turn of the refresh loop. An action, so that reading the live presence rows (a query:
 * never retried, never conflicting) is apart from writing the summary (a mutation that reads
 * only the summary and loop rows). As a single mutation, every touch that moved a row while it
 * ran would invalidate its read of the presence range and force a retry: with thousands of
 * live visitors it would retry without end. Here touches and refreshes never conflict.
 */
export const refresh = internalAction({
  args: { siteId: v.id("sites") },
  returns: v.null(),
  handler: async (ctx, { siteId }) => {
    const now = Date.now();
    const figures = await ctx.runQuery(internal.presence.liveFigures, { siteId, now });
    if (figures) await ctx.runMutation(internal.presence.storeSummary, { siteId, now, ...figures });
    return null;
  },
});

const pagesValidator = v.array(v.object({ path: v.string(), visitors: v.number() }));
const minuteValidator = v.object({ t: v.number(), visitors: v.number() });
const sourcesValidator = v.array(v.object({ source: v.string(), visitors: v.number() }));
const liveFiguresValidator = {
  activeVisitors: v.number(),
  pages: pagesValidator,
  minute: minuteValidator,
  sources: sourcesValidator,
};

export const liveFigures = internalQuery({
  args: { siteId: v.id("sites"), now: v.number() },
  returns: v.union(v.null(), v.object(liveFiguresValidator)),
  handler: async (ctx, { siteId, now }) => {
    const site = await ctx.db.get("sites", siteId);
    if (!site) return null;
    const live = await ctx.db
      .query("presence")
      .withIndex("by_last_seen", (q) =>
        q.eq("siteId", siteId).gte("lastSeen", now - site.settings.presenceTimeoutMs),
      )
      .take(REALTIME_SCAN);
    // The session row (written by the worker seconds after the first pageview) knows the
    // source; a session not aggregated yet joins the sources on a later refresh.
    const sessions = [];
    for (const { visitorId, sessionId } of sessionsToLookUp(live)) {
      const session = await ctx.db
        .query("sessions")
        .withIndex("by_visitor_session", (q) =>
          q.eq("siteId", siteId).eq("visitorId", visitorId).eq("sessionId", sessionId),
        )
        .order("desc")
        .first();
      if (session) sessions.push({ visitorId, source: session.entry.source });
    }
    return {
      ...summarizePresence(live, now, site.settings.presenceTimeoutMs),
      minute: currentMinute(live, now),
      sources: topSources(sessions),
    };
  },
});

/** Writes the summary; schedules the next turn while anyone is live, else stops the loop. */
export const storeSummary = internalMutation({
  args: { siteId: v.id("sites"), now: v.number(), ...liveFiguresValidator },
  returns: v.null(),
  handler: async (ctx, { siteId, now, minute, ...figures }) => {
    const summary = await summaryOf(ctx, siteId);
    // A second loop (revived while the first was only slow) or a late turn: closer than one
    // period to the last write, it is dropped and not rescheduled, so loops never multiply.
    if (summary && now - summary.updatedAt < REALTIME_REFRESH_MS) return null;
    const minutes = mergeMinute(summary?.minutes ?? [], minute);
    if (summary)
      await ctx.db.patch("realtimeSummary", summary._id, {
        ...figures,
        minutes,
        updatedAt: now,
        refreshes: summary.refreshes + 1,
      });
    else
      await ctx.db.insert("realtimeSummary", {
        siteId,
        ...figures,
        minutes,
        updatedAt: now,
        refreshes: 1,
      });
    if (figures.activeVisitors === 0) {
      // Before stopping, look again inside this transaction: a touch that committed after the
      // query saw the loop running and started none. Reading here (only when nobody was live,
      // so the range is near empty) makes such a touch and this stop conflict, and the retry
      // sees it.
      const site = await ctx.db.get("sites", siteId);
      const someoneLive =
        site !== null &&
        (await ctx.db
          .query("presence")
          .withIndex("by_last_seen", (q) =>
            q.eq("siteId", siteId).gte("lastSeen", Date.now() - site.settings.presenceTimeoutMs),
          )
          .first()) !== null;
      if (!someoneLive) {
        const loop = await loopOf(ctx, siteId);
        if (loop) await ctx.db.patch("realtimeLoop", loop._id, { running: false });
        return null;
      }
    }
    await ctx.scheduler.runAfter(REALTIME_REFRESH_MS, internal.presence.refresh, { siteId });
    return null;
  },
});

/**
 * Maintenance: restarts a loop marked running whose summary has not moved for a while (an
 * action that failed, e.g. during a deployment, leaves the flag set and nothing scheduled).
 */
async function reviveRefreshLoop(ctx: MutationCtx, site: Doc<"sites">, now: number) {
  if (!(await loopOf(ctx, site._id))?.running) return;
  const summary = await summaryOf(ctx, site._id);
  if (summary && now - summary.updatedAt < REALTIME_STALL_MS) return;
  await ctx.scheduler.runAfter(0, internal.presence.refresh, { siteId: site._id });
}

async function loadSummary(ctx: QueryCtx, siteId: string) {
  return await summaryOf(ctx, (await loadSite(ctx, siteId))._id);
}

/**
 * SPEC §3 getRealtime: the summary only, whatever the number of live visitors. `minutes` are
 * the 30 minutes ending with the one of `updatedAt` (oldest first); `sources` the live
 * sessions' sources by visitors.
 */
export const getRealtime = query({
  args: { siteId: v.string() },
  returns: realtimeValidator,
  handler: async (ctx, { siteId }) => {
    const summary = await loadSummary(ctx, siteId);
    if (!summary) return { activeVisitors: 0, pages: [], updatedAt: 0, minutes: [], sources: [] };
    return {
      activeVisitors: summary.activeVisitors,
      pages: summary.pages,
      updatedAt: summary.updatedAt,
      minutes: minuteSeries(summary.minutes ?? [], summary.updatedAt),
      sources: summary.sources ?? [],
    };
  },
});

/** How often the summary was rewritten and when: the bound of invariant 7, for tests and ops. */
export const getRealtimeStats = query({
  args: { siteId: v.string() },
  returns: v.object({ refreshes: v.number(), updatedAt: v.union(v.number(), v.null()) }),
  handler: async (ctx, { siteId }) => {
    const summary = await loadSummary(ctx, siteId);
    return { refreshes: summary?.refreshes ?? 0, updatedAt: summary?.updatedAt ?? null };
  },
});

/** Maintenance: deletes presence rows past the timeout, in bounded steps; revives a stalled loop. */
export async function sweepPresence(ctx: MutationCtx, site: Doc<"sites">, now: number) {
  await reviveRefreshLoop(ctx, site, now);
  const stale = await ctx.db
    .query("presence")
    .withIndex("by_last_seen", (q) =>
      q.eq("siteId", site._id).lt("lastSeen", now - site.settings.presenceTimeoutMs),
    )
    .take(PRESENCE_SWEEP_PER_STEP + 1);
  for (const row of stale.slice(0, PRESENCE_SWEEP_PER_STEP))
    await ctx.db.delete("presence", row._id);
  return {
    done: Math.min(stale.length, PRESENCE_SWEEP_PER_STEP),
    more: stale.length > PRESENCE_SWEEP_PER_STEP,
  };
}
