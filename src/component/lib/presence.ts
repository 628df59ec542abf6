// Presence: one row per live session and page, saying when it was last seen there. The
// reference incident is parallel heartbeats of one session patching the same row: here a
// heartbeat inside the dedup window for the same path writes nothing at all, so tabs and
// retries can read the row together without ever conflicting.
import { REALTIME_TOP_PAGES } from "./limits.js";

export type PresenceRow = { path: string; lastSeen: number };
export type Touch = { visitorId: string; sessionId: string; path: string; ts: number };

/** The row a touch belongs to: its session's, for its page. */
export const touchKey = (touch: Pick<Touch, "visitorId" | "sessionId" | "path">) =>
  JSON.stringify([touch.visitorId, touch.sessionId, touch.path]);

/**
 * What a touch does to its row (same session and page): nothing inside the dedup window, and
 * nothing for a late or replayed touch (the row already knows better); else the new row.
 */
export function presenceUpdate(
  row: PresenceRow | null,
  touch: Touch,
  heartbeatDedupMs: number,
): PresenceRow | null {
  if (row !== null && (touch.ts <= row.lastSeen || touch.ts - row.lastSeen < heartbeatDedupMs))
    return null;
  return { path: touch.path, lastSeen: touch.ts };
}

/** The latest touch of each session and page in a batch: only it can change the row. */
export function latestTouches(touches: readonly Touch[]): Touch[] {
  const latest = new Map<string, Touch>();
  for (const touch of touches) {
    const key = touchKey(touch);
    const seen = latest.get(key);
    if (!seen || touch.ts > seen.ts) latest.set(key, touch);
  }
  return [...latest.values()];
}

export type RealtimeFigures = {
  activeVisitors: number;
  pages: { path: string; visitors: number }[];
};

/** Visitors live at `now` (seen within the timeout), and where they are, most visitors first. */
export function summarizePresence(
  rows: readonly { visitorId: string; path: string; lastSeen: number }[],
  now: number,
  presenceTimeoutMs: number,
): RealtimeFigures {
  const live = rows.filter((row) => now - row.lastSeen <= presenceTimeoutMs);
  // A visitor with two tabs counts once overall, and once on each page it has open.
  const visitors = new Set(live.map((row) => row.visitorId));
  const pageVisitors = new Map<string, Set<string>>();
  for (const row of live)
    (pageVisitors.get(row.path) ?? pageVisitors.set(row.path, new Set()).get(row.path)!).add(
      row.visitorId,
    );
  const pages = [...pageVisitors]
    .map(([path, set]) => ({ path, visitors: set.size }))
    .sort((a, b) => b.visitors - a.visitors || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .slice(0, REALTIME_TOP_PAGES);
  return { activeVisitors: visitors.size, pages };
}
