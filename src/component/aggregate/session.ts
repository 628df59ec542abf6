// Sessionization and what a session contributes to the rollups: the definition of
// "session", "pageview", "bounce", "duration", "source", "entry/exit page" of contract §5.
//
// A session is a set of activities of one (visitorId, sessionId) with no gap longer than
// `sessionTimeoutMs`. Events arrive late and out of order, so the worker never appends to a
// session "in arrival order": it merges intervals. Each stored session is an interval
// [startTs, endTs] plus the facts needed to recompute its figures; a new activity either
// extends one interval, bridges two (they merge), or starts its own. Because every figure
// a session adds to the rollups is a pure function of its state, a change is applied as
// contribution(new) − Σ contribution(old): the result is the same whatever the arrival order.
import type { EventType } from "../lib/types.js";
import {
  MAX_SESSION_EVENT_NAMES,
  MAX_SESSION_PAGEVIEWS,
  MAX_VISIT_EVENT_BYTES,
  MAX_VISIT_EVENTS,
} from "../lib/limits.js";
import {
  ALL,
  RollupDelta,
  type Counters,
  type Granularity,
  type RowRef,
  propertyDimension,
  propertyKey,
  rowId,
  zeroCounters,
  addCounters,
} from "./rollup.js";
import type { Props } from "../ingest/validate.js";
import {
  engagementCounters,
  mergeEngagement,
  pageEngagement,
  type PageEngagement,
} from "../lib/engagement.js";
import { hashId as hashOf } from "../lib/sketch.js";
import { dayBucket, hourBucket, monthBucket } from "../lib/time.js";

export type PageviewRef = { ts: number; path: string };

/** Attribution facts of a session: those of its first pageview (or first activity). */
export type EntryFacts = {
  ts: number;
  path: string;
  isPageview: boolean;
  source: string;
  utmSource?: string;
  utmMedium?: string;
  utmCampaign?: string;
  /** The host of the entry pageview (the `hostname` filter selects visits by it). */
  hostname?: string;
};

/**
 * One custom event of a session, as filters, goals and funnels need it (contract §7): when, which
 * name, and its property values spelled as rollup keys (propertyKey), so that a filter or a
 * goal compares them as the breakdowns show them.
 */
export type CustomEventRef = { ts: number; name: string; props?: Record<string, string> };

/** Client facts of a session: those of its first activity. */
export type ClientFacts = {
  ts: number;
  device: string;
  browser: string;
  os: string;
  country: string;
};

export type SessionState = {
  startTs: number;
  endTs: number;
  /** Every pageview (counted or not), sorted by (ts, path): dedup is decided from these. */
  pageviews: PageviewRef[];
  eventCount: number;
  /** Distinct custom event names, sorted. */
  eventNames: string[];
  entry: EntryFacts;
  client: ClientFacts;
  /**
   * The session's earliest custom events, sorted by (ts, name, props): at most
   * MAX_VISIT_EVENTS of them and MAX_VISIT_EVENT_BYTES of text (boundedEvents), so a session
   * stays small however many events it sends. Fewer than `eventCount` means some were left
   * out: a filtered read counts what is kept.
   */
  customEvents: CustomEventRef[];
  /** Custom events sent as non-interactive: counted, but they don't end a bounce. Absent = 0. */
  quietEvents?: number;
  /** Per page, the maximum scroll depth and the engaged time (lib/engagement.ts). Absent = none. */
  engagement?: PageEngagement[];
};

/** One enriched event as the worker folds it. */
export type Activity = {
  ts: number;
  type: EventType;
  path?: string;
  hostname?: string;
  name?: string;
  props?: Props;
  /** false: a non-interactive custom event (Plausible's `interactive: false`). */
  interactive?: boolean;
  scrollDepth?: number;
  engagedMs?: number;
  source: string;
  utmSource?: string;
  utmMedium?: string;
  utmCampaign?: string;
  device: string;
  browser: string;
  os: string;
  country: string;
};

export type SessionParams = { sessionTimeoutMs: number; pageviewDedupMs: number; timezone: string };

export function stateFromActivity(activity: Activity): SessionState {
  const isPageview = activity.type === "pageview";
  const isEvent = activity.type === "event";
  const entry: EntryFacts = {
    ts: activity.ts,
    path: activity.path ?? "",
    isPageview,
    source: activity.source,
  };
  if (activity.utmSource) entry.utmSource = activity.utmSource;
  if (activity.utmMedium) entry.utmMedium = activity.utmMedium;
  if (activity.utmCampaign) entry.utmCampaign = activity.utmCampaign;
  if (isPageview && activity.hostname) entry.hostname = activity.hostname;
  return {
    startTs: activity.ts,
    endTs: activity.ts,
    pageviews: isPageview ? [{ ts: activity.ts, path: activity.path ?? "/" }] : [],
    eventCount: activity.type === "event" ? 1 : 0,
    eventNames: activity.type === "event" && activity.name ? [activity.name] : [],
    entry,
    client: {
      ts: activity.ts,
      device: activity.device,
      browser: activity.browser,
      os: activity.os,
      country: activity.country,
    },
    customEvents: activity.type === "event" ? [customEventRef(activity)] : [],
    ...(isEvent && activity.interactive === false ? { quietEvents: 1 } : {}),
    ...(activity.type === "engagement"
      ? {
          engagement: [
            pageEngagement(
              activity.path ?? "/",
              activity.scrollDepth ?? 0,
              activity.engagedMs ?? 0,
            ),
          ],
        }
      : {}),
  };
}

function customEventRef(activity: Activity): CustomEventRef {
  const ref: CustomEventRef = { ts: activity.ts, name: activity.name ?? "" };
  const props = Object.entries(activity.props ?? {});
  if (props.length > 0)
    ref.props = Object.fromEntries(props.map(([key, value]) => [key, propertyKey(value)]));
  return ref;
}

const eventOrder = (e: CustomEventRef) => JSON.stringify([e.ts, e.name, e.props ?? {}]);

/**
 * The earliest events of a list, sorted, within MAX_VISIT_EVENTS and MAX_VISIT_EVENT_BYTES.
 * Keeping a prefix of one total order makes merging order-independent: an event kept by the
 * merge of everything is kept by the merge of any part, so late delivery changes nothing.
 */
export function boundedEvents(events: readonly CustomEventRef[]): CustomEventRef[] {
  const sorted = events
    .map((event) => ({ event, order: eventOrder(event) }))
    .sort(
      (a, b) => a.event.ts - b.event.ts || (a.order < b.order ? -1 : a.order > b.order ? 1 : 0),
    );
  const kept: CustomEventRef[] = [];
  let bytes = 0;
  for (const { event, order } of sorted) {
    bytes += order.length;
    if (kept.length >= MAX_VISIT_EVENTS || bytes > MAX_VISIT_EVENT_BYTES) break;
    kept.push(event);
  }
  return kept;
}

function comparePageviews(a: PageviewRef, b: PageviewRef): number {
  return a.ts - b.ts || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
}

// Ties are broken on content, never on arrival order, so late delivery changes nothing.
function earlierEntry(a: EntryFacts, b: EntryFacts): EntryFacts {
  if (a.isPageview !== b.isPageview) return a.isPageview ? a : b;
  if (a.ts !== b.ts) return a.ts < b.ts ? a : b;
  return JSON.stringify(a) <= JSON.stringify(b) ? a : b;
}

function earlierClient(a: ClientFacts, b: ClientFacts): ClientFacts {
  if (a.ts !== b.ts) return a.ts < b.ts ? a : b;
  return JSON.stringify(a) <= JSON.stringify(b) ? a : b;
}

export function mergeStates(a: SessionState, b: SessionState): SessionState {
  return {
    startTs: Math.min(a.startTs, b.startTs),
    endTs: Math.max(a.endTs, b.endTs),
    pageviews: [...a.pageviews, ...b.pageviews].sort(comparePageviews),
    eventCount: a.eventCount + b.eventCount,
    eventNames: [...new Set([...a.eventNames, ...b.eventNames])]
      .sort()
      .slice(0, MAX_SESSION_EVENT_NAMES),
    entry: earlierEntry(a.entry, b.entry),
    client: earlierClient(a.client, b.client),
    customEvents: boundedEvents([...a.customEvents, ...b.customEvents]),
    ...optionalCount("quietEvents", (a.quietEvents ?? 0) + (b.quietEvents ?? 0)),
    ...(a.engagement || b.engagement
      ? { engagement: mergeEngagement(a.engagement ?? [], b.engagement ?? []) }
      : {}),
  };
}

/** A count that sessions without it don't store (absent reads as 0). */
const optionalCount = <K extends string>(key: K, count: number) =>
  (count ? { [key]: count } : {}) as { [P in K]?: number };

/** One block of the sweep: an existing stored session, or a new activity. */
type Block<Id> = { state: SessionState; storedIds: Id[]; isNew: boolean };

export type FoldResult<Id> = {
  /** The merged state. */
  state: SessionState;
  /** Stored sessions folded into it (keep the first, delete the rest); empty = insert. */
  storedIds: Id[];
  /** Their states before the fold, for retracting what they contributed. */
  previous: SessionState[];
};

/**
 * Folds new activities of one (visitorId, sessionId) into the stored sessions that could
 * touch them. Returns only the sessions that changed. Two blocks merge when the gap
 * between them is at most `sessionTimeoutMs` (a longer gap starts a new session) and the
 * merged session stays within MAX_SESSION_PAGEVIEWS (a longer visit continues as a new one).
 */
export function foldSessions<Id>(
  stored: { id: Id; state: SessionState }[],
  activities: Activity[],
  sessionTimeoutMs: number,
): FoldResult<Id>[] {
  const blocks: (Block<Id> & { previous: SessionState[] })[] = [
    ...stored.map((s) => ({
      state: s.state,
      storedIds: [s.id],
      isNew: false,
      previous: [s.state],
    })),
    ...activities.map((a) => ({
      state: stateFromActivity(a),
      storedIds: [] as Id[],
      isNew: true,
      previous: [],
    })),
  ].sort((a, b) => a.state.startTs - b.state.startTs || Number(a.isNew) - Number(b.isNew));

  const results: FoldResult<Id>[] = [];
  let current: (typeof blocks)[number] | undefined;
  const flush = () => {
    if (current?.isNew)
      results.push({
        state: current.state,
        storedIds: current.storedIds,
        previous: current.previous,
      });
  };
  for (const block of blocks) {
    const fits =
      current !== undefined &&
      block.state.startTs - current.state.endTs <= sessionTimeoutMs &&
      current.state.pageviews.length + block.state.pageviews.length <= MAX_SESSION_PAGEVIEWS;
    if (current && fits) {
      current = {
        state: mergeStates(current.state, block.state),
        storedIds: [...current.storedIds, ...block.storedIds],
        isNew: current.isNew || block.isNew,
        previous: [...current.previous, ...block.previous],
      };
    } else {
      flush();
      current = block;
    }
  }
  flush();
  return results;
}

/**
 * contract §5 Pageview: a repeat of the same path within `pageviewDedupMs` of the previous
 * counted view of that path is not counted. 0 counts every view.
 */
export function countedPageviews(
  pageviews: readonly PageviewRef[],
  pageviewDedupMs: number,
): PageviewRef[] {
  const lastCounted = new Map<string, number>();
  const counted: PageviewRef[] = [];
  for (const view of pageviews) {
    const previous = lastCounted.get(view.path);
    if (previous === undefined || view.ts - previous >= pageviewDedupMs) {
      counted.push(view);
      lastCounted.set(view.path, view.ts);
    }
  }
  return counted;
}

/**
 * A session counts once it has a pageview or a custom event; heartbeats and engagement alone
 * don't make a visit.
 */
export function isVisit(state: SessionState): boolean {
  return state.pageviews.length > 0 || state.eventCount > 0;
}

/** The per-session figures of contract §5, as listSessions shows them. */
export function sessionFigures(
  state: Pick<SessionState, "startTs" | "endTs" | "pageviews" | "eventCount" | "quietEvents">,
  pageviewDedupMs: number,
) {
  const counted = countedPageviews(state.pageviews, pageviewDedupMs);
  const hasPageview = state.pageviews.length > 0;
  // A non-interactive event (Plausible's `interactive: false`) doesn't end a bounce.
  const interactiveEvents = state.eventCount - (state.quietEvents ?? 0);
  return {
    pageviews: counted.length,
    bounce: hasPageview && counted.length === 1 && interactiveEvents === 0,
    durationMs: state.endTs - state.startTs,
    hasPageview,
    entryPage: hasPageview ? state.pageviews[0].path : null,
    exitPage: hasPageview ? state.pageviews[state.pageviews.length - 1].path : null,
    counted,
  };
}

/** Session-attribute dimensions: each session is counted once under its value. */
export function sessionAttributes(state: SessionState): [dimension: string, key: string][] {
  const figures = sessionFigures(state, 0);
  const attributes: [string, string][] = [
    ["source", state.entry.source],
    ["country", state.client.country],
    ["device", state.client.device],
    ["browser", state.client.browser],
    ["os", state.client.os],
  ];
  if (figures.entryPage !== null) attributes.push(["entryPage", figures.entryPage]);
  if (figures.exitPage !== null) attributes.push(["exitPage", figures.exitPage]);
  if (state.entry.utmSource) attributes.push(["utmSource", state.entry.utmSource]);
  if (state.entry.utmMedium) attributes.push(["utmMedium", state.entry.utmMedium]);
  if (state.entry.utmCampaign) attributes.push(["utmCampaign", state.entry.utmCampaign]);
  return attributes;
}

/** The rows in which a session counts its visitor under its attributes (its start bucket). */
export function attributeRows(state: SessionState, timezone: string): RowRef[] {
  if (!isVisit(state)) return [];
  return sessionAttributes(state).flatMap(([dimension, key]) =>
    rowsAt(state.startTs, timezone, dimension, key),
  );
}

/** The granularities of rollup rows: compaction and health walk all three. */
export const ROLLUP_GRANULARITIES: readonly Granularity[] = ["hour", "day", "month"];

/**
 * A worker writes hour rows only (a third of the rows per event: docs/write-path.md). Day and month rows
 * are built from them once an hour is closed: compaction folds each closed hour's new shard
 * rows (marked `unfolded`) into the day's and month's merged rows in the same transaction, and
 * reads add the hour rows not folded yet (rollupReads.ts), so every figure is the same as with
 * rows written live. Month rows still let a year-long read touch 12 buckets, not 365 days.
 */
export function rowsAt(ts: number, timezone: string, dimension: string, key: string): RowRef[] {
  return [{ granularity: "hour", bucket: hourBucket(ts, timezone), dimension, key }];
}

const BUCKET_OF: Record<Granularity, (ts: number, timezone: string) => number> = {
  hour: hourBucket,
  day: dayBucket,
  month: monthBucket,
};

/**
 * A row's copies at coarser granularities: where a worker also writes a change to a shard hour
 * row outside compaction's fold (no `unfolded` mark: stored before hour-only writes, or of an
 * hour already closed), whose data is in live day and month rows and must stay in step.
 */
export function coarserRows(row: RowRef, timezone: string): RowRef[] {
  return (["day", "month"] as const).map((granularity) => ({
    ...row,
    granularity,
    bucket: BUCKET_OF[granularity](row.bucket, timezone),
  }));
}

/**
 * Everything a session adds to the rollups, keyed by row id. Session-level figures
 * (sessions, bounces, duration) go to the bucket where the session starts; each counted
 * pageview goes to its own bucket in the whole-site and page rows.
 */
export function sessionContribution(
  state: SessionState,
  params: Omit<SessionParams, "sessionTimeoutMs">,
) {
  const contribution = new Map<string, Counters>();
  if (!isVisit(state)) return contribution;
  const add = (rows: RowRef[], delta: Partial<Counters>) => {
    for (const row of rows) {
      const id = rowId(row);
      addCounters(contribution.get(id) ?? contribution.set(id, zeroCounters()).get(id)!, delta);
    }
  };
  const figures = sessionFigures(state, params.pageviewDedupMs);
  const sessionLevel: Partial<Counters> = {
    sessions: 1,
    bounces: figures.bounce ? 1 : 0,
    pvSessions: figures.hasPageview ? 1 : 0,
    durationMs: figures.hasPageview ? figures.durationMs : 0,
  };
  const at = (dimension: string, key: string, ts = state.startTs) =>
    rowsAt(ts, params.timezone, dimension, key);

  add(at(ALL, ""), sessionLevel);
  for (const [dimension, key] of sessionAttributes(state)) {
    add(at(dimension, key), {
      ...sessionLevel,
      pageviews: figures.pageviews,
      events: state.eventCount,
    });
  }
  for (const view of figures.counted) {
    add(at(ALL, "", view.ts), { pageviews: 1 });
    add(at("page", view.path, view.ts), { pageviews: 1 });
  }
  for (const path of new Set(state.pageviews.map((view) => view.path)))
    add(at("page", path), { sessions: 1 });
  // Engagement: each page's row, and the entry and exit page rows of the visit on that page.
  for (const page of state.engagement ?? []) {
    const counters = engagementCounters(page);
    add(at("page", page.path), counters);
    if (page.path === figures.entryPage) add(at("entryPage", page.path), counters);
    if (page.path === figures.exitPage) add(at("exitPage", page.path), counters);
  }
  for (const name of state.eventNames) add(at("event", name), { sessions: 1 });
  return contribution;
}

/** A stored session with the settings its rollup contribution was computed with. */
export type StoredSession<Id> = {
  id: Id;
  state: SessionState;
  timezone: string;
  pageviewDedupMs: number;
};

export type GroupFold<Id> = {
  /** The sessions to write: see foldSessions. */
  folded: FoldResult<Id>[];
  /** What the change does to the rollups: contribution(new) − Σ contribution(old). */
  delta: RollupDelta;
  /** Attribute rows (row ids) the stored sessions counted the visitor in and the new ones don't. */
  stale: Set<string>;
};

/**
 * Folds new activities of one (visitorId, sessionId) into its stored sessions: the sessions
 * to write and their rollup delta, computed before anything is written so that the worker
 * can measure a batch before committing to it, and apply a group's delta only with its writes.
 */
export function foldGroup<Id>(
  stored: readonly StoredSession<Id>[],
  activities: Activity[],
  visitorHash: number,
  params: SessionParams,
): GroupFold<Id> {
  const delta = new RollupDelta();
  const stale = new Set<string>();
  if (activities.length === 0) return { folded: [], delta, stale };
  const { timezone, pageviewDedupMs, sessionTimeoutMs } = params;
  const folded = foldSessions(
    stored.map((s) => ({ id: s.id, state: s.state })),
    activities,
    sessionTimeoutMs,
  );
  const storedById = new Map(stored.map((s) => [s.id, s]));
  for (const { state, storedIds } of folded) {
    const current = new Set(attributeRows(state, timezone).map(rowId));
    for (const id of storedIds) {
      const old = storedById.get(id)!;
      delta.addAll(sessionContribution(old.state, old), -1);
      for (const row of attributeRows(old.state, old.timezone))
        if (!current.has(rowId(row))) stale.add(rowId(row));
    }
    delta.addAll(sessionContribution(state, { timezone, pageviewDedupMs }), 1);
    for (const row of attributeRows(state, timezone)) delta.addVisitor(row, visitorHash);
  }
  return { folded, delta, stale };
}

/** The facts of an event that its own figures depend on. */
export type EventFacts = {
  type: EventType;
  ts: number;
  visitorId: string;
  path?: string;
  name?: string;
  props?: Props;
  userId?: string;
};

/**
 * Figures that belong to an event itself, not to its session, so never retracted: its visitor
 * in the whole-site and page or event rows, an event's counts under its name and each property
 * value, and an identified user.
 */
export function eventFigures(event: EventFacts, timezone: string): RollupDelta {
  const delta = new RollupDelta();
  const visitorHash = hashOf(event.visitorId);
  const at = (dimension: string, key: string) => rowsAt(event.ts, timezone, dimension, key);
  if (event.type === "identify") {
    if (event.userId !== undefined)
      for (const row of at(ALL, "")) delta.addUser(row, hashOf(event.userId));
    return delta;
  }
  if (event.type !== "pageview" && event.type !== "event") return delta;
  for (const row of at(ALL, "")) delta.addVisitor(row, visitorHash);
  if (event.type === "pageview" && event.path !== undefined) {
    for (const row of at("page", event.path)) delta.addVisitor(row, visitorHash);
    return delta;
  }
  const name = event.name ?? "";
  for (const row of [...at(ALL, ""), ...at("event", name)]) delta.add(row, { events: 1 });
  for (const row of at("event", name)) delta.addVisitor(row, visitorHash);
  for (const [property, value] of Object.entries(event.props ?? {})) {
    for (const row of at(propertyDimension(name, property), propertyKey(value))) {
      delta.add(row, { events: 1 });
      delta.addVisitor(row, visitorHash);
    }
  }
  return delta;
}
