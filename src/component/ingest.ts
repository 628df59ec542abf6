// Ingest: append-only (ARCHITECTURE invariant 1). The mutation reads the site (by key hash)
// and point lookups of its own events' ids, inserts events, and schedules the workers of the
// partitions it touched. It reads nothing another ingest or the worker writes.
import { v } from "convex/values";
import { internal } from "./_generated/api.js";
import type { Doc } from "./_generated/dataModel.js";
import { mutation, query, type MutationCtx, type QueryCtx } from "./_generated/server.js";
import { checkSite, minuteOf, rateLimitDecision, reservedPerMinute } from "./lib/admission.js";
import { isBotUserAgent } from "./lib/enrich.js";
import { kickAt } from "./lib/kick.js";
import {
  MAX_EVENTS_PER_IMPORT,
  MAX_EVENTS_PER_REQUEST,
  MINUTE_MS,
  RATE_SCAN_PER_MINUTE,
} from "./lib/limits.js";
import {
  clampTimestamp,
  enrichEvent,
  resolveImportIdentity,
  validateEvents,
  type EnrichedEvent,
} from "./lib/pipeline.js";
import { invalidArgument, type ImportEvent, type IngestEvent } from "./lib/validate.js";
import { ingestResultValidator } from "./lib/validators.js";
import { loadSite } from "./sites.js";
import { UNKNOWN } from "./lib/types.js";

const refusalValidator = v.object({
  status: v.number(),
  code: v.string(),
  message: v.string(),
  retryAfterSec: v.optional(v.number()),
});

async function siteByKeyHash(ctx: QueryCtx, keyHash: string) {
  return await ctx.db
    .query("sites")
    .withIndex("by_write_key_hash", (q) => q.eq("writeKeyHash", keyHash))
    .unique();
}

/**
 * The HTTP route's gate, run as a query before the mutation: key, status, origin and the
 * rate limit (lib/admission.ts). Run once before the request reserves its share of the
 * limit (refusing a flood without writing anything) and once after, `excluding` its own
 * reservation. `now` comes from the caller: a query that read the clock would not be cached.
 * Reads the site and at most 2 × RATE_SCAN_PER_MINUTE small rows, whatever the traffic.
 */
export const admission = query({
  args: {
    keyHash: v.string(),
    origin: v.optional(v.string()),
    now: v.number(),
    excluding: v.optional(v.string()),
  },
  returns: v.union(
    v.object({ ok: v.literal(true), siteId: v.string() }),
    v.object({ ok: v.literal(false), refusal: refusalValidator }),
  ),
  handler: async (ctx, args) => {
    const site = await siteByKeyHash(ctx, args.keyHash);
    const refusal = checkSite(site, args.origin);
    if (refusal) return { ok: false as const, refusal };
    const minutes = [];
    for (const minute of [minuteOf(args.now) - MINUTE_MS, minuteOf(args.now)]) {
      const rows = await ctx.db
        .query("ingestReservations")
        .withIndex("by_minute", (q) => q.eq("siteId", site!._id).eq("minute", minute))
        .order("desc")
        .take(RATE_SCAN_PER_MINUTE);
      minutes.push({
        minute,
        newestFirst: rows.map((r) => ({ id: r._id as string, at: r.at, events: r.events })),
      });
    }
    const counts = reservedPerMinute(minutes, RATE_SCAN_PER_MINUTE, args.now, args.excluding);
    const limited = rateLimitDecision(counts, site!.settings.ingestRatePerMinute, args.now);
    return limited
      ? { ok: false as const, refusal: limited }
      : { ok: true as const, siteId: site!._id as string };
  },
});

/**
 * A request's share of its site's rate limit, taken before it is checked. A blind insert
 * (no reads), so concurrent requests never conflict. Once out of the window it is deleted in
 * bulk by the maintenance sweep (not by a scheduled call per request: that would cost every
 * request two more writes).
 */
export const reserve = mutation({
  args: { siteId: v.string(), now: v.number(), events: v.number() },
  returns: v.string(),
  handler: async (ctx, args) => {
    const siteId = ctx.db.normalizeId("sites", args.siteId);
    if (!siteId) throw invalidArgument(`siteId: no site with id ${args.siteId}`);
    const id = await ctx.db.insert("ingestReservations", {
      siteId,
      minute: minuteOf(args.now),
      at: args.now,
      events: args.events,
    });
    return id;
  },
});

/** Gives a refused request's reservation back. Reads only it. */
export const release = mutation({
  args: { id: v.string() },
  returns: v.null(),
  handler: async (ctx, { id }) => {
    const reservation = ctx.db.normalizeId("ingestReservations", id);
    if (reservation && (await ctx.db.get("ingestReservations", reservation)))
      await ctx.db.delete("ingestReservations", reservation);
    return null;
  },
});

/** Step 4, store: insert what is new, report what was already there. */
export async function storeEvents(
  ctx: MutationCtx,
  site: Doc<"sites">,
  events: { index: number; enriched: EnrichedEvent }[],
) {
  const receivedAt = Date.now();
  const seen = new Set<string>();
  const partitions = new Set<number>();
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
    partitions.add(enriched.partition);
    accepted++;
  }
  for (const partition of [...partitions].sort()) {
    await ctx.scheduler.runAt(kickAt(receivedAt), internal.worker.aggregate, {
      siteId: site._id,
      partition,
    });
  }
  return { accepted, duplicates };
}

/**
 * Live pageviews and heartbeats move their session's presence row. That is another
 * transaction's job (presence.touch): ingest itself never reads or writes a row that other
 * requests write (invariant 1).
 */
function isLive(event: EnrichedEvent, site: Doc<"sites">, now: number) {
  return event.path !== undefined && now - event.ts <= site.settings.presenceTimeoutMs;
}

async function schedulePresence(
  ctx: MutationCtx,
  site: Doc<"sites">,
  events: EnrichedEvent[],
  now: number,
) {
  const live = events.filter(
    (e) => (e.type === "pageview" || e.type === "heartbeat") && isLive(e, site, now),
  );
  if (live.length === 0) return;
  const touches = live.map((e) => ({
    visitorId: e.visitorId,
    sessionId: e.sessionId,
    path: e.path!,
    ts: e.ts,
  }));
  const heartbeats = live.filter((e) => e.type === "heartbeat");
  await ctx.scheduler.runAfter(0, internal.presence.touch, {
    siteId: site._id,
    touches,
    heartbeats,
  });
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
    const site = await siteByKeyHash(ctx, args.keyHash);
    const refusal = checkSite(site, args.origin);
    if (refusal) return { ok: false as const, refusal };
    if (isBotUserAgent(args.userAgent)) {
      return {
        ok: true as const,
        result: { accepted: 0, duplicates: 0, filtered: args.events.length, rejected: [] },
      };
    }
    const now = Date.now();
    const { valid, rejected } = validateEvents<IngestEvent>(args.events, "live", now);
    const request = { userAgent: args.userAgent, country: args.country ?? UNKNOWN };
    const enriched = valid.map(({ index, event }) => ({
      index,
      enriched: enrichEvent(event, request, site!, clampTimestamp(event.ts, now, "live")),
    }));
    // A live heartbeat is accepted here and stored by presence.touch only if it moved the
    // session's presence row (SPEC §5: inside heartbeatDedupMs it writes nothing).
    const liveHeartbeat = (e: EnrichedEvent) => e.type === "heartbeat" && isLive(e, site!, now);
    const deferred = enriched.filter((e) => liveHeartbeat(e.enriched)).length;
    const stored = await storeEvents(
      ctx,
      site!,
      enriched.filter((e) => !liveHeartbeat(e.enriched)),
    );
    await schedulePresence(
      ctx,
      site!,
      enriched.map((e) => e.enriched),
      now,
    );
    return {
      ok: true as const,
      result: { ...stored, accepted: stored.accepted + deferred, filtered: 0, rejected },
    };
  },
});

/**
 * SPEC §4 importEvents: server-side backfill (access logs, other tools). Old timestamps are
 * kept; each event carries its own ip/userAgent, bots among them are filtered one by one.
 */
export const importEvents = mutation({
  args: { siteId: v.string(), events: v.array(v.any()) },
  returns: ingestResultValidator,
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
