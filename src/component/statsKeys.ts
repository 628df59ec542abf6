// Stats API keys (Plausible's `Authorization: Bearer …` for /api/v2/query): strong random
// keys handed out once, only their SHA-256 stored, each scoped to the sites it may read.
import { v } from "convex/values";
import { mutation, query } from "./_generated/server.js";
import type { Id } from "./_generated/dataModel.js";
import * as signatures from "./lib/signatures.js";
import { sha256Hex } from "./lib/keys.js";
import {
  MAX_STATS_KEY_NAME_LENGTH,
  MAX_STATS_KEY_SITES,
  MAX_STATS_KEYS_PER_SITE,
} from "./lib/limits.js";
import { invalidArgument } from "./ingest/validate.js";
import { siteByDomain } from "./plausible.js";
import { loadSite } from "./sites.js";

export const STATS_KEY_PREFIX = "sk_";

function randomText(bytes: number) {
  const raw = new Uint8Array(bytes);
  crypto.getRandomValues(raw);
  let binary = "";
  for (const byte of raw) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export const createStatsKey = mutation({
  args: signatures.createStatsKey.args,
  returns: signatures.createStatsKey.returns,
  handler: async (ctx, args) => {
    const name = args.name.trim();
    if (name.length === 0 || name.length > MAX_STATS_KEY_NAME_LENGTH)
      throw invalidArgument(`name must be 1 to ${MAX_STATS_KEY_NAME_LENGTH} characters`);
    const siteIds = [...new Set(args.siteIds)];
    if (siteIds.length === 0 || siteIds.length > MAX_STATS_KEY_SITES)
      throw invalidArgument(`siteIds must name 1 to ${MAX_STATS_KEY_SITES} sites`);
    const sites: Id<"sites">[] = [];
    for (const siteId of siteIds) {
      const site = await loadSite(ctx, siteId);
      const keys = await ctx.db
        .query("statsKeys")
        .withIndex("by_site", (q) => q.eq("siteId", site._id))
        .take(MAX_STATS_KEYS_PER_SITE);
      if (keys.length >= MAX_STATS_KEYS_PER_SITE)
        throw invalidArgument(
          `siteIds: site ${siteId} already has ${MAX_STATS_KEYS_PER_SITE} stats keys; revoke one first`,
        );
      sites.push(site._id);
    }
    const key = STATS_KEY_PREFIX + randomText(24);
    const keyId = randomText(9);
    const keyHash = await sha256Hex(key);
    const createdAt = Date.now();
    for (const siteId of sites) {
      await ctx.db.insert("statsKeys", { keyId, keyHash, siteId, name, createdAt });
    }
    return { keyId, key };
  },
});

/** The keys that may read a site, newest first, never their secret. */
export const listStatsKeys = query({
  args: signatures.listStatsKeys.args,
  returns: signatures.listStatsKeys.returns,
  handler: async (ctx, args) => {
    const site = await loadSite(ctx, args.siteId);
    const rows = await ctx.db
      .query("statsKeys")
      .withIndex("by_site", (q) => q.eq("siteId", site._id))
      .order("desc")
      .take(MAX_STATS_KEYS_PER_SITE);
    return rows.map(({ keyId, name, createdAt }) => ({ keyId, name, createdAt }));
  },
});

/** The sites a key may read: what the admin facade asks auth about before revoking it. */
export const statsKeySites = query({
  args: { keyId: v.string() },
  returns: v.array(v.string()),
  handler: async (ctx, args) => {
    const rows = await ctx.db
      .query("statsKeys")
      .withIndex("by_key_id", (q) => q.eq("keyId", args.keyId))
      .take(MAX_STATS_KEY_SITES);
    return rows.map((row) => row.siteId as string);
  },
});

export const revokeStatsKey = mutation({
  args: signatures.revokeStatsKey.args,
  returns: signatures.revokeStatsKey.returns,
  handler: async (ctx, args) => {
    const rows = await ctx.db
      .query("statsKeys")
      .withIndex("by_key_id", (q) => q.eq("keyId", args.keyId))
      .take(MAX_STATS_KEY_SITES);
    if (rows.length === 0) throw invalidArgument(`keyId: no stats key with id ${args.keyId}`);
    for (const row of rows) await ctx.db.delete("statsKeys", row._id);
    return null;
  },
});

/**
 * The Stats API's gate: the site named by `domain`, if the key may read it. The same answer
 * for an unknown domain as for a site the key may not read, so a key can't probe for sites.
 */
export const authorizeStatsQuery = query({
  args: { keyHash: v.string(), domain: v.string() },
  returns: v.union(
    v.object({ ok: v.literal(false), status: v.number(), error: v.string() }),
    v.object({
      ok: v.literal(true),
      siteId: v.string(),
      timezone: v.string(),
      createdAt: v.number(),
    }),
  ),
  handler: async (ctx, args) => {
    const { site } = await siteByDomain(ctx, args.domain);
    const grant =
      site &&
      (await ctx.db
        .query("statsKeys")
        .withIndex("by_key_hash", (q) => q.eq("keyHash", args.keyHash).eq("siteId", site._id))
        .first());
    if (!site || !grant) {
      const anyGrant = await ctx.db
        .query("statsKeys")
        .withIndex("by_key_hash", (q) => q.eq("keyHash", args.keyHash))
        .first();
      return anyGrant
        ? {
            ok: false as const,
            status: 401,
            error:
              "Invalid API key or site ID. Please make sure you're using a valid API key with access to the site you've requested.",
          }
        : {
            ok: false as const,
            status: 401,
            error:
              "Invalid API key. Please make sure you're using a valid API key with access to the resource you've requested.",
          };
    }
    return {
      ok: true as const,
      siteId: site._id as string,
      timezone: site.timezone,
      createdAt: site.createdAt,
    };
  },
});
