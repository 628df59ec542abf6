// The dashboard's mergeable reads (invariant 12, read/rangePart.ts): a range's rollup rows
// folded per key. The dashboard reads the closed part of a range that reaches the present (the
// days before today) and its open part (today) apart, so that the worker's writes to today's
// rows re-run only the small open part; the closed part stays in Convex's query cache.
import { query } from "./_generated/server.js";
import * as signatures from "./lib/signatures.js";
import { MAX_DIMENSION_KEY_LENGTH } from "./lib/limits.js";
import { MAX_PART_KEYS, foldByKey, goalsPart } from "./read/rangePart.js";
import { goalConversions, readGoals } from "./maintenance/goalMirrorRows.js";
import { ALL } from "./aggregate/rollup.js";
import { coverRange } from "./lib/time.js";
import { invalidArgument } from "./ingest/validate.js";
import { candidateRows, checkedRange, keyRows, rangeRows } from "./read/rollupReads.js";
import { loadSite } from "./sites.js";

export const getRangePart = query({
  args: signatures.getRangePart.args,
  returns: signatures.getRangePart.returns,
  handler: async (ctx, args) => {
    const site = await loadSite(ctx, args.siteId);
    const range = checkedRange(args.from, args.to, site.timezone);
    const keys = checkedKeys(args.keys ?? []);
    const sortBy = args.dimension === "event" ? "events" : "visitors";
    let part;
    if (args.dimension === "all") {
      part = foldByKey(await rangeRows(ctx, site, ALL, range.from, range.to), sortBy);
    } else if (args.dimension === "goals") {
      // As getGoals reads them: each goal's converting rows, under one read budget.
      const goals = await readGoals(ctx, site._id);
      const read = { rows: 0, bytes: 0 };
      const conversions = await goalConversions(ctx, site, goals, range.from, range.to, read);
      part = goalsPart(goals, (goalId) => conversions.get(goalId)!);
    } else {
      // The range's top keys through its leaderboards (a long tail is never read whole),
      // and the rows of the keys asked for that are not among them.
      const read = await candidateRows(
        ctx,
        site,
        args.dimension,
        range.from,
        range.to,
        MAX_PART_KEYS,
      );
      const have = new Set(read.rows.map((row) => row.key));
      const segments = coverRange(range.from, range.to, site.timezone, true);
      const budget = { rows: 0, bytes: 0 };
      const asked = [];
      for (const key of keys)
        if (!have.has(key))
          asked.push(...(await keyRows(ctx, site, args.dimension, key, segments, budget)));
      const folded = foldByKey([...read.rows, ...asked], sortBy, MAX_PART_KEYS + keys.length);
      const truncated = folded.truncated || read.capped || read.rest > 0;
      // A key not returned: not a candidate (bound `rest`), or folded out below the last row.
      const rest = Math.max(read.rest, folded.rest ?? 0);
      part = { rows: folded.rows, truncated, ...(truncated && !read.capped ? { rest } : {}) };
    }
    return {
      range,
      truncated: part.truncated,
      ...(part.rest !== undefined ? { rest: part.rest } : {}),
      rows: part.rows.map((row) => ({
        key: row.key,
        ...(row.name !== undefined ? { name: row.name } : {}),
        pageviews: row.pageviews,
        events: row.events,
        sessions: row.sessions,
        bounces: row.bounces,
        pvSessions: row.pvSessions,
        durationMs: row.durationMs,
        ...(row.engagedVisits ? { engagedVisits: row.engagedVisits } : {}),
        ...(row.engagedMs ? { engagedMs: row.engagedMs } : {}),
        ...(row.scrollSum ? { scrollSum: row.scrollSum } : {}),
        visitors: row.visitors,
        ...(row.users ? { users: row.users } : {}),
      })),
    };
  },
});

/** A part is asked for at most MAX_PART_KEYS keys, each at most as long as a stored key. */
function checkedKeys(keys: string[]) {
  if (keys.length > MAX_PART_KEYS) throw invalidArgument(`keys: at most ${MAX_PART_KEYS} keys`);
  const long = keys.findIndex((key) => key.length > MAX_DIMENSION_KEY_LENGTH);
  if (long !== -1)
    throw invalidArgument(`keys[${long}]: at most ${MAX_DIMENSION_KEY_LENGTH} characters`);
  return keys;
}
