// The read and admin facades a host app re-exports (contract §1). Each function awaits the
// host's `auth` before calling into the component: the component itself has no notion of
// users, so nothing is reachable from a client except through these. Auth is told the site
// every call names, however it names it (invariant 10). Each facade is one table below
// (READ_FUNCTIONS, ADMIN_FUNCTIONS): a row per function, its JSDoc, the signature it shares with
// the component function it reaches (component/lib/signatures.ts), and how it asks auth.
import {
  mutationGeneric,
  queryGeneric,
  type FunctionReference,
  type GenericDataModel,
  type GenericMutationCtx,
  type GenericQueryCtx,
  type RegisteredMutation,
  type RegisteredQuery,
} from "convex/server";
import {
  v,
  type Infer,
  type ObjectType,
  type PropertyValidators,
  type Validator,
} from "convex/values";
import type { ComponentApi } from "../component/_generated/component.js";
import { invalidArgument } from "../component/ingest/validate.js";
import * as signatures from "../component/lib/signatures.js";

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

/** A function's args and returns validators (component/lib/signatures.ts). */
type Signature = {
  args: PropertyValidators;
  returns: Validator<unknown, "required", string>;
};
type ArgsOf<S extends Signature> = ObjectType<S["args"]>;
type ResultOf<S extends Signature> = Infer<S["returns"]>;
type QueryCtx = GenericQueryCtx<GenericDataModel>;
type MutationCtx = GenericMutationCtx<GenericDataModel>;

/**
 * One row of a facade table: how to register the function once the host has passed its
 * component reference and auth. `name` is the row's key, what auth is told as `fn`.
 */
type Row<Registered> = (component: ComponentApi, auth: AuthFn, name: string) => Registered;
/** The component function a row passes a call to: the same signature, checked by tsc. */
type Target<Type extends "query" | "mutation", S extends Signature> = (
  component: ComponentApi,
) => FunctionReference<Type, "internal", ArgsOf<S>, ResultOf<S>>;

/**
 * A target with its args and result types widened: tsc has checked them against the row's
 * signature (Target), but can't carry a generic signature through runQuery's overloads.
 */
function erased<Type extends "query" | "mutation">(
  ref: FunctionReference<Type, "internal">,
): FunctionReference<Type, "internal"> {
  return ref;
}

/** The site a call names by `siteId`, if any: what auth is asked about. */
function siteOf(args: Record<string, unknown>): { siteId?: string } {
  return typeof args.siteId === "string" ? { siteId: args.siteId } : {};
}

/**
 * A query that asks auth about the site its args name (none: a spanning call) and passes the
 * call, unchanged, to the component query of the same signature. (queryGeneric can't infer a
 * generic signature's types: the casts below restate them, as the host's api.d.ts will see them.)
 */
function passQuery<S extends Signature>(
  kind: AuthRequest["kind"],
  signature: S,
  target: Target<"query", S>,
): Row<RegisteredQuery<"public", ArgsOf<S>, Promise<ResultOf<S>>>> {
  return (component, auth, fn) =>
    queryGeneric({
      args: signature.args,
      returns: signature.returns,
      handler: async (ctx: QueryCtx, args: ArgsOf<S>): Promise<ResultOf<S>> => {
        await auth(ctx, { kind, fn, ...siteOf(args) });
        return await ctx.runQuery(erased(target(component)), args);
      },
    }) as RegisteredQuery<"public", ArgsOf<S>, Promise<ResultOf<S>>>;
}

/** As passQuery, for an admin mutation. */
function passMutation<S extends Signature>(
  signature: S,
  target: Target<"mutation", S>,
): Row<RegisteredMutation<"public", ArgsOf<S>, Promise<ResultOf<S>>>> {
  return (component, auth, fn) =>
    mutationGeneric({
      args: signature.args,
      returns: signature.returns,
      handler: async (ctx: MutationCtx, args: ArgsOf<S>): Promise<ResultOf<S>> => {
        await auth(ctx, { kind: "admin", fn, ...siteOf(args) });
        return await ctx.runMutation(erased(target(component)), args);
      },
    }) as RegisteredMutation<"public", ArgsOf<S>, Promise<ResultOf<S>>>;
}

/**
 * A function whose args don't name its site by `siteId` (a slug, a goal id, a key's sites): its
 * handler finds the site(s) first and asks auth itself (invariant 10).
 */
type Guarded<Ctx, S extends Signature> = (
  component: ComponentApi,
  auth: AuthFn,
  fn: string,
) => (ctx: Ctx, args: ArgsOf<S>) => Promise<ResultOf<S>>;

function guardedQuery<S extends Signature>(
  signature: S,
  handler: Guarded<QueryCtx, S>,
): Row<RegisteredQuery<"public", ArgsOf<S>, Promise<ResultOf<S>>>> {
  return (component, auth, fn) =>
    queryGeneric({
      args: signature.args,
      returns: signature.returns,
      handler: handler(component, auth, fn),
    }) as RegisteredQuery<"public", ArgsOf<S>, Promise<ResultOf<S>>>;
}

function guardedMutation<S extends Signature>(
  signature: S,
  handler: Guarded<MutationCtx, S>,
): Row<RegisteredMutation<"public", ArgsOf<S>, Promise<ResultOf<S>>>> {
  return (component, auth, fn) =>
    mutationGeneric({
      args: signature.args,
      returns: signature.returns,
      handler: handler(component, auth, fn),
    }) as RegisteredMutation<"public", ArgsOf<S>, Promise<ResultOf<S>>>;
}

type Table = Record<string, Row<unknown>>;
type Registered<T extends Table> = { [K in keyof T]: ReturnType<T[K]> };

function register<T extends Table>(table: T, component: ComponentApi, auth: AuthFn) {
  return Object.fromEntries(
    Object.entries(table).map(([name, row]) => [name, row(component, auth, name)]),
  ) as Registered<T>;
}

/**
 * The read facade (contract §3): each function asks auth with kind "read" and the siteId it
 * reads. A list's cursor is checked by the component to lie inside that site and range. Every
 * read of a range takes `filters` (contract §7); the component checks them and names a bad one.
 */
const READ_FUNCTIONS = {
  /**
   * The headline figures of a range: pageviews, visitors, sessions, bounce rate, average visit
   * duration, views per visit, custom events, identified users; with `compare`, `previous` holds
   * the same for the range of equal length just before.
   */
  getOverview: passQuery("read", signatures.getOverview, (c) => c.reports.getOverview),
  /** The range's figures per hour or per day (in the site's timezone), oldest first. */
  getTimeseries: passQuery("read", signatures.getTimeseries, (c) => c.reports.getTimeseries),
  /**
   * The top `limit` keys (default 10, at most 100) of one dimension by visitors (by events for
   * `event`); page, entry and exit pages add time on page and scroll depth.
   */
  getBreakdown: passQuery("read", signatures.getBreakdown, (c) => c.reports.getBreakdown),
  /** One custom event's values of one property, by events. */
  getEventProperties: passQuery(
    "read",
    signatures.getEventProperties,
    (c) => c.reports.getEventProperties,
  ),
  /** Raw events, newest first, a page at a time (usePaginatedQuery). */
  listEvents: passQuery("read", signatures.listEvents, (c) => c.reports.listEvents),
  /** Visits, newest first, a page at a time (usePaginatedQuery). */
  listSessions: passQuery("read", signatures.listSessions, (c) => c.reports.listSessions),
  /**
   * A mergeable part of a range (closed or open buckets) for one dimension: what the dashboard's
   * split read path subscribes to (docs/read-path.md).
   */
  getRangePart: passQuery("read", signatures.getRangePart, (c) => c.rangeParts.getRangePart),
  /** Visitors now, their pages and sources, and the last 30 minutes: one summary document. */
  getRealtime: passQuery("read", signatures.getRealtime, (c) => c.presence.getRealtime),
  /** Every goal's converting visitors, conversions and conversion rate over the range. */
  getGoals: passQuery("read", signatures.getGoals, (c) => c.goals.getGoals),
  /** The site's funnels and their steps. */
  listFunnels: passQuery("read", signatures.listFunnels, (c) => c.funnels.listFunnels),
  /** Per step of a funnel, the visitors who reached it in order within one visit. */
  getFunnel: passQuery("read", signatures.getFunnel, (c) => c.funnels.getFunnel),
};

/** Whether auth approves `request`: for filtering a list, where a refusal omits one item. */
async function approves(ctx: QueryCtx, auth: AuthFn, request: AuthRequest) {
  try {
    await auth(ctx, request);
    return true;
  } catch {
    return false;
  }
}

/** A goal or funnel is deleted by its id alone: the facade finds its site for auth. */
const deleteGoalById = { args: { goalId: v.string() }, returns: v.null() };
const deleteFunnelById = { args: { funnelId: v.string() }, returns: v.null() };

/**
 * The admin facade (contract §4): site administration, health, import, maintenance, goals,
 * funnels and stats keys, each asking auth with kind "admin". Every call that names a site
 * reaches auth with its siteId, however it names it; createSite, listSites' own call and
 * runMaintenance without a siteId reach auth without one: "all sites".
 */
const ADMIN_FUNCTIONS = {
  /** A new site and its write key: a strong one is generated when none is given. */
  createSite: passMutation(signatures.createSite, (c) => c.sites.createSite),
  /** Changes any of name, domain, allowedOrigins, timezone, status and settings. */
  updateSite: passMutation(signatures.updateSite, (c) => c.sites.updateSite),
  /** A new write key; the old one stops working at once. Only its SHA-256 is kept. */
  rotateWriteKey: passMutation(signatures.rotateWriteKey, (c) => c.sites.rotateWriteKey),
  /** One site by siteId or slug, without key material; null when there is none. */
  getSite: guardedQuery(signatures.getSite, (component, auth, fn) => async (ctx, args) => {
    if (args.siteId !== undefined || args.slug === undefined) {
      await auth(ctx, { kind: "admin", fn, ...siteOf(args) });
      return await ctx.runQuery(component.sites.getSite, args);
    }
    // A slug names a site too: auth sees that site's id. An unknown slug names none, and
    // reaches auth as a spanning call, so a per-site admin learns nothing from it.
    const site = await ctx.runQuery(component.sites.getSite, { slug: args.slug });
    await auth(ctx, { kind: "admin", fn, ...(site ? { siteId: site.siteId } : {}) });
    return site;
  }),
  /** The sites auth approves, asked once per site. */
  listSites: guardedQuery(signatures.listSites, (component, auth, fn) => async (ctx) => {
    const sites = await ctx.runQuery(component.sites.listSites, {});
    const approved = [];
    for (const site of sites) {
      if (await approves(ctx, auth, { kind: "admin", fn, siteId: site.siteId }))
        approved.push(site);
    }
    return approved;
  }),
  /** Up to 500 events, old timestamps allowed; an invalid one is listed, never fatal. */
  importEvents: passMutation(signatures.importEvents, (c) => c.ingest.importEvents),
  /** The pipeline's state: pending and set-aside events, the worker's lag, compaction's backlog. */
  getHealth: passQuery("admin", signatures.getHealth, (c) => c.maintenance.getHealth),
  /** Puts events the worker set aside back in line, once their cause is fixed. */
  requeueFailed: passMutation(signatures.requeueFailed, (c) => c.failures.requeueFailed),
  /** One bounded pass of compaction, retention and presence cleanup; `more` says call again. */
  runMaintenance: passMutation(signatures.runMaintenance, (c) => c.maintenance.runMaintenance),
  /** A goal: a custom event (optionally with one property value) or a page path pattern. */
  createGoal: passMutation(signatures.createGoal, (c) => c.goals.createGoal),
  /** The site's goals. */
  listGoals: passQuery("admin", signatures.listGoals, (c) => c.goals.listGoals),
  /** Deletes a goal by id. */
  deleteGoal: guardedMutation(deleteGoalById, (component, auth, fn) => async (ctx, args) => {
    // A goal id names a site (invariant 10): auth sees the goal's site, and the component
    // deletes the goal only from that site. An unknown id names none and reaches auth as a
    // spanning call, as an unknown slug does, so a per-site admin learns nothing from it.
    const goal = await ctx.runQuery(component.goals.getGoal, args);
    await auth(ctx, { kind: "admin", fn, ...(goal ? { siteId: goal.siteId } : {}) });
    if (!goal) throw invalidArgument(`goalId: no goal with id ${args.goalId}`);
    return await ctx.runMutation(component.goals.deleteGoal, {
      siteId: goal.siteId,
      goalId: args.goalId,
    });
  }),
  /** A funnel of 2 to 8 of the site's goals, in order. */
  createFunnel: passMutation(signatures.createFunnel, (c) => c.funnels.createFunnel),
  /** Deletes a funnel by id; its goals stay. */
  deleteFunnel: guardedMutation(deleteFunnelById, (component, auth, fn) => async (ctx, args) => {
    // As deleteGoal: the funnel id names its site, and auth sees that site.
    const funnel = await ctx.runQuery(component.funnels.getFunnelSite, args);
    await auth(ctx, { kind: "admin", fn, ...(funnel ?? {}) });
    if (!funnel) throw invalidArgument(`funnelId: no funnel with id ${args.funnelId}`);
    return await ctx.runMutation(component.funnels.deleteFunnel, {
      siteId: funnel.siteId,
      funnelId: args.funnelId,
    });
  }),
  /** A Plausible Stats API key for the given sites; its secret is returned once, never stored. */
  createStatsKey: guardedMutation(
    signatures.createStatsKey,
    (component, auth, fn) => async (ctx, args) => {
      // A key spans the sites it may read: auth approves each of them.
      for (const siteId of new Set(args.siteIds)) await auth(ctx, { kind: "admin", fn, siteId });
      return await ctx.runMutation(component.statsKeys.createStatsKey, args);
    },
  ),
  /** The keys that may read a site, newest first, without their secrets. */
  listStatsKeys: passQuery("admin", signatures.listStatsKeys, (c) => c.statsKeys.listStatsKeys),
  /** Revokes a stats key for every site it may read. */
  revokeStatsKey: guardedMutation(
    signatures.revokeStatsKey,
    (component, auth, fn) => async (ctx, args) => {
      // As deleteGoal: the key id names its sites, and auth approves each; an unknown id
      // names none and reaches auth as a spanning call.
      const siteIds = await ctx.runQuery(component.statsKeys.statsKeySites, args);
      if (siteIds.length === 0) await auth(ctx, { kind: "admin", fn });
      for (const siteId of siteIds) await auth(ctx, { kind: "admin", fn, siteId });
      return await ctx.runMutation(component.statsKeys.revokeStatsKey, args);
    },
  ),
};

/** The read functions for the dashboard, guarded by `auth` (kind "read"). */
export function exposeAnalyticsApi(component: ComponentApi, options: { auth: AuthFn }) {
  return register(READ_FUNCTIONS, component, requireAuth(options, "exposeAnalyticsApi"));
}

/** The admin functions, guarded by `auth` (kind "admin"). */
export function exposeAdminApi(component: ComponentApi, options: { auth: AuthFn }) {
  return register(ADMIN_FUNCTIONS, component, requireAuth(options, "exposeAdminApi"));
}
