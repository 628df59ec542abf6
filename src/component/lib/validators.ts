// Return validators of the component's public functions: the runtime form of
// src/client/types.ts, so a shape drift fails loudly instead of reaching the dashboard.
import { v } from "convex/values";
import { siteSettings } from "../schema.js";

export const siteValidator = v.object({
  siteId: v.string(),
  slug: v.string(),
  name: v.string(),
  domain: v.optional(v.string()),
  allowedOrigins: v.array(v.string()),
  timezone: v.string(),
  status: v.union(v.literal("active"), v.literal("disabled")),
  settings: siteSettings,
  createdAt: v.number(),
});

export const rangeValidator = v.object({ from: v.number(), to: v.number() });

const overviewFigures = {
  pageviews: v.number(),
  visitors: v.number(),
  sessions: v.number(),
  bounceRate: v.number(),
  avgDurationMs: v.number(),
  viewsPerSession: v.number(),
  events: v.number(),
  identifiedUsers: v.number(),
};

export const overviewValidator = v.object({
  range: rangeValidator,
  ...overviewFigures,
  previous: v.optional(v.object({ range: rangeValidator, ...overviewFigures })),
});

export const timeseriesValidator = v.object({
  range: rangeValidator,
  interval: v.union(v.literal("hour"), v.literal("day")),
  points: v.array(
    v.object({
      t: v.number(),
      pageviews: v.number(),
      visitors: v.number(),
      sessions: v.number(),
      bounceRate: v.number(),
      avgDurationMs: v.number(),
    }),
  ),
});

export const dimensionValidator = v.union(
  v.literal("page"),
  v.literal("entryPage"),
  v.literal("exitPage"),
  v.literal("source"),
  v.literal("utmSource"),
  v.literal("utmMedium"),
  v.literal("utmCampaign"),
  v.literal("country"),
  v.literal("device"),
  v.literal("browser"),
  v.literal("os"),
  v.literal("event"),
);

export const breakdownValidator = v.object({
  range: rangeValidator,
  dimension: dimensionValidator,
  rows: v.array(
    v.object({
      key: v.string(),
      visitors: v.number(),
      pageviews: v.number(),
      sessions: v.number(),
      events: v.number(),
    }),
  ),
});

export const propertiesValidator = v.object({
  range: rangeValidator,
  rows: v.array(v.object({ key: v.string(), events: v.number(), visitors: v.number() })),
});

export const ingestResultValidator = v.object({
  accepted: v.number(),
  duplicates: v.number(),
  filtered: v.number(),
  rejected: v.array(v.object({ index: v.number(), reason: v.string() })),
});

export const paginationOptsValidator = v.object({
  numItems: v.number(),
  cursor: v.union(v.string(), v.null()),
  endCursor: v.optional(v.union(v.string(), v.null())),
  id: v.optional(v.number()),
  maximumRowsRead: v.optional(v.number()),
  maximumBytesRead: v.optional(v.number()),
});

/** getHealth (SPEC §4), plus the events the worker set aside and why. */
export const healthValidator = v.object({
  pendingEvents: v.number(),
  oldestPendingMs: v.union(v.number(), v.null()),
  lastAggregatedAt: v.union(v.number(), v.null()),
  /** Events set aside ("failed"), counted up to HEALTH_FAILED_SCAN per partition. */
  failedEvents: v.number(),
  failures: v.array(
    v.object({ reason: v.string(), count: v.number(), sampleEventIds: v.array(v.string()) }),
  ),
  duplicateSessions: v.number(),
  sessionReuseRatio: v.number(),
  compactionBacklog: v.number(),
});
