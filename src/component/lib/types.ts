// Public types of convex-analytics: the shapes contract §3 and §4 define. They live in the
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
  /** Distinct identified users; not known per visit, so absent from a filtered read. */
  identifiedUsers?: number;
};

/**
 * contract §7 filter: `[operator, dimension, values]`. Values of one filter are OR, filters are
 * AND. `dimension` is one of FILTER_DIMENSIONS (read/filters.ts) or `prop:<key>`; the path
 * dimensions (page, entryPage, exitPage) take `*` wildcards under is / isNot.
 */
export type FilterOperator = "is" | "isNot" | "contains" | "notContains";
export type Filter = [operator: FilterOperator, dimension: string, values: string[]];

/**
 * On every filtered read: the share of the range's visits its figures were computed from.
 * 1 is exact; below 1 the read took a deterministic visitor-hash sample and scaled its counts
 * up by 1 / fraction (ratios are not scaled).
 */
export type Sample = { fraction: number };

export type Overview = OverviewFigures & {
  range: TimeRange;
  previous?: OverviewFigures & { range: TimeRange };
  sample?: Sample;
};

export type TimeseriesPoint = {
  t: number;
  pageviews: number;
  visitors: number;
  sessions: number;
  bounceRate: number;
  avgDurationMs: number;
};

export type Timeseries = {
  range: TimeRange;
  interval: Interval;
  points: TimeseriesPoint[];
  sample?: Sample;
};

export type BreakdownRow = {
  key: string;
  visitors: number;
  pageviews: number;
  sessions: number;
  events: number;
  /**
   * Rows of page, entryPage and exitPage (lib/engagement.ts): the average of each visit's
   * maximum scroll depth on the page, in percent; absent when no visit sent engagement for it.
   */
  scrollDepth?: number;
  /** Engaged time on the page ÷ the visits that sent engagement for it, in ms; absent when none. */
  timeOnPageMs?: number;
};

export type Breakdown = {
  range: TimeRange;
  dimension: Dimension;
  rows: BreakdownRow[];
  /** A key not shown might rank above the last row shown (long tails: README). */
  approximate?: true;
  sample?: Sample;
};

export type PropertyRow = { key: string; events: number; visitors: number };

export type EventProperties = {
  range: TimeRange;
  rows: PropertyRow[];
  approximate?: true;
  sample?: Sample;
};

export type Realtime = {
  activeVisitors: number;
  pages: { path: string; visitors: number }[];
  updatedAt: number;
  /** Visitors per minute over the last 30 minutes, oldest first. */
  minutes: { t: number; visitors: number }[];
  /** Live visitors by source. */
  sources: { source: string; visitors: number }[];
};

export type EventType = "pageview" | "event" | "identify" | "heartbeat" | "engagement";

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
  /** false on a non-interactive custom event (it does not end a bounce). */
  interactive?: boolean;
  /** An engagement's maximum scroll depth on its page, in percent. */
  scrollDepth?: number;
  /** An engagement's engaged time on its page since the previous one, in ms. */
  engagedMs?: number;
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
  /** Days sessions (what filtered reads count) are kept; at least retentionDays. Default 400. */
  visitRetentionDays?: number;
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
 * A goal as listGoals returns it (contract §7): a custom event by name, optionally only with one
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
  sample?: Sample;
};

/** A funnel as listFunnels returns it (contract §7): 2 to 8 goals, in order. */
export type Funnel = {
  funnelId: string;
  siteId: string;
  name: string;
  steps: { goalId: string; name: string }[];
  createdAt: number;
};

/** What getFunnel returns: per step, the visitors who reached it in order within one visit. */
export type FunnelReport = {
  range: TimeRange;
  funnelId: string;
  name: string;
  /** The range's visitors under the filters: those who could have entered the funnel. */
  visitors: number;
  steps: {
    goalId: string;
    name: string;
    /** Visitors with a visit that reached this step after every earlier one, in order. */
    visitors: number;
    /** Visitors of the previous step who did not reach this one (0 for the first step). */
    dropOff: number;
    /** visitors / the first step's visitors, 0..1 (the first step: / the range's visitors). */
    conversionRate: number;
  }[];
  sample: Sample;
};

/** Values shown for a missing attribute, so every breakdown row has a key. */
export const DIRECT_SOURCE = "Direct / None";
export const UNKNOWN = "Unknown";

/**
 * getRangePart: a range's rollup rows folded per key, with their visitor sketches, so that the
 * dashboard can merge the closed and the open part of a range into exact figures
 * (read/rangePart.ts).
 */
export type RangePartResult = {
  range: TimeRange;
  truncated: boolean;
  rows: {
    key: string;
    name?: string;
    pageviews: number;
    events: number;
    sessions: number;
    bounces: number;
    pvSessions: number;
    durationMs: number;
    engagedVisits?: number;
    engagedMs?: number;
    scrollSum?: number;
    visitors: ArrayBuffer;
    users?: ArrayBuffer;
  }[];
};
