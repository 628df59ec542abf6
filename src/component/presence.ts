// Presence and realtime (invariant 7). Ingest hands heartbeats and pageviews to `touch`
// (scheduled, so ingest stays append-only): a touch writes its session's presence row only
// when ingest/presence says it changed, and stores a heartbeat as a raw event (for session
// duration) only then. A refresh loop per site, running only while someone is live,
// rewrites the realtime summary at most every REALTIME_REFRESH_MS; getRealtime reads only it.
// The summary also keeps visitors per minute for the last 30 minutes and the live sessions'
// sources, both computed by that loop from the rows it already reads (each row carries its
// session's source), so neither ingest nor the loop reads anything more.
// Presence rows are per session and path: two tabs of one session on different pages each
// keep their own row, instead of taking turns rewriting one.
import { v, type Infer } from "convex/values";
import { internal } from "./_generated/api.js";
import type { Doc, Id } from "./_generated/dataModel.js";
import {
  internalMutation,
  internalQuery,
  query,
  type MutationCtx,
  type QueryCtx,
} from "./_generated/server.js";
import * as signatures from "./lib/signatures.js";
import {
  PRESENCE_SWEEP_PER_STEP,
  REALTIME_REFRESH_MS,
  REALTIME_SCAN,
  REALTIME_STALL_MS,
} from "./lib/limits.js";
import type { EnrichedEvent } from "./ingest/pipeline.js";
import {
  currentMinute,
  latestTouches,
  mergeMinute,
  minuteSeries,
  presenceUpdate,
  summarizePresence,
  topSources,
  touchKey,
} from "./ingest/presence.js";
import { loadSite } from "./sites.js";

/**
 * Step 5 of ingest for live pageviews and heartbeats: moves each session's presence and returns
 * the heartbeats that moved it (the only ones stored as raw events, for session duration).
 * Conflict-free inside the ingest transaction: the rows it decides on are read through a stale
 * snapshot (no read dependency) and a move INSERTS a row rather than patching one (a patch
 * would read it), so two tabs of one session, or two requests racing, never make each other
 * retry. Rows past the timeout are deleted by the maintenance sweep.
 */
export async function touchPresence(
  ctx: MutationCtx,
  site: Doc<"sites">,
  live: EnrichedEvent[],
): Promise<EnrichedEvent[]> {
  if (live.length === 0) return [];
  const latest = latestTouches(
    live.map((e) => ({ visitorId: e.visitorId, sessionId: e.sessionId, path: e.path!, ts: e.ts })),
  );
  const seen = await ctx.runQuery(
    internal.presence.presenceState,
    {
      siteId: site._id,
      touches: latest.map(({ visitorId, sessionId, path }) => ({ visitorId, sessionId, path })),
    },
    { useStaleSnapshot: true },
  );
  const moved = new Set<string>();
  for (const [i, touch] of latest.entries()) {
    const update = presenceUpdate(seen.rows[i] ?? null, touch, site.settings.heartbeatDedupMs);
    if (update === null) continue;
    // The session's source: what its rows already say, else its first live event's here.
    const source =
      seen.sources[i] ??
      live.find((e) => e.visitorId === touch.visitorId && e.sessionId === touch.sessionId)!.source;
    await ctx.db.insert("presence", {
      siteId: site._id,
      visitorId: touch.visitorId,
      sessionId: touch.sessionId,
      ...update,
      source,
    });
    moved.add(touchKey(touch));
  }
  if (moved.size > 0 && !seen.loopRunning)
    await startRefreshLoop(ctx, site._id, Math.max(Date.now(), seen.nextTurnAt));
  return live.filter(
    (e) => e.type === "heartbeat" && moved.has(touchKey({ ...e, path: e.path ?? "" })),
  );
}

/**
 * What touchPresence decides on: each touch's newest presence row, its session's source, and
 * the loop flag.
 */
export const presenceState = internalQuery({
  args: {
    siteId: v.id("sites"),
    touches: v.array(v.object({ visitorId: v.string(), sessionId: v.string(), path: v.string() })),
  },
  returns: v.object({
    rows: v.array(v.union(v.null(), v.object({ path: v.string(), lastSeen: v.number() }))),
    /** Each touch's session's source, as its presence rows know it. */
    sources: v.array(v.union(v.null(), v.string())),
    loopRunning: v.boolean(),
    /** The earliest a turn may run: one period after the summary's last write. */
    nextTurnAt: v.number(),
  }),
  handler: async (ctx, { siteId, touches }) => {
    const rows = [];
    const sources = [];
    for (const touch of touches) {
      const session = () =>
        ctx.db
          .query("presence")
          .withIndex("by_session", (q) =>
            q
              .eq("siteId", siteId)
              .eq("visitorId", touch.visitorId)
              .eq("sessionId", touch.sessionId),
          );
      const row = await ctx.db
        .query("presence")
        .withIndex("by_session", (q) =>
          q
            .eq("siteId", siteId)
            .eq("visitorId", touch.visitorId)
            .eq("sessionId", touch.sessionId)
            .eq("path", touch.path),
        )
        .order("desc")
        .first();
      rows.push(row ? { path: row.path, lastSeen: row.lastSeen } : null);
      sources.push(row?.source ?? (await session().first())?.source ?? null);
    }
    const summary = await summaryOf(ctx, siteId);
    return {
      rows,
      sources,
      loopRunning: (await loopOf(ctx, siteId))?.running ?? false,
      nextTurnAt: summary ? summary.updatedAt + REALTIME_REFRESH_MS : 0,
    };
  },
});

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

/**
 * Starts a stopped loop: marks it running and schedules its first turn one period after the
 * summary's last write (a turn closer than that is dropped). Only a request whose snapshot saw
 * the loop stopped gets here, and it reads the loop row with a dependency: requests racing to
 * start it conflict once on that row, and the retry sees it running.
 */
async function startRefreshLoop(ctx: MutationCtx, siteId: Id<"sites">, firstTurnAt: number) {
  const loop = await loopOf(ctx, siteId);
  if (loop?.running) return;
  await markLoop(ctx, siteId, loop, true);
  await ctx.scheduler.runAt(firstTurnAt, internal.presence.refresh, { siteId });
}

/**
 * One turn of the refresh loop: one transaction (it was an action, a query and a mutation:
 * three calls every turn). It reads the live presence rows through a stale snapshot, so the
 * rows requests insert meanwhile never make it retry, and writes the summary, which only it
 * writes.
 */
export const refresh = internalMutation({
  args: { siteId: v.id("sites") },
  returns: v.null(),
  handler: async (ctx, { siteId }) => {
    const now = Date.now();
    const figures = await ctx.runQuery(
      internal.presence.liveFigures,
      { siteId, now },
      { useStaleSnapshot: true },
    );
    if (figures) await storeSummary(ctx, siteId, now, figures);
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

const liveFiguresResult = v.union(v.null(), v.object(liveFiguresValidator));

export const liveFigures = internalQuery({
  args: { siteId: v.id("sites"), now: v.number() },
  returns: liveFiguresResult,
  handler: async (ctx, { siteId, now }) => {
    const site = await ctx.db.get("sites", siteId);
    if (!site) return null;
    const live = await ctx.db
      .query("presence")
      .withIndex("by_last_seen", (q) =>
        q.eq("siteId", siteId).gte("lastSeen", now - site.settings.presenceTimeoutMs),
      )
      .take(REALTIME_SCAN);
    // Each presence row carries its session's source (touchPresence): no session is read.
    const sessions = live.flatMap((row) =>
      row.source === undefined ? [] : [{ visitorId: row.visitorId, source: row.source }],
    );
    return {
      ...summarizePresence(live, now, site.settings.presenceTimeoutMs),
      minute: currentMinute(live, now),
      sources: topSources(sessions),
    };
  },
});

type LiveFigures = NonNullable<Infer<typeof liveFiguresResult>>;

/** Writes the summary; schedules the next turn while anyone is live, else stops the loop. */
async function storeSummary(
  ctx: MutationCtx,
  siteId: Id<"sites">,
  now: number,
  { minute, ...figures }: LiveFigures,
) {
  const summary = await summaryOf(ctx, siteId);
  // A second loop (revived while the first was only slow) or a late turn: closer than one
  // period to the last write, it is dropped and not rescheduled, so loops never multiply.
  if (summary && now - summary.updatedAt < REALTIME_REFRESH_MS) return;
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
      await markLoop(ctx, siteId, await loopOf(ctx, siteId), false);
      return;
    }
  }
  await ctx.scheduler.runAfter(REALTIME_REFRESH_MS, internal.presence.refresh, { siteId });
}

/** Sets the loop flag, writing only when it changes. */
async function markLoop(
  ctx: MutationCtx,
  siteId: Id<"sites">,
  loop: Doc<"realtimeLoop"> | null,
  running: boolean,
) {
  if (!loop) await ctx.db.insert("realtimeLoop", { siteId, running });
  else if (loop.running !== running) await ctx.db.patch("realtimeLoop", loop._id, { running });
}

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
 * contract §3 getRealtime: the summary only, whatever the number of live visitors. `minutes` are
 * the 30 minutes ending with the one of `updatedAt` (oldest first); `sources` the live
 * sessions' sources by visitors.
 */
export const getRealtime = query({
  args: signatures.getRealtime.args,
  returns: signatures.getRealtime.returns,
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
