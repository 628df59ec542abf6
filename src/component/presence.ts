// Presence and realtime (invariant 7). Ingest hands heartbeats and pageviews to `touch`
// (scheduled, so ingest stays append-only): a touch writes its session's presence row only
// when lib/presence says it changed, and stores a heartbeat as a raw event (for session
// duration) only then. A refresh loop per site, running only while someone is live,
// rewrites the realtime summary at most every REALTIME_REFRESH_MS; getRealtime reads only it.
import { v } from "convex/values";
import { internal } from "./_generated/api.js";
import type { Doc, Id } from "./_generated/dataModel.js";
import { internalMutation, query, type MutationCtx, type QueryCtx } from "./_generated/server.js";
import { PRESENCE_SWEEP_PER_STEP, REALTIME_REFRESH_MS, REALTIME_SCAN } from "./lib/limits.js";
import type { EnrichedEvent } from "./lib/pipeline.js";
import { latestTouches, presenceUpdate, summarizePresence, type Touch } from "./lib/presence.js";
import { loadSite } from "./sites.js";

/** Heartbeats the worker folds into session duration are scheduled like ingest's events. */
const HEARTBEAT_KICK_DELAY_MS = 2_500;

export const touch = internalMutation({
  // Built by ingest from events it validated and enriched (never from client input directly).
  args: { siteId: v.id("sites"), touches: v.array(v.any()), heartbeats: v.array(v.any()) },
  returns: v.null(),
  handler: async (ctx, args) => {
    const site = await ctx.db.get(args.siteId);
    if (!site) return null;
    const touches = args.touches as Touch[];
    const heartbeats = args.heartbeats as EnrichedEvent[];
    const written = new Set<string>();
    for (const latest of latestTouches(touches)) {
      const row = await ctx.db
        .query("presence")
        .withIndex("by_session", (q) =>
          q.eq("siteId", site._id).eq("visitorId", latest.visitorId).eq("sessionId", latest.sessionId),
        )
        .unique();
      const update = presenceUpdate(row, latest, site.settings.heartbeatDedupMs);
      if (update === null) continue;
      if (row) await ctx.db.patch(row._id, update);
      else await ctx.db.insert("presence", { siteId: site._id, visitorId: latest.visitorId, sessionId: latest.sessionId, ...update });
      written.add(JSON.stringify([latest.visitorId, latest.sessionId]));
    }
    await storeHeartbeats(ctx, site, heartbeats.filter((h) => written.has(JSON.stringify([h.visitorId, h.sessionId]))));
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
    await ctx.db.insert("events", { ...heartbeat, siteId: site._id, status: "pending", receivedAt });
    partitions.add(heartbeat.partition);
  }
  for (const partition of partitions) {
    await ctx.scheduler.runAfter(HEARTBEAT_KICK_DELAY_MS, internal.worker.aggregate, { siteId: site._id, partition });
  }
}

async function ensureRefreshLoop(ctx: MutationCtx, siteId: Id<"sites">) {
  const loop = await ctx.db
    .query("realtimeLoop")
    .withIndex("by_site", (q) => q.eq("siteId", siteId))
    .unique();
  if (loop?.running) return;
  if (loop) await ctx.db.patch(loop._id, { running: true });
  else await ctx.db.insert("realtimeLoop", { siteId, running: true });
  await ctx.scheduler.runAfter(0, internal.presence.refresh, { siteId });
}

/** Recomputes the summary; reschedules itself while anyone is live, else stops the loop. */
export const refresh = internalMutation({
  args: { siteId: v.id("sites") },
  returns: v.null(),
  handler: async (ctx, { siteId }) => {
    const site = await ctx.db.get(siteId);
    if (!site) return null;
    const now = Date.now();
    const live = await ctx.db
      .query("presence")
      .withIndex("by_last_seen", (q) => q.eq("siteId", siteId).gte("lastSeen", now - site.settings.presenceTimeoutMs))
      .take(REALTIME_SCAN);
    const figures = summarizePresence(live, now, site.settings.presenceTimeoutMs);
    const summary = await ctx.db
      .query("realtimeSummary")
      .withIndex("by_site", (q) => q.eq("siteId", siteId))
      .unique();
    if (summary) await ctx.db.patch(summary._id, { ...figures, updatedAt: now, refreshes: summary.refreshes + 1 });
    else await ctx.db.insert("realtimeSummary", { siteId, ...figures, updatedAt: now, refreshes: 1 });
    if (figures.activeVisitors > 0) {
      await ctx.scheduler.runAfter(REALTIME_REFRESH_MS, internal.presence.refresh, { siteId });
    } else {
      const loop = await ctx.db
        .query("realtimeLoop")
        .withIndex("by_site", (q) => q.eq("siteId", siteId))
        .unique();
      if (loop) await ctx.db.patch(loop._id, { running: false });
    }
    return null;
  },
});

async function loadSummary(ctx: QueryCtx, siteId: string) {
  const site = await loadSite(ctx, siteId);
  return await ctx.db
    .query("realtimeSummary")
    .withIndex("by_site", (q) => q.eq("siteId", site._id))
    .unique();
}

/** SPEC §3 getRealtime: the summary only, whatever the number of live visitors. */
export const getRealtime = query({
  args: { siteId: v.string() },
  returns: v.object({
    activeVisitors: v.number(),
    pages: v.array(v.object({ path: v.string(), visitors: v.number() })),
    updatedAt: v.number(),
  }),
  handler: async (ctx, { siteId }) => {
    const summary = await loadSummary(ctx, siteId);
    if (!summary) return { activeVisitors: 0, pages: [], updatedAt: 0 };
    return { activeVisitors: summary.activeVisitors, pages: summary.pages, updatedAt: summary.updatedAt };
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

/** Maintenance: deletes presence rows past the timeout, in bounded steps. */
export async function sweepPresence(ctx: MutationCtx, site: Doc<"sites">, now: number) {
  const stale = await ctx.db
    .query("presence")
    .withIndex("by_last_seen", (q) => q.eq("siteId", site._id).lt("lastSeen", now - site.settings.presenceTimeoutMs))
    .take(PRESENCE_SWEEP_PER_STEP + 1);
  for (const row of stale.slice(0, PRESENCE_SWEEP_PER_STEP)) await ctx.db.delete(row._id);
  return { done: Math.min(stale.length, PRESENCE_SWEEP_PER_STEP), more: stale.length > PRESENCE_SWEEP_PER_STEP };
}
