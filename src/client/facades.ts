// The read and admin facades a host app re-exports (contract §1). Each function awaits the
// host's `auth` before calling into the component: the component itself has no notion of
// users, so nothing is reachable from a client except through these. Auth is told the site
// every call names, however it names it (invariant 10).
import {
  mutationGeneric,
  queryGeneric,
  type FunctionArgs,
  type FunctionReference,
  type FunctionReturnType,
  type GenericMutationCtx,
  type GenericQueryCtx,
  type GenericDataModel,
} from "convex/server";
import { v, type PropertyValidators, type Validator } from "convex/values";
import type { ComponentApi } from "../component/_generated/component.js";
import { invalidArgument } from "../component/ingest/validate.js";
import {
  breakdownValidator,
  createFunnelArgs,
  createGoalArgs,
  dimensionValidator,
  eventsPageValidator,
  filtersValidator,
  funnelReportValidator,
  funnelValidator,
  goalsReportValidator,
  goalValidator,
  healthValidator,
  ingestResultValidator,
  maintenanceResultValidator,
  overviewValidator,
  paginationOptsValidator,
  propertiesValidator,
  rangePartDimensionValidator,
  rangePartValidator,
  realtimeValidator,
  sessionsPageValidator,
  siteValidator,
  timeseriesValidator,
} from "../component/lib/validators.js";

export type AuthRequest = { kind: "read" | "admin"; fn: string; siteId?: string };
/** Throws to refuse. Awaited before every facade call. */
export type AuthFn = (
  ctx: GenericQueryCtx<GenericDataModel> | GenericMutationCtx<GenericDataModel>,
  request: AuthRequest,
) => void | Promise<void>;

function requireAuth(options: { auth?: AuthFn } | undefined, facade: string): AuthFn {
  if (typeof options?.auth !== "function") {
    throw new Error(
      `${facade}: the { auth } option is required (a function that throws to refuse), so that nothing is exposed by accident`,
    );
  }
  return options.auth;
}

type AnyQueryRef = FunctionReference<"query", "internal">;
type AnyMutationRef = FunctionReference<"mutation", "internal">;
type AnyCtx = GenericQueryCtx<GenericDataModel>;

/** The site a call names by `siteId`, if any: what auth is asked about. */
function siteOf(args: Record<string, unknown>): { siteId?: string } {
  return typeof args.siteId === "string" ? { siteId: args.siteId } : {};
}

function exposedQuery<Ref extends AnyQueryRef>(
  ref: Ref,
  args: PropertyValidators,
  returns: Validator<unknown, "required", string>,
  kind: AuthRequest["kind"],
  fn: string,
  auth: AuthFn,
) {
  return queryGeneric({
    args,
    returns,
    handler: async (ctx, a: FunctionArgs<Ref>): Promise<FunctionReturnType<Ref>> => {
      await auth(ctx, { kind, fn, ...siteOf(a) });
      return await ctx.runQuery(ref, a);
    },
  });
}

function exposedMutation<Ref extends AnyMutationRef>(
  ref: Ref,
  args: PropertyValidators,
  returns: Validator<unknown, "required", string>,
  fn: string,
  auth: AuthFn,
) {
  return mutationGeneric({
    args,
    returns,
    handler: async (ctx, a: FunctionArgs<Ref>): Promise<FunctionReturnType<Ref>> => {
      // No siteId (createSite, runMaintenance of every site): a spanning call, and auth is
      // told so by the missing siteId.
      await auth(ctx, { kind: "admin", fn, ...siteOf(a) });
      return await ctx.runMutation(ref, a);
    },
  });
}

/** Every read takes `filters` (contract §7); the component checks them and names a bad one. */
const range = { siteId: v.string(), from: v.number(), to: v.number(), filters: filtersValidator };
const listArgs = {
  siteId: v.string(),
  from: v.optional(v.number()),
  to: v.optional(v.number()),
  paginationOpts: paginationOptsValidator,
  filters: filtersValidator,
};

/**
 * Read functions for the dashboard, each guarded by `auth` with kind "read" and the siteId it
 * reads. A list's cursor is checked by the component to lie inside that site (and range).
 */
export function exposeAnalyticsApi(component: ComponentApi, options: { auth: AuthFn }) {
  const auth = requireAuth(options, "exposeAnalyticsApi");
  const r = component.reports;
  return {
    getOverview: exposedQuery(
      r.getOverview,
      { ...range, compare: v.optional(v.boolean()) },
      overviewValidator,
      "read",
      "getOverview",
      auth,
    ),
    getTimeseries: exposedQuery(
      r.getTimeseries,
      { ...range, interval: v.union(v.literal("hour"), v.literal("day")) },
      timeseriesValidator,
      "read",
      "getTimeseries",
      auth,
    ),
    getBreakdown: exposedQuery(
      r.getBreakdown,
      { ...range, dimension: dimensionValidator, limit: v.optional(v.number()) },
      breakdownValidator,
      "read",
      "getBreakdown",
      auth,
    ),
    getEventProperties: exposedQuery(
      r.getEventProperties,
      { ...range, eventName: v.string(), property: v.string(), limit: v.optional(v.number()) },
      propertiesValidator,
      "read",
      "getEventProperties",
      auth,
    ),
    listEvents: exposedQuery(
      r.listEvents,
      listArgs,
      eventsPageValidator,
      "read",
      "listEvents",
      auth,
    ),
    listSessions: exposedQuery(
      r.listSessions,
      listArgs,
      sessionsPageValidator,
      "read",
      "listSessions",
      auth,
    ),
    getRangePart: exposedQuery(
      component.rangeParts.getRangePart,
      {
        siteId: v.string(),
        from: v.number(),
        to: v.number(),
        dimension: rangePartDimensionValidator,
        keys: v.optional(v.array(v.string())),
      },
      rangePartValidator,
      "read",
      "getRangePart",
      auth,
    ),
    getRealtime: exposedQuery(
      component.presence.getRealtime,
      { siteId: v.string() },
      realtimeValidator,
      "read",
      "getRealtime",
      auth,
    ),
    getGoals: exposedQuery(
      component.goals.getGoals,
      range,
      goalsReportValidator,
      "read",
      "getGoals",
      auth,
    ),
    listFunnels: exposedQuery(
      component.funnels.listFunnels,
      { siteId: v.string() },
      v.array(funnelValidator),
      "read",
      "listFunnels",
      auth,
    ),
    getFunnel: exposedQuery(
      component.funnels.getFunnel,
      { ...range, funnelId: v.string() },
      funnelReportValidator,
      "read",
      "getFunnel",
      auth,
    ),
  };
}

/** Whether auth approves `request`: for filtering a list, where a refusal omits one item. */
async function approves(ctx: AnyCtx, auth: AuthFn, request: AuthRequest) {
  try {
    await auth(ctx, request);
    return true;
  } catch {
    return false;
  }
}

/**
 * Site administration, health, import and maintenance, each guarded by `auth` with kind
 * "admin". Every call that names a site reaches auth with its siteId: getSite by slug looks
 * the site up first. listSites asks auth once per site and returns the approved ones.
 * createSite and runMaintenance without a siteId reach auth without one: "all sites".
 * deleteGoal and deleteFunnel name a goal or a funnel, and reach auth with its site.
 * createStatsKey and revokeStatsKey reach auth once per site the key may read.
 */
export function exposeAdminApi(component: ComponentApi, options: { auth: AuthFn }) {
  const auth = requireAuth(options, "exposeAdminApi");
  const s = component.sites;
  const g = component.goals;
  return {
    createSite: exposedMutation(
      s.createSite,
      {
        slug: v.string(),
        name: v.string(),
        domain: v.optional(v.string()),
        allowedOrigins: v.optional(v.array(v.string())),
        timezone: v.optional(v.string()),
        writeKey: v.optional(v.string()),
      },
      v.object({ siteId: v.string(), writeKey: v.string() }),
      "createSite",
      auth,
    ),
    updateSite: exposedMutation(
      s.updateSite,
      {
        siteId: v.string(),
        name: v.optional(v.string()),
        domain: v.optional(v.union(v.string(), v.null())),
        allowedOrigins: v.optional(v.array(v.string())),
        timezone: v.optional(v.string()),
        status: v.optional(v.union(v.literal("active"), v.literal("disabled"))),
        settings: v.optional(v.any()),
      },
      v.null(),
      "updateSite",
      auth,
    ),
    rotateWriteKey: exposedMutation(
      s.rotateWriteKey,
      { siteId: v.string() },
      v.object({ writeKey: v.string() }),
      "rotateWriteKey",
      auth,
    ),
    getSite: queryGeneric({
      args: { siteId: v.optional(v.string()), slug: v.optional(v.string()) },
      returns: v.union(siteValidator, v.null()),
      handler: async (ctx, args: { siteId?: string; slug?: string }) => {
        if (args.siteId !== undefined || args.slug === undefined) {
          await auth(ctx, { kind: "admin", fn: "getSite", ...siteOf(args) });
          return await ctx.runQuery(s.getSite, args);
        }
        // A slug names a site too: auth sees that site's id. An unknown slug names none, and
        // reaches auth as a spanning call, so a per-site admin learns nothing from it.
        const site = await ctx.runQuery(s.getSite, { slug: args.slug });
        await auth(ctx, { kind: "admin", fn: "getSite", ...(site ? { siteId: site.siteId } : {}) });
        return site;
      },
    }),
    listSites: queryGeneric({
      args: {},
      returns: v.array(siteValidator),
      handler: async (ctx) => {
        const sites = await ctx.runQuery(s.listSites, {});
        const approved = [];
        for (const site of sites) {
          const request = { kind: "admin" as const, fn: "listSites", siteId: site.siteId };
          if (await approves(ctx, auth, request)) approved.push(site);
        }
        return approved;
      },
    }),
    importEvents: exposedMutation(
      component.ingest.importEvents,
      // An event is an object, or its JSON text when its field names can't cross Convex's
      // wire (PostHog's "$browser"): such an event is then refused on its own, in `rejected`.
      { siteId: v.string(), events: v.array(v.any()) },
      ingestResultValidator,
      "importEvents",
      auth,
    ),
    getHealth: exposedQuery(
      component.maintenance.getHealth,
      // `now`: a query must not read the clock (a subscription would freeze); pass a rounded
      // time, e.g. to the minute, so subscriptions are shared.
      { siteId: v.string(), now: v.number() },
      healthValidator,
      "admin",
      "getHealth",
      auth,
    ),
    requeueFailed: exposedMutation(
      component.failures.requeueFailed,
      { siteId: v.string(), limit: v.optional(v.number()) },
      v.object({ requeued: v.number(), more: v.boolean() }),
      "requeueFailed",
      auth,
    ),
    runMaintenance: exposedMutation(
      component.maintenance.runMaintenance,
      { siteId: v.optional(v.string()) },
      maintenanceResultValidator,
      "runMaintenance",
      auth,
    ),
    createGoal: exposedMutation(
      g.createGoal,
      createGoalArgs,
      v.object({ goalId: v.string() }),
      "createGoal",
      auth,
    ),
    listGoals: exposedQuery(
      g.listGoals,
      { siteId: v.string() },
      v.array(goalValidator),
      "admin",
      "listGoals",
      auth,
    ),
    deleteGoal: mutationGeneric({
      args: { goalId: v.string() },
      returns: v.null(),
      handler: async (ctx, args: { goalId: string }) => {
        // A goal id names a site (invariant 10): auth sees the goal's site, and the component
        // deletes the goal only from that site. An unknown id names none and reaches auth as a
        // spanning call, as an unknown slug does, so a per-site admin learns nothing from it.
        const goal = await ctx.runQuery(g.getGoal, args);
        await auth(ctx, {
          kind: "admin",
          fn: "deleteGoal",
          ...(goal ? { siteId: goal.siteId } : {}),
        });
        if (!goal) throw invalidArgument(`goalId: no goal with id ${args.goalId}`);
        return await ctx.runMutation(g.deleteGoal, { siteId: goal.siteId, goalId: args.goalId });
      },
    }),
    createStatsKey: mutationGeneric({
      args: { siteIds: v.array(v.string()), name: v.string() },
      returns: v.object({ keyId: v.string(), key: v.string() }),
      handler: async (ctx, args: { siteIds: string[]; name: string }) => {
        // A key spans the sites it may read: auth approves each of them.
        for (const siteId of new Set(args.siteIds))
          await auth(ctx, { kind: "admin", fn: "createStatsKey", siteId });
        return await ctx.runMutation(component.statsKeys.createStatsKey, args);
      },
    }),
    listStatsKeys: exposedQuery(
      component.statsKeys.listStatsKeys,
      { siteId: v.string() },
      v.array(v.object({ keyId: v.string(), name: v.string(), createdAt: v.number() })),
      "admin",
      "listStatsKeys",
      auth,
    ),
    revokeStatsKey: mutationGeneric({
      args: { keyId: v.string() },
      returns: v.null(),
      handler: async (ctx, args: { keyId: string }) => {
        // As deleteGoal: the key id names its sites, and auth approves each; an unknown id
        // names none and reaches auth as a spanning call.
        const siteIds = await ctx.runQuery(component.statsKeys.statsKeySites, args);
        if (siteIds.length === 0) await auth(ctx, { kind: "admin", fn: "revokeStatsKey" });
        for (const siteId of siteIds)
          await auth(ctx, { kind: "admin", fn: "revokeStatsKey", siteId });
        return await ctx.runMutation(component.statsKeys.revokeStatsKey, args);
      },
    }),
    createFunnel: exposedMutation(
      component.funnels.createFunnel,
      createFunnelArgs,
      v.object({ funnelId: v.string() }),
      "createFunnel",
      auth,
    ),
    deleteFunnel: mutationGeneric({
      args: { funnelId: v.string() },
      returns: v.null(),
      handler: async (ctx, args: { funnelId: string }) => {
        // As deleteGoal: the funnel id names its site, and auth sees that site.
        const funnel = await ctx.runQuery(component.funnels.getFunnelSite, args);
        await auth(ctx, { kind: "admin", fn: "deleteFunnel", ...(funnel ?? {}) });
        if (!funnel) throw invalidArgument(`funnelId: no funnel with id ${args.funnelId}`);
        return await ctx.runMutation(component.funnels.deleteFunnel, {
          siteId: funnel.siteId,
          funnelId: args.funnelId,
        });
      },
    }),
  };
}
