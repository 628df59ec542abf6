// Events from host code: `Analytics.track` / `identify` (src/client/analytics.ts) call these
// from a host mutation, so they run in the host's transaction and the event exists if and only
// if the host's mutation commits. Validated, enriched and stored as ingest does it: an
// append-only insert the worker folds (invariant 1), never a read of anything
// another tracking call or the worker writes.
import { v } from "convex/values";
import type { Doc } from "./_generated/dataModel.js";
import { mutation, type MutationCtx } from "./_generated/server.js";
import { storeEvents } from "./ingest.js";
import { clampTimestamp, enrichEvent, validateEvents } from "./ingest/pipeline.js";
import { identifyEvent, trackedEvent } from "./ingest/serverEvents.js";
import { UNKNOWN } from "./lib/types.js";
import { invalidArgument, type IngestEvent } from "./ingest/validate.js";
import { loadSite } from "./sites.js";

const newId = () => `srv_${crypto.randomUUID()}`;

/**
 * Validates one event as ingest does, or throws naming the field, before anything is written;
 * then stores it unless the site is disabled. A disabled site stores nothing, as its HTTP
 * route refuses everything, but the call doesn't throw: analytics being switched off must
 * not roll back the host's mutation. A duplicate id returns the stored event's id.
 */
async function storeOne(
  ctx: MutationCtx,
  site: Doc<"sites">,
  fn: string,
  raw: Record<string, unknown>,
) {
  const now = Date.now();
  const { valid, rejected } = validateEvents<IngestEvent>([raw], "live", now);
  if (rejected.length > 0) throw invalidArgument(`${fn}: ${rejected[0]!.reason}`);
  const event = valid[0]!.event;
  if (site.status === "disabled") return { eventId: event.id };
  const request = { userAgent: undefined, country: UNKNOWN };
  const enriched = enrichEvent(event, request, site, clampTimestamp(event.ts, now, "live"));
  await storeEvents(ctx, site, [{ index: 0, enriched }]);
  return { eventId: enriched.eventId };
}

export const track = mutation({
  args: {
    siteId: v.string(),
    name: v.string(),
    visitorId: v.optional(v.string()),
    userId: v.optional(v.string()),
    sessionId: v.optional(v.string()),
    // Checked by validateEvents, whose messages name the key and the rule.
    props: v.optional(v.any()),
    id: v.optional(v.string()),
    url: v.optional(v.string()),
    ts: v.optional(v.number()),
  },
  returns: v.object({ eventId: v.string() }),
  handler: async (ctx, { siteId, ...input }) => {
    const site = await loadSite(ctx, siteId);
    return await storeOne(ctx, site, "track", await trackedEvent(input, newId));
  },
});

export const identify = mutation({
  args: {
    siteId: v.string(),
    visitorId: v.string(),
    userId: v.string(),
    sessionId: v.optional(v.string()),
    traits: v.optional(v.any()),
    id: v.optional(v.string()),
    ts: v.optional(v.number()),
  },
  returns: v.object({ eventId: v.string() }),
  handler: async (ctx, { siteId, ...input }) => {
    const site = await loadSite(ctx, siteId);
    return await storeOne(ctx, site, "identify", identifyEvent(input, newId));
  },
});
