// One visit's compact facts: everything a filter (lib/filters.ts) or a goal needs to decide
// whether the visit matches, and nothing more. Filtered reads (SPEC §7) select visits by
// these instead of reading raw events; the storage that keeps one per visit is issue 13's.
// Lists are bounded (limits.ts) so a fact stays small however long the visit: a visit that
// had more keeps the first ones and says so in `truncated`.
import { MAX_VISIT_EVENT_NAMES, MAX_VISIT_PAGES, MAX_VISIT_PROPS } from "./limits.js";
import { propertyKey } from "./rollup.js";
import type { Props } from "./validate.js";

/** One property value a custom event of the visit carried, spelled as rollup keys are. */
export type VisitProp = { event: string; key: string; value: string };

export type VisitFact = {
  /** The session's first and last counted pageview paths; null for a visit of events only. */
  entryPage: string | null;
  exitPage: string | null;
  /** Session-level attributes, as the session breakdowns count them (SPEC §5). */
  source: string;
  utmSource?: string;
  utmMedium?: string;
  utmCampaign?: string;
  country: string;
  device: string;
  browser: string;
  os: string;
  /** The host of the visit's first pageview. */
  hostname?: string;
  /** Distinct paths viewed, in the order first viewed (≤ MAX_VISIT_PAGES). */
  pages: string[];
  /** Distinct custom event names sent (≤ MAX_VISIT_EVENT_NAMES). */
  events: string[];
  /**
   * Distinct (event, property, value) triples: an event goal with a property value needs the
   * value on an event of that name, not anywhere in the visit (≤ MAX_VISIT_PROPS).
   */
  props: VisitProp[];
  /** True once a list dropped something: a match on what was dropped is missed. */
  truncated: boolean;
};

/** The session-level part of a fact, known from the session alone. */
export type VisitAttributes = Omit<VisitFact, "pages" | "events" | "props" | "truncated">;

/** What a visit did that its fact lists: a pageview's path, a custom event and its props. */
export type VisitActivity =
  { type: "pageview"; path: string } | { type: "event"; name: string; props?: Props };

/** Adds `item` unless present; past `max` items it is dropped and the fact marked truncated. */
function addBounded<T>(
  fact: VisitFact,
  list: T[],
  item: T,
  same: (a: T) => boolean,
  max: number,
): T[] {
  if (list.some(same)) return list;
  if (list.length >= max) {
    fact.truncated = true;
    return list;
  }
  return [...list, item];
}

/** The fact with one more activity folded in; the input is not changed. */
export function withActivity(fact: VisitFact, activity: VisitActivity): VisitFact {
  const next: VisitFact = { ...fact };
  if (activity.type === "pageview") {
    const path = activity.path;
    next.pages = addBounded(next, next.pages, path, (p) => p === path, MAX_VISIT_PAGES);
    return next;
  }
  const name = activity.name;
  next.events = addBounded(next, next.events, name, (e) => e === name, MAX_VISIT_EVENT_NAMES);
  for (const [key, raw] of Object.entries(activity.props ?? {})) {
    const prop = { event: name, key, value: propertyKey(raw) };
    next.props = addBounded(
      next,
      next.props,
      prop,
      (p) => p.event === prop.event && p.key === prop.key && p.value === prop.value,
      MAX_VISIT_PROPS,
    );
  }
  return next;
}

/** A visit's fact from its session attributes and its activities, in order. */
export function visitFact(
  attributes: VisitAttributes,
  activities: readonly VisitActivity[],
): VisitFact {
  return activities.reduce(withActivity, {
    ...attributes,
    pages: [],
    events: [],
    props: [],
    truncated: false,
  });
}
