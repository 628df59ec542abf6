// The dashboard's mergeable reads (invariant 12, lib/rangePart.ts): a range's rollup rows
// folded per key. The dashboard reads the closed part of a range that reaches the present (the
// days before today) and its open part (today) apart, so that the worker's writes to today's
// rows re-run only the small open part; the closed part stays in Convex's query cache.
import { v } from "convex/values";
import { query } from "./_generated/server.js";
import { foldByKey } from "./lib/rangePart.js";
import { ALL } from "./lib/rollup.js";
import { dimensionValidator, rangePartValidator } from "./lib/validators.js";
import { checkedRange, rangeRows } from "./rollupReads.js";
import { loadSite } from "./sites.js";

export const getRangePart = query({
  args: {
    siteId: v.string(),
    from: v.number(),
    to: v.number(),
    /** "all" for the overview's figures, or a breakdown dimension. */
    dimension: v.union(v.literal("all"), dimensionValidator),
  },
  returns: rangePartValidator,
  handler: async (ctx, args) => {
    const site = await loadSite(ctx, args.siteId);
    const range = checkedRange(args.from, args.to, site.timezone);
    const dimension = args.dimension === "all" ? ALL : args.dimension;
    const rows = await rangeRows(ctx, site, dimension, range.from, range.to);
    const part = foldByKey(rows, args.dimension === "event" ? "events" : "visitors");
    return {
      range,
      truncated: part.truncated,
      rows: part.rows.map((row) => ({
        key: row.key,
        pageviews: row.pageviews,
        events: row.events,
        sessions: row.sessions,
        bounces: row.bounces,
        pvSessions: row.pvSessions,
        durationMs: row.durationMs,
        visitors: row.visitors,
        ...(row.users ? { users: row.users } : {}),
      })),
    };
  },
});
