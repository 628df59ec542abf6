// Plausible's Events API (src/client/plausible/): what the host's route asks the component
// for before it hands events to the same ingest path as our own route. A Plausible event names
// its site by domain and carries no visitor id: the route hashes one from the day's salt.
import { v } from "convex/values";
import type { QueryCtx } from "./_generated/server.js";
import { mutation, query } from "./_generated/server.js";
import { PLAUSIBLE_SALTS_KEPT } from "./lib/limits.js";
import { invalidArgument } from "./ingest/validate.js";

const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** The one site with this domain; two sites sharing a domain can't be told apart. */
export async function siteByDomain(ctx: QueryCtx, domain: string) {
  const sites = await ctx.db
    .query("sites")
    .withIndex("by_domain", (q) => q.eq("domain", domain.toLowerCase()))
    .take(2);
  if (sites.length !== 1) return { site: null, ambiguous: sites.length > 1 };
  return { site: sites[0], ambiguous: false };
}

async function saltOf(ctx: QueryCtx, day: string) {
  return await ctx.db
    .query("plausibleSalts")
    .withIndex("by_day", (q) => q.eq("day", day))
    .unique();
}

/**
 * The site an event names, with what ingest needs to admit it: the key hash our ingest
 * mutation identifies sites by (it never leaves the host's server code) and the day's salt,
 * null until dailySalt made it. A query, so concurrent events read the same cached answer.
 */
export const resolveSite = query({
  args: { domain: v.string(), day: v.string() },
  returns: v.union(
    v.object({ found: v.literal(false), reason: v.string() }),
    v.object({
      found: v.literal(true),
      siteId: v.string(),
      keyHash: v.string(),
      salt: v.union(v.string(), v.null()),
    }),
  ),
  handler: async (ctx, args) => {
    const { site, ambiguous } = await siteByDomain(ctx, args.domain);
    if (!site)
      return { found: false as const, reason: ambiguous ? "ambiguous_domain" : "unknown_domain" };
    const salt = await saltOf(ctx, args.day);
    return {
      found: true as const,
      siteId: site._id as string,
      keyHash: site.writeKeyHash,
      salt: salt?.salt ?? null,
    };
  },
});

function randomSalt() {
  const bytes = new Uint8Array(32);
  crypto.getRandomValues(bytes);
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The salt of a UTC day, made by the first event of that day (once: later events read it
 * through resolveSite). Making it deletes the salts before yesterday, so a stored event's
 * visitor hash can't be recomputed from an IP and User-Agent once they are gone.
 */
export const dailySalt = mutation({
  args: { day: v.string() },
  returns: v.string(),
  handler: async (ctx, { day }) => {
    if (!DAY_PATTERN.test(day)) throw invalidArgument("day must be a YYYY-MM-DD date");
    const existing = await saltOf(ctx, day);
    if (existing) return existing.salt;
    const salt = randomSalt();
    await ctx.db.insert("plausibleSalts", { day, salt });
    const newest = await ctx.db
      .query("plausibleSalts")
      .withIndex("by_day")
      .order("desc")
      .take(PLAUSIBLE_SALTS_KEPT + 4);
    for (const old of newest.slice(PLAUSIBLE_SALTS_KEPT)) {
      await ctx.db.delete("plausibleSalts", old._id);
    }
    return salt;
  },
});
