// Turning rollup rows into the figures of contract §3/§5. Pure: the reads in reports.ts fetch
// rows, these functions define what the numbers mean.
import type { BreakdownRow, OverviewFigures, PropertyRow } from "../lib/types.js";
import {
  addCounters,
  zeroCounters,
  type Counters,
  type StoredCounters,
} from "../aggregate/rollup.js";
import { countUnion } from "../lib/sketch.js";
import { engagementFigures } from "../lib/engagement.js";

export type RowLike = StoredCounters & {
  bucket: number;
  key: string;
  visitors: ArrayBuffer;
  users?: ArrayBuffer;
};

export function sumRows(rows: readonly RowLike[]): Counters {
  const total = zeroCounters();
  for (const row of rows) addCounters(total, row);
  return total;
}

/** bounceRate, avgDurationMs and viewsPerSession are over sessions that have a pageview. */
export function ratios(counters: Counters) {
  const { pvSessions } = counters;
  return {
    bounceRate: pvSessions ? counters.bounces / pvSessions : 0,
    avgDurationMs: pvSessions ? Math.round(counters.durationMs / pvSessions) : 0,
    viewsPerSession: pvSessions ? counters.pageviews / pvSessions : 0,
  };
}

export function overviewFigures(rows: readonly RowLike[]): OverviewFigures {
  const total = sumRows(rows);
  return {
    pageviews: total.pageviews,
    visitors: countUnion(rows.map((r) => r.visitors)),
    sessions: total.sessions,
    ...ratios(total),
    events: total.events,
    identifiedUsers: countUnion(rows.flatMap((r) => (r.users ? [r.users] : []))),
  };
}

function groupByKey(rows: readonly RowLike[]): Map<string, RowLike[]> {
  const groups = new Map<string, RowLike[]>();
  for (const row of rows) (groups.get(row.key) ?? groups.set(row.key, []).get(row.key)!).push(row);
  return groups;
}

const byKey = (a: { key: string }, b: { key: string }) =>
  a.key < b.key ? -1 : a.key > b.key ? 1 : 0;

/**
 * contract §3: rows sorted by visitors (by events for `event`), ties by key. A key whose
 * counters all cancelled out (a late event moved a session's entry page elsewhere) is
 * not shown. `withEngagement` (page, entry and exit page rows): each row's scroll depth and
 * time on page (lib/engagement.ts).
 */
export function breakdownRows(
  rows: readonly RowLike[],
  sortBy: "visitors" | "events",
  limit: number,
  withEngagement = false,
): BreakdownRow[] {
  const result: BreakdownRow[] = [];
  for (const [key, group] of groupByKey(rows)) {
    const total = sumRows(group);
    if (total.pageviews === 0 && total.sessions === 0 && total.events === 0) continue;
    result.push({
      key,
      visitors: countUnion(group.map((r) => r.visitors)),
      pageviews: total.pageviews,
      sessions: total.sessions,
      events: total.events,
      ...(withEngagement ? engagementFigures(total) : {}),
    });
  }
  return result.sort((a, b) => b[sortBy] - a[sortBy] || byKey(a, b)).slice(0, limit);
}

export function propertyRows(rows: readonly RowLike[], limit: number): PropertyRow[] {
  const result: PropertyRow[] = [];
  for (const [key, group] of groupByKey(rows)) {
    const events = sumRows(group).events;
    if (events === 0) continue;
    result.push({ key, events, visitors: countUnion(group.map((r) => r.visitors)) });
  }
  return result.sort((a, b) => b.events - a.events || byKey(a, b)).slice(0, limit);
}
