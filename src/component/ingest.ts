// Ingest: append-only (invariant 1). The mutation reads the site (by key hash)
// and point lookups of its own events' ids, inserts events, and schedules the workers of the
// partitions it touched. It reads nothing another ingest or the worker writes.
import { v } from "convex/values";
import { internal } from "./_generated/api.js";
import type { Doc, Id } from "./_generated/dataModel.js";
import { internalQuery, mutation, type MutationCtx, type QueryCtx } from "./_generated/server.js";
import {
  ADMISSION_REFUSAL_CODES,
  RATE_LIMITED_REASON,
  admitEvents,
  checkSite,
  eventsInWindow,
  minuteOf,
} from "./ingest/admission.js";
import { isBotUserAgent } from "./ingest/enrich.js";
import { kickAt } from "./aggregate/kick.js";
import * as signatures from "./lib/signatures.js";
import { MAX_EVENTS_PER_IMPORT, MAX_EVENTS_PER_REQUEST, MINUTE_MS } from "./lib/limits.js";
import {
  clampTimestamp,
  enrichEvent,
  resolveImportIdentity,
  validateEvents,
  type EnrichedEvent,
} from "./ingest/pipeline.js";
import { invalidArgument, type ImportEvent, type IngestEvent } from "./ingest/validate.js";
import { ingestResultValidator } from "./lib/validators.js";
import { touchPresence } from "./presence.js";
import { loadSite } from "./sites.js";
import { UNKNOWN } from "./lib/types.js";

const refusalValidator = v.object({
  status: v.number(),
  code: v.union(...ADMISSION_REFUSAL_CODES.map((code) => v.literal(code))),
  message: v.string(),
  retryAfterSec: v.optional(v.number()),
});

async function siteByKeyHash(ctx: QueryCtx, keyHash: string) {
  return await ctx.db
    .query("sites")
    .withIndex("by_write_key_hash", (q) => q.eq("writeKeyHash", keyHash))
    .unique();
}

const rateMarkValidator = v.union(
  v.null(),
  v.object({ at: v.number(), events: v.number(), cumulative: v.optional(v.number()) }),
);

/**
 * The rate limit's marks (ingest/admission.ts): the newest, the last one at or before the sliding
 * minute's start, and the oldest inside it. Three point reads of tiny rows, whatever the
 * traffic. Ingest runs it through a stale snapshot, so it takes no read dependency.
 */
export const rateMarks = internalQuery({
  args: { siteId: v.id("sites"), now: v.number() },
  returns: v.object({
    newest: rateMarkValidator,
    beforeWindow: rateMarkValidator,
    oldestInWindow: rateMarkValidator,
  }),
  handler: async (ctx, { siteId, now }) => {
    const marks = () =>
      ctx.db.query("ingestReservations").withIndex("by_at", (q) => q.eq("siteId", siteId));
    const start = now - MINUTE_MS;
    const newest = await marks().order("desc").first();
    const beforeWindow = await ctx.db
      .query("ingestReservations")
      .withIndex("by_at", (q) => q.eq("siteId", siteId).lte("at", start))
      .order("desc")
      .first();
    const oldestInWindow = await ctx.db
      .query("ingestReservations")
      .withIndex("by_at", (q) => q.eq("siteId", siteId).gt("at", start))
      .first();
    const mark = (row: Doc<"ingestReservations"> | null) =>
      row
        ? {
            at: row.at,
            events: row.events,
            ...(row.cumulative !== undefined ? { cumulative: row.cumulative } : {}),
          }
        : null;
    return {
      newest: mark(newest),
      beforeWindow: mark(beforeWindow),
      oldestInWindow: mark(oldestInWindow),
    };
  },
});

/**
 * Step 4, store: insert what is new, report what was already there. Unless `kick` is false
 * (live ingest decides that itself, once per kick window), schedules the site's worker run at
 * the aligned instant of aggregate/kick.ts.
 */
export async function storeEvents(
  ctx: MutationCtx,
  site: Doc<"sites">,
  events: { index: number; enriched: EnrichedEvent }[],
  kick = true,
) {
  const receivedAt = Date.now();
  const seen = new Set<string>();
  let accepted = 0;
  let duplicates = 0;
  for (const { enriched } of events) {
    const existing =
      seen.has(enriched.eventId) ||
      (await ctx.db
        .query("events")
        .withIndex("by_event_id", (q) => q.eq("siteId", site._id).eq("eventId", enriched.eventId))
        .first()) !== null;
    if (existing) {
      duplicates++;
      continue;
    }
    seen.add(enriched.eventId);
    await ctx.db.insert("events", { ...enriched, siteId: site._id, status: "pending", receivedAt });
    accepted++;
  }
  if (kick && accepted > 0) await scheduleFold(ctx, site._id, receivedAt);
  return { accepted, duplicates };
}

/** One worker run for the whole site at the kick window's instant (aggregate/kick.ts). */
async function scheduleFold(ctx: MutationCtx, siteId: Id<"sites">, receivedAt: number) {
  await ctx.scheduler.runAt(kickAt(receivedAt), internal.worker.aggregateSite, { siteId });
}

/** Live pageviews and heartbeats move their session's presence (presence.ts touchPresence). */
function isLive(event: EnrichedEvent, site: Doc<"sites">, now: number) {
  return event.path !== undefined && now - event.ts <= site.settings.presenceTimeoutMs;
}

export const ingest = mutation({
  args: {
    keyHash: v.string(),
    origin: v.optional(v.string()),
    userAgent: v.optional(v.string()),
    country: v.optional(v.string()),
    events: v.array(v.any()),
  },
  returns: v.union(
    v.object({ ok: v.literal(true), result: ingestResultValidator }),
    v.object({ ok: v.literal(false), refusal: refusalValidator }),
  ),
  handler: async (ctx, args) => {
    if (args.events.length > MAX_EVENTS_PER_REQUEST) {
      throw invalidArgument(`events: at most ${MAX_EVENTS_PER_REQUEST} events per request`);
    }
    // Step 1, admit the request: key, status, origin.
    const found = await siteByKeyHash(ctx, args.keyHash);
    const refusal = checkSite(found, args.origin);
    if (refusal) return { ok: false as const, refusal };
    const site = found!;
    if (isBotUserAgent(args.userAgent)) {
      return {
        ok: true as const,
        result: { accepted: 0, duplicates: 0, filtered: args.events.length, rejected: [] },
      };
    }
    // Step 2, validate.
    const now = Date.now();
    const { valid, rejected } = validateEvents<IngestEvent>(args.events, "live", now);
    // Step 3, the rate limit: the events that fit are admitted, the rest refused one by one.
    const marks = await ctx.runQuery(
      internal.ingest.rateMarks,
      { siteId: site._id, now },
      { useStaleSnapshot: true },
    );
    const inWindow = eventsInWindow(now, marks.newest, marks.beforeWindow, marks.oldestInWindow);
    const limit = site.settings.ingestRatePerMinute;
    const { admitted, refusal: limited } = admitEvents(
      valid.length,
      inWindow,
      limit,
      now,
      marks.oldestInWindow,
    );
    if (limited) return { ok: false as const, refusal: limited };
    for (const { index } of valid.slice(admitted))
      rejected.push({ index, reason: RATE_LIMITED_REASON });
    rejected.sort((a, b) => a.index - b.index);
    // Step 4, enrich.
    const request = { userAgent: args.userAgent, country: args.country ?? UNKNOWN };
    const enriched = valid.slice(0, admitted).map(({ index, event }) => ({
      index,
      enriched: enrichEvent(event, request, site, clampTimestamp(event.ts, now, "live")),
    }));
    // Step 5, store. A live heartbeat is accepted here and stored by touchPresence only if it
    // moved its session's presence row (inside heartbeatDedupMs it writes nothing).
    const liveHeartbeat = (e: EnrichedEvent) => e.type === "heartbeat" && isLive(e, site, now);
    const live = enriched
      .map((e) => e.enriched)
      .filter((e) => (e.type === "pageview" || e.type === "heartbeat") && isLive(e, site, now));
    const heartbeats = await touchPresence(ctx, site, live);
    const stored = await storeEvents(
      ctx,
      site,
      enriched.filter((e) => !liveHeartbeat(e.enriched)),
      false,
    );
    await storeEvents(
      ctx,
      site,
      heartbeats.map((enriched) => ({ index: -1, enriched })),
      false,
    );
    if (admitted > 0) {
      await ctx.db.insert("ingestReservations", {
        siteId: site._id,
        minute: minuteOf(now),
        at: now,
        events: admitted,
        cumulative: (marks.newest?.cumulative ?? 0) + admitted,
      });
      // One worker run per kick window: the request whose mark opened the window scheduled it
      // (requests racing into an empty window may each schedule one; the later runs find
      // nothing pending and only read).
      const windowKicked = marks.newest !== null && kickAt(marks.newest.at) === kickAt(now);
      if (!windowKicked) await scheduleFold(ctx, site._id, now);
    }
    const deferred = enriched.filter((e) => liveHeartbeat(e.enriched)).length;
    return {
      ok: true as const,
      result: {
        accepted: stored.accepted + deferred,
        duplicates: stored.duplicates,
        filtered: 0,
        rejected,
      },
    };
  },
});

/**
 * contract §4 importEvents: server-side backfill (access logs, other tools). Old timestamps are
 * kept; each event carries its own ip/userAgent, bots among them are filtered one by one.
 */
export const importEvents = mutation({
  args: signatures.importEvents.args,
  returns: signatures.importEvents.returns,
  handler: async (ctx, args) => {
    if (args.events.length > MAX_EVENTS_PER_IMPORT) {
      throw invalidArgument(`events: at most ${MAX_EVENTS_PER_IMPORT} events per import call`);
    }
    const site = await loadSite(ctx, args.siteId);
    const now = Date.now();
    const { valid, rejected } = validateEvents<ImportEvent>(args.events, "import", now);
    let filtered = 0;
    const enriched: { index: number; enriched: EnrichedEvent }[] = [];
    for (const { index, event } of valid) {
      // A log without user agents (common format) can't be screened; one with them is.
      if (event.userAgent !== undefined && isBotUserAgent(event.userAgent)) {
        filtered++;
        continue;
      }
      const identity = await resolveImportIdentity(event);
      const request = { userAgent: event.userAgent, country: UNKNOWN };
      enriched.push({
        index,
        enriched: enrichEvent(
          { ...event, ...identity },
          request,
          site,
          clampTimestamp(event.ts, now, "import"),
        ),
      });
    }
    const stored = await storeEvents(ctx, site, enriched);
    return { ...stored, filtered, rejected };
  },
});
