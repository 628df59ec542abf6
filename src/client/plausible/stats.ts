// Plausible's Stats API v2 (POST /api/v2/query) answered from our reads. Pure: a query is
// checked and planned here (parseStatsQuery), run against the component's reads handed in
// (answerStatsQuery), and its figures put back in Plausible's shape. It accepts the subset
// our reads answer exactly and names anything else in a 400, as Plausible's validation does.
import {
  DAY_MS,
  HOUR_MS,
  MAX_BREAKDOWN_LIMIT,
  MAX_HOURLY_RANGE_DAYS,
  MAX_RANGE_DAYS,
} from "../../component/lib/limits.js";
import { bucketsIn, dayBucket, utcOffsetMs } from "../../component/lib/time.js";

/** Plausible's default page size. */
const DEFAULT_LIMIT = 10_000;

export const METRICS = [
  "visitors",
  "visits",
  "pageviews",
  "views_per_visit",
  "bounce_rate",
  "visit_duration",
  "events",
  "conversion_rate",
  "percentage",
  "time_on_page",
  "scroll_depth",
] as const;
export type Metric = (typeof METRICS)[number];
/**
 * Engagement metrics: a page's figures over the visits that sent engagement for it, null for a
 * page none did (as Plausible answers).
 */
const ENGAGEMENT_METRICS: readonly Metric[] = ["time_on_page", "scroll_depth"];
/** Plausible metrics our data can't answer yet (revenue, exit rate). */
const UNSUPPORTED_METRICS = [
  "exit_rate",
  "group_conversion_rate",
  "average_revenue",
  "total_revenue",
];

/** Plausible's dimensions we break down by, and the getBreakdown dimension of each. */
const BREAKDOWN_DIMENSIONS = {
  "event:page": "page",
  "visit:entry_page": "entryPage",
  "visit:exit_page": "exitPage",
  "visit:source": "source",
  "visit:utm_source": "utmSource",
  "visit:utm_medium": "utmMedium",
  "visit:utm_campaign": "utmCampaign",
  "visit:country": "country",
  "visit:device": "device",
  "visit:browser": "browser",
  "visit:os": "os",
} as const;
type BreakdownDimension = keyof typeof BREAKDOWN_DIMENSIONS;
export type OurDimension = (typeof BREAKDOWN_DIMENSIONS)[BreakdownDimension];

/** Plausible's filter dimensions and ours (read/filters.ts); `event:props:<key>` is `prop:<key>`. */
const FILTER_DIMENSIONS: Record<string, string> = {
  ...BREAKDOWN_DIMENSIONS,
  "event:hostname": "hostname",
  "event:goal": "goal",
  "event:name": "event",
};
const OPERATORS: Record<string, string> = {
  is: "is",
  is_not: "isNot",
  contains: "contains",
  contains_not: "notContains",
};
const TIME_DIMENSIONS = ["time", "time:hour", "time:day", "time:week", "time:month"] as const;
type Interval = "hour" | "day" | "week" | "month";
/** Dimensions whose values are paths: an `is` filter reads `*` in them as a wildcard. */
const PATH_DIMENSIONS: readonly string[] = ["event:page", "visit:entry_page", "visit:exit_page"];

/**
 * Reads one query may make beyond its first: a time dimension with another makes one per time
 * bucket, `time:week` / `time:month` alone one per week or month, two non-time dimensions one
 * per value of the one split over (at most MAX_BREAKDOWN_LIMIT). Enough for weeks over the
 * longest range (158), hours over a week (168) or days over six months; each read keeps its
 * own bounds.
 */
export const MAX_SPLIT_READS = 200;
/** Reads in flight at once while a query is split. */
const SPLIT_READ_CONCURRENCY = 8;

/**
 * What gives a group of rows its figures: getOverview (one row, or getTimeseries for a time
 * dimension alone by hour or day), getBreakdown (a row per value) or getGoals (a row per goal).
 */
type RowRead = "aggregate" | "breakdown" | "goals";

/** Metrics each kind of read answers exactly. */
const METRICS_BY_KIND: Record<RowRead | "timeseries", readonly Metric[]> = {
  aggregate: [
    "visitors",
    "visits",
    "pageviews",
    "views_per_visit",
    "bounce_rate",
    "visit_duration",
    "events",
    "conversion_rate",
  ],
  timeseries: [
    "visitors",
    "visits",
    "pageviews",
    "views_per_visit",
    "bounce_rate",
    "visit_duration",
  ],
  // Not `events`: our rollup rows count custom events under the site and the event name only.
  breakdown: ["visitors", "visits", "pageviews", "percentage", ...ENGAGEMENT_METRICS],
  goals: ["visitors", "events", "conversion_rate"],
};

export type OurFilter = [string, string, string[]];
export type StatsSite = { siteId: string; timezone: string; createdAt: number };

export type Plan = {
  read: RowRead;
  siteId: string;
  timezone: string;
  from: number;
  to: number;
  metrics: Metric[];
  /** The Plausible dimensions asked for, in their order (rows list their values so). */
  dimensions: string[];
  /** The time dimension, and the interval of its buckets (`time` resolved as Plausible does). */
  time?: { dimension: string; interval: Interval };
  /** The non-time dimension a breakdown or goals read groups by. */
  by?: string;
  /** getBreakdown's name for `by`. */
  breakdown?: OurDimension;
  /** Two non-time dimensions: the one split over, one read filtered to each of its values. */
  split?: { dimension: string; ours: OurDimension };
  filters: OurFilter[];
  /** Goal names an `event:goal` breakdown keeps (its `is` filters). */
  goalNames?: string[];
  orderBy: [string, "asc" | "desc"][];
  limit: number;
  offset: number;
  /** Whether `order_by` / `pagination` were given: without them, a truncated read is a warning. */
  orderByGiven: boolean;
  paginationGiven: boolean;
  include: { total_rows: boolean; time_labels: boolean };
  /** The query as understood, echoed in the response as Plausible does. */
  query: Record<string, unknown>;
};

export class StatsQueryError extends Error {}
const fail = (message: string): never => {
  throw new StatsQueryError(message);
};

const isObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === "object" && x !== null && !Array.isArray(x);

// ------------------------------------------------------------------ dates in the site's zone

function localDate(ts: number, timezone: string): string {
  return new Date(ts + utcOffsetMs(ts, timezone)).toISOString().slice(0, 10);
}

/** The instant a local calendar date starts. */
function dateStart(date: string, timezone: string): number {
  const noonUtc = Date.parse(`${date}T12:00:00Z`);
  return dayBucket(noonUtc - utcOffsetMs(noonUtc, timezone), timezone);
}

function shiftDate(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

function shiftMonths(date: string, months: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1))
    .toISOString()
    .slice(0, 10);
}

/** "2024-01-01T00:00:00+02:00": how Plausible echoes the range it used. */
function isoWithOffset(ts: number, timezone: string): string {
  const offset = utcOffsetMs(ts, timezone);
  const local = new Date(ts + offset).toISOString().slice(0, 19);
  const sign = offset < 0 ? "-" : "+";
  const minutes = Math.abs(offset) / 60_000;
  const hh = String(Math.floor(minutes / 60)).padStart(2, "0");
  const mm = String(minutes % 60).padStart(2, "0");
  return `${local}${sign}${hh}:${mm}`;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Plausible's `date_range` as a half-open [from, to) in ms, in the site's zone: `day` is
 * today; `7d`, `28d`, `30d`, `91d` the that-many whole days before today (today excluded, as
 * Plausible's current parser has it); `month` / `year` the calendar ones holding today;
 * `6mo` / `12mo` that many calendar months up to this one; `all` since the site was created.
 * Dates are whole local days, both included; datetimes are taken to the second.
 */
export function resolveDateRange(raw: unknown, site: StatsSite, now: number) {
  const tz = site.timezone;
  const today = localDate(now, tz);
  const tomorrow = dateStart(shiftDate(today, 1), tz);
  const todayStart = dateStart(today, tz);
  const lastDays = (n: number) => ({ from: dateStart(shiftDate(today, -n), tz), to: todayStart });
  const monthsBack = (n: number) => ({
    from: dateStart(shiftMonths(today, 1 - n), tz),
    to: dateStart(shiftMonths(today, 1), tz),
  });
  if (typeof raw === "string") {
    const days = /^(\d+)d$/.exec(raw);
    if (raw === "day") return { from: todayStart, to: tomorrow };
    if (days && ["7", "28", "30", "91"].includes(days[1])) return lastDays(Number(days[1]));
    if (raw === "month") return monthsBack(1);
    if (raw === "6mo") return monthsBack(6);
    if (raw === "12mo") return monthsBack(12);
    if (raw === "year") {
      const jan1 = `${today.slice(0, 4)}-01-01`;
      return { from: dateStart(jan1, tz), to: dateStart(shiftMonths(jan1, 12), tz) };
    }
    if (raw === "all") {
      const from = Math.max(dayBucket(site.createdAt, tz), tomorrow - MAX_RANGE_DAYS * DAY_MS);
      return { from: dayBucket(from, tz), to: tomorrow };
    }
  }
  if (Array.isArray(raw) && raw.length === 2 && raw.every((x) => typeof x === "string")) {
    const [a, b] = raw as string[];
    if (ISO_DATE.test(a) && ISO_DATE.test(b) && !isNaN(Date.parse(a)) && !isNaN(Date.parse(b))) {
      const range = { from: dateStart(a, tz), to: dateStart(shiftDate(b, 1), tz) };
      if (range.from >= range.to) fail(`#/date_range: Invalid date_range ${JSON.stringify(raw)}`);
      return range;
    }
    if (ISO_DATETIME.test(a) && ISO_DATETIME.test(b)) {
      // The end is inclusive, to the second, as in Plausible.
      const range = { from: Date.parse(a), to: Date.parse(b) + 1000 };
      if (range.from >= range.to) fail(`#/date_range: Invalid date_range ${JSON.stringify(raw)}`);
      return range;
    }
  }
  return fail(`#/date_range: Invalid date_range ${JSON.stringify(raw)}`);
}

// ------------------------------------------------------------------ the request

function parseMetrics(raw: unknown): Metric[] {
  if (!Array.isArray(raw) || raw.length === 0)
    fail("#/metrics: Expected a non-empty list of metrics");
  const metrics = raw as unknown[];
  metrics.forEach((metric, i) => {
    if (typeof metric === "string" && UNSUPPORTED_METRICS.includes(metric))
      fail(`#/metrics/${i}: Metric \`${metric}\` is not supported by convex-analytics`);
    if (!(METRICS as readonly unknown[]).includes(metric))
      fail(`#/metrics/${i}: Invalid metric ${JSON.stringify(metric)}`);
  });
  if (new Set(metrics).size !== metrics.length)
    fail("#/metrics: Metrics cannot be queried multiple times");
  return metrics as Metric[];
}

/**
 * Filters become ours: a top-level list (and `and` inside it) is AND, values of one filter
 * are OR, both as in our filter model. `or`, `not` and the other operators are refused.
 */
function parseFilters(raw: unknown): { filters: OurFilter[]; echo: unknown[] } {
  if (raw === undefined) return { filters: [], echo: [] };
  if (!Array.isArray(raw)) return fail("#/filters: Invalid filters");
  const out: OurFilter[] = [];
  const walk = (list: unknown[], at: string) => {
    list.forEach((filter, i) => {
      const here = `${at}/${i}`;
      if (!Array.isArray(filter) || typeof filter[0] !== "string")
        fail(`${here}: Invalid filter ${JSON.stringify(filter)}`);
      const [operator, dimension, values, modifiers] = filter as unknown[];
      if (operator === "and" && Array.isArray(dimension)) return walk(dimension, `${here}/1`);
      if (!(typeof operator === "string" && operator in OPERATORS))
        fail(
          `${here}: Filter operator \`${String(operator)}\` is not supported by convex-analytics`,
        );
      if (modifiers !== undefined && !(isObject(modifiers) && Object.keys(modifiers).length === 0))
        fail(`${here}: Filter modifiers are not supported by convex-analytics`);
      let ours: string | undefined;
      if (typeof dimension === "string" && dimension.startsWith("event:props:"))
        ours = `prop:${dimension.slice("event:props:".length)}`;
      else if (typeof dimension === "string") ours = FILTER_DIMENSIONS[dimension];
      if (!ours)
        fail(
          `${here}: Invalid filter dimension ${JSON.stringify(dimension)} (not supported by convex-analytics)`,
        );
      if (
        !Array.isArray(values) ||
        values.length === 0 ||
        !values.every((x) => typeof x === "string")
      )
        fail(`${here}: Invalid filter values ${JSON.stringify(values)}`);
      out.push([OPERATORS[operator as string], ours!, values as string[]]);
    });
  };
  walk(raw, "#/filters");
  return { filters: out, echo: raw };
}

const isTime = (dimension: string) => (TIME_DIMENSIONS as readonly string[]).includes(dimension);

/**
 * The dimensions asked for. Supported together: one time dimension with one other, or two
 * non-time dimensions; each alone.
 */
function parseDimensions(raw: unknown): string[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) return fail("#/dimensions: Invalid dimensions");
  const dimensions = (raw as unknown[]).map((dimension, i) => {
    if (typeof dimension !== "string")
      return fail(`#/dimensions/${i}: Invalid dimension ${JSON.stringify(dimension)}`);
    if (dimension in BREAKDOWN_DIMENSIONS || dimension === "event:goal" || isTime(dimension))
      return dimension;
    if (/^(event|visit):|^time(:|$)/.test(dimension))
      fail(`#/dimensions/${i}: Dimension \`${dimension}\` is not supported by convex-analytics`);
    return fail(`#/dimensions/${i}: Invalid dimension ${JSON.stringify(dimension)}`);
  });
  if (new Set(dimensions).size !== dimensions.length)
    fail("#/dimensions: Some dimensions are listed multiple times");
  const times = dimensions.filter(isTime).length;
  if (dimensions.length > 2 || times > 1)
    fail(
      `#/dimensions: Querying ${dimensions.map((d) => `\`${d}\``).join(", ")} together is not supported by convex-analytics (at most a time dimension and one other, or two non-time dimensions)`,
    );
  return dimensions;
}

/**
 * Plausible's `time`: hours up to 48 hours, days up to 40 days, weeks up to 52 weeks, months
 * beyond, measured from the range's first instant to its last second.
 */
function resolveInterval(dimension: string, from: number, to: number): Interval {
  if (dimension !== "time") return dimension.slice("time:".length) as Interval;
  const span = to - 1000 - from;
  if (Math.floor(span / HOUR_MS) <= 48) return "hour";
  if (Math.floor(span / DAY_MS) <= 40) return "day";
  return Math.floor(span / (7 * DAY_MS)) <= 52 ? "week" : "month";
}

/**
 * The buckets of a range by `interval`, each [from, to) cut to the range, and labelled as
 * Plausible labels them in the site's zone: an hour's start, a day's date, a week's Monday
 * (the range's first date for a week that began before it) and a month's first date.
 */
export function timeBuckets(from: number, to: number, interval: Interval, timezone: string) {
  const buckets: { from: number; to: number; label: string }[] = [];
  if (interval === "hour" || interval === "day") {
    const starts = bucketsIn(from, to, interval, timezone);
    starts.forEach((start, i) =>
      buckets.push({
        from: Math.max(from, start),
        to: Math.min(to, starts[i + 1] ?? to),
        label: dayLabel(start, timezone, interval),
      }),
    );
    return buckets;
  }
  for (let cursor = from; cursor < to; cursor = buckets[buckets.length - 1].to) {
    const date = localDate(cursor, timezone);
    let next: string;
    let label = date;
    if (interval === "week") {
      const sinceMonday = (new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7;
      next = shiftDate(date, 7 - sinceMonday);
    } else {
      next = shiftMonths(date, 1);
      label = `${date.slice(0, 8)}01`;
    }
    buckets.push({ from: cursor, to: Math.min(to, dateStart(next, timezone)), label });
  }
  return buckets;
}

function parseInclude(raw: unknown) {
  const include = { total_rows: false, time_labels: false };
  if (raw === undefined) return include;
  if (!isObject(raw)) return fail("#/include: Invalid include");
  for (const [key, value] of Object.entries(raw)) {
    if (key === "total_rows" || key === "time_labels") include[key] = value === true;
    // Events imported through importEvents are stored as our own: nothing to include apart.
    else if (key !== "imports")
      fail(`#/include/${key}: \`${key}\` is not supported by convex-analytics`);
  }
  return include;
}

function parsePagination(raw: unknown) {
  if (raw === undefined) return { limit: DEFAULT_LIMIT, offset: 0 };
  if (!isObject(raw)) return fail("#/pagination: Invalid pagination");
  const limit = raw.limit ?? DEFAULT_LIMIT;
  const offset = raw.offset ?? 0;
  if (!Number.isInteger(limit) || (limit as number) < 1) fail("#/pagination/limit: Invalid limit");
  if (!Number.isInteger(offset) || (offset as number) < 0)
    fail("#/pagination/offset: Invalid offset");
  return { limit: limit as number, offset: offset as number };
}

const quoted = (dimensions: string[]) => dimensions.map((d) => `\`${d}\``).join(", ");

/** Checks and plans a Stats API v2 query for `site`; throws StatsQueryError naming the problem. */
export function parseStatsQuery(body: unknown, site: StatsSite, now: number): Plan {
  if (!isObject(body)) return fail("#: Expected the body to be a JSON object");
  const known = [
    "site_id",
    "metrics",
    "date_range",
    "dimensions",
    "filters",
    "order_by",
    "include",
    "pagination",
  ];
  for (const key of Object.keys(body))
    if (!known.includes(key)) fail(`#: Unknown property \`${key}\``);
  const metrics = parseMetrics(body.metrics);
  if (body.date_range === undefined) fail("#: Required property date_range was not present.");
  const { from, to } = resolveDateRange(body.date_range, site, now);
  const dimensions = parseDimensions(body.dimensions);
  const { filters, echo } = parseFilters(body.filters);
  const include = parseInclude(body.include);
  const { limit, offset } = parsePagination(body.pagination);

  const timeDimension = dimensions.find(isTime);
  const others = dimensions.filter((d) => !isTime(d));
  const read: RowRead =
    others.length === 0 ? "aggregate" : others.includes("event:goal") ? "goals" : "breakdown";
  // Two non-time dimensions: a goals read per value of the other; else a breakdown per value
  // of the one whose values an `is` filter matches exactly (not a path, where `*` is a
  // wildcard), the first when both are paths.
  let by: string | undefined = others[0];
  let split: string | undefined;
  if (others.length === 2) {
    split =
      read === "goals"
        ? others.find((d) => d !== "event:goal")!
        : (others.find((d) => !PATH_DIMENSIONS.includes(d)) ?? others[0]);
    by = others.find((d) => d !== split);
  }

  const kind = read === "aggregate" && timeDimension ? "timeseries" : read;
  for (const metric of metrics)
    if (ENGAGEMENT_METRICS.includes(metric) && by !== "event:page")
      fail(
        `Metric \`${metric}\` can only be queried with event:page as a dimension in convex-analytics`,
      );
  for (const metric of metrics) {
    if (!METRICS_BY_KIND[kind].includes(metric)) {
      if (metric === "percentage" && others.length === 0)
        fail("Metric `percentage` can only be queried with non-time dimensions");
      fail(
        dimensions.length === 1
          ? `Metric \`${metric}\` with dimension \`${dimensions[0]}\` is not supported by convex-analytics`
          : dimensions.length > 1
            ? `Metric \`${metric}\` with dimensions ${quoted(dimensions)} is not supported by convex-analytics`
            : `Metric \`${metric}\` without dimensions is not supported by convex-analytics`,
      );
    }
  }
  const goalFilters = filters.filter(([, d]) => d === "goal");
  if (metrics.includes("conversion_rate") && kind === "aggregate" && goalFilters.length === 0)
    fail("Metric `conversion_rate` can only be queried with event:goal filters or dimensions.");
  if (include.time_labels && !timeDimension)
    fail("Invalid include.time_labels: requires a time dimension.");
  if (to - from > MAX_RANGE_DAYS * DAY_MS + 2 * HOUR_MS)
    fail(
      `#/date_range: ranges longer than ${MAX_RANGE_DAYS} days are not supported by convex-analytics`,
    );

  let time: Plan["time"];
  if (timeDimension) {
    const interval = resolveInterval(timeDimension, from, to);
    time = { dimension: timeDimension, interval };
    const perBucket = read !== "aggregate" || interval === "week" || interval === "month";
    if (!perBucket && interval === "hour" && to - from > MAX_HOURLY_RANGE_DAYS * DAY_MS)
      fail(
        `Dimension \`${timeDimension}\` is supported for ranges of at most ${MAX_HOURLY_RANGE_DAYS} days`,
      );
    const buckets = perBucket ? timeBuckets(from, to, interval, site.timezone).length : 0;
    if (buckets > MAX_SPLIT_READS)
      fail(
        `Dimensions ${quoted(dimensions)} are supported for at most ${MAX_SPLIT_READS} time buckets by convex-analytics; this range has ${buckets} (${interval}s): use a coarser time dimension or a shorter date_range`,
      );
  }

  let goalNames: string[] | undefined;
  let readFilters = filters;
  if (read === "goals") {
    // A goal breakdown keeps the goals its `is` filters name; other goal filters would
    // select visits, which a breakdown of goals can't mean.
    if (goalFilters.some(([op]) => op !== "is"))
      fail(
        "Only the `is` operator is supported for event:goal filters with dimension `event:goal`",
      );
    if (goalFilters.length > 0) goalNames = goalFilters.flatMap(([, , values]) => values);
    readFilters = filters.filter(([, d]) => d !== "goal");
  }

  const orderBy = parseOrderBy(body.order_by, metrics, dimensions, timeDimension);
  return {
    read,
    siteId: site.siteId,
    timezone: site.timezone,
    from,
    to,
    metrics,
    dimensions,
    ...(time ? { time } : {}),
    ...(by ? { by } : {}),
    ...(read === "breakdown" ? { breakdown: BREAKDOWN_DIMENSIONS[by as BreakdownDimension] } : {}),
    ...(split
      ? { split: { dimension: split, ours: BREAKDOWN_DIMENSIONS[split as BreakdownDimension] } }
      : {}),
    filters: readFilters,
    ...(goalNames ? { goalNames } : {}),
    orderBy,
    limit,
    offset,
    orderByGiven: body.order_by !== undefined,
    paginationGiven: body.pagination !== undefined,
    include,
    query: {
      site_id: body.site_id,
      metrics,
      date_range: [isoWithOffset(from, site.timezone), isoWithOffset(to - 1000, site.timezone)],
      filters: echo,
      dimensions,
      order_by: orderBy,
      include,
      pagination: { limit, offset },
    },
  };
}

function parseOrderBy(
  raw: unknown,
  metrics: Metric[],
  dimensions: string[],
  timeDimension: string | undefined,
): [string, "asc" | "desc"][] {
  if (raw === undefined) {
    // Plausible's default: time ascending, then the first metric descending.
    if (dimensions.length === 0) return [];
    return timeDimension
      ? [
          [timeDimension, "asc"],
          [metrics[0], "desc"],
        ]
      : [[metrics[0], "desc"]];
  }
  if (!Array.isArray(raw)) return fail("#/order_by: Invalid order_by");
  return (raw as unknown[]).map((entry, i) => {
    if (!Array.isArray(entry) || entry.length !== 2 || (entry[1] !== "asc" && entry[1] !== "desc"))
      fail(`#/order_by/${i}: Invalid order_by entry ${JSON.stringify(entry)}`);
    const [key, direction] = entry as [unknown, "asc" | "desc"];
    if (
      typeof key !== "string" ||
      !((metrics as string[]).includes(key) || dimensions.includes(key))
    )
      fail(
        `Invalid order_by entry ${JSON.stringify(entry)}. Entry is not a queried metric or dimension.`,
      );
    return [key as string, direction];
  });
}

// ------------------------------------------------------------------ running it

type Sample = { sample?: { fraction: number } };
type ReadArgs = { siteId: string; from: number; to: number; filters?: OurFilter[] };
export type OverviewLike = {
  pageviews: number;
  visitors: number;
  sessions: number;
  bounceRate: number;
  avgDurationMs: number;
  viewsPerSession: number;
  events: number;
} & Sample;
export type StatsReads = {
  overview: (args: ReadArgs) => Promise<OverviewLike>;
  timeseries: (args: ReadArgs & { interval: "hour" | "day" }) => Promise<
    {
      points: {
        t: number;
        pageviews: number;
        visitors: number;
        sessions: number;
        bounceRate: number;
        avgDurationMs: number;
      }[];
    } & Sample
  >;
  breakdown: (args: ReadArgs & { dimension: OurDimension; limit: number }) => Promise<
    {
      rows: {
        key: string;
        visitors: number;
        pageviews: number;
        sessions: number;
        events: number;
        scrollDepth?: number;
        timeOnPageMs?: number;
      }[];
    } & Sample
  >;
  goals: (args: ReadArgs) => Promise<
    {
      visitors: number;
      goals: { name: string; visitors: number; events: number; conversionRate: number }[];
    } & Sample
  >;
};

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
type Row = { dimensions: string[]; values: Partial<Record<Metric, number>> };

/** Plausible's units: rates in percent, durations in whole seconds, ratios to 2 decimals. */
function plausibleFigures(f: {
  visitors: number;
  sessions: number;
  pageviews: number;
  events?: number;
  bounceRate?: number;
  avgDurationMs?: number;
  viewsPerSession?: number;
  scrollDepth?: number;
  timeOnPageMs?: number;
}): Partial<Record<Metric, number>> {
  return {
    visitors: f.visitors,
    visits: f.sessions,
    pageviews: f.pageviews,
    // Plausible's `events` counts every event, pageviews included; ours counts custom events.
    ...(f.events !== undefined ? { events: f.pageviews + f.events } : {}),
    ...(f.bounceRate !== undefined ? { bounce_rate: Math.round(f.bounceRate * 100) } : {}),
    ...(f.avgDurationMs !== undefined
      ? { visit_duration: Math.round(f.avgDurationMs / 1000) }
      : {}),
    views_per_visit: round(f.viewsPerSession ?? (f.sessions > 0 ? f.pageviews / f.sessions : 0), 2),
    ...(f.scrollDepth !== undefined ? { scroll_depth: f.scrollDepth } : {}),
    ...(f.timeOnPageMs !== undefined ? { time_on_page: Math.round(f.timeOnPageMs / 1000) } : {}),
  };
}

function dayLabel(t: number, timezone: string, interval: "hour" | "day") {
  const local = new Date(t + utcOffsetMs(t, timezone)).toISOString();
  return interval === "day"
    ? local.slice(0, 10)
    : `${local.slice(0, 10)} ${local.slice(11, 13)}:00:00`;
}

function compareBy(orderBy: Plan["orderBy"], dimensions: string[]) {
  const value = (row: Row, key: string) => {
    const at = dimensions.indexOf(key);
    return at >= 0 ? row.dimensions[at] : (row.values[key as Metric] ?? 0);
  };
  return (a: Row, b: Row) => {
    for (const [key, direction] of orderBy) {
      const x = value(a, key);
      const y = value(b, key);
      const order = x < y ? -1 : x > y ? 1 : 0;
      if (order !== 0) return direction === "asc" ? order : -order;
    }
    for (let i = 0; i < dimensions.length; i++) {
      const order = a.dimensions[i].localeCompare(b.dimensions[i]);
      if (order !== 0) return order;
    }
    return 0;
  };
}

/** Runs `run` over `items`, at most SPLIT_READ_CONCURRENCY at a time, results in their order. */
async function mapInTurn<T, R>(items: T[], run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await run(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(SPLIT_READ_CONCURRENCY, items.length) }, worker));
  return results;
}

/** Rows of one read, their dimension values by Plausible dimension name. */
type GroupRow = { keys: Record<string, string>; values: Partial<Record<Metric, number>> };
/** A stretch of the query that one read answers: a time bucket, or one value of the split. */
type Group = { from: number; to: number; filters: OurFilter[]; keys: Record<string, string> };

/** Runs a plan against the component's reads: `{ results, meta, query }` as Plausible answers. */
export async function answerStatsQuery(plan: Plan, reads: StatsReads) {
  const fractions: number[] = [];
  const note = <T extends Sample>(read: T): T => {
    if (read.sample) fractions.push(read.sample.fraction);
    return read;
  };
  const args = (from: number, to: number, filters: OurFilter[]) => ({
    siteId: plan.siteId,
    from,
    to,
    ...(filters.length > 0 ? { filters } : {}),
  });
  const meta: Record<string, unknown> = {};
  /** Dimensions with more values than a read returns, and where (for the warning or error). */
  const truncated: { dimension: string; scope: string }[] = [];
  /** Where one read's rows sit when the query is split. */
  const scope = plan.time
    ? ` in each \`${plan.time.dimension}\` bucket`
    : plan.split
      ? ` for each value of \`${plan.split.dimension}\``
      : "";

  /** The plan's read over one group: its rows, with the group's keys and the read's own. */
  async function readGroup(group: Group): Promise<GroupRow[]> {
    const rows = await readRows(group);
    return rows.map((row) => ({ ...row, keys: { ...group.keys, ...row.keys } }));
  }
  async function readRows(group: Group): Promise<GroupRow[]> {
    const readArgs = args(group.from, group.to, group.filters);
    if (plan.read === "aggregate") {
      const overview = note(await reads.overview(readArgs));
      const values = plausibleFigures(overview);
      if (plan.metrics.includes("conversion_rate")) {
        // Converting visitors over the visitors of the same filters without the goal ones.
        const others = group.filters.filter(([, d]) => d !== "goal");
        const all = note(await reads.overview(args(group.from, group.to, others)));
        values.conversion_rate =
          all.visitors > 0 ? round((100 * overview.visitors) / all.visitors, 2) : 0;
      }
      // A bucket with no activity has no row, as Plausible's.
      const empty = overview.visitors === 0 && overview.pageviews === 0 && overview.sessions === 0;
      return plan.time && empty ? [] : [{ keys: {}, values }];
    }
    if (plan.read === "breakdown") {
      const breakdown = note(
        await reads.breakdown({
          ...readArgs,
          dimension: plan.breakdown!,
          limit: MAX_BREAKDOWN_LIMIT,
        }),
      );
      if (breakdown.rows.length >= MAX_BREAKDOWN_LIMIT)
        truncated.push({ dimension: plan.by!, scope });
      return breakdown.rows.map((r) => ({
        keys: { [plan.by!]: r.key },
        values: plausibleFigures(r),
      }));
    }
    const goals = note(await reads.goals(readArgs));
    return goals.goals
      .filter((g) => g.visitors > 0 && (!plan.goalNames || plan.goalNames.includes(g.name)))
      .map((g) => ({
        keys: { "event:goal": g.name },
        values: {
          visitors: g.visitors,
          events: g.events,
          conversion_rate: round(100 * g.conversionRate, 2),
        },
      }));
  }

  const whole: Group = { from: plan.from, to: plan.to, filters: plan.filters, keys: {} };
  let groups: GroupRow[][];
  const interval = plan.time?.interval;
  if (plan.time && plan.read === "aggregate" && (interval === "hour" || interval === "day")) {
    // A time dimension alone by hours or days: one getTimeseries read.
    const series = note(
      await reads.timeseries({ ...args(plan.from, plan.to, plan.filters), interval }),
    );
    groups = [
      series.points
        .filter((p) => p.visitors > 0 || p.pageviews > 0 || p.sessions > 0)
        .map((p) => ({
          keys: { [plan.time!.dimension]: dayLabel(p.t, plan.timezone, interval) },
          values: plausibleFigures(p),
        })),
    ];
  } else if (plan.time) {
    // Weeks or months (Plausible counts a visitor once per bucket, so days can't be summed),
    // or a time dimension with another: one read per bucket.
    const buckets = timeBuckets(plan.from, plan.to, plan.time.interval, plan.timezone);
    groups = await mapInTurn(buckets, (b) =>
      readGroup({
        from: b.from,
        to: b.to,
        filters: plan.filters,
        keys: { [plan.time!.dimension]: b.label },
      }),
    );
  } else if (plan.split) {
    // Two non-time dimensions: the split one's values, then one read filtered to each.
    const { dimension, ours } = plan.split;
    const values = note(
      await reads.breakdown({
        ...args(plan.from, plan.to, plan.filters),
        dimension: ours,
        limit: MAX_BREAKDOWN_LIMIT,
      }),
    ).rows.map((r) => r.key);
    if (values.length >= MAX_BREAKDOWN_LIMIT) truncated.push({ dimension, scope: "" });
    const wildcard = PATH_DIMENSIONS.includes(dimension) && values.find((v) => v.includes("*"));
    if (wildcard)
      fail(
        `Dimensions ${quoted(plan.dimensions)}: the value ${JSON.stringify(wildcard)} of \`${dimension}\` holds \`*\`, which convex-analytics filters read as a wildcard; query \`${dimension}\` alone`,
      );
    groups = await mapInTurn(values, (value) =>
      readGroup({
        ...whole,
        filters: [...plan.filters, ["is", ours, [value]]],
        keys: { [dimension]: value },
      }),
    );
  } else {
    groups = [await readGroup(whole)];
  }
  const rows: Row[] = groups.flat().map((row) => ({
    dimensions: plan.dimensions.map((d) => row.keys[d]),
    values: row.values,
  }));

  if (plan.metrics.includes("percentage")) {
    // A row's share of the visitors of the whole range under the same filters, as Plausible's.
    const total = note(await reads.overview(args(plan.from, plan.to, plan.filters))).visitors;
    for (const row of rows)
      row.values.percentage = total > 0 ? round((100 * row.values.visitors!) / total, 1) : 0;
  }
  if (plan.include.time_labels)
    meta.time_labels = timeBuckets(plan.from, plan.to, plan.time!.interval, plan.timezone).map(
      (b) => b.label,
    );

  if (truncated.length > 0) {
    // Past a read's top rows the order, the total and later pages are unknown. Asked for
    // none of them (no order_by, pagination or total_rows), the query gets those top rows and
    // a warning; asked for them, a 400 that says what to ask instead. One dimension alone
    // keeps its first rows exact in the read's order: pages within them need no warning.
    const { dimension, scope: where } = truncated[0];
    const warning = `Only the top ${MAX_BREAKDOWN_LIMIT} values of \`${dimension}\` by visitors are returned${where}`;
    if (plan.dimensions.length === 1) {
      const readOrder =
        plan.orderBy.length === 1 &&
        plan.orderBy[0][0] === "visitors" &&
        plan.orderBy[0][1] === "desc";
      if (readOrder && !plan.paginationGiven && !plan.include.total_rows) meta.warning = warning;
      else if (
        !readOrder ||
        plan.include.total_rows ||
        plan.offset + plan.limit > MAX_BREAKDOWN_LIMIT
      )
        fail(
          `Dimension \`${dimension}\` has more than ${MAX_BREAKDOWN_LIMIT} values in this range: convex-analytics answers its top ${MAX_BREAKDOWN_LIMIT} by visitors (order_by [["visitors", "desc"]], offset + limit ≤ ${MAX_BREAKDOWN_LIMIT}, no total_rows)`,
        );
    } else if (!plan.orderByGiven && !plan.paginationGiven && !plan.include.total_rows)
      meta.warning = warning;
    else
      fail(
        `Dimension \`${dimension}\` has more than ${MAX_BREAKDOWN_LIMIT} values${where || " in this range"}: convex-analytics answers its top ${MAX_BREAKDOWN_LIMIT} by visitors when no order_by, pagination or total_rows is given`,
      );
  }
  rows.sort(compareBy(plan.orderBy, plan.dimensions));
  if (plan.include.total_rows) meta.total_rows = rows.length;
  const sampled = fractions.length > 0 ? Math.min(...fractions) : 1;
  if (sampled < 1) meta.sample_fraction = sampled;
  return {
    results: rows.slice(plan.offset, plan.offset + plan.limit).map((r) => ({
      metrics: plan.metrics.map((m) => r.values[m] ?? (ENGAGEMENT_METRICS.includes(m) ? null : 0)),
      dimensions: r.dimensions,
    })),
    meta,
    query: plan.query,
  };
}
