// Goals (contract §7): the admin functions that keep a site's goals, and getGoals, their
// conversions over a range: from rollup rows only without filters (read/goals.ts defines the
// figures), from the range's visits with filters (read/visits.ts, read/visitFigures.ts).
import { v, type Infer } from "convex/values";
import { internal } from "./_generated/api.js";
import { internalMutation, mutation, query } from "./_generated/server.js";
import { checkGoal, goalRows, isWildcardGoal } from "./read/goals.js";
import { definitionOf, publicGoal, siteFunnels, siteGoals } from "./read/goalDocs.js";
import { goalConversions, readGoals } from "./maintenance/goalMirrorRows.js";
import * as signatures from "./lib/signatures.js";
import {
  GOAL_PURGE_ROWS_PER_STEP,
  MAINTENANCE_BYTES_PER_STEP,
  MAX_GOALS_PER_SITE,
} from "./lib/limits.js";
import { ReadBudget } from "./lib/readBudget.js";
import { GOAL_DIMENSION } from "./maintenance/goalMirror.js";
import { ALL } from "./aggregate/rollup.js";
import { countUnion } from "./lib/sketch.js";
import { invalidArgument } from "./ingest/validate.js";
import { goalsReportValidator, goalValidator } from "./lib/validators.js";
import { visitsGoals } from "./read/visitFigures.js";
import { filterContext, readVisits } from "./read/visits.js";
import { checkedRange, rangeRows, type RowsRead } from "./read/rollupReads.js";
import { loadSite } from "./sites.js";

export const createGoal = mutation({
  args: signatures.createGoal.args,
  returns: signatures.createGoal.returns,
  handler: async (ctx, { siteId, ...input }) => {
    const site = await loadSite(ctx, siteId);
    const { name, definition } = checkGoal(input);
    const existing = await siteGoals(ctx, site._id);
    if (existing.length >= MAX_GOALS_PER_SITE)
      throw invalidArgument(`a site may have at most ${MAX_GOALS_PER_SITE} goals`);
    // Names are what the dashboard and the `goal` filter show and select goals by.
    if (existing.some((goal) => goal.name === name))
      throw invalidArgument(`name: this site already has a goal named "${name}"`);
    const goalId = await ctx.db.insert("goals", {
      siteId: site._id,
      name,
      ...definition,
      createdAt: Date.now(),
    });
    return { goalId };
  },
});

export const listGoals = query({
  args: signatures.listGoals.args,
  returns: signatures.listGoals.returns,
  handler: async (ctx, args) => {
    const site = await loadSite(ctx, args.siteId);
    return (await siteGoals(ctx, site._id)).map(publicGoal);
  },
});

/** One goal by id, or null: what the admin facade resolves a goal's site with before auth. */
export const getGoal = query({
  args: { goalId: v.string() },
  returns: v.union(goalValidator, v.null()),
  handler: async (ctx, args) => {
    const id = ctx.db.normalizeId("goals", args.goalId);
    const goal = id && (await ctx.db.get("goals", id));
    return goal ? publicGoal(goal) : null;
  },
});

export const deleteGoal = mutation({
  args: { siteId: v.string(), goalId: v.string() },
  returns: v.null(),
  handler: async (ctx, args) => {
    const site = await loadSite(ctx, args.siteId);
    const id = ctx.db.normalizeId("goals", args.goalId);
    const goal = id && (await ctx.db.get("goals", id));
    // Another site's goal is refused as if it didn't exist (invariant 10): the id is the caller's.
    if (!goal || goal.siteId !== site._id)
      throw invalidArgument(`goalId: no goal with id ${args.goalId} on this site`);
    const funnel = (await siteFunnels(ctx, site._id)).find((f) => f.steps.includes(goal._id));
    if (funnel)
      throw invalidArgument(
        `goalId: goal "${goal.name}" is a step of funnel "${funnel.name}": delete the funnel first`,
      );
    await ctx.db.delete("goals", goal._id);
    // A wildcard goal's own rows (maintenance/goalMirror.ts) go with it, in bounded steps after
    // this one: nothing adds to them once the goal is gone (compaction reads the site's goals).
    if (isWildcardGoal(definitionOf(goal)))
      await ctx.scheduler.runAfter(0, internal.goals.purgeGoalRows, {
        siteId: site._id,
        goalId: goal._id,
      });
    return null;
  },
});

/** Deletes a deleted goal's rows, GOAL_PURGE_ROWS_PER_STEP at a time, until none is left. */
export const purgeGoalRows = internalMutation({
  args: { siteId: v.id("sites"), goalId: v.string() },
  returns: v.null(),
  handler: async (ctx, { siteId, goalId }) => {
    const budget = new ReadBudget(GOAL_PURGE_ROWS_PER_STEP, MAINTENANCE_BYTES_PER_STEP);
    const rows = ctx.db
      .query("rollups")
      .withIndex("by_key", (q) =>
        q.eq("siteId", siteId).eq("dimension", GOAL_DIMENSION).eq("key", goalId),
      );
    for await (const row of rows) {
      budget.spend(row);
      await ctx.db.delete("rollups", row._id);
      if (budget.spent) {
        await ctx.scheduler.runAfter(0, internal.goals.purgeGoalRows, { siteId, goalId });
        return null;
      }
    }
    return null;
  },
});

/**
 * Every goal's conversions over the range. Reads the range's whole-site rows (its visitors,
 * as getOverview counts them) and each goal's converting rows (maintenance/goalMirrorRows.ts goalConversions):
 * an event goal's one key, a wildcard page goal's own rows, so a goal costs O(buckets) however
 * many distinct paths or values its dimension has. All of it shares one read budget
 * (rollupReads.ts), so a report too wide for one query says so instead of failing at the
 * platform's limit.
 */
export const getGoals = query({
  args: signatures.getGoals.args,
  returns: signatures.getGoals.returns,
  handler: async (ctx, args): Promise<Infer<typeof goalsReportValidator>> => {
    const site = await loadSite(ctx, args.siteId);
    const range = checkedRange(args.from, args.to, site.timezone);
    const filters = await filterContext(ctx, site, args.filters);
    const goals = await readGoals(ctx, site._id);
    if (filters) {
      const visits = await readVisits(ctx, site, range);
      const report = visitsGoals(visits.visits, filters, visits.fraction, goals);
      return { range, ...report, sample: { fraction: visits.fraction } };
    }
    const read: RowsRead = { rows: 0, bytes: 0 };
    const all = await rangeRows(ctx, site, ALL, range.from, range.to, read);
    const visitors = countUnion(all.map((row) => row.visitors));
    const conversions = await goalConversions(ctx, site, goals, range.from, range.to, read);
    return {
      range,
      visitors,
      goals: goalRows(goals, (goalId) => conversions.get(goalId)!, visitors),
    };
  },
});
