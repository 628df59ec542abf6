// A site's stored goals and funnels as the goal, funnel and filtered reads use them
// (read/goals.ts defines what a goal means; this reads them, bounded by the per-site limits).
import type { Doc } from "../_generated/dataModel.js";
import type { QueryCtx } from "../_generated/server.js";
import type { GoalDefinition } from "./goals.js";
import { decodePropKey } from "../ingest/propKeys.js";
import { MAX_FUNNELS_PER_SITE, MAX_GOALS_PER_SITE } from "../lib/limits.js";

/** A site's goals, oldest first: bounded by the per-site limit that createGoal enforces. */
export async function siteGoals(ctx: QueryCtx, siteId: Doc<"sites">["_id"]) {
  return await ctx.db
    .query("goals")
    .withIndex("by_site", (q) => q.eq("siteId", siteId))
    .take(MAX_GOALS_PER_SITE);
}

export function publicGoal(goal: Doc<"goals">) {
  return {
    goalId: goal._id as string,
    siteId: goal.siteId as string,
    name: goal.name,
    kind: goal.kind,
    ...(goal.eventName !== undefined ? { eventName: goal.eventName } : {}),
    ...(goal.property !== undefined
      ? { property: decodePropKey(goal.property), value: goal.value ?? null }
      : {}),
    ...(goal.pathPattern !== undefined ? { pathPattern: goal.pathPattern } : {}),
    createdAt: goal.createdAt,
  };
}

/** A stored goal's definition; createGoal stored only what checkGoal let through. */
export function definitionOf(goal: Doc<"goals">): GoalDefinition {
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

/** A site's funnels, oldest first: bounded by the per-site limit that createFunnel enforces. */
export async function siteFunnels(ctx: QueryCtx, siteId: Doc<"sites">["_id"]) {
  return await ctx.db
    .query("funnels")
    .withIndex("by_site", (q) => q.eq("siteId", siteId))
    .take(MAX_FUNNELS_PER_SITE);
}
