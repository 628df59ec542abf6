// The args and returns of every component function a host reaches through the facades
// (src/client/facades.ts), declared once: the component function spreads its signature into
// `query`/`mutation`, and the facade that passes a call through registers the same one, so a
// host's function and the component's can't drift apart. Shapes live in validators.ts; this
// module only says which function takes and returns which.
import { v } from "convex/values";
import { goalDefinitionFields } from "../schema.js";
import {
  breakdownValidator,
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
  statsKeyValidator,
  timeseriesValidator,
} from "./validators.js";

/** Every dashboard read of a range takes `filters` (contract §7); the read checks them. */
const rangeArgs = {
  siteId: v.string(),
  from: v.number(),
  to: v.number(),
  filters: filtersValidator,
};

/**
 * Lists page with an index cursor (convex-helpers getPage): a component can't use the built-in
 * pagination on a real deployment. The cursor is the last index key, as JSON, checked against
 * the site and range it is handed back with (read/listPages.ts).
 */
const listArgs = {
  siteId: v.string(),
  from: v.optional(v.number()),
  to: v.optional(v.number()),
  paginationOpts: paginationOptsValidator,
  filters: filtersValidator,
};

const siteArgs = { siteId: v.string() };

// ---------------------------------------------------------------- reads (contract §3)

export const getOverview = {
  args: { ...rangeArgs, compare: v.optional(v.boolean()) },
  returns: overviewValidator,
};

export const getTimeseries = {
  args: { ...rangeArgs, interval: v.union(v.literal("hour"), v.literal("day")) },
  returns: timeseriesValidator,
};

export const getBreakdown = {
  args: { ...rangeArgs, dimension: dimensionValidator, limit: v.optional(v.number()) },
  returns: breakdownValidator,
};

export const getEventProperties = {
  args: {
    ...rangeArgs,
    eventName: v.string(),
    property: v.string(),
    limit: v.optional(v.number()),
  },
  returns: propertiesValidator,
};

export const listEvents = { args: listArgs, returns: eventsPageValidator };

export const listSessions = { args: listArgs, returns: sessionsPageValidator };

export const getRangePart = {
  args: {
    siteId: v.string(),
    from: v.number(),
    to: v.number(),
    /** "all" for the overview's figures, "goals" for every goal's, or a breakdown dimension. */
    dimension: rangePartDimensionValidator,
    /**
     * Keys whose rows the part must return whatever their rank: the dashboard passes the
     * closed part's keys to the open part, so every key shown has both parts' figures.
     */
    keys: v.optional(v.array(v.string())),
  },
  returns: rangePartValidator,
};

export const getRealtime = { args: siteArgs, returns: realtimeValidator };

export const getGoals = { args: rangeArgs, returns: goalsReportValidator };

export const listFunnels = { args: siteArgs, returns: v.array(funnelValidator) };

export const getFunnel = {
  args: { ...rangeArgs, funnelId: v.string() },
  returns: funnelReportValidator,
};

// ---------------------------------------------------------------- administration (contract §4)

export const createSite = {
  args: {
    slug: v.string(),
    name: v.string(),
    domain: v.optional(v.string()),
    allowedOrigins: v.optional(v.array(v.string())),
    timezone: v.optional(v.string()),
    writeKey: v.optional(v.string()),
  },
  returns: v.object({ siteId: v.string(), writeKey: v.string() }),
};

export const updateSite = {
  args: {
    siteId: v.string(),
    name: v.optional(v.string()),
    domain: v.optional(v.union(v.string(), v.null())),
    allowedOrigins: v.optional(v.array(v.string())),
    timezone: v.optional(v.string()),
    status: v.optional(v.union(v.literal("active"), v.literal("disabled"))),
    /** Checked field by field against SETTING_BOUNDS (lib/settings.ts), each error named. */
    settings: v.optional(v.any()),
  },
  returns: v.null(),
};

export const rotateWriteKey = {
  args: siteArgs,
  returns: v.object({ writeKey: v.string() }),
};

/** Exactly one of siteId or slug. */
export const getSite = {
  args: { siteId: v.optional(v.string()), slug: v.optional(v.string()) },
  returns: v.union(siteValidator, v.null()),
};

export const listSites = { args: {}, returns: v.array(siteValidator) };

export const importEvents = {
  // An event is an object, or its JSON text when its field names can't cross Convex's wire
  // (PostHog's "$browser"): such an event is then refused on its own, in `rejected`.
  args: { siteId: v.string(), events: v.array(v.any()) },
  returns: ingestResultValidator,
};

export const getHealth = {
  // `now`: a query must not read the clock (a subscription would freeze); the caller passes a
  // rounded time, e.g. to the minute, so that subscriptions are shared.
  args: { siteId: v.string(), now: v.number() },
  returns: healthValidator,
};

export const requeueFailed = {
  args: { siteId: v.string(), limit: v.optional(v.number()) },
  returns: v.object({ requeued: v.number(), more: v.boolean() }),
};

/** Without a siteId: every site, handed to the background run. */
export const runMaintenance = {
  args: { siteId: v.optional(v.string()) },
  returns: maintenanceResultValidator,
};

export const createGoal = {
  args: {
    siteId: v.string(),
    ...goalDefinitionFields,
  },
  returns: v.object({ goalId: v.string() }),
};

export const listGoals = { args: siteArgs, returns: v.array(goalValidator) };

export const createFunnel = {
  args: { siteId: v.string(), name: v.string(), steps: v.array(v.string()) },
  returns: v.object({ funnelId: v.string() }),
};

export const createStatsKey = {
  args: { siteIds: v.array(v.string()), name: v.string() },
  returns: v.object({ keyId: v.string(), key: v.string() }),
};

export const listStatsKeys = { args: siteArgs, returns: v.array(statsKeyValidator) };

export const revokeStatsKey = { args: { keyId: v.string() }, returns: v.null() };
