// Who may write: the key, the site's status and allowed origins, and the rate limit.
import { MINUTE_MS } from "./limits.js";

export type Refusal = {
  status: 401 | 403 | 429;
  code: string;
  message: string;
  retryAfterSec?: number;
};

type SiteGate = { status: "active" | "disabled"; allowedOrigins: string[] } | null;

/** SPEC §2: 401 for an unknown key, 403 for a disabled site or a foreign Origin. */
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

export type MinuteCount = { minute: number; count: number };

/**
 * Sliding-window estimate of events received in the last minute: this minute's count plus
 * the previous minute's, weighted by how much of it is still inside the window (the
 * approximation Cloudflare and nginx use). Admits while the estimate is below the limit,
 * so one request may cross it (by at most MAX_EVENTS_PER_REQUEST − 1 events).
 */
export function rateLimitDecision(
  counts: readonly MinuteCount[],
  limitPerMinute: number,
  now: number,
): Refusal | null {
  const minute = minuteOf(now);
  const elapsed = (now - minute) / MINUTE_MS;
  let current = 0;
  let previous = 0;
  for (const entry of counts) {
    if (entry.minute === minute) current += entry.count;
    else if (entry.minute === minute - MINUTE_MS) previous += entry.count;
  }
  const estimate = current + previous * (1 - elapsed);
  if (estimate < limitPerMinute) return null;
  const retryAfterSec = Math.max(1, Math.ceil((minute + MINUTE_MS - now) / 1000));
  return {
    status: 429,
    code: "rate_limited",
    message: `ingest rate limit of ${limitPerMinute} events per minute exceeded`,
    retryAfterSec,
  };
}

export function minuteOf(ts: number): number {
  return Math.floor(ts / MINUTE_MS) * MINUTE_MS;
}

/**
 * How the limit stays conflict-free and still bounds a burst (ARCHITECTURE invariant 1;
 * issue 12). Every request with events to store first blind-inserts a reservation
 * { minute, at, events } (no reads: nothing to conflict on), then asks the admission query
 * whether the reservations it can see, its own excluded, leave room. Because each request
 * checks only after its own reservation committed, of any two admitted requests the later
 * one saw the earlier: the last request admitted in a minute saw every other admitted one,
 * so a minute admits fewer than limit + MAX_EVENTS_PER_REQUEST events however many arrive
 * at once. A refused request deletes its reservation; concurrent requests near the limit
 * may all see each other and all be refused (they retry after Retry-After): the limit errs
 * towards refusing, never towards storing more.
 *
 * The query reads at most `scan` reservations per minute (newest first), whatever the
 * traffic. A minute with more is extrapolated from the rows read: their events times the
 * part of the minute they don't cover. The bound above is exact up to `scan` requests a
 * minute and an estimate beyond.
 */
export type Reservation = { id: string; at: number; events: number };

export function reservedPerMinute(
  minutes: readonly { minute: number; newestFirst: readonly Reservation[] }[],
  scan: number,
  now: number,
  excluding?: string,
): MinuteCount[] {
  return minutes.map(({ minute, newestFirst }) => {
    const count = newestFirst.reduce((sum, r) => sum + (r.id === excluding ? 0 : r.events), 0);
    if (newestFirst.length < scan) return { minute, count };
    const end = Math.min(now, minute + MINUTE_MS);
    const covered = Math.max(end - newestFirst[newestFirst.length - 1]!.at, 1);
    return { minute, count: Math.ceil((count * Math.max(end - minute, covered)) / covered) };
  });
}
