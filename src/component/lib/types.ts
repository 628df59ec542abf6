// Public types of convex-analytics: the shapes SPEC.md §3 and §4 define. They live in the
// component (the bottom layer) and are re-exported by the client for the facades, the React
// dashboard and the CLIs, so that all agree on one contract.

/** A half-open time range in ms since the epoch, snapped by the server to whole hours. */
export type TimeRange = { from: number; to: number };

export type Interval = "hour" | "day";

export const DIMENSIONS = [
  "page",
  "entryPage",
  "exitPage",
  "source",
  "utmSource",
  "utmMedium",
  "utmCampaign",
  "country",
  "device",
  "browser",
  "os",
  "event",
] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export type OverviewFigures = {
  pageviews: number;
  visitors: number;
  sessions: number;
  /** bounces / sessions that have a pageview, 0..1 (0 when there are none). */
  bounceRate: number;
  /** Mean session duration in ms over sessions that have a pageview, rounded. */
  avgDurationMs: number;
  /** pageviews / sessions that have a pageview (0 when there are none). */
  viewsPerSession: number;
  events: number;
  identifiedUsers: number;
};

export type Overview = OverviewFigures & {
  range: TimeRange;
  previous?: OverviewFigures & { range: TimeRange };
};

export type TimeseriesPoint = {
  t: number;
  pageviews: number;
  visitors: number;
  sessions: number;
  bounceRate: number;
  avgDurationMs: number;
};

export type Timeseries = { range: TimeRange; interval: Interval; points: TimeseriesPoint[] };

export type BreakdownRow = {
  key: string;
  visitors: number;
  pageviews: number;
  sessions: number;
  events: number;
};

export type Breakdown = { range: TimeRange; dimension: Dimension; rows: BreakdownRow[] };

export type PropertyRow = { key: string; events: number; visitors: number };

export type EventProperties = { range: TimeRange; rows: PropertyRow[] };

export type Realtime = {
  activeVisitors: number;
  pages: { path: string; visitors: number }[];
  updatedAt: number;
  /** Visitors per minute over the last 30 minutes, oldest first. */
  minutes: { t: number; visitors: number }[];
  /** Live visitors by source. */
  sources: { source: string; visitors: number }[];
};

export type EventType = "pageview" | "event" | "identify" | "heartbeat";

/** One stored raw event, as `listEvents` returns it. */
export type EventItem = {
  _id: string;
  eventId: string;
  type: EventType;
  ts: number;
  visitorId: string;
  sessionId: string;
  path?: string;
  hostname?: string;
  title?: string;
  name?: string;
  props?: Record<string, string | number | boolean | null>;
  userId?: string;
  referrerHost?: string;
  country?: string;
  device: string;
  browser: string;
  os: string;
};

/** One session (visit), as `listSessions` returns it. */
export type SessionItem = {
  _id: string;
  visitorId: string;
  sessionId: string;
  startTs: number;
  endTs: number;
  durationMs: number;
  pageviews: number;
  events: number;
  bounce: boolean;
  entryPage: string | null;
  exitPage: string | null;
  source: string;
  country: string;
  device: string;
  browser: string;
  os: string;
};

export type PaginationResult<T> = { page: T[]; isDone: boolean; continueCursor: string };

export type IngestResult = {
  accepted: number;
  duplicates: number;
  filtered: number;
  rejected: { index: number; reason: string }[];
};

export type SiteStatus = "active" | "disabled";

export type SiteSettings = {
  sessionTimeoutMs: number;
  pageviewDedupMs: number;
  heartbeatDedupMs: number;
  presenceTimeoutMs: number;
  retentionDays: number;
  ingestRatePerMinute: number;
  allowedPropertyKeys?: string[];
  deniedPropertyKeys?: string[];
};

export type Site = {
  siteId: string;
  slug: string;
  name: string;
  domain?: string;
  allowedOrigins: string[];
  timezone: string;
  status: SiteStatus;
  settings: SiteSettings;
  createdAt: number;
};

export type Health = {
  pendingEvents: number;
  oldestPendingMs: number | null;
  lastAggregatedAt: number | null;
  failedEvents: number;
  duplicateSessions: number;
  sessionReuseRatio: number;
  compactionBacklog: number;
};

/**
 * A goal as listGoals returns it (SPEC §7): a custom event by name, optionally only with one
 * property value, or a pageview whose path matches `pathPattern` (`*` matches any characters).
 */
export type Goal = {
  goalId: string;
  siteId: string;
  name: string;
  kind: "event" | "page";
  eventName?: string;
  property?: string;
  value?: string | number | boolean | null;
  pathPattern?: string;
  createdAt: number;
};

/** What getGoals returns: every goal's conversions over the range, most converting first. */
export type GoalsReport = {
  range: TimeRange;
  /** The range's visitors, as getOverview counts them: the conversion rates' denominator. */
  visitors: number;
  goals: {
    goalId: string;
    name: string;
    /** Unique conversions: visitors who converted at least once in the range. */
    visitors: number;
    /** Total conversions: converting events (counted pageviews for a page goal). */
    events: number;
    /** visitors / the range's visitors, 0..1 (0 when the range has none). */
    conversionRate: number;
  }[];
};

/** Values shown for a missing attribute, so every breakdown row has a key. */
export const DIRECT_SOURCE = "Direct / None";
export const UNKNOWN = "Unknown";
