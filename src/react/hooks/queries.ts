// The hooks the dashboard is built from, one per read function (contract §3). Each takes the
// host's `api` module and a range from `useDashboardRange`, so hosts can build their own
// views with the same shared subscriptions. Each takes the dashboard's filters last; with
// none, its arguments are exactly the unfiltered read's (no `filters: []`), so the two share
// one subscription.
import { usePaginatedQuery, useQuery } from "convex/react";
import { useMemo, useRef } from "react";
import {
  breakdownFromParts,
  goalsFromParts,
  overviewFromParts,
} from "../../component/read/rangePart.js";
import { ENGAGEMENT_DIMENSIONS } from "../../component/lib/engagement.js";
import type {
  Breakdown,
  Dimension,
  EventProperties,
  Filter,
  Funnel,
  FunnelReport,
  GoalsReport,
  Overview,
  RangePartResult,
  Timeseries,
} from "../../client/types.js";
import type { Realtime } from "../../client/types.js";
import type { AnalyticsApi } from "../api.js";
import { withFilters } from "../model/filters.js";
import { localMidnight, type DashboardRange } from "../model/range.js";
import { sampleOf, useReportSample } from "../ui/sampling.js";

/** Rows per page of the visit and event lists. */
export const LIST_PAGE_SIZE = 10;
/** Recent events scanned for property names to offer in the drill-down (the server's page cap). */
export const RECENT_EVENTS_FOR_PROPS = 100;

/**
 * `data` is the latest result; while new arguments load it is the previous result of the
 * same `kind` with `isStale` set, so changing the range dims the figures instead of
 * flashing skeletons. A different kind (another site, dimension…) never shows stale data.
 * What it returns is on screen: its sample, if any, goes to the dashboard's "Sampled" badge.
 */
export type QueryState<T> = { data: T | undefined; isStale: boolean };

export function useKeepPrevious<T>(value: T | undefined, kind: string): QueryState<T> {
  const last = useRef<{ kind: string; value: T } | null>(null);
  let state: QueryState<T> = { data: undefined, isStale: false };
  if (value !== undefined) {
    last.current = { kind, value };
    state = { data: value, isStale: false };
  } else if (last.current && last.current.kind === kind)
    state = { data: last.current.value, isStale: true };
  useReportSample(sampleOf(state.data)?.fraction);
  return state;
}

/** The range of equal length just before `range`, as `compare: true` defines it. */
export function previousRange(range: DashboardRange): DashboardRange {
  return { from: range.from - (range.to - range.from), to: range.from, interval: range.interval };
}

/**
 * Where the dashboard splits a range that reaches the present: today's start (local midnight),
 * and the end of today. The closed part before it changes only when a day closes, so Convex
 * serves it from its cache; only the open part (today) re-runs as events are folded. Today is
 * read whole (to its end): a day is read as its day row and the hours not folded into it yet,
 * a few rows, where the part of it up to the next hour would be read hour by hour. Null when
 * the range doesn't contain the start of today (all closed, or all today).
 */
export function openDay(
  range: DashboardRange,
  now = Date.now(),
): { from: number; to: number } | null {
  const from = localMidnight(now);
  return range.from < from && from < range.to ? { from, to: localMidnight(now, 1) } : null;
}

/** getRangePart, or a reference that is only ever skipped when the host doesn't export it. */
function partQuery(api: AnalyticsApi) {
  return (api.getRangePart ?? api.getOverview) as NonNullable<AnalyticsApi["getRangePart"]>;
}

/**
 * The closed and open parts of `range` for `dimension`; skipped when `open` is null. The open
 * part is asked for the closed part's keys too, so every key shown has both parts' figures:
 * the closed part's keys change only when a day closes, so the open query's arguments stay the
 * same all day.
 */
function useRangeParts(
  api: AnalyticsApi,
  siteId: string,
  range: DashboardRange,
  open: { from: number; to: number } | null,
  dimension: "all" | Dimension,
) {
  const fn = partQuery(api);
  const closed: RangePartResult | undefined = useQuery(
    fn,
    open ? { siteId, from: range.from, to: open.from, dimension } : "skip",
  );
  const keys = useMemo(
    () => (dimension === "all" || !closed ? [] : closed.rows.map((row) => row.key)),
    [dimension, closed],
  );
  const today: RangePartResult | undefined = useQuery(
    fn,
    open && (dimension === "all" || closed)
      ? { siteId, from: open.from, to: open.to, dimension, ...(keys.length ? { keys } : {}) }
      : "skip",
  );
  return { closed, today };
}

export function useOverview(
  api: AnalyticsApi,
  siteId: string,
  range: DashboardRange,
  compare: boolean,
  filters?: Filter[],
) {
  const args = withFilters({ siteId, from: range.from, to: range.to }, filters);
  const open = api.getRangePart && !filters?.length ? openDay(range) : null;
  // `compare` is left out rather than sent as false, so toggling it back off returns to
  // the very subscription that was open before.
  const whole: Overview | undefined = useQuery(
    api.getOverview,
    open ? "skip" : compare ? { ...args, compare: true } : args,
  );
  const { closed, today } = useRangeParts(api, siteId, range, open, "all");
  const before = previousRange(range);
  // The period before is closed: one part, cached.
  const previous: RangePartResult | undefined = useQuery(
    partQuery(api),
    open && compare ? { siteId, from: before.from, to: before.to, dimension: "all" } : "skip",
  );
  const to = range.to;
  const merged = useMemo((): Overview | undefined => {
    if (!closed || !today || (compare && !previous)) return undefined;
    return {
      range: { from: closed.range.from, to },
      ...overviewFromParts([closed, today]),
      ...(compare && previous
        ? { previous: { range: previous.range, ...overviewFromParts([previous]) } }
        : {}),
    };
  }, [closed, today, previous, compare, to]);
  return useKeepPrevious(open ? merged : whole, siteId);
}

/** getOverview for a compared period (see comparison.ts); null when not comparing. */
export function useComparedOverview(
  api: AnalyticsApi,
  siteId: string,
  range: DashboardRange | null,
  filters?: Filter[],
) {
  const result: Overview | undefined = useQuery(
    api.getOverview,
    range ? withFilters({ siteId, from: range.from, to: range.to }, filters) : "skip",
  );
  return useKeepPrevious(result, `${siteId}:${range === null}`);
}

export function useTimeseries(
  api: AnalyticsApi,
  siteId: string,
  range: DashboardRange | null,
  filters?: Filter[],
) {
  // Daily points are independent of each other: for a host on the split read path (it
  // exports getRangePart), the closed days and today are two reads whose points are put side
  // by side (filtered too), and only today's re-runs.
  const open = range && range.interval === "day" && api.getRangePart ? openDay(range) : null;
  const argsFor = (from: number, to: number) =>
    withFilters({ siteId, from, to, interval: range!.interval }, filters);
  const whole: Timeseries | undefined = useQuery(
    api.getTimeseries,
    range && !open ? argsFor(range.from, range.to) : "skip",
  );
  const closed: Timeseries | undefined = useQuery(
    api.getTimeseries,
    range && open ? argsFor(range.from, open.from) : "skip",
  );
  const today: Timeseries | undefined = useQuery(
    api.getTimeseries,
    open ? argsFor(open.from, open.to) : "skip",
  );
  const to = range?.to;
  const merged = useMemo((): Timeseries | undefined => {
    if (to === undefined || !closed || !today) return undefined;
    const fractions = [closed.sample?.fraction, today.sample?.fraction].filter(
      (f): f is number => f !== undefined,
    );
    return {
      range: { from: closed.range.from, to },
      interval: closed.interval,
      points: [...closed.points, ...today.points],
      ...(fractions.length ? { sample: { fraction: Math.min(...fractions) } } : {}),
    };
  }, [to, closed, today]);
  return useKeepPrevious(open ? merged : whole, `${siteId}:${range === null}`);
}

export function useBreakdown(
  api: AnalyticsApi,
  siteId: string,
  range: DashboardRange,
  dimension: Dimension,
  limit: number,
  filters?: Filter[],
) {
  const open = api.getRangePart && !filters?.length ? openDay(range) : null;
  const whole: Breakdown | undefined = useQuery(
    api.getBreakdown,
    open
      ? "skip"
      : withFilters({ siteId, from: range.from, to: range.to, dimension, limit }, filters),
  );
  const { closed, today } = useRangeParts(api, siteId, range, open, dimension);
  const to = range.to;
  const merged = useMemo((): Breakdown | undefined => {
    if (!closed || !today) return undefined;
    const sortBy = dimension === "event" ? "events" : "visitors";
    return {
      range: { from: closed.range.from, to },
      dimension,
      ...breakdownFromParts([closed, today], sortBy, limit, ENGAGEMENT_DIMENSIONS.has(dimension)),
    };
  }, [closed, today, dimension, limit, to]);
  return useKeepPrevious(open ? merged : whole, `${siteId}:${dimension}`);
}

export function useEventProperties(
  api: AnalyticsApi,
  siteId: string,
  range: DashboardRange,
  eventName: string,
  property: string | null,
  limit: number,
  filters?: Filter[],
) {
  const result: EventProperties | undefined = useQuery(
    api.getEventProperties,
    property
      ? withFilters({ siteId, from: range.from, to: range.to, eventName, property, limit }, filters)
      : "skip",
  );
  return useKeepPrevious(result, `${siteId}:${eventName}:${property}`);
}

/**
 * Property names seen on recent `eventName` events, most frequent first. The read API has
 * no list of property keys, so the newest page of raw events stands in for one.
 */
export function useRecentEventPropertyNames(
  api: AnalyticsApi,
  siteId: string,
  range: DashboardRange,
  eventName: string,
  filters?: Filter[],
): string[] | undefined {
  const recent = useQuery(
    api.listEvents,
    withFilters(
      {
        siteId,
        from: range.from,
        to: range.to,
        paginationOpts: { numItems: RECENT_EVENTS_FOR_PROPS, cursor: null },
      },
      filters,
    ),
  );
  if (recent === undefined) return undefined;
  const counts = new Map<string, number>();
  for (const event of recent.page) {
    if (event.type !== "event" || event.name !== eventName || !event.props) continue;
    for (const key of Object.keys(event.props)) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([key]) => key);
}

/** Whether the site has ever received an event; asked only when `enabled` (an empty range). */
export function useHasAnyEvents(
  api: AnalyticsApi,
  siteId: string,
  enabled: boolean,
): boolean | undefined {
  const newest = useQuery(
    api.listEvents,
    enabled ? { siteId, paginationOpts: { numItems: 1, cursor: null } } : "skip",
  );
  return newest === undefined ? undefined : newest.page.length > 0;
}

/** Takes the function itself: `getRealtime` is optional, and a hook can't be called conditionally. */
export function useRealtime(
  getRealtime: NonNullable<AnalyticsApi["getRealtime"]>,
  siteId: string,
): Realtime | undefined {
  return useQuery(getRealtime, { siteId });
}

/**
 * getGoals over `range`, or nothing when `range` is null (not comparing). Takes the functions
 * themselves, as useRealtime does: `getGoals` and `getRangePart` are optional. With
 * `getRangePart` (and no filter), a range that reaches the present is read as its closed days
 * and today, as the overview is: only today's goal rows re-run as events are folded.
 */
export function useGoals(
  getGoals: NonNullable<AnalyticsApi["getGoals"]>,
  siteId: string,
  range: DashboardRange | null,
  filters?: Filter[],
  getRangePart?: AnalyticsApi["getRangePart"],
) {
  const open = range && getRangePart && !filters?.length ? openDay(range) : null;
  const whole: GoalsReport | undefined = useQuery(
    getGoals,
    range && !open ? withFilters({ siteId, from: range.from, to: range.to }, filters) : "skip",
  );
  const part = (getRangePart ?? getGoals) as NonNullable<AnalyticsApi["getRangePart"]>;
  const args = (from: number, to: number, dimension: "all" | "goals") =>
    open ? { siteId, from, to, dimension } : ("skip" as const);
  // The "all" parts are the overview's own subscriptions: the same arguments, shared.
  const closedGoals: RangePartResult | undefined = useQuery(
    part,
    args(range?.from ?? 0, open?.from ?? 0, "goals"),
  );
  const todayGoals: RangePartResult | undefined = useQuery(
    part,
    args(open?.from ?? 0, open?.to ?? 0, "goals"),
  );
  const closedAll: RangePartResult | undefined = useQuery(
    part,
    args(range?.from ?? 0, open?.from ?? 0, "all"),
  );
  const todayAll: RangePartResult | undefined = useQuery(
    part,
    args(open?.from ?? 0, open?.to ?? 0, "all"),
  );
  const to = range?.to;
  const merged = useMemo((): GoalsReport | undefined => {
    if (to === undefined || !closedGoals || !todayGoals || !closedAll || !todayAll)
      return undefined;
    return {
      range: { from: closedGoals.range.from, to },
      ...goalsFromParts([closedGoals, todayGoals], [closedAll, todayAll]),
    };
  }, [to, closedGoals, todayGoals, closedAll, todayAll]);
  return useKeepPrevious(open ? merged : whole, `${siteId}:${range === null}`);
}

/** The site's funnels (listFunnels), in the order the server lists them. */
export function useFunnels(
  listFunnels: NonNullable<AnalyticsApi["listFunnels"]>,
  siteId: string,
): Funnel[] | undefined {
  return useQuery(listFunnels, { siteId });
}

/** getFunnel for one funnel over `range`; nothing while `funnelId` is null (none chosen yet). */
export function useFunnel(
  getFunnel: NonNullable<AnalyticsApi["getFunnel"]>,
  siteId: string,
  range: DashboardRange,
  funnelId: string | null,
  filters?: Filter[],
) {
  const result: FunnelReport | undefined = useQuery(
    getFunnel,
    funnelId ? withFilters({ siteId, funnelId, from: range.from, to: range.to }, filters) : "skip",
  );
  return useKeepPrevious(result, `${siteId}:${funnelId}`);
}

export function useSessionsList(
  api: AnalyticsApi,
  siteId: string,
  range: DashboardRange,
  filters?: Filter[],
) {
  return usePaginatedQuery(
    api.listSessions,
    withFilters({ siteId, from: range.from, to: range.to }, filters),
    { initialNumItems: LIST_PAGE_SIZE },
  );
}

export function useEventsList(
  api: AnalyticsApi,
  siteId: string,
  range: DashboardRange,
  filters?: Filter[],
) {
  return usePaginatedQuery(
    api.listEvents,
    withFilters({ siteId, from: range.from, to: range.to }, filters),
    { initialNumItems: LIST_PAGE_SIZE },
  );
}
