// Funnels (contract §7): the admin functions that keep a site's funnels, and getFunnel, how many
// visitors went through each step in order within one visit. A funnel is always read from
// the range's visits (read/visits.ts), filtered or not: order within a visit is in no rollup row.
import { v } from "convex/values";
import type { Doc, Id } from "./_generated/dataModel.js";
import { mutation, query, type QueryCtx } from "./_generated/server.js";
import { definitionOf, siteFunnels, siteGoals } from "./read/goalDocs.js";
import { checkText } from "./read/goals.js";
import * as signatures from "./lib/signatures.js";
import {
  MAX_FUNNEL_STEPS,
  MAX_FUNNELS_PER_SITE,
  MAX_GOAL_NAME_LENGTH,
  MIN_FUNNEL_STEPS,
} from "./lib/limits.js";
import { invalidArgument } from "./ingest/validate.js";
import { visitsFunnel } from "./read/visitFigures.js";
import { checkedRange } from "./read/rollupReads.js";
import { loadSite } from "./sites.js";
import { filterContext, readVisits } from "./read/visits.js";

/** A funnel as listFunnels returns it, its steps named by the site's goals. */
function publicFunnel(funnel: Doc<"funnels">, goals: ReadonlyMap<string, Doc<"goals">>) {
  return {
    funnelId: funnel._id as string,
    siteId: funnel.siteId as string,
    name: funnel.name,
    steps: funnel.steps.map((goalId) => ({
      goalId: goalId as string,
      name: goals.get(goalId)?.name ?? "",
    })),
    createdAt: funnel.createdAt,
  };
}

async function goalsById(ctx: QueryCtx, siteId: Id<"sites">) {
  return new Map((await siteGoals(ctx, siteId)).map((goal) => [goal._id as string, goal]));
}

/** The funnel `funnelId` names, if it is one of this site's (invariant 10: the id is the caller's). */
async function siteFunnel(ctx: QueryCtx, siteId: Id<"sites">, funnelId: string) {
  const id = ctx.db.normalizeId("funnels", funnelId);
  const funnel = id && (await ctx.db.get("funnels", id));
  if (!funnel || funnel.siteId !== siteId)
    throw invalidArgument(`funnelId: no funnel with id ${funnelId} on this site`);
  return funnel;
}

export const createFunnel = mutation({
  args: signatures.createFunnel.args,
  returns: signatures.createFunnel.returns,
  handler: async (ctx, { siteId, name, steps }) => {
    const site = await loadSite(ctx, siteId);
    const funnelName = checkText("name", name.trim(), MAX_GOAL_NAME_LENGTH);
    if (steps.length < MIN_FUNNEL_STEPS || steps.length > MAX_FUNNEL_STEPS)
      throw invalidArgument(
        `steps: a funnel has ${MIN_FUNNEL_STEPS} to ${MAX_FUNNEL_STEPS} goal steps, got ${steps.length}`,
      );
    const goals = await goalsById(ctx, site._id);
    const goalIds = steps.map((step, i) => {
      const goal = goals.get(step);
      if (!goal) throw invalidArgument(`steps[${i}]: no goal with id ${step} on this site`);
      return goal._id;
    });
    if (new Set(goalIds).size !== goalIds.length)
      throw invalidArgument("steps: a goal may be a step of a funnel only once");
    const existing = await siteFunnels(ctx, site._id);
    if (existing.length >= MAX_FUNNELS_PER_SITE)
      throw invalidArgument(`a site may have at most ${MAX_FUNNELS_PER_SITE} funnels`);
    if (existing.some((funnel) => funnel.name === funnelName))
      throw invalidArgument(`name: this site already has a funnel named "${funnelName}"`);
    const funnelId = await ctx.db.insert("funnels", {
      siteId: site._id,
      name: funnelName,
      steps: goalIds,
      createdAt: Date.now(),
    });
    return { funnelId };
  },
});

export const listFunnels = query({
  args: signatures.listFunnels.args,
  returns: signatures.listFunnels.returns,
  handler: async (ctx, args) => {
    const site = await loadSite(ctx, args.siteId);
    const goals = await goalsById(ctx, site._id);
    return (await siteFunnels(ctx, site._id)).map((funnel) => publicFunnel(funnel, goals));
  },
});

/** One funnel by id, or null: what the admin facade resolves a funnel's site with before auth. */
export const getFunnelSite = query({
  args: { funnelId: v.string() },
  returns: v.union(v.object({ siteId: v.string() }), v.null()),
  handler: async (ctx, args) => {
    const id = ctx.db.normalizeId("funnels", args.funnelId);
    const funnel = id && (await ctx.db.get("funnels", id));
    return funnel ? { siteId: funnel.siteId as string } : null;
  },
});

export const deleteFunnel = mutation({
  args: { siteId: v.string(), funnelId: v.string() },
  returns: v.null(),
  handler: async (ctx, args) => {
    const site = await loadSite(ctx, args.siteId);
    const funnel = await siteFunnel(ctx, site._id, args.funnelId);
    await ctx.db.delete("funnels", funnel._id);
    return null;
  },
});

export const getFunnel = query({
  args: signatures.getFunnel.args,
  returns: signatures.getFunnel.returns,
  handler: async (ctx, args) => {
    const site = await loadSite(ctx, args.siteId);
    const range = checkedRange(args.from, args.to, site.timezone);
    const funnel = await siteFunnel(ctx, site._id, args.funnelId);
    const goals = await goalsById(ctx, site._id);
    // deleteGoal refuses a goal that is a step, so every step's goal exists.
    const steps = funnel.steps.map((goalId) => {
      const goal = goals.get(goalId)!;
      return { goalId: goalId as string, name: goal.name, definition: definitionOf(goal) };
    });
    const filters = (await filterContext(ctx, site, args.filters)) ?? { filters: [], goals: [] };
    const read = await readVisits(ctx, site, range);
    const report = visitsFunnel(read.visits, filters, read.fraction, steps);
    return {
      range,
      funnelId: funnel._id as string,
      name: funnel.name,
      ...report,
      sample: { fraction: read.fraction },
    };
  },
});
