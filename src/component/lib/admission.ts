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
 * approximation Cloudflare and nginx use). The counts come from the workers, which tally
 * events by receive time as they fold them; ingest itself never reads or writes a shared
 * counter, which is what keeps it conflict-free (ARCHITECTURE invariant 1). The price:
 * the limit sees traffic a few seconds late (PENDING_SETTLE_MS plus a worker run).
 */
export function rateLimitDecision(
  counts: readonly MinuteCount[],
  limitPerMinute: number,
  now: number,
): Refusal | null {
  const minute = Math.floor(now / MINUTE_MS) * MINUTE_MS;
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

/** Adds events received at `receivedAt` to a worker's recent per-minute tally, keeping 3 minutes. */
export function tallyReceived(
  counts: readonly MinuteCount[],
  receivedAt: readonly number[],
  now: number,
): MinuteCount[] {
  const byMinute = new Map(counts.map((c) => [c.minute, c.count]));
  for (const ts of receivedAt) {
    const minute = Math.floor(ts / MINUTE_MS) * MINUTE_MS;
    byMinute.set(minute, (byMinute.get(minute) ?? 0) + 1);
  }
  const oldestKept = Math.floor(now / MINUTE_MS) * MINUTE_MS - 2 * MINUTE_MS;
  return [...byMinute.entries()]
    .filter(([minute]) => minute >= oldestKept)
    .sort((a, b) => a[0] - b[0])
    .map(([minute, count]) => ({ minute, count }));
}
