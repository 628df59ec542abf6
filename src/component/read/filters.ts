// The filter grammar of contract §7, and what it means for one visit. Pure: a filtered read
// parses its `filters` here and keeps the stored sessions whose facts (read/visitFact.ts)
// match; this file is the definition of "match" (read/visitFigures.ts counts what matched).
//
// A filter is `[operator, dimension, values]`. Values of one filter are OR, filters are AND.
// A filter selects visits: a session-level dimension compares the visit's value; `page`
// matches a visit that viewed a matching page; `event`, `goal` and `prop:<key>` match a visit
// that sent a matching event. `isNot` and `notContains` select exactly the visits that `is`
// and `contains` don't (a visit with no value for the dimension is among them).
import { checkText, pathMatcher, propertyKeyProblem, type GoalDefinition } from "./goals.js";
import { MAX_FILTER_VALUE_LENGTH, MAX_FILTER_VALUES, MAX_FILTERS } from "../lib/limits.js";
import { encodePropKey } from "../ingest/propKeys.js";
import { propertyKey } from "../aggregate/rollup.js";
import { invalidArgument } from "../ingest/validate.js";
import type { VisitFact } from "./visitFact.js";
import { DIMENSIONS } from "../lib/types.js";

export const FILTER_OPERATORS = ["is", "isNot", "contains", "notContains"] as const;
export type FilterOperator = (typeof FILTER_OPERATORS)[number];

/** Dimensions whose value is the session's: one value per visit (or none, for utm and hostname). */
export const SESSION_DIMENSIONS = [
  "entryPage",
  "exitPage",
  "source",
  "utmSource",
  "utmMedium",
  "utmCampaign",
  "country",
  "device",
  "browser",
  "os",
  "hostname",
] as const;
type SessionDimension = (typeof SESSION_DIMENSIONS)[number];

/**
 * Every dimension a filter may name: those of contract §3 (in its order), hostname and goal;
 * `prop:<key>` comes on top, parsed to "prop" and its key.
 */
export const FILTER_DIMENSIONS = [...DIMENSIONS, "hostname", "goal"] as const;
export type FilterDimension = (typeof FILTER_DIMENSIONS)[number] | "prop";

const PROP_PREFIX = "prop:";

/** Path dimensions, where `is`/`isNot` values may hold `*` wildcards (as page goals do). */
const PATH_DIMENSIONS: ReadonlySet<FilterDimension> = new Set(["page", "entryPage", "exitPage"]);

/** A filter as parsed: values deduplicated, `prop:<key>` split into "prop" and its key. */
export type Filter = {
  operator: FilterOperator;
  dimension: FilterDimension;
  /** The property key of a `prop:<key>` filter. */
  property?: string;
  values: string[];
};

/** A goal a `goal` filter can select by name. */
export type NamedGoal = { name: string; definition: GoalDefinition };

const OPERATOR_LIST = FILTER_OPERATORS.join(", ");
const DIMENSION_LIST = `${FILTER_DIMENSIONS.join(", ")} or prop:<key>`;

function parseDimension(at: string, raw: unknown): Pick<Filter, "dimension" | "property"> {
  if (typeof raw === "string" && raw.startsWith(PROP_PREFIX)) {
    const property = raw.slice(PROP_PREFIX.length);
    const problem = propertyKeyProblem(property);
    if (problem) throw invalidArgument(`${at}: the property of dimension "${raw}" ${problem}`);
    // Matched against stored keys (ingest/propKeys.ts).
    return { dimension: "prop", property: encodePropKey(property) };
  }
  if (typeof raw !== "string" || !(FILTER_DIMENSIONS as readonly string[]).includes(raw))
    throw invalidArgument(
      `${at}: dimension ${JSON.stringify(raw)} is not one of ${DIMENSION_LIST}`,
    );
  return { dimension: raw as FilterDimension };
}

function parseValues(at: string, raw: unknown): string[] {
  if (!Array.isArray(raw) || raw.length === 0 || raw.length > MAX_FILTER_VALUES)
    throw invalidArgument(`${at}: values must be a list of 1 to ${MAX_FILTER_VALUES} strings`);
  const values = raw.map((value, i) => {
    if (typeof value !== "string") throw invalidArgument(`${at}: values[${i}] must be a string`);
    return checkText(`${at}: values[${i}]`, value, MAX_FILTER_VALUE_LENGTH);
  });
  return [...new Set(values)];
}

/**
 * Parses a read's `filters` (at most MAX_FILTERS of them) into their normalized form, or
 * throws an invalidArgument error that names the filter by index, and its dimension once known.
 */
export function parseFilters(raw: unknown): Filter[] {
  if (!Array.isArray(raw))
    throw invalidArgument("filters must be a list of [operator, dimension, values]");
  if (raw.length > MAX_FILTERS)
    throw invalidArgument(`filters: at most ${MAX_FILTERS} filters, got ${raw.length}`);
  return raw.map((item, index) => {
    const at = `filters[${index}]`;
    if (!Array.isArray(item) || item.length !== 3)
      throw invalidArgument(`${at} must be [operator, dimension, values]`);
    const [operator, dimension, values] = item as unknown[];
    if (typeof operator !== "string" || !(FILTER_OPERATORS as readonly string[]).includes(operator))
      throw invalidArgument(
        `${at}: operator ${JSON.stringify(operator)} is not one of ${OPERATOR_LIST}`,
      );
    const parsed = parseDimension(at, dimension);
    return {
      operator: operator as FilterOperator,
      ...parsed,
      values: parseValues(`${at} (${String(dimension)})`, values),
    };
  });
}

/** Whether a visit completed a goal: sent its event (with its property value), or viewed a matching page. */
export function visitCompletes(visit: VisitFact, goal: GoalDefinition): boolean {
  if (goal.kind === "page") return visit.pages.some(pathMatcher(goal.pathPattern));
  if (goal.property === undefined) return visit.events.includes(goal.eventName);
  const value = propertyKey(goal.value ?? null);
  return visit.props.some(
    (p) => p.event === goal.eventName && p.key === goal.property && p.value === value,
  );
}

/** The values a visit has for a filter's dimension: one, none, or (page, event…) several. */
function candidates(visit: VisitFact, filter: Filter, goals: readonly NamedGoal[]): string[] {
  switch (filter.dimension) {
    case "page":
      return visit.pages;
    case "event":
      return visit.events;
    case "prop":
      return visit.props.filter((p) => p.key === filter.property).map((p) => p.value);
    case "goal":
      return goals.filter((g) => visitCompletes(visit, g.definition)).map((g) => g.name);
    default: {
      const value = visit[filter.dimension as SessionDimension];
      return value === undefined || value === null ? [] : [value];
    }
  }
}

/** Whether one value satisfies the positive form (is / contains) of a filter: any of its values. */
function valueTest(filter: Filter): (value: string) => boolean {
  if (filter.operator === "contains" || filter.operator === "notContains")
    return (value) => filter.values.some((part) => value.includes(part));
  if (PATH_DIMENSIONS.has(filter.dimension)) {
    const matchers = filter.values.map(pathMatcher);
    return (value) => matchers.some((matches) => matches(value));
  }
  const values = new Set(filter.values);
  return (value) => values.has(value);
}

/**
 * A predicate over visits for parsed filters, compiled once for a read over many visits.
 * A `goal` filter selects goals by name among `goals` (the site's); a name that is no goal's
 * matches no visit under `is`, every visit under `isNot`.
 */
export function visitFilter(
  filters: readonly Filter[],
  goals: readonly NamedGoal[],
): (visit: VisitFact) => boolean {
  const tests = filters.map((filter) => {
    const test = valueTest(filter);
    const negated = isNegated(filter);
    return (visit: VisitFact) => candidates(visit, filter, goals).some(test) !== negated;
  });
  return (visit) => tests.every((test) => test(visit));
}

const isNegated = (filter: Filter) =>
  filter.operator === "isNot" || filter.operator === "notContains";

/**
 * A predicate over one pageview's path: whether it satisfies every `page` filter (is: matches
 * one of the values, `*` wildcards; isNot: matches none; contains / notContains likewise).
 * A page filter selects visits (visitFilter) and, within them, the views that count: under
 * `is page /blog/*` the pageviews are those of /blog/ pages, as in Plausible. With no page
 * filter every view passes.
 */
export function viewFilter(filters: readonly Filter[]): (path: string) => boolean {
  const tests = filters
    .filter((filter) => filter.dimension === "page")
    .map((filter) => {
      const test = valueTest(filter);
      const negated = isNegated(filter);
      return (path: string) => test(path) !== negated;
    });
  return (path) => tests.every((test) => test(path));
}

/** Whether one visit matches every filter (see visitFilter). */
export function visitMatches(
  visit: VisitFact,
  filters: readonly Filter[],
  goals: readonly NamedGoal[],
): boolean {
  return visitFilter(filters, goals)(visit);
}
