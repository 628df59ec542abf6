// Convex `v` validators of the component's public functions, their returns above all: the
// runtime form of src/client/types.ts, so a shape drift fails loudly instead of reaching the
// dashboard. Events arriving over the wire are checked by zod schemas instead, with messages
// naming the bad field: ingest/validate.ts.
import { v } from "convex/values";
import {
  goalDefinitionFields,
  publicEventFields,
  rollupFigureFields,
  siteSettings,
} from "../schema.js";

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

/**
 * A read's `filters` (contract §7): checked by read/filters.ts parseFilters, whose errors name the
 * bad filter by index, operator and dimension; this validator only lets any list reach it.
 */
export const filtersValidator = v.optional(v.array(v.any()));

/** On every filtered read: the share of the range's visits the figures come from. */
export const sampleValidator = v.object({ fraction: v.number() });

const overviewFigures = {
  pageviews: v.number(),
  visitors: v.number(),
  sessions: v.number(),
  bounceRate: v.number(),
  avgDurationMs: v.number(),
  viewsPerSession: v.number(),
  events: v.number(),
  identifiedUsers: v.optional(v.number()),
};

export const overviewValidator = v.object({
  range: rangeValidator,
  ...overviewFigures,
  previous: v.optional(v.object({ range: rangeValidator, ...overviewFigures })),
  sample: v.optional(sampleValidator),
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
  sample: v.optional(sampleValidator),
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
      /** page, entryPage and exitPage rows (lib/engagement.ts); absent: no engagement sent. */
      scrollDepth: v.optional(v.number()),
      timeOnPageMs: v.optional(v.number()),
    }),
  ),
  /**
   * Set when a key not shown might rank above the last row shown (a long tail: docs/read-path.md);
   * the rows shown have exact figures either way.
   */
  approximate: v.optional(v.literal(true)),
  sample: v.optional(sampleValidator),
});

/** getRangePart (read/rangePart.ts): a range's rows folded per key, with their sketches. */
export const rangePartValidator = v.object({
  range: rangeValidator,
  truncated: v.boolean(),
  /**
   * A truncated breakdown part: no key it left out has a higher score (visitors; events for
   * `event`) in the part. Absent when no bound is known (its open rows were capped).
   */
  rest: v.optional(v.number()),
  rows: v.array(
    v.object({
      key: v.string(),
      /** Goals: the goal's name (its id is the key). */
      name: v.optional(v.string()),
      ...rollupFigureFields,
    }),
  ),
});

/** What getRangePart folds: the overview's rows ("all"), every goal's, or a dimension's. */
export const rangePartDimensionValidator = v.union(
  v.literal("all"),
  v.literal("goals"),
  dimensionValidator,
);

export const propertiesValidator = v.object({
  range: rangeValidator,
  rows: v.array(v.object({ key: v.string(), events: v.number(), visitors: v.number() })),
  /** As on a breakdown. */
  approximate: v.optional(v.literal(true)),
  sample: v.optional(sampleValidator),
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

/** One raw event as listEvents returns it: the stored event without internal bookkeeping. */
export const eventItemValidator = v.object({
  _id: v.string(),
  _creationTime: v.number(),
  ...publicEventFields,
});

/** One session (visit) as listSessions returns it. */
export const sessionItemValidator = v.object({
  _id: v.string(),
  visitorId: v.string(),
  sessionId: v.string(),
  startTs: v.number(),
  endTs: v.number(),
  durationMs: v.number(),
  pageviews: v.number(),
  events: v.number(),
  bounce: v.boolean(),
  entryPage: v.union(v.string(), v.null()),
  exitPage: v.union(v.string(), v.null()),
  source: v.string(),
  country: v.string(),
  device: v.string(),
  browser: v.string(),
  os: v.string(),
});

/** A page of a list, in the shape usePaginatedQuery expects. */
function pageOf<T extends Parameters<typeof v.array>[0]>(item: T) {
  return v.object({ page: v.array(item), isDone: v.boolean(), continueCursor: v.string() });
}
export const eventsPageValidator = pageOf(eventItemValidator);
export const sessionsPageValidator = pageOf(sessionItemValidator);

// The facades re-declare what the component returns (a host-side function needs its own
// `returns`); these mirror maintenance.runMaintenance and presence.getRealtime, which
// should import them rather than repeat them.

/** contract §4 runMaintenance: what one bounded call did. */
export const maintenanceResultValidator = v.object({
  compacted: v.number(),
  expired: v.number(),
  presenceCleared: v.number(),
  more: v.boolean(),
});

/** contract §3 getRealtime. */
export const realtimeValidator = v.object({
  activeVisitors: v.number(),
  pages: v.array(v.object({ path: v.string(), visitors: v.number() })),
  updatedAt: v.number(),
  minutes: v.array(v.object({ t: v.number(), visitors: v.number() })),
  sources: v.array(v.object({ source: v.string(), visitors: v.number() })),
});

/** getHealth (contract §4), plus the events the worker set aside and why. */
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

// ---------------------------------------------------------------- goals (contract §7)

/** A goal as listGoals returns it (read/goals.ts GoalDefinition, flattened as stored). */
export const goalValidator = v.object({
  goalId: v.string(),
  siteId: v.string(),
  ...goalDefinitionFields,
  createdAt: v.number(),
});

/** getGoals: every goal's conversions over the range, and the range's visitors. */
export const goalsReportValidator = v.object({
  range: rangeValidator,
  visitors: v.number(),
  goals: v.array(
    v.object({
      goalId: v.string(),
      name: v.string(),
      visitors: v.number(),
      events: v.number(),
      conversionRate: v.number(),
    }),
  ),
  sample: v.optional(sampleValidator),
});

// ---------------------------------------------------------------- funnels (contract §7)

/** A funnel as listFunnels returns it. */
export const funnelValidator = v.object({
  funnelId: v.string(),
  siteId: v.string(),
  name: v.string(),
  steps: v.array(v.object({ goalId: v.string(), name: v.string() })),
  createdAt: v.number(),
});

/** getFunnel: per step, the visitors who reached it in order within one visit. */
export const funnelReportValidator = v.object({
  range: rangeValidator,
  funnelId: v.string(),
  name: v.string(),
  visitors: v.number(),
  steps: v.array(
    v.object({
      goalId: v.string(),
      name: v.string(),
      visitors: v.number(),
      dropOff: v.number(),
      conversionRate: v.number(),
    }),
  ),
  sample: sampleValidator,
});

/** A stats key as listStatsKeys returns it: never its secret. */
export const statsKeyValidator = v.object({
  keyId: v.string(),
  name: v.string(),
  createdAt: v.number(),
});
