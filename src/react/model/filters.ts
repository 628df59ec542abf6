// The dashboard's filters (contract §7), pure: how a filter reads on a chip, how it travels in
// the query string, how a click on a row or the editor changes the list, and the checks the
// editor makes before a filter goes to the server (the server checks again, and its refusal
// names the filter by index: filterErrorIndex). A filter is `[operator, dimension, values]`;
// values of one filter are OR, filters are AND.
import {
  DIMENSIONS,
  type Dimension,
  type Filter,
  type FilterOperator,
} from "../../client/types.js";
import type { FilterDimension } from "../../component/read/filters.js";
import {
  MAX_FILTER_VALUE_LENGTH,
  MAX_FILTER_VALUES,
  MAX_FILTERS,
  MAX_PROP_KEY_LENGTH,
} from "../../component/lib/limits.js";
import { formatCountry } from "./format.js";

export { MAX_FILTER_VALUE_LENGTH, MAX_FILTER_VALUES, MAX_FILTERS };

export const FILTER_OPERATORS: readonly FilterOperator[] = [
  "is",
  "isNot",
  "contains",
  "notContains",
];

/** The component's filter dimensions (read/filters.ts), spelled here so zod stays out of the page. */
export const FILTER_DIMENSIONS = [
  ...DIMENSIONS,
  "hostname",
  "goal",
] as const satisfies readonly Exclude<FilterDimension, "prop">[];
export type NamedFilterDimension = (typeof FILTER_DIMENSIONS)[number];

export const PROP_PREFIX = "prop:";

export const OPERATOR_LABELS: Record<FilterOperator, string> = {
  is: "is",
  isNot: "is not",
  contains: "contains",
  notContains: "does not contain",
};

export const DIMENSION_LABELS: Record<NamedFilterDimension, string> = {
  page: "Page",
  entryPage: "Entry page",
  exitPage: "Exit page",
  source: "Source",
  utmSource: "UTM source",
  utmMedium: "UTM medium",
  utmCampaign: "UTM campaign",
  country: "Country",
  device: "Device",
  browser: "Browser",
  os: "Operating system",
  event: "Event",
  hostname: "Hostname",
  goal: "Goal",
};

/** The editor's dimension menu, grouped as the dashboard's panels are. */
export const DIMENSION_GROUPS: { label: string; dimensions: NamedFilterDimension[] }[] = [
  { label: "Pages", dimensions: ["page", "entryPage", "exitPage", "hostname"] },
  { label: "Sources", dimensions: ["source", "utmSource", "utmMedium", "utmCampaign"] },
  { label: "Visitors", dimensions: ["country", "device", "browser", "os"] },
  { label: "Behaviour", dimensions: ["event", "goal"] },
];

const PATH_DIMENSIONS: ReadonlySet<string> = new Set(["page", "entryPage", "exitPage"]);

export function isNamedDimension(dimension: string): dimension is NamedFilterDimension {
  return (FILTER_DIMENSIONS as readonly string[]).includes(dimension);
}

/** The property key of a `prop:<key>` dimension, else null. */
export function propertyOf(dimension: string): string | null {
  return dimension.startsWith(PROP_PREFIX) ? dimension.slice(PROP_PREFIX.length) : null;
}

/** Whether `*` in an is / is not value of this dimension is a wildcard. */
export function takesWildcards(dimension: string, operator: FilterOperator): boolean {
  return PATH_DIMENSIONS.has(dimension) && (operator === "is" || operator === "isNot");
}

/** Whether getBreakdown has this dimension, so its rows can suggest values. */
export function isBreakdownDimension(dimension: string): dimension is Dimension {
  return (DIMENSIONS as readonly string[]).includes(dimension);
}

export function dimensionLabel(dimension: string): string {
  const property = propertyOf(dimension);
  if (property !== null) return `Property ${property}`;
  return isNamedDimension(dimension) ? DIMENSION_LABELS[dimension] : dimension;
}

/** A value as the panels show it: a country code as its flag and name. */
export function formatFilterValue(dimension: string, value: string): string {
  return dimension === "country" ? formatCountry(value) : value;
}

/** "Source is google.com", "Page is /a or /b"; past `maxValues` values, "or N more". */
export function filterLabel(filter: Filter, maxValues = Infinity): string {
  const [operator, dimension, values] = filter;
  const shown = values.slice(0, maxValues).map((v) => formatFilterValue(dimension, v));
  const rest = values.length - shown.length;
  const joined = shown.join(" or ") + (rest > 0 ? ` or ${rest} more` : "");
  return `${dimensionLabel(dimension)} ${OPERATOR_LABELS[operator]} ${joined}`;
}

/** What a click on a breakdown row does, as its title and accessible name say it. */
export function rowFilterLabel(dimension: string, key: string): string {
  return `Filter: ${filterLabel(["is", dimension, [key]])}`;
}

// The query string: one `f` parameter per filter, "operator,dimension,value,value…", with
// "," and "\" in a part escaped by a backslash. Readable in a shared link: ?f=is,source,google.com
const escapePart = (part: string) => part.replace(/[\\,]/g, (c) => `\\${c}`);

function splitParts(text: string): string[] {
  const parts: string[] = [];
  let current = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\\" && i + 1 < text.length) current += text[++i];
    else if (c === ",") {
      parts.push(current);
      current = "";
    } else current += c;
  }
  parts.push(current);
  return parts;
}

export function encodeFilter([operator, dimension, values]: Filter): string {
  return [operator, dimension, ...values].map(escapePart).join(",");
}

/** The filter a parameter spells, or null when it is malformed (the link was edited by hand). */
export function decodeFilter(text: string): Filter | null {
  const [operator, dimension, ...values] = splitParts(text);
  if (!(FILTER_OPERATORS as readonly string[]).includes(operator)) return null;
  if (dimension === undefined || (!isNamedDimension(dimension) && !propertyOf(dimension)))
    return null;
  if (values.length === 0 || values.some((v) => v === "")) return null;
  return [operator as FilterOperator, dimension, values];
}

export const FILTER_PARAM = "f";

export function readFilters(params: URLSearchParams): Filter[] {
  return params
    .getAll(FILTER_PARAM)
    .map(decodeFilter)
    .filter((f): f is Filter => f !== null);
}

export function filtersParam(filters: readonly Filter[]): string[] | null {
  return filters.length > 0 ? filters.map(encodeFilter) : null;
}

/** One string per list of filters, for keys and memo dependencies. */
export function filtersKey(filters: readonly Filter[]): string {
  return JSON.stringify(filters);
}

/** `args` with `filters` when there are any: without, a read is exactly today's (and cached so). */
export function withFilters<T extends object>(
  args: T,
  filters: readonly Filter[] | undefined,
): T & { filters?: Filter[] } {
  return filters && filters.length > 0 ? { ...args, filters: [...filters] } : args;
}

const sameFilter = (a: Filter, b: Filter) =>
  a[0] === b[0] &&
  a[1] === b[1] &&
  a[2].length === b[2].length &&
  a[2].every((v, i) => v === b[2][i]);

/**
 * The filters after a click on a breakdown row: `dimension is value`. An `is` filter on the
 * same dimension is replaced rather than joined (Plausible's rule: a click narrows to that
 * row); unchanged when the filter is already there or the list is full.
 */
export function addRowFilter(
  filters: readonly Filter[],
  dimension: string,
  value: string,
): Filter[] {
  const filter: Filter = ["is", dimension, [value]];
  if (filters.some((f) => sameFilter(f, filter))) return [...filters];
  const same = filters.findIndex(([operator, d]) => operator === "is" && d === dimension);
  if (same >= 0) return filters.map((f, i) => (i === same ? filter : f));
  if (filters.length >= MAX_FILTERS) return [...filters];
  return [...filters, filter];
}

/** `filter` in place of the one at `index`, or appended when `index` is null. */
export function putFilter(
  filters: readonly Filter[],
  index: number | null,
  filter: Filter,
): Filter[] {
  if (index === null || index >= filters.length) return [...filters, filter];
  return filters.map((f, i) => (i === index ? filter : f));
}

export function removeFilter(filters: readonly Filter[], index: number): Filter[] {
  return filters.filter((_, i) => i !== index);
}

/** The index of the filter a server error names ("filters[2] (source): …"), if it names one. */
export function filterErrorIndex(message: string): number | null {
  const match = /\bfilters\[(\d+)\]/.exec(message);
  return match ? Number(match[1]) : null;
}

/** Whether an error message is the server refusing the read's filters. */
export function isFilterError(message: string): boolean {
  return /\bfilters(\[\d+\]|:|\s+must\b)/.test(message);
}

/** What the editor holds while a filter is being written. */
export type FilterDraft = {
  /** A named dimension, or "prop" with the key in `property`. */
  dimension: NamedFilterDimension | "prop";
  property: string;
  operator: FilterOperator;
  values: string[];
};

export function emptyDraft(): FilterDraft {
  return { dimension: "page", property: "", operator: "is", values: [""] };
}

export function draftOf([operator, dimension, values]: Filter): FilterDraft {
  const property = propertyOf(dimension);
  return {
    dimension: property !== null ? "prop" : (dimension as NamedFilterDimension),
    property: property ?? "",
    operator,
    values: values.length > 0 ? [...values] : [""],
  };
}

export type DraftProblems = { property?: string; values?: string; valueIndex?: number };

/**
 * The filter a draft spells (blank values dropped, duplicates once), or what is wrong with it,
 * by field, in words the editor shows: the server's own limits (limits.ts), checked first here.
 */
export function checkDraft(
  draft: FilterDraft,
): { filter: Filter; problems?: undefined } | { filter?: undefined; problems: DraftProblems } {
  const problems: DraftProblems = {};
  let dimension: string = draft.dimension;
  if (draft.dimension === "prop") {
    const key = draft.property.trim();
    if (key === "") problems.property = "Enter the property's name, e.g. plan.";
    else if (key.length > MAX_PROP_KEY_LENGTH)
      problems.property = `A property name has at most ${MAX_PROP_KEY_LENGTH} characters.`;
    // eslint-disable-next-line no-control-regex -- control characters are what it looks for
    else if (/[\u0000-\u001f\u007f-\u009f]/.test(key))
      problems.property = "A property name has no control characters.";
    dimension = PROP_PREFIX + key;
  }
  const values = [...new Set(draft.values.map((v) => v.trim()).filter((v) => v !== ""))];
  const long = draft.values.findIndex((v) => v.trim().length > MAX_FILTER_VALUE_LENGTH);
  if (values.length === 0) problems.values = "Enter at least one value.";
  else if (long >= 0) {
    problems.values = `A value has at most ${MAX_FILTER_VALUE_LENGTH} characters.`;
    problems.valueIndex = long;
  } else if (values.length > MAX_FILTER_VALUES)
    problems.values = `A filter has at most ${MAX_FILTER_VALUES} values.`;
  if (problems.property || problems.values) return { problems };
  return { filter: [draft.operator, dimension, values] };
}
