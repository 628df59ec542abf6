// The read and admin facades a host app re-exports (SPEC §1). Each function awaits the
// host's `auth` before calling into the component: the component itself has no notion of
// users, so nothing is reachable from a client except through these.
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
import { v, type PropertyValidators } from "convex/values";
import type { ComponentApi } from "../component/_generated/component.js";
import { dimensionValidator, paginationOptsValidator } from "../component/lib/validators.js";

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

function exposedQuery<Ref extends AnyQueryRef>(
  ref: Ref,
  args: PropertyValidators,
  kind: AuthRequest["kind"],
  fn: string,
  auth: AuthFn,
) {
  return queryGeneric({
    args,
    handler: async (ctx, a: FunctionArgs<Ref>): Promise<FunctionReturnType<Ref>> => {
      await auth(ctx, { kind, fn, ...(typeof a.siteId === "string" ? { siteId: a.siteId } : {}) });
      return await ctx.runQuery(ref, a);
    },
  });
}

function exposedMutation<Ref extends AnyMutationRef>(
  ref: Ref,
  args: PropertyValidators,
  fn: string,
  auth: AuthFn,
) {
  return mutationGeneric({
    args,
    handler: async (ctx, a: FunctionArgs<Ref>): Promise<FunctionReturnType<Ref>> => {
      await auth(ctx, {
        kind: "admin",
        fn,
        ...(typeof a.siteId === "string" ? { siteId: a.siteId } : {}),
      });
      return await ctx.runMutation(ref, a);
    },
  });
}

const range = { siteId: v.string(), from: v.number(), to: v.number() };
const listArgs = {
  siteId: v.string(),
  from: v.optional(v.number()),
  to: v.optional(v.number()),
  paginationOpts: paginationOptsValidator,
};

/** Read functions for the dashboard, each guarded by `auth` with kind "read". */
export function exposeAnalyticsApi(component: ComponentApi, options: { auth: AuthFn }) {
  const auth = requireAuth(options, "exposeAnalyticsApi");
  const r = component.reports;
  return {
    getOverview: exposedQuery(
      r.getOverview,
      { ...range, compare: v.optional(v.boolean()) },
      "read",
      "getOverview",
      auth,
    ),
    getTimeseries: exposedQuery(
      r.getTimeseries,
      { ...range, interval: v.union(v.literal("hour"), v.literal("day")) },
      "read",
      "getTimeseries",
      auth,
    ),
    getBreakdown: exposedQuery(
      r.getBreakdown,
      { ...range, dimension: dimensionValidator, limit: v.optional(v.number()) },
      "read",
      "getBreakdown",
      auth,
    ),
    getEventProperties: exposedQuery(
      r.getEventProperties,
      { ...range, eventName: v.string(), property: v.string(), limit: v.optional(v.number()) },
      "read",
      "getEventProperties",
      auth,
    ),
    listEvents: exposedQuery(r.listEvents, listArgs, "read", "listEvents", auth),
    listSessions: exposedQuery(r.listSessions, listArgs, "read", "listSessions", auth),
    getRealtime: exposedQuery(
      component.presence.getRealtime,
      { siteId: v.string() },
      "read",
      "getRealtime",
      auth,
    ),
  };
}

/** Site administration, health, import and maintenance, each guarded by `auth` with kind "admin". */
export function exposeAdminApi(component: ComponentApi, options: { auth: AuthFn }) {
  const auth = requireAuth(options, "exposeAdminApi");
  const s = component.sites;
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
      "updateSite",
      auth,
    ),
    rotateWriteKey: exposedMutation(
      s.rotateWriteKey,
      { siteId: v.string() },
      "rotateWriteKey",
      auth,
    ),
    getSite: exposedQuery(
      s.getSite,
      { siteId: v.optional(v.string()), slug: v.optional(v.string()) },
      "admin",
      "getSite",
      auth,
    ),
    listSites: exposedQuery(s.listSites, {}, "admin", "listSites", auth),
    importEvents: exposedMutation(
      component.ingest.importEvents,
      { siteId: v.string(), events: v.array(v.any()) },
      "importEvents",
      auth,
    ),
    getHealth: exposedQuery(
      component.maintenance.getHealth,
      { siteId: v.string() },
      "admin",
      "getHealth",
      auth,
    ),
    runMaintenance: exposedMutation(
      component.maintenance.runMaintenance,
      { siteId: v.optional(v.string()) },
      "runMaintenance",
      auth,
    ),
  };
}
