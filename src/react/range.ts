// Which [from, to) the dashboard asks for. Every bound is a whole hour so that two renders,
// two panels or two open tabs within the same hour send identical arguments and share one
// Convex subscription instead of opening a new one whenever the clock moves. Hours and days
// are the browser's local ones: the read API has no way to tell the site's time zone, and
// the viewer's is the best guess (the server snaps to the site's hours in any case).
import type { Interval } from "../client/types.js";

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
/** The server refuses longer ranges (reports.ts MAX_RANGE_DAYS); clamp rather than fail. */
export const MAX_RANGE_MS = 3 * 366 * DAY_MS;
/** Ranges up to this long are charted hour by hour, longer ones day by day. */
export const HOURLY_UP_TO_MS = 2 * DAY_MS;

export const RANGE_PRESETS = ["today", "24h", "7d", "30d", "12mo"] as const;
export type RangePreset = (typeof RANGE_PRESETS)[number];
/** Inclusive local calendar dates as `<input type="date">` gives them: "2025-03-01". */
export type CustomRange = { from: string; to: string };
export type RangeSelection = RangePreset | CustomRange;

export type DashboardRange = { from: number; to: number; interval: Interval };

export const PRESET_LABELS: Record<RangePreset, string> = {
  today: "Today",
  "24h": "Last 24 hours",
  "7d": "Last 7 days",
  "30d": "Last 30 days",
  "12mo": "Last 12 months",
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
function localMidnight(ms: number, offsetDays = 0): number {
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
  let start = floorHour(from);
  if (to - start > MAX_RANGE_MS) start = to - MAX_RANGE_MS;
  return { from: start, to, interval: intervalFor(start, to) };
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
  }
}

export function isPreset(value: string): value is RangePreset {
  return (RANGE_PRESETS as readonly string[]).includes(value);
}

/** A string that identifies a selection, for memo dependencies and React keys. */
export function selectionKey(selection: RangeSelection): string {
  return typeof selection === "object" ? `custom:${selection.from}:${selection.to}` : selection;
}
