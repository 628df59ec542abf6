// Who may write: the key, the site's status and allowed origins, and the rate limit.
import { MINUTE_MS } from "../lib/limits.js";

/**
 * Every `error.code` the ingest route answers with (contract §2, docs/limits.md): a closed set,
 * so a sender can switch on it and a new refusal can't appear without being added here.
 */
export const REFUSAL_CODES = [
  "invalid_json",
  "invalid_body",
  "too_many_events",
  "missing_key",
  "unknown_key",
  "origin_not_allowed",
  "site_disabled",
  "method_not_allowed",
  "body_too_large",
  "rate_limited",
] as const;
export type RefusalCode = (typeof REFUSAL_CODES)[number];

/** The refusals admission decides on (the route checks the rest before it asks). */
export const ADMISSION_REFUSAL_CODES = [
  "unknown_key",
  "site_disabled",
  "origin_not_allowed",
  "rate_limited",
] as const satisfies readonly RefusalCode[];

export type Refusal = {
  status: 401 | 403 | 429;
  code: (typeof ADMISSION_REFUSAL_CODES)[number];
  message: string;
  retryAfterSec?: number;
};

type SiteGate = { status: "active" | "disabled"; allowedOrigins: string[] } | null;

/** contract §2: 401 for an unknown key, 403 for a disabled site or a foreign Origin. */
export function checkSite(site: SiteGate, origin: string | undefined): Refusal | null {
  if (!site)
    return { status: 401, code: "unknown_key", message: "the write key is not valid for any site" };
  if (site.status === "disabled")
    return { status: 403, code: "site_disabled", message: "this site is disabled" };
  if (
    origin !== undefined &&
    site.allowedOrigins.length > 0 &&
    !site.allowedOrigins.includes(origin)
  ) {
    return {
      status: 403,
      code: "origin_not_allowed",
      message: `origin ${origin} is not in the site's allowedOrigins`,
    };
  }
  return null;
}

export function minuteOf(ts: number): number {
  return Math.floor(ts / MINUTE_MS) * MINUTE_MS;
}

/**
 * The rate limit, conflict-free in one transaction. Every request that stores events inserts a
 * mark { at, events, cumulative } (a blind insert), where `cumulative` is the site's running
 * total of admitted events: the newest mark's total plus its own. It reads the marks it needs
 * through a stale snapshot (no read dependency), so concurrent requests never conflict, and the
 * events admitted in the sliding minute (now − 1 min, now] are the newest mark's total minus
 * the total of the last mark before the window: two or three point reads of tiny rows,
 * whatever the traffic (the 0.1 design read up to 2,000 rows a request).
 *
 * The bound: requests that run one after another see each other, so the window admits at most
 * `limit` events, and a request that would pass it is admitted only up to the limit (the rest of
 * its events are refused one by one with `rate_limited`). Requests in flight at the same moment
 * can't see each other: together they may pass the limit by what they carry (≤ 100 events each).
 */
export type RateMark = { at: number; events: number; cumulative?: number };

export function eventsInWindow(
  now: number,
  newest: RateMark | null,
  beforeWindow: RateMark | null,
  oldestInWindow: RateMark | null,
): number {
  const start = now - MINUTE_MS;
  if (!newest || newest.at <= start) return 0;
  // Marks written before cumulative totals existed (0.1.x) count only their own events.
  if (newest.cumulative === undefined) return newest.events;
  if (beforeWindow?.cumulative !== undefined)
    return Math.max(0, newest.cumulative - beforeWindow.cumulative);
  if (oldestInWindow?.cumulative !== undefined)
    return Math.max(0, newest.cumulative - (oldestInWindow.cumulative - oldestInWindow.events));
  return newest.events;
}

/** How many of `requested` events fit under the limit now; a refusal when none does. */
export function admitEvents(
  requested: number,
  inWindow: number,
  limitPerMinute: number,
  now: number,
  oldestInWindow: RateMark | null,
): { admitted: number; refusal: Refusal | null } {
  const room = Math.max(0, limitPerMinute - inWindow);
  if (room > 0 || requested === 0) return { admitted: Math.min(room, requested), refusal: null };
  // Full until the oldest admitted event of the window leaves it.
  const frees = (oldestInWindow?.at ?? now) + MINUTE_MS;
  return {
    admitted: 0,
    refusal: {
      status: 429,
      code: "rate_limited",
      message: `ingest rate limit of ${limitPerMinute} events per minute exceeded`,
      retryAfterSec: Math.max(1, Math.ceil((frees - now) / 1000)),
    },
  };
}

/** The `rejected` reason of an event past the rate limit in a request admitted in part. */
export const RATE_LIMITED_REASON = "rate_limited: past the site's ingest rate limit this minute";
