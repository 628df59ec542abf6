// What the chart draws, from time series points: pure, so the rules read as tests. Which
// points there are (which queries, for which range and interval) is hooks/useChartSeries.ts.
// - A day without visits has no bounce rate or duration: those points are gaps, not 0.
// - The period that is still running (today, this hour) is drawn dashed: it isn't complete.
// - Hourly ticks fall on round local hours, and midnight is labelled with its date, so a
//   two-day chart never shows "2:00 AM" twice without saying which day.
import type { TimeseriesPoint } from "../../client/types.js";
import { formatDuration, formatPercent } from "./format.js";
import type { ChartInterval } from "./intervals.js";
import type { ChartMetric } from "./metrics.js";
import { HOUR_MS, localMidnight } from "./range.js";
import { niceTicks, type TickKind } from "./ticks.js";

/** A chart point: `t` is the bucket start and `end` its (exclusive) end. */
export type SeriesPoint = TimeseriesPoint & { end: number };

export type ChartDatum = {
  t: number;
  /** The figure of a complete bucket; null for a gap (or the running bucket, see `partial`). */
  value: number | null;
  /** The dashed line into the running bucket: its value and the one before it. */
  partial: number | null;
  previous?: number | null;
  previousT?: number;
  incomplete: boolean;
};

/** Rates and durations are averages over visits: a bucket with none has no value. */
export function pointValue(point: TimeseriesPoint, metric: ChartMetric): number | null {
  if ((metric === "bounceRate" || metric === "avgDurationMs") && point.sessions === 0) return null;
  return point[metric];
}

/** The end of the bucket that starts at `t`. */
export function bucketEnd(t: number, interval: "hour" | "day"): number {
  return interval === "hour" ? t + HOUR_MS : localMidnight(t, 1);
}

export function chartData(
  metric: ChartMetric,
  current: readonly SeriesPoint[],
  previous: readonly SeriesPoint[] | undefined,
  now: number,
): ChartDatum[] {
  const last = current.length - 1;
  const running = last >= 0 && current[last].end > now;
  return current.map((point, i) => {
    const value = pointValue(point, metric);
    const incomplete = running && i === last;
    const datum: ChartDatum = {
      t: point.t,
      value: incomplete && last > 0 ? null : value,
      partial: running && last > 0 && i >= last - 1 ? value : null,
      incomplete,
    };
    // Previous points are paired by position: one per bucket of a range of the same shape.
    const before = previous?.[i];
    if (before) {
      datum.previous = pointValue(before, metric);
      datum.previousT = before.t;
    }
    return datum;
  });
}

export function tickKind(metric: ChartMetric): TickKind {
  return metric === "bounceRate" ? "rate" : metric === "avgDurationMs" ? "duration" : "count";
}

/** Y ticks covering every value drawn. */
export function valueTicks(metric: ChartMetric, data: readonly ChartDatum[]): number[] {
  let max = 0;
  for (const d of data) max = Math.max(max, d.value ?? 0, d.partial ?? 0, d.previous ?? 0);
  return niceTicks(metric === "bounceRate" ? Math.min(max, 1) : max, tickKind(metric));
}

export function formatValueTick(metric: ChartMetric, value: number): string {
  if (metric === "bounceRate") return formatPercent(value);
  if (metric === "avgDurationMs") return formatDuration(value);
  return String(value);
}

const HOUR_STEPS = [1, 2, 3, 4, 6, 12, 24];

/** Hourly ticks: every k-th local hour (k from HOUR_STEPS), at most `maxTicks` of them. */
export function hourTicks(times: readonly number[], maxTicks: number): number[] {
  for (const step of HOUR_STEPS) {
    const ticks = times.filter((t) => new Date(t).getHours() % step === 0);
    if (ticks.length <= maxTicks) return ticks;
  }
  return times.filter((t) => new Date(t).getHours() === 0);
}

const hourOnly = new Intl.DateTimeFormat(undefined, { hour: "numeric" });
const dayMonth = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });
const monthYear = new Intl.DateTimeFormat(undefined, { month: "short", year: "numeric" });
const longDay = new Intl.DateTimeFormat(undefined, {
  weekday: "short",
  month: "short",
  day: "numeric",
  year: "numeric",
});
const longHour = new Intl.DateTimeFormat(undefined, {
  month: "short",
  day: "numeric",
  hour: "numeric",
  minute: "2-digit",
});
const longMonth = new Intl.DateTimeFormat(undefined, { month: "long", year: "numeric" });
const longWeek = new Intl.DateTimeFormat(undefined, {
  month: "short",
  day: "numeric",
  year: "numeric",
});

/** An axis label: midnight of an hourly chart spanning days shows its date. */
export function formatTick(t: number, interval: ChartInterval, spansDays: boolean): string {
  switch (interval) {
    case "hour":
      return spansDays && new Date(t).getHours() === 0 ? dayMonth.format(t) : hourOnly.format(t);
    case "day":
    case "week":
      return dayMonth.format(t);
    case "month":
      return monthYear.format(t);
  }
}

/** A tooltip heading. */
export function formatBucketTitle(t: number, interval: ChartInterval): string {
  switch (interval) {
    case "hour":
      return longHour.format(t);
    case "day":
      return longDay.format(t);
    case "week":
      return `Week of ${longWeek.format(t)}`;
    case "month":
      return longMonth.format(t);
  }
}
