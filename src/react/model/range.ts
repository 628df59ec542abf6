// Which [from, to) the dashboard asks for. Every bound is a whole hour so that two renders,
// two panels or two open tabs within the same hour send identical arguments and share one
// Convex subscription instead of opening a new one whenever the clock moves. Hours and days
// are the browser's local ones: the read API has no way to tell the site's time zone, and
// the viewer's is the best guess (the server snaps to the site's hours in any case).
import type { Interval } from "../../client/types.js";
import { DAY_MS, HOUR_MS, MAX_RANGE_DAYS, MINUTE_MS } from "../../component/lib/limits.js";

export { DAY_MS, HOUR_MS, MINUTE_MS };
/** The server refuses longer ranges; clamp rather than fail. */
export const MAX_RANGE_MS = MAX_RANGE_DAYS * DAY_MS;
/** Ranges up to this long are charted hour by hour, longer ones day by day. */
export const HOURLY_UP_TO_MS = 2 * DAY_MS;

/** In the order of the range menu, as in Plausible. */
export const RANGE_PRESETS = [
  "today",
  "yesterday",
  "24h",
  "7d",
  "30d",
  "month",
  "lastMonth",
  "year",
  "12mo",
  "all",
] as const;
export type RangePreset = (typeof RANGE_PRESETS)[number];
/** Inclusive local calendar dates as `<input type="date">` gives them: "2025-03-01". */
export type CustomRange = { from: string; to: string };
export type RangeSelection = RangePreset | CustomRange;

/**
 * `interval` is the read API's (hour up to two days, else day); the chart may group further
 * (intervals.ts). `clamped` is set when the selection asked for more than MAX_RANGE_MS.
 */
export type DashboardRange = { from: number; to: number; interval: Interval; clamped?: true };

export const PRESET_LABELS: Record<RangePreset, string> = {
  today: "Today",
  yesterday: "Yesterday",
  "24h": "Last 24 hours",
  "7d": "Last 7 days",
  "30d": "Last 30 days",
  month: "Month to date",
  lastMonth: "Last month",
  year: "Year to date",
  "12mo": "Last 12 months",
  all: "All time",
};

/** The start of the local hour `ms` is in (not always a multiple of HOUR_MS: India is +5:30). */
export function floorHour(ms: number): number {
  const d = new Date(ms);
  d.setMinutes(0, 0, 0);
  return d.getTime();
}

/** The end of the hour `now` is in: the `to` of every range that reaches the present. */
export function nextWholeHour(now: number): number {
  return floorHour(now) + HOUR_MS;
}

/** Local midnight `offsetDays` from the day of `ms`; Date handles DST and month lengths. */
export function localMidnight(ms: number, offsetDays = 0): number {
  const d = new Date(ms);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + offsetDays).getTime();
}

/** Parses "YYYY-MM-DD" as a local date; undefined when it isn't one. */
export function parseDateInput(value: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]) - 1, Number(match[3])];
  const date = new Date(year, month, day);
  // Rejects 2025-02-31, which Date would silently roll into March.
  if (date.getFullYear() !== year || date.getMonth() !== month || date.getDate() !== day)
    return undefined;
  return date.getTime();
}

export function toDateInput(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

export function intervalFor(from: number, to: number): Interval {
  return to - from <= HOURLY_UP_TO_MS ? "hour" : "day";
}

function finish(from: number, to: number): DashboardRange {
  const start = floorHour(from);
  if (to - start <= MAX_RANGE_MS) return { from: start, to, interval: intervalFor(start, to) };
  // The first local midnight inside the maximum, so that day buckets stay whole days.
  const clampedFrom = localMidnight(to - MAX_RANGE_MS, 1);
  return { from: clampedFrom, to, interval: intervalFor(clampedFrom, to), clamped: true };
}

/** The first day of the local month `offsetMonths` from the month of `ms`. */
export function monthStart(ms: number, offsetMonths = 0): number {
  const d = new Date(ms);
  return new Date(d.getFullYear(), d.getMonth() + offsetMonths, 1).getTime();
}

function customRange(custom: CustomRange, now: number): DashboardRange {
  let first = parseDateInput(custom.from);
  let last = parseDateInput(custom.to);
  if (first === undefined || last === undefined) return rangeFor("7d", now);
  if (first > last) [first, last] = [last, first];
  // A range that includes today stops at the current hour, like the presets, so that it
  // shares their subscriptions and its "previous period" is the same length of real time.
  const to = Math.min(localMidnight(last, 1), nextWholeHour(now));
  return first < to ? finish(first, to) : finish(first, first + DAY_MS);
}

/**
 * The range a selection stands for at time `now`. Pure: the result only changes when `now`
 * crosses an hour (or, for "today", a local day), which is what keeps subscriptions shared.
 */
export function rangeFor(selection: RangeSelection, now: number): DashboardRange {
  if (typeof selection === "object") return customRange(selection, now);
  const to = nextWholeHour(now);
  switch (selection) {
    case "today":
      return finish(localMidnight(now), to);
    case "yesterday":
      return finish(localMidnight(now, -1), localMidnight(now));
    case "24h":
      return finish(to - DAY_MS, to);
    case "7d":
      // Today and the six days before it: whole calendar days, as Plausible counts them.
      return finish(localMidnight(now, -6), to);
    case "30d":
      return finish(localMidnight(now, -29), to);
    case "12mo": {
      const d = new Date(now);
      return finish(new Date(d.getFullYear(), d.getMonth() - 11, 1).getTime(), to);
    }
    case "month":
      return finish(monthStart(now), to);
    case "lastMonth":
      return finish(monthStart(now, -1), monthStart(now));
    case "year":
      return finish(new Date(new Date(now).getFullYear(), 0, 1).getTime(), to);
    case "all":
      // The read API has no "since the first event": all time is as far back as it reads.
      return finish(to - MAX_RANGE_MS - DAY_MS, to);
  }
}

export function isPreset(value: string): value is RangePreset {
  return (RANGE_PRESETS as readonly string[]).includes(value);
}

/** A string that identifies a selection, for memo dependencies and React keys. */
export function selectionKey(selection: RangeSelection): string {
  return typeof selection === "object" ? `custom:${selection.from}:${selection.to}` : selection;
}

/** Presets that have no previous or next period: a rolling 24 hours, and everything. */
const UNSHIFTABLE: readonly RangePreset[] = ["24h", "all"];
const MONTHS_OF: Partial<Record<RangePreset, number>> = {
  month: 1,
  lastMonth: 1,
  year: 12,
  "12mo": 12,
};

/** How many whole months [from, to) spans when it starts on the 1st, else undefined. */
function monthsSpanned(selection: RangeSelection, range: DashboardRange): number | undefined {
  if (typeof selection === "string") return MONTHS_OF[selection];
  if (new Date(range.from).getDate() !== 1) return undefined;
  const end = localMidnight(range.to - 1, 1);
  const last = new Date(end);
  if (last.getDate() !== 1) return undefined;
  const first = new Date(range.from);
  return (
    (last.getFullYear() - first.getFullYear()) * 12 + last.getMonth() - first.getMonth() ||
    undefined
  );
}

/**
 * The period before (`direction` -1) or after (+1) the one on screen, as Plausible's arrows
 * move: by whole months for month-shaped periods, else by the period's number of days. Null
 * when there is none: the next period would start in the future, or the preset has no
 * neighbours ("24h", "all").
 */
export function shiftSelection(
  selection: RangeSelection,
  range: DashboardRange,
  direction: -1 | 1,
  now: number,
): CustomRange | null {
  if (typeof selection === "string" && UNSHIFTABLE.includes(selection)) return null;
  const months = monthsSpanned(selection, range);
  let start: number;
  let end: number;
  if (months !== undefined) {
    start = monthStart(range.from, direction * months);
    end = monthStart(start, months);
  } else {
    const days = Math.round((localMidnight(range.to - 1, 1) - range.from) / DAY_MS);
    start = localMidnight(range.from, direction * days);
    end = localMidnight(start, days);
  }
  if (start >= nextWholeHour(now)) return null;
  return { from: toDateInput(start), to: toDateInput(end - 1) };
}
