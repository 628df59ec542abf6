// What the figures are compared with (Plausible's comparison menu): the period just before,
// the same period a year earlier, or any dates. "Match day of week" moves the compared
// period by whole weeks, so Mondays are compared with Mondays.
import {
  DAY_MS,
  localMidnight,
  parseDateInput,
  type CustomRange,
  type DashboardRange,
} from "./range.js";

export const COMPARISON_MODES = ["off", "previous", "year", "custom"] as const;
export type ComparisonMode = (typeof COMPARISON_MODES)[number];
export type Comparison = {
  mode: ComparisonMode;
  matchDayOfWeek: boolean;
  /** The compared dates when `mode` is "custom". */
  custom?: CustomRange;
};

export const COMPARISON_LABELS: Record<ComparisonMode, string> = {
  off: "No comparison",
  previous: "Previous period",
  year: "Year over year",
  custom: "Custom period",
};

export const NO_COMPARISON: Comparison = { mode: "off", matchDayOfWeek: false };

const WEEK_MS = 7 * DAY_MS;

/** `ms` moved by whole local days: the same wall-clock time, whatever DST does in between. */
function addLocalDays(ms: number, days: number): number {
  const d = new Date(ms);
  return new Date(
    d.getFullYear(),
    d.getMonth(),
    d.getDate() + days,
    d.getHours(),
    d.getMinutes(),
  ).getTime();
}

function yearBefore(ms: number): number {
  const d = new Date(ms);
  return new Date(
    d.getFullYear() - 1,
    d.getMonth(),
    d.getDate(),
    d.getHours(),
    d.getMinutes(),
  ).getTime();
}

/**
 * The range the figures are compared with, or null for none.
 * - previous: the same length just before (contract §3 `compare: true`); matching the day of the
 *   week, the shift is the length rounded up to whole weeks.
 * - year: the same dates a year earlier; matching the day of the week, 52 weeks (364 days).
 * - custom: the chosen dates, as they are.
 */
export function comparisonRange(
  range: DashboardRange,
  comparison: Comparison,
): DashboardRange | null {
  const interval = range.interval;
  switch (comparison.mode) {
    case "off":
      return null;
    case "previous": {
      const length = range.to - range.from;
      if (!comparison.matchDayOfWeek)
        return { from: range.from - length, to: range.from, interval };
      const days = (Math.ceil(length / WEEK_MS) * WEEK_MS) / DAY_MS;
      return { from: addLocalDays(range.from, -days), to: addLocalDays(range.to, -days), interval };
    }
    case "year":
      return comparison.matchDayOfWeek
        ? { from: addLocalDays(range.from, -364), to: addLocalDays(range.to, -364), interval }
        : { from: yearBefore(range.from), to: yearBefore(range.to), interval };
    case "custom": {
      const first = comparison.custom && parseDateInput(comparison.custom.from);
      const last = comparison.custom && parseDateInput(comparison.custom.to);
      if (first === undefined || last === undefined) return null;
      const [from, to] = first <= last ? [first, last] : [last, first];
      return { from, to: localMidnight(to, 1), interval };
    }
  }
}
