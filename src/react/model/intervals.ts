// How the chart groups a range: by hour, day, week or month. The read API's time series has
// hour and day points only. Week and month points can't be summed from days (a visitor of two
// days would count twice), so each is one getOverview over that week or month: exact for every
// figure, at one subscription per point, which is why they are offered only up to
// MAX_GROUPED_POINTS points.
import { DAY_MS, localMidnight, monthStart, type DashboardRange } from "./range.js";

export const CHART_INTERVALS = ["hour", "day", "week", "month"] as const;
export type ChartInterval = (typeof CHART_INTERVALS)[number];

export const INTERVAL_LABELS: Record<ChartInterval, string> = {
  hour: "Hours",
  day: "Days",
  week: "Weeks",
  month: "Months",
};

/** Hourly charts of longer ranges are a smear of hundreds of points. */
const HOURLY_UP_TO_DAYS = 7;
/** Ranges up to this many days default to daily points; longer ones to months. */
const DAILY_BY_DEFAULT_UP_TO_DAYS = 93;
/** The most week or month points (= getOverview subscriptions) one chart may open. */
export const MAX_GROUPED_POINTS = 60;

export type Bucket = { from: number; to: number };

const days = (range: DashboardRange) => (range.to - range.from) / DAY_MS;

/** Monday 00:00 of the local week `ms` is in (ISO weeks, as Plausible). */
export function weekStart(ms: number): number {
  const weekday = (new Date(ms).getDay() + 6) % 7;
  return localMidnight(ms, -weekday);
}

/** The week or month buckets of a range, the first and last cut to the range. */
export function groupedBuckets(range: DashboardRange, interval: "week" | "month"): Bucket[] {
  const buckets: Bucket[] = [];
  let start = interval === "week" ? weekStart(range.from) : monthStart(range.from);
  while (start < range.to) {
    const end = interval === "week" ? localMidnight(start, 7) : monthStart(start, 1);
    buckets.push({ from: Math.max(start, range.from), to: Math.min(end, range.to) });
    start = end;
  }
  return buckets;
}

/** The intervals that make sense for a range: more than one point, and not too many. */
export function allowedIntervals(range: DashboardRange): ChartInterval[] {
  const length = days(range);
  return CHART_INTERVALS.filter((interval) => {
    switch (interval) {
      case "hour":
        return length <= HOURLY_UP_TO_DAYS;
      case "day":
        return length > 1;
      case "week":
      case "month": {
        const points = groupedBuckets(range, interval).length;
        return points > 1 && points <= MAX_GROUPED_POINTS;
      }
    }
  });
}

/** Plausible's defaults: hours up to two days, days up to about three months, then months. */
export function defaultInterval(range: DashboardRange): ChartInterval {
  const length = days(range);
  if (length <= 2) return "hour";
  if (length <= DAILY_BY_DEFAULT_UP_TO_DAYS) return "day";
  return allowedIntervals(range).includes("month") ? "month" : "day";
}

/** The requested interval when it suits the range, else the range's default. */
export function resolveInterval(
  range: DashboardRange,
  requested: ChartInterval | undefined,
): ChartInterval {
  return requested && allowedIntervals(range).includes(requested)
    ? requested
    : defaultInterval(range);
}
