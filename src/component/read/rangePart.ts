// Mergeable parts of a range (invariant 12). The dashboard splits a range that reaches the
// present at the start of today: the closed part (whole days before today) is read by a query
// that no live write touches, so Convex serves it from its cache until a day closes, and only
// the open part (today) re-runs when the worker folds new events. A part is the range's rollup
// rows folded per key (counters summed, visitor sketches united), so two parts merge into
// exactly the figures one read of the whole range gives: the same read/figures functions run on
// the merged rows.
import type { BreakdownRow, GoalsReport, OverviewFigures } from "../lib/types.js";
import { breakdownRows, overviewFigures, type RowLike } from "./figures.js";
import { conversionRate, type GoalDefinition } from "./goals.js";
import { isComplete } from "./leaderboard.js";
import { BREAKDOWN_CANDIDATE_MARGIN, MAX_BREAKDOWN_LIMIT } from "../lib/limits.js";
import { addCounters, zeroCounters } from "../aggregate/rollup.js";
import { mergeAll, sketchCount } from "../lib/sketch.js";

/**
 * Keys a part returns by rank, most visitors (events for `event`) first: the longest
 * breakdown the dashboard shows and the candidates' margin. A part that has more says
 * `truncated`, and a breakdown merged from it is marked approximate.
 */
export const MAX_PART_KEYS = MAX_BREAKDOWN_LIMIT + BREAKDOWN_CANDIDATE_MARGIN;

/** A part's row: a key's counters and sketches over the part's range (goals: with a name). */
export type PartRow = Omit<RowLike, "bucket"> & { name?: string };
/**
 * `rest` (a truncated breakdown part): the highest score any key left out can have in the
 * part; without it a truncated part bounds nothing.
 */
export type RangePart = { rows: PartRow[]; truncated: boolean; rest?: number };

const asRows = (parts: readonly RangePart[]): RowLike[] =>
  parts.flatMap((p) => p.rows.map((row) => ({ ...row, bucket: 0 })));

/** The rows of a range folded to one per key, in breakdown order, at most `maxKeys`. */
export function foldByKey(
  rows: readonly RowLike[],
  sortBy: "visitors" | "events",
  maxKeys = MAX_PART_KEYS,
): RangePart {
  const groups = new Map<string, RowLike[]>();
  for (const row of rows) (groups.get(row.key) ?? groups.set(row.key, []).get(row.key)!).push(row);
  const folded: (PartRow & { visitorCount: number })[] = [];
  for (const [key, group] of groups) {
    const counters = zeroCounters();
    for (const row of group) addCounters(counters, row);
    const users = group.flatMap((r) => (r.users ? [r.users] : []));
    const visitors = mergeAll(group.map((r) => r.visitors));
    folded.push({
      key,
      ...counters,
      visitors,
      ...(users.length ? { users: mergeAll(users) } : {}),
      visitorCount: sketchCount(visitors),
    });
  }
  const score = (r: (typeof folded)[number]) => (sortBy === "events" ? r.events : r.visitorCount);
  folded.sort((a, b) => score(b) - score(a) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const left = folded[maxKeys];
  return {
    rows: folded.slice(0, maxKeys).map(({ visitorCount: _, ...row }) => row),
    truncated: left !== undefined,
    ...(left ? { rest: score(left) } : {}),
  };
}

/** The overview of a range from its parts: what getOverview returns for the whole range. */
export function overviewFromParts(parts: readonly RangePart[]): OverviewFigures {
  return overviewFigures(asRows(parts));
}

/**
 * The breakdown of a range from its parts: what getBreakdown returns for the whole range, and
 * `approximate` when a key a part left out could rank, or a row shown lacks a part's figures.
 * A key left out of the truncated parts scores at most the sum of their `rest`s (it scores 0
 * in a part that returned every key), as read/leaderboard.ts isComplete rules.
 */
export function breakdownFromParts(
  parts: readonly RangePart[],
  sortBy: "visitors" | "events",
  limit: number,
  withEngagement = false,
): { rows: BreakdownRow[]; approximate?: true } {
  const rows = breakdownRows(asRows(parts), sortBy, limit, withEngagement);
  const truncated = parts.filter((p) => p.truncated);
  if (!truncated.length) return { rows };
  const complete =
    truncated.every((part) => {
      const keys = new Set(part.rows.map((row) => row.key));
      return part.rest !== undefined && rows.every((row) => keys.has(row.key));
    }) &&
    isComplete(
      rows.map((row) => (sortBy === "events" ? row.events : row.visitors)),
      limit,
      truncated.reduce((sum, part) => sum + part.rest!, 0),
    );
  return complete ? { rows } : { rows, approximate: true };
}

/**
 * Every goal's conversions over a part, one row per goal (key: its id): its converting rows
 * folded, `events` its conversions (counted pageviews for a page goal), as read/goals.ts
 * conversionFigures counts them. `conversionsOf` gives a goal's converting rows of the part.
 */
export function goalsPart(
  goals: readonly { goalId: string; name: string; definition: GoalDefinition }[],
  conversionsOf: (goalId: string) => readonly RowLike[],
): RangePart {
  const rows = goals.map(({ goalId, name, definition }): PartRow => {
    const matching = conversionsOf(goalId);
    let events = 0;
    for (const row of matching) events += definition.kind === "page" ? row.pageviews : row.events;
    return {
      key: goalId,
      name,
      ...zeroCounters(),
      events,
      visitors: mergeAll(matching.map((row) => row.visitors)),
    };
  });
  return { rows, truncated: false };
}

/**
 * The goals report of a range from its goal parts and its overview parts: what getGoals
 * returns for the whole range (a visitor converting on both sides counts once).
 */
export function goalsFromParts(
  goalParts: readonly RangePart[],
  allParts: readonly RangePart[],
): Omit<GoalsReport, "range"> {
  const visitors = overviewFromParts(allParts).visitors;
  const byGoal = new Map<string, { name: string; rows: PartRow[] }>();
  for (const part of goalParts)
    for (const row of part.rows) {
      const goal = byGoal.get(row.key) ?? { name: row.name ?? row.key, rows: [] };
      goal.rows.push(row);
      byGoal.set(row.key, goal);
    }
  const goals = [...byGoal].map(([goalId, { name, rows }]) => {
    const goalVisitors = sketchCount(mergeAll(rows.map((row) => row.visitors)));
    return {
      goalId,
      name,
      visitors: goalVisitors,
      events: rows.reduce((n, row) => n + row.events, 0),
      conversionRate: conversionRate(goalVisitors, visitors),
    };
  });
  goals.sort((a, b) => b.visitors - a.visitors || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { visitors, goals };
}
