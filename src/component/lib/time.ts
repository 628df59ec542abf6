// Time buckets in a site's IANA timezone. Hour buckets start on local whole hours (for a
// zone such as Asia/Kolkata that is :30 past a UTC hour), day buckets at local midnight, so
// a day is always a whole number of hour buckets (23, 24 or 25 around DST changes).
// Offsets come from Intl, which every JavaScript runtime Convex and browsers use ships with
// full tz data; no timezone library is needed for "what is the local offset at instant t".
import { DAY_MS, HOUR_MS, MINUTE_MS } from "./limits.js";

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timezone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timezone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone: timezone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timezone, formatter);
  }
  return formatter;
}

/** True when `timezone` is an IANA zone name the runtime knows. */
export function isValidTimezone(timezone: string): boolean {
  if (typeof timezone !== "string" || timezone.length === 0 || timezone.length > 64) return false;
  try {
    formatterFor(timezone);
    return true;
  } catch {
    return false;
  }
}

/** Local time minus UTC at instant `ts`, in ms (e.g. −5 h for New York in winter). */
export function utcOffsetMs(ts: number, timezone: string): number {
  if (timezone === "UTC") return 0;
  const parts = formatterFor(timezone).formatToParts(new Date(ts));
  const field = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const localAsUtc = Date.UTC(
    field("year"),
    field("month") - 1,
    field("day"),
    field("hour"),
    field("minute"),
    field("second"),
  );
  const wholeSecondTs = Math.floor(ts / 1000) * 1000;
  return Math.round((localAsUtc - wholeSecondTs) / MINUTE_MS) * MINUTE_MS;
}

/** Start of the local hour containing `ts`. */
export function hourBucket(ts: number, timezone: string): number {
  const offset = utcOffsetMs(ts, timezone);
  return Math.floor((ts + offset) / HOUR_MS) * HOUR_MS - offset;
}

/** Start (an instant) of the local calendar day containing `ts`. */
export function dayBucket(ts: number, timezone: string): number {
  const offset = utcOffsetMs(ts, timezone);
  const localMidnight = Math.floor((ts + offset) / DAY_MS) * DAY_MS;
  // The offset at midnight can differ from the one at `ts` when DST changed in between.
  let start = localMidnight - offset;
  const offsetAtStart = utcOffsetMs(start, timezone);
  if (offsetAtStart !== offset) start = localMidnight - offsetAtStart;
  return start > ts ? dayBucket(start - 1, timezone) : start;
}

/** Start of the local day after the one starting at `dayStart`. Days last 23 to 25 hours. */
export function nextDay(dayStart: number, timezone: string): number {
  return dayBucket(dayStart + 26 * HOUR_MS, timezone);
}

/** Start of the local calendar month containing `ts`. */
export function monthBucket(ts: number, timezone: string): number {
  const offset = utcOffsetMs(ts, timezone);
  const local = new Date(ts + offset);
  const firstOfMonth = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), 1);
  return dayBucket(firstOfMonth - offset + 12 * HOUR_MS, timezone);
}

/** Start of the local month after the one starting at `monthStart`. */
export function nextMonth(monthStart: number, timezone: string): number {
  return monthBucket(monthStart + 32 * DAY_MS, timezone);
}

export type Granularity = "hour" | "day" | "month";

/** A stretch of a range covered by buckets of one granularity: [from, to). */
export type Segment = { granularity: Granularity; from: number; to: number };

/**
 * Snaps a requested range outward to whole local hours: `from` down, `to` up. Reads return
 * the range they used, so callers see exactly what was counted.
 */
export function snapRange(from: number, to: number, timezone: string) {
  const snappedFrom = hourBucket(from, timezone);
  const toBucket = hourBucket(to, timezone);
  const snappedTo = toBucket === to ? to : toBucket + HOUR_MS;
  return { from: snappedFrom, to: snappedTo };
}

/**
 * Covers an hour-aligned range with the fewest buckets: whole local months (when
 * `useMonths`), whole local days, and hours at the ragged ends. Reads then touch
 * O(months + days + hours) rows whatever the traffic (invariant 6).
 */
export function coverRange(
  from: number,
  to: number,
  timezone: string,
  useMonths: boolean,
): Segment[] {
  const segments: Segment[] = [];
  const push = (granularity: Granularity, a: number, b: number) => {
    if (b <= a) return;
    const last = segments[segments.length - 1];
    if (last && last.granularity === granularity && last.to === a) last.to = b;
    else segments.push({ granularity, from: a, to: b });
  };
  let cursor = from;
  while (cursor < to) {
    const day = dayBucket(cursor, timezone);
    if (day === cursor) {
      if (useMonths && monthBucket(cursor, timezone) === cursor) {
        const monthEnd = nextMonth(cursor, timezone);
        if (monthEnd <= to) {
          push("month", cursor, monthEnd);
          cursor = monthEnd;
          continue;
        }
      }
      const dayEnd = nextDay(cursor, timezone);
      if (dayEnd <= to) {
        push("day", cursor, dayEnd);
        cursor = dayEnd;
        continue;
      }
    }
    const hourEnd = Math.min(to, nextDay(day, timezone), hourBucket(cursor, timezone) + HOUR_MS);
    push("hour", cursor, hourEnd);
    cursor = hourEnd;
  }
  return segments;
}

/** Bucket starts of one granularity inside [from, to), for timeseries points. */
export function bucketsIn(from: number, to: number, granularity: "hour" | "day", timezone: string) {
  const starts: number[] = [];
  let cursor = granularity === "hour" ? hourBucket(from, timezone) : dayBucket(from, timezone);
  while (cursor < to) {
    starts.push(cursor);
    cursor =
      granularity === "hour"
        ? hourBucket(cursor + HOUR_MS + MINUTE_MS, timezone)
        : nextDay(cursor, timezone);
  }
  return starts;
}
