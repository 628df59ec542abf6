// One visit's compact facts: everything a filter (read/filters.ts) or a goal needs to decide
// whether the visit matches, and nothing more. A fact is derived from a stored session
// (aggregate/session.ts), never stored: the session is the one record of a visit, so a fact can't
// disagree with the figures the same session gives the rollups.
//
// Its lists are as complete as the session: pageviews are all kept (a session past
// MAX_SESSION_PAGEVIEWS continues as a new one), custom events are the earliest ones within
// MAX_VISIT_EVENTS and MAX_VISIT_EVENT_BYTES (boundedEvents). A session that left events out
// says so in `truncated`: a match on what was left out is missed.
import type { SessionState } from "../aggregate/session.js";

/** One property value a custom event of the visit carried, spelled as rollup keys are. */
export type VisitProp = { event: string; key: string; value: string };

export type VisitFact = {
  /** The session's first and last pageview paths (as sessionFigures); null for a visit of events only. */
  entryPage: string | null;
  exitPage: string | null;
  /** Session-level attributes, as the session breakdowns count them (contract §5). */
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
  /** Distinct paths viewed, in the order first viewed. */
  pages: string[];
  /** Distinct custom event names sent: those of the kept events first (in order sent), then the rest of the session's names. */
  events: string[];
  /**
   * Distinct (event, property, value) triples of the kept events: an event goal with a
   * property value needs the value on an event of that name, not anywhere in the visit.
   */
  props: VisitProp[];
  /** True when the session kept fewer custom events than it counted. */
  truncated: boolean;
};

/** The facts of a stored session. */
export function visitFactOf(state: SessionState): VisitFact {
  const { entry, client, pageviews, customEvents } = state;
  const hasPageview = pageviews.length > 0;
  const fact: VisitFact = {
    entryPage: hasPageview ? pageviews[0].path : null,
    exitPage: hasPageview ? pageviews[pageviews.length - 1].path : null,
    source: entry.source,
    country: client.country,
    device: client.device,
    browser: client.browser,
    os: client.os,
    pages: [...new Set(pageviews.map((view) => view.path))],
    // eventNames (bounded by MAX_SESSION_EVENT_NAMES) still names events that customEvents
    // left out, and is all a session stored before customEvents existed has.
    events: [...new Set([...customEvents.map((event) => event.name), ...state.eventNames])],
    props: distinctProps(state),
    truncated: customEvents.length < state.eventCount,
  };
  // Absent, not undefined: a fact compares equal to one built with the same fields.
  if (entry.utmSource) fact.utmSource = entry.utmSource;
  if (entry.utmMedium) fact.utmMedium = entry.utmMedium;
  if (entry.utmCampaign) fact.utmCampaign = entry.utmCampaign;
  if (entry.hostname) fact.hostname = entry.hostname;
  return fact;
}

function distinctProps(state: SessionState): VisitProp[] {
  const seen = new Set<string>();
  const props: VisitProp[] = [];
  for (const { name, props: values } of state.customEvents)
    for (const [key, value] of Object.entries(values ?? {})) {
      // JSON keeps the three parts apart whatever characters they hold.
      const id = JSON.stringify([name, key, value]);
      if (seen.has(id)) continue;
      seen.add(id);
      props.push({ event: name, key, value });
    }
  return props;
}
