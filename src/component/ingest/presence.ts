// Presence: one row per live session and page, saying when it was last seen there. The
// reference incident is parallel heartbeats of one session patching the same row: here a
// heartbeat inside the dedup window for the same path writes nothing at all, so tabs and
// retries can read the row together without ever conflicting.
import { MINUTE_MS, REALTIME_TOP_PAGES } from "../lib/limits.js";

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

/** Minutes of per-minute visitors the realtime summary keeps, as Plausible's realtime chart. */
export const REALTIME_MINUTES = 30;
/** Sources listed in the realtime summary. */
export const REALTIME_TOP_SOURCES = 10;

export type MinuteVisitors = { t: number; visitors: number };
export type SourceVisitors = { source: string; visitors: number };

export const minuteStart = (ms: number) => Math.floor(ms / MINUTE_MS) * MINUTE_MS;

/**
 * Distinct visitors seen in the minute `now` is in. lastSeen only moves forward, so every
 * visitor with a touch since the minute began has lastSeen ≥ its start: the last refresh of a
 * minute sees all of them (up to one refresh period before its end, counted in the next).
 */
export function currentMinute(
  rows: readonly { visitorId: string; lastSeen: number }[],
  now: number,
): MinuteVisitors {
  const t = minuteStart(now);
  const visitors = new Set(rows.filter((row) => row.lastSeen >= t).map((row) => row.visitorId));
  return { t, visitors: visitors.size };
}

/** The stored minutes with `minute` set (a later refresh of the same minute replaces it). */
export function mergeMinute(
  stored: readonly MinuteVisitors[],
  minute: MinuteVisitors,
): MinuteVisitors[] {
  const oldest = minute.t - (REALTIME_MINUTES - 1) * MINUTE_MS;
  return [...stored.filter((m) => m.t >= oldest && m.t !== minute.t), minute].sort(
    (a, b) => a.t - b.t,
  );
}

/** The REALTIME_MINUTES minutes ending with the one `at` is in; a minute nobody was live is 0. */
export function minuteSeries(stored: readonly MinuteVisitors[], at: number): MinuteVisitors[] {
  const last = minuteStart(at);
  const byT = new Map(stored.map((m) => [m.t, m.visitors]));
  return Array.from({ length: REALTIME_MINUTES }, (_, i) => {
    const t = last - (REALTIME_MINUTES - 1 - i) * MINUTE_MS;
    return { t, visitors: byT.get(t) ?? 0 };
  });
}

/** Live visitors per session source, most first; a visitor counts once per source. */
export function topSources(sessions: readonly { visitorId: string; source: string }[]) {
  const bySource = new Map<string, Set<string>>();
  for (const { visitorId, source } of sessions)
    (bySource.get(source) ?? bySource.set(source, new Set()).get(source)!).add(visitorId);
  return [...bySource]
    .map(([source, set]): SourceVisitors => ({ source, visitors: set.size }))
    .sort(
      (a, b) => b.visitors - a.visitors || (a.source < b.source ? -1 : a.source > b.source ? 1 : 0),
    )
    .slice(0, REALTIME_TOP_SOURCES);
}
