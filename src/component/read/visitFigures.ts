// Filtered figures (contract §7): every number of a filtered read, computed from the range's
// stored sessions ("visits") instead of rollup rows. Pure: visits.ts chooses which sessions
// to read (and samples them); this file defines what the numbers mean.
//
// - Only visits count (isVisit: a pageview or a custom event). A filter selects visits:
//   visitFilter over visitFactOf(session).
// - A visit belongs to the range, and to the timeseries point, of its START, with all its
//   pageviews and events. (Rollups put each pageview in its own hour; under filters the
//   whole visit goes to its start, so a visit across an hour boundary counts in one point.)
// - overview: sessions = matching visits; visitors = distinct visitors among them;
//   pageviews = their counted pageviews (countedPageviews with the site's dedup window) that
//   pass viewFilter: under a page filter only the matching views count, as in Plausible;
//   events = Σ eventCount. bounceRate, avgDurationMs and viewsPerSession are `ratios` of
//   figures.ts over the visits that have a pageview: bounce and duration per sessionFigures
//   (the whole visit's), viewsPerSession with the filtered pageviews.
// - breakdown by a session dimension (source, entryPage, exitPage, utm*, country, device,
//   browser, os): matching visits grouped by their value (a visit without a utm value is in
//   no row, as in rollups); per row distinct visitors, sessions, filtered pageviews, events
//   (eventCount). `page`: one row per path among the counted views that pass viewFilter:
//   pageviews = those views, sessions = matching visits that viewed the path (any view,
//   counted or not, as sessionContribution counts them), visitors = their distinct visitors,
//   events = 0. `event`: one row per event name: events = the kept custom events of that
//   name, sessions = visits that sent it, visitors = their distinct visitors, pageviews = 0;
//   a visit that kept fewer events than it sent (or was stored before sessions kept them)
//   still counts its session under every name it remembers (eventNames), but only the
//   events it kept. Rows sort and cut as breakdownRows: visitors desc (events desc for
//   `event`), ties by key; an all-zero row is not shown.
// - properties(event, property): the matching visits' kept events of that name carrying
//   the property, grouped by its value: events = occurrences, visitors distinct; sorted as
//   propertyRows (events desc, ties by key).
// - goals: over the matching visits, per goal: visitors = distinct visitors with a visit
//   that completes it (visitCompletes); events = total conversions (an event goal: its kept
//   events, with the property value when it has one; a page goal: counted pageviews whose
//   path matches, page filter or not: a goal is its own definition); conversionRate =
//   conversionRate(visitors, the matching visitors). Sorted as goalRows.
// - funnel: a visit reaches step i when, walking its activities in time order, it completes
//   step 1, then step 2 at a time ≥ the time step 1 was reached, and so on, all in the one
//   visit (greedy earliest match, which reaches as far as any other choice: funnelProgress).
//   Page steps look at every pageview (counted or not), event steps at the kept events. Per
//   step: visitors = distinct visitors with a visit that reached it; dropOff = the previous
//   step's visitors − this step's (0 for step 1); conversionRate = visitors / step 1's
//   visitors (step 1: / the matching visitors; 0 when the denominator is 0).
// - sampling: a read over a share `fraction` of the visits scales every count (visitors,
//   sessions, pageviews, events; dropOff from the scaled visitors) to Math.round(count /
//   fraction); ratios are computed from the unscaled counts. With fraction 1 all is exact.
import { ratios } from "./figures.js";
import { viewFilter, visitCompletes, visitFilter, type Filter, type NamedGoal } from "./filters.js";
import { conversionRate, pathMatcher, type GoalDefinition } from "./goals.js";
import { propertyKey, zeroCounters, type Counters } from "../aggregate/rollup.js";
import {
  isVisit,
  sessionFigures,
  type CustomEventRef,
  type PageviewRef,
  type SessionState,
} from "../aggregate/session.js";
import type {
  BreakdownRow,
  Dimension,
  FunnelReport,
  GoalsReport,
  OverviewFigures,
  PropertyRow,
  TimeseriesPoint,
} from "../lib/types.js";
import { visitFactOf, type VisitFact } from "./visitFact.js";
import {
  ENGAGEMENT_DIMENSIONS,
  engagementCounters,
  engagementFigures,
  type EngagementCounters,
  type PageEngagement,
} from "../lib/engagement.js";

/** A stored session with its visitor and the dedup window of the site it was stored under. */
export type VisitRecord = { visitorId: string; state: SessionState; pageviewDedupMs: number };

/** A read's parsed filters and the site's goals (a `goal` filter names them). */
export type FilterContext = { filters: readonly Filter[]; goals: readonly NamedGoal[] };

/** A goal as a report names it. */
export type ReportGoal = { goalId: string; name: string; definition: GoalDefinition };

/** A visit that matched the filters, with what every figure needs computed once. */
type Visit = {
  visitorId: string;
  state: SessionState;
  fact: VisitFact;
  figures: ReturnType<typeof sessionFigures>;
  /** Counted pageviews that pass viewFilter: the visit's pageviews under the filters. */
  views: PageviewRef[];
  /** Distinct viewed paths that pass viewFilter: the `page` rows the visit is a session of. */
  pages: string[];
  /** The visit's engagement on pages that pass viewFilter. */
  engaged: PageEngagement[];
};

function matchingVisits(visits: readonly VisitRecord[], ctx: FilterContext): Visit[] {
  const matches = visitFilter(ctx.filters, ctx.goals);
  const passes = viewFilter(ctx.filters);
  const result: Visit[] = [];
  for (const { visitorId, state, pageviewDedupMs } of visits) {
    if (!isVisit(state)) continue;
    const fact = visitFactOf(state);
    if (!matches(fact)) continue;
    const figures = sessionFigures(state, pageviewDedupMs);
    result.push({
      visitorId,
      state,
      fact,
      figures,
      views: figures.counted.filter((view) => passes(view.path)),
      pages: fact.pages.filter(passes),
      engaged: (state.engagement ?? []).filter((page) => passes(page.path)),
    });
  }
  return result;
}

/** Scales a count of the sample to the whole: Math.round(count / fraction). */
function scaler(fraction: number): (count: number) => number {
  // A caller's bug, not a user's input: fail loudly rather than return figures ×∞ or ×−1.
  if (!(fraction > 0 && fraction <= 1))
    throw new RangeError(`fraction must be in (0, 1], got ${fraction}`);
  return (count) => Math.round(count / fraction);
}

const distinctVisitors = (visits: readonly Visit[]) =>
  new Set(visits.map((visit) => visit.visitorId)).size;

/** The visits' totals as rollup counters, so that `ratios` means here what it means there. */
function totals(visits: readonly Visit[]): Counters {
  const total = zeroCounters();
  for (const { figures, views, state } of visits) {
    total.sessions += 1;
    total.pageviews += views.length;
    total.events += state.eventCount;
    if (!figures.hasPageview) continue;
    total.pvSessions += 1;
    total.durationMs += figures.durationMs;
    if (figures.bounce) total.bounces += 1;
  }
  return total;
}

export function visitsOverview(
  visits: readonly VisitRecord[],
  ctx: FilterContext,
  fraction: number,
): Omit<OverviewFigures, "identifiedUsers"> {
  const scale = scaler(fraction);
  const matched = matchingVisits(visits, ctx);
  const total = totals(matched);
  return {
    pageviews: scale(total.pageviews),
    visitors: scale(distinctVisitors(matched)),
    sessions: scale(total.sessions),
    ...ratios(total),
    events: scale(total.events),
  };
}

/**
 * One point per entry of `points` (bucket starts), in their order; a visit goes to the point
 * pointOf(its start), and a visit whose point is not among `points` to none.
 */
export function visitsTimeseries(
  visits: readonly VisitRecord[],
  ctx: FilterContext,
  fraction: number,
  points: readonly number[],
  pointOf: (ts: number) => number,
): TimeseriesPoint[] {
  const scale = scaler(fraction);
  const byPoint = new Map<number, Visit[]>(points.map((t) => [t, []]));
  for (const visit of matchingVisits(visits, ctx))
    byPoint.get(pointOf(visit.state.startTs))?.push(visit);
  return points.map((t) => {
    const group = byPoint.get(t)!;
    const total = totals(group);
    const { bounceRate, avgDurationMs } = ratios(total);
    return {
      t,
      pageviews: scale(total.pageviews),
      visitors: scale(distinctVisitors(group)),
      sessions: scale(total.sessions),
      bounceRate,
      avgDurationMs,
    };
  });
}

/** One row's figures while counting: visitors as a set until the end. */
type Tally = {
  visitors: Set<string>;
  pageviews: number;
  sessions: number;
  events: number;
  engagement: EngagementCounters;
};

class Tallies {
  readonly rows = new Map<string, Tally>();
  at(key: string): Tally {
    let tally = this.rows.get(key);
    if (!tally) {
      tally = {
        visitors: new Set(),
        pageviews: 0,
        sessions: 0,
        events: 0,
        engagement: { engagedVisits: 0, engagedMs: 0, scrollSum: 0 },
      };
      this.rows.set(key, tally);
    }
    return tally;
  }

  /** A visit's engagement on `page` counts in the row `key` (the page, or an entry/exit row). */
  engage(key: string, page: PageEngagement) {
    const into = this.at(key).engagement;
    const add = engagementCounters(page);
    into.engagedVisits += add.engagedVisits;
    into.engagedMs += add.engagedMs;
    into.scrollSum += add.scrollSum;
  }
}

const byKey = (a: { key: string }, b: { key: string }) =>
  a.key < b.key ? -1 : a.key > b.key ? 1 : 0;

/**
 * Rows as breakdownRows makes them: all-zero rows dropped, sorted on the unscaled figures
 * (scaling by 1 / fraction ≥ 1 then rounding keeps every strict order), cut, then scaled.
 * Engagement figures are averages: not scaled.
 */
function breakdownOf(
  tallies: Tallies,
  sortBy: "visitors" | "events",
  limit: number,
  scale: (count: number) => number,
  withEngagement: boolean,
): BreakdownRow[] {
  const rows: (BreakdownRow & { engagement: EngagementCounters })[] = [];
  for (const [key, tally] of tallies.rows) {
    if (tally.pageviews === 0 && tally.sessions === 0 && tally.events === 0) continue;
    const { pageviews, sessions, events, engagement } = tally;
    rows.push({ key, visitors: tally.visitors.size, pageviews, sessions, events, engagement });
  }
  return rows
    .sort((a, b) => b[sortBy] - a[sortBy] || byKey(a, b))
    .slice(0, limit)
    .map((row) => ({
      key: row.key,
      visitors: scale(row.visitors),
      pageviews: scale(row.pageviews),
      sessions: scale(row.sessions),
      events: scale(row.events),
      ...(withEngagement ? engagementFigures(row.engagement) : {}),
    }));
}

export function visitsBreakdown(
  visits: readonly VisitRecord[],
  ctx: FilterContext,
  fraction: number,
  dimension: Dimension,
  limit: number,
): BreakdownRow[] {
  const scale = scaler(fraction);
  const tallies = new Tallies();
  for (const visit of matchingVisits(visits, ctx)) {
    const { visitorId, fact, state } = visit;
    if (dimension === "page") {
      for (const path of visit.pages) {
        const tally = tallies.at(path);
        tally.sessions += 1;
        tally.visitors.add(visitorId);
      }
      for (const view of visit.views) tallies.at(view.path).pageviews += 1;
      for (const page of visit.engaged) tallies.engage(page.path, page);
    } else if (dimension === "event") {
      for (const name of fact.events) {
        const tally = tallies.at(name);
        tally.sessions += 1;
        tally.visitors.add(visitorId);
      }
      for (const event of state.customEvents) tallies.at(event.name).events += 1;
    } else {
      const key = fact[dimension];
      if (key === undefined || key === null) continue;
      const tally = tallies.at(key);
      tally.visitors.add(visitorId);
      tally.sessions += 1;
      tally.pageviews += visit.views.length;
      tally.events += state.eventCount;
      // The visit's engagement on its entry (exit) page, as sessionContribution counts it.
      if (dimension === "entryPage" || dimension === "exitPage") {
        const page = state.engagement?.find((engaged) => engaged.path === key);
        if (page) tallies.engage(key, page);
      }
    }
  }
  const sortBy = dimension === "event" ? "events" : "visitors";
  return breakdownOf(tallies, sortBy, limit, scale, ENGAGEMENT_DIMENSIONS.has(dimension));
}

/** An own property of an event's values: a key such as "constructor" is no inherited method. */
function propertyOf(event: CustomEventRef, property: string): string | undefined {
  return event.props && Object.hasOwn(event.props, property) ? event.props[property] : undefined;
}

export function visitsProperties(
  visits: readonly VisitRecord[],
  ctx: FilterContext,
  fraction: number,
  eventName: string,
  property: string,
  limit: number,
): PropertyRow[] {
  const scale = scaler(fraction);
  const tallies = new Tallies();
  for (const { visitorId, state } of matchingVisits(visits, ctx))
    for (const event of state.customEvents) {
      const value = event.name === eventName ? propertyOf(event, property) : undefined;
      if (value === undefined) continue;
      const tally = tallies.at(value);
      tally.events += 1;
      tally.visitors.add(visitorId);
    }
  return [...tallies.rows]
    .map(([key, tally]) => ({ key, events: tally.events, visitors: tally.visitors.size }))
    .sort((a, b) => b.events - a.events || byKey(a, b))
    .slice(0, limit)
    .map((row) => ({ key: row.key, events: scale(row.events), visitors: scale(row.visitors) }));
}

/** Which kept custom events are conversions of an event goal: its name, and its property value if it has one. */
function eventConverts(
  goal: Extract<GoalDefinition, { kind: "event" }>,
): (event: CustomEventRef) => boolean {
  if (goal.property === undefined) return (event) => event.name === goal.eventName;
  const property = goal.property;
  const value = propertyKey(goal.value ?? null);
  return (event) => event.name === goal.eventName && propertyOf(event, property) === value;
}

/** A goal's total conversions in one visit: kept events, or counted pageviews of a matching path. */
function conversionCounter(goal: GoalDefinition): (visit: Visit) => number {
  if (goal.kind === "page") {
    const matches = pathMatcher(goal.pathPattern);
    return (visit) => visit.figures.counted.filter((view) => matches(view.path)).length;
  }
  const converts = eventConverts(goal);
  return (visit) => visit.state.customEvents.filter(converts).length;
}

export function visitsGoals(
  visits: readonly VisitRecord[],
  ctx: FilterContext,
  fraction: number,
  goals: readonly ReportGoal[],
): { visitors: number; goals: GoalsReport["goals"] } {
  const scale = scaler(fraction);
  const matched = matchingVisits(visits, ctx);
  const rangeVisitors = distinctVisitors(matched);
  const rows = goals.map(({ goalId, name, definition }) => {
    const conversions = conversionCounter(definition);
    const converted = new Set<string>();
    let events = 0;
    for (const visit of matched) {
      if (visitCompletes(visit.fact, definition)) converted.add(visit.visitorId);
      events += conversions(visit);
    }
    return { goalId, name, visitors: converted.size, events };
  });
  return {
    visitors: scale(rangeVisitors),
    goals: rows
      .sort((a, b) => b.visitors - a.visitors || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((row) => ({
        goalId: row.goalId,
        name: row.name,
        visitors: scale(row.visitors),
        events: scale(row.events),
        conversionRate: conversionRate(row.visitors, rangeVisitors),
      })),
  };
}

/** The earliest time ≥ `from` at which a visit does what a step converts on, or null. */
function stepFinder(step: GoalDefinition): (state: SessionState, from: number) => number | null {
  if (step.kind === "page") {
    const matches = pathMatcher(step.pathPattern);
    // Every view, counted or not: a repeat of a page is still the visitor being there.
    return (state, from) =>
      state.pageviews.find((view) => view.ts >= from && matches(view.path))?.ts ?? null;
  }
  const converts = eventConverts(step);
  return (state, from) =>
    state.customEvents.find((event) => event.ts >= from && converts(event))?.ts ?? null;
}

/**
 * How many steps of a funnel one visit reaches in order, compiled once for many visits. Each
 * step takes its earliest occurrence at or after the time the previous step was reached: an
 * earliest choice leaves the most room for the steps after it, so no other choice reaches
 * further. Pageviews and custom events are sorted by time in a session, so "earliest" is the
 * first found.
 */
export function funnelProgress(steps: readonly GoalDefinition[]): (state: SessionState) => number {
  const finders = steps.map(stepFinder);
  return (state) => {
    let at = -Infinity;
    for (let i = 0; i < finders.length; i++) {
      const found = finders[i](state, at);
      if (found === null) return i;
      at = found;
    }
    return finders.length;
  };
}

export function visitsFunnel(
  visits: readonly VisitRecord[],
  ctx: FilterContext,
  fraction: number,
  steps: readonly ReportGoal[],
): { visitors: number; steps: FunnelReport["steps"] } {
  const scale = scaler(fraction);
  const matched = matchingVisits(visits, ctx);
  const progress = funnelProgress(steps.map((step) => step.definition));
  const reached = steps.map(() => new Set<string>());
  for (const visit of matched) {
    const count = progress(visit.state);
    for (let i = 0; i < count; i++) reached[i].add(visit.visitorId);
  }
  const rangeVisitors = distinctVisitors(matched);
  const rate = (count: number, of: number) => (of > 0 ? count / of : 0);
  const scaled = reached.map((visitors) => scale(visitors.size));
  return {
    visitors: scale(rangeVisitors),
    steps: steps.map(({ goalId, name }, i) => ({
      goalId,
      name,
      visitors: scaled[i],
      dropOff: i === 0 ? 0 : scaled[i - 1] - scaled[i],
      conversionRate: rate(reached[i].size, i === 0 ? rangeVisitors : reached[0].size),
    })),
  };
}
