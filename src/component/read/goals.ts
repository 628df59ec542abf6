// Goals (contract §7): what counts as a conversion, and a goal's figures from rollup rows. Pure:
// goals.ts (the Convex module) stores goals and fetches rows; this file defines the numbers.
//
// Without filters a goal costs what a breakdown costs: an event goal is the `event` row of
// its name (or the event-property row of its value), a page goal the `page` rows whose path
// its pattern matches, their visitor sketches unioned. No raw event or session is read.
import type { RowLike } from "./figures.js";
import {
  MAX_EVENT_NAME_LENGTH,
  MAX_GOAL_NAME_LENGTH,
  MAX_PATH_PATTERN_LENGTH,
  MAX_PROP_KEY_LENGTH,
  MAX_PROP_STRING_LENGTH,
} from "../lib/limits.js";
import { decodePropKey, encodePropKey } from "../ingest/propKeys.js";
import { propertyDimension, propertyKey } from "../aggregate/rollup.js";
import { countUnion } from "../lib/sketch.js";
import { invalidArgument, propKeyProblem, type PropValue } from "../ingest/validate.js";

/**
 * What a goal converts on: a custom event by name, optionally only when one of its properties
 * has one value; or a pageview whose path matches a pattern with `*` wildcards.
 */
export type GoalDefinition =
  | { kind: "event"; eventName: string; property?: string; value?: PropValue }
  | { kind: "page"; pathPattern: string };

/** A goal as createGoal receives it: every field optional until checked. */
export type GoalInput = {
  name: string;
  kind: "event" | "page";
  eventName?: string;
  property?: string;
  value?: PropValue;
  pathPattern?: string;
};

// C0, DEL and C1 controls: never in a name a person typed, and refused in event names at
// ingest, so a goal naming one could never convert.
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;
const LONE_SURROGATE = /\p{Cs}/u;

/** A typed string field: non-empty, at most `max` characters, no control characters. */
export function checkText(field: string, value: string, max: number): string {
  if (value.length === 0) throw invalidArgument(`${field} must not be empty`);
  if (value.length > max) throw invalidArgument(`${field} must be at most ${max} characters`);
  if (CONTROL_CHARS.test(value) || LONE_SURROGATE.test(value))
    throw invalidArgument(`${field} must be printable text (no control characters)`);
  return value;
}

/**
 * Why `key` is not a property key ingest accepts (ingest/validate.ts), or null: a goal or filter
 * naming a key ingest refuses could never match, so it is refused with the reason instead.
 */
export function propertyKeyProblem(key: string): string | null {
  const sent = decodePropKey(key);
  if (sent.length === 0 || sent.length > MAX_PROP_KEY_LENGTH)
    return `must be 1 to ${MAX_PROP_KEY_LENGTH} characters`;
  const problem = propKeyProblem(key);
  return problem && `${JSON.stringify(sent)} is not a property key ingest accepts: ${problem}`;
}

/** A goal's property, in the stored form its events' keys have (ingest/propKeys.ts). */
function checkPropertyKey(key: string): string {
  const problem = propertyKeyProblem(key);
  if (problem) throw invalidArgument(`property ${problem}`);
  return encodePropKey(key);
}

function checkPropertyValue(value: PropValue): PropValue {
  if (typeof value === "string" && value.length > MAX_PROP_STRING_LENGTH)
    throw invalidArgument(`value must be at most ${MAX_PROP_STRING_LENGTH} characters`);
  if (typeof value === "number" && !Number.isFinite(value))
    throw invalidArgument("value must be a finite number");
  return value;
}

/** A page goal's pattern: a path ("/…") in which `*` stands for any characters. */
export function checkPathPattern(field: string, pattern: string): string {
  checkText(field, pattern, MAX_PATH_PATTERN_LENGTH);
  if (!pattern.startsWith("/"))
    throw invalidArgument(`${field} must start with "/" (a path such as /blog/*)`);
  return pattern;
}

/** Validates createGoal's input; every error names the field that was wrong. */
export function checkGoal(input: GoalInput): { name: string; definition: GoalDefinition } {
  const name = checkText("name", input.name.trim(), MAX_GOAL_NAME_LENGTH);
  const unexpected = (fields: (keyof GoalInput)[], goal: string) => {
    for (const field of fields)
      if (input[field] !== undefined) throw invalidArgument(`${field} is not used by ${goal}`);
  };
  if (input.kind === "page") {
    unexpected(["eventName", "property", "value"], "a page goal");
    if (input.pathPattern === undefined)
      throw invalidArgument("pathPattern is required for a page goal");
    return {
      name,
      definition: { kind: "page", pathPattern: checkPathPattern("pathPattern", input.pathPattern) },
    };
  }
  if (input.kind !== "event") throw invalidArgument(`kind must be "event" or "page"`);
  unexpected(["pathPattern"], "an event goal");
  if (input.eventName === undefined)
    throw invalidArgument("eventName is required for an event goal");
  const eventName = checkText("eventName", input.eventName, MAX_EVENT_NAME_LENGTH);
  if (input.property === undefined) {
    if (input.value !== undefined) throw invalidArgument("value needs a property to compare");
    return { name, definition: { kind: "event", eventName } };
  }
  // null is a value ("(null)" in the property breakdown): only a missing value is an error.
  if (input.value === undefined)
    throw invalidArgument(`value is required with property "${input.property}"`);
  return {
    name,
    definition: {
      kind: "event",
      eventName,
      property: checkPropertyKey(input.property),
      value: checkPropertyValue(input.value),
    },
  };
}

/**
 * Whether a path matches a pattern in which `*` matches any run of characters, `/` included,
 * and every other character itself; the whole path must match. This is Plausible's rule
 * (Plausible.Stats.Filters.Utils.page_regex turns both `*` and `**` into `.*`): `/blog/*`
 * matches `/blog/a` and `/blog/a/b`, not `/blog`; `/*` matches every path.
 *
 * Not a RegExp: a pattern of many stars is a backtracking hazard for a regex engine. Matching
 * the literal parts left to right, each at its first occurrence, is exact for `*`-only
 * patterns (a later occurrence never leaves more room for the rest) and linear-ish in the path.
 */
export function pathMatcher(pattern: string): (path: string) => boolean {
  const parts = pattern.split("*");
  if (parts.length === 1) return (path) => path === pattern;
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  const middle = parts.slice(1, -1).filter((part) => part.length > 0);
  return (path) => {
    if (path.length < first.length + last.length) return false;
    if (!path.startsWith(first) || !path.endsWith(last)) return false;
    const end = path.length - last.length;
    let at = first.length;
    for (const part of middle) {
      const found = path.indexOf(part, at);
      if (found < 0 || found + part.length > end) return false;
      at = found + part.length;
    }
    return true;
  };
}

/** The rollup dimension whose rows hold a goal's conversions. */
export function goalDimension(goal: GoalDefinition): string {
  if (goal.kind === "page") return "page";
  return goal.property === undefined ? "event" : propertyDimension(goal.eventName, goal.property);
}

/**
 * A page goal whose pattern has a wildcard: it can match any number of distinct paths, so it is
 * read from its own rows (GOAL_DIMENSION, maintenance/goalMirror.ts) rather than from the page rows.
 */
export function isWildcardGoal(
  goal: GoalDefinition,
): goal is { kind: "page"; pathPattern: string } {
  return goal.kind === "page" && goal.pathPattern.includes("*");
}

/**
 * The one row key of goalDimension(goal) that holds a goal's conversions, for every goal but a
 * wildcard page goal: an event's name, a property value's spelling, a page's path.
 */
export function goalKey(goal: GoalDefinition): string {
  if (goal.kind === "page") return goal.pathPattern;
  return goal.property === undefined ? goal.eventName : propertyKey(goal.value ?? null);
}

/** Which row keys of goalDimension(goal) are conversions of the goal. */
export function goalKeyMatcher(goal: GoalDefinition): (key: string) => boolean {
  if (goal.kind === "page") return pathMatcher(goal.pathPattern);
  const key = goalKey(goal);
  return (candidate) => candidate === key;
}

export type GoalFigures = {
  /** Unique conversions: distinct visitors with at least one converting event in the range. */
  visitors: number;
  /** Total conversions: converting events (counted pageviews for a page goal). */
  events: number;
};

/**
 * A goal's figures from the rows of its dimension over the range: the matching rows' sketches
 * unioned (a visitor converting on two matching pages, or in two buckets, counts once) and
 * their events (pageviews for a page goal) summed.
 */
export function goalFigures(goal: GoalDefinition, rows: readonly RowLike[]): GoalFigures {
  const matches = goalKeyMatcher(goal);
  return conversionFigures(
    goal,
    rows.filter((row) => matches(row.key)),
  );
}

/** The figures of a goal's converting rows (matched already: a goal's own rows hold only those). */
export function conversionFigures(goal: GoalDefinition, matching: readonly RowLike[]): GoalFigures {
  let events = 0;
  for (const row of matching) events += goal.kind === "page" ? row.pageviews : row.events;
  return { visitors: countUnion(matching.map((row) => row.visitors)), events };
}

/**
 * Converting visitors / visitors of the range, 0 for an empty range. Above 1,000 visitors
 * both are sketch estimates, so the ratio is capped at 1: a goal can't convert more visitors
 * than visited.
 */
export function conversionRate(goalVisitors: number, rangeVisitors: number): number {
  return rangeVisitors > 0 ? Math.min(1, goalVisitors / rangeVisitors) : 0;
}

export type GoalRow = GoalFigures & { goalId: string; name: string; conversionRate: number };

/**
 * Every goal's figures, most converting visitors first, ties by name (as breakdowns sort).
 * `conversionsOf` returns a goal's converting rows over the range (goals.ts goalConversions).
 */
export function goalRows(
  goals: readonly { goalId: string; name: string; definition: GoalDefinition }[],
  conversionsOf: (goalId: string) => readonly RowLike[],
  rangeVisitors: number,
): GoalRow[] {
  return goals
    .map(({ goalId, name, definition }) => {
      const figures = conversionFigures(definition, conversionsOf(goalId));
      return {
        goalId,
        name,
        ...figures,
        conversionRate: conversionRate(figures.visitors, rangeVisitors),
      };
    })
    .sort((a, b) => b.visitors - a.visitors || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
