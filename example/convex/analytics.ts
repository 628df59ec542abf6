import {
  exposeAdminApi,
  exposeAnalyticsApi,
  exposeMaintenance,
  type AuthFn,
} from "convex-analytics";
import { components } from "./_generated/api.js";

// Who may read the dashboard. This example lets any signed-in identity read every site and
// refuses anonymous callers. A real app checks here that the user may see `siteId`, e.g.
// `const member = await ctx.db.query("members").withIndex(...)...; if (!member) throw ...`.
const readAuth: AuthFn = async (ctx, request) => {
  const identity = await ctx.auth.getUserIdentity();
  if (!identity) throw new Error(`Sign in to call ${request.fn}`);
};

// Who may administer sites. A real app checks an admin role or site ownership here, e.g.
// `if (!identity.tokenIdentifier || !(await isAdmin(ctx, identity))) throw ...`.
const adminAuth: AuthFn = async (ctx, request) => {
  const identity = await ctx.auth.getUserIdentity();
  if (!identity) throw new Error(`Sign in as an administrator to call ${request.fn}`);
};

export const {
  getOverview,
  getTimeseries,
  getBreakdown,
  getEventProperties,
  listEvents,
  listSessions,
  getRealtime,
  getRangePart,
  getGoals,
  listFunnels,
  getFunnel,
} = exposeAnalyticsApi(components.analytics, { auth: readAuth });

export const {
  createSite,
  updateSite,
  rotateWriteKey,
  getSite,
  listSites,
  importEvents,
  getHealth,
  requeueFailed,
  runMaintenance,
  createGoal,
  listGoals,
  deleteGoal,
  createFunnel,
  deleteFunnel,
  createStatsKey,
  listStatsKeys,
  revokeStatsKey,
} = exposeAdminApi(components.analytics, { auth: adminAuth });

// What the default crons (crons.ts) run: an internal action, unreachable from clients.
export const { analyticsMaintenance } = exposeMaintenance(components.analytics);
