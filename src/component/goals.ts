// Goals (SPEC §7): the admin functions that keep a site's goals, and getGoals, their
// conversions over a range from rollup rows only (lib/goals.ts defines the figures). Filtered
// goal figures need per-visit facts (issue 13) and are not computed here.
import { v } from "convex/values";
import type { Doc } from "./_generated/dataModel.js";
import { mutation, query, type QueryCtx } from "./_generated/server.js";
import type { RowLike } from "./lib/figures.js";
import { checkGoal, goalDimension, goalRows, type GoalDefinition } from "./lib/goals.js";
import { MAX_GOALS_PER_SITE } from "./lib/limits.js";
import { ALL } from "./lib/rollup.js";
import { countUnion } from "./lib/sketch.js";
import { invalidArgument } from "./lib/validate.js";
import { createGoalArgs, goalsReportValidator, goalValidator } from "./lib/validators.js";
import { checkedRange, rangeRows, type RowsRead } from "./reports.js";
import { loadSite } from "./sites.js";

/** A site's goals, oldest first: bounded by the per-site limit that createGoal enforces. */
async function siteGoals(ctx: QueryCtx, siteId: Doc<"sites">["_id"]) {
  return await ctx.db
    .query("goals")
    .withIndex("by_site", (q) => q.eq("siteId", siteId))
    .take(MAX_GOALS_PER_SITE);
}

function publicGoal(goal: Doc<"goals">) {
  return {
    goalId: goal._id as string,
    siteId: goal.siteId as string,
    name: goal.name,
    kind: goal.kind,
    ...(goal.eventName !== undefined ? { eventName: goal.eventName } : {}),
    ...(goal.property !== undefined ? { property: goal.property, value: goal.value ?? null } : {}),
    ...(goal.pathPattern !== undefined ? { pathPattern: goal.pathPattern } : {}),
    createdAt: goal.createdAt,
  };
}

/** A stored goal's definition; createGoal stored only what checkGoal let through. */
function definitionOf(goal: Doc<"goals">): GoalDefinition {
  if (goal.kind === "page") return { kind: "page", pathPattern: goal.pathPattern! };
  return goal.property === undefined
    ? { kind: "event", eventName: goal.eventName! }
    : {
        kind: "event",
        eventName: goal.eventName!,
        property: goal.property,
        value: goal.value ?? null,
      };
}

export const createGoal = mutation({
  args: createGoalArgs,
  returns: v.object({ goalId: v.string() }),
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
  args: { siteId: v.string() },
  returns: v.array(goalValidator),
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
    await ctx.db.delete("goals", goal._id);
    return null;
  },
});

/**
 * Every goal's conversions over the range. Reads the range's whole-site rows (its visitors,
 * as getOverview counts them) and each dimension the goals need once: the `event` rows for
 * plain event goals, one event-property dimension per distinct (event, property) pair, and
 * all `page` rows for page goals — a wildcard can match any path, so a page goal costs what
 * the page breakdown costs. All of it shares one read budget (reports.ts), so a report too
 * wide for one query says so instead of failing at the platform's limit.
 */
export const getGoals = query({
  args: { siteId: v.string(), from: v.number(), to: v.number() },
  returns: goalsReportValidator,
  handler: async (ctx, args) => {
    const site = await loadSite(ctx, args.siteId);
    const range = checkedRange(args.from, args.to, site.timezone);
    const read: RowsRead = { rows: 0, bytes: 0 };
    const rows = (dimension: string) => rangeRows(ctx, site, dimension, range.from, range.to, read);
    const visitors = countUnion((await rows(ALL)).map((row) => row.visitors));
    const goals = (await siteGoals(ctx, site._id)).map((goal) => ({
      goalId: goal._id as string,
      name: goal.name,
      definition: definitionOf(goal),
    }));
    const byDimension = new Map<string, RowLike[]>();
    for (const { definition } of goals) {
      const dimension = goalDimension(definition);
      if (!byDimension.has(dimension)) byDimension.set(dimension, await rows(dimension));
    }
    return {
      range,
      visitors,
      goals: goalRows(goals, (dimension) => byDimension.get(dimension)!, visitors),
    };
  },
});
