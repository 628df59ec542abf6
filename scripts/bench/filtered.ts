// Filtered reads (contract §7): what a filtered 30-day dashboard reads, next to the same
// dashboard unfiltered, at 10,000 and 100,000 visits in the range; and how far the sampled
// figures a filtered read returns past MAX_VISITS_PER_READ sessions are from the exact ones.
//
// A filtered read reads the range's stored sessions (src/component/read/visits.ts readVisits):
// all of them up to MAX_VISITS_PER_READ / MAX_VISIT_BYTES_PER_READ (halved for each side of a
// comparison), beyond that whole visitor strata (read/sample.ts), figures scaled by 1/fraction.
// So its documents must stay ≈ constant past the budget, whatever the traffic.
//
// Seeding. Folding 200,000 visits through ingest and the workers would take many minutes, so
// the sites are written directly: every visit is folded by the worker's own fold
// (aggregate/session.ts foldSessions) and its session stored as the worker stores it (with its
// sampling stratum); the rollup rows the reads use are summed from the same contributions
// (sessionContribution and eventFigures at day granularity, checked row for row against the
// worker's foldGroup + eventFigures on CROSS_CHECKED_VISITS visits) and stored as compaction
// leaves them: one row per (day, dimension, key), partition COMPACTED_PARTITION, the state of
// a range of closed days on a live deployment. Only day rows are written: every range read
// here is whole UTC days with no whole month inside (checked), so no read touches an hour or
// month row. Raw events and visitor rows are not written: no dashboard read reads them.
//
// Traffic (deterministic, seeded): visitors with 1–3 visits inside one 30-day window, each
// visit 1–6 pageviews 15 s to 4 min apart over 36 paths (Zipf), ~40 % from google.com and
// the rest from a few other sources, a visitor's country and device fixed, ~5 % of visits
// end with a `signup` event. The 30 days before the range hold as many visits: the compare
// side of the overview reads them.
import { api } from "../../src/component/_generated/api.js";
import type { Doc } from "../../src/component/_generated/dataModel.js";
import { COMPACTED_PARTITION } from "../../src/component/maintenance/compaction.js";
import { parseFilters } from "../../src/component/read/filters.js";
import {
  DAY_MS,
  HOUR_MS,
  MAX_BREAKDOWN_LIMIT,
  MAX_VISIT_BYTES_PER_READ,
  MAX_VISITS_PER_READ,
  MINUTE_MS,
  SAMPLE_STRATA,
} from "../../src/component/lib/limits.js";
import { partitionOf } from "../../src/component/ingest/pipeline.js";
import {
  ALL,
  isZero,
  parseRowId,
  propertyDimension,
  propertyKey,
  zeroCounters,
  type Counters,
} from "../../src/component/aggregate/rollup.js";
import { sampleOf } from "../../src/component/read/sample.js";
import {
  eventFigures,
  foldGroup,
  foldSessions,
  isVisit,
  sessionAttributes,
  sessionFigures,
  type Activity,
  type SessionState,
} from "../../src/component/aggregate/session.js";
import { emptySketch, hashId, sketchAdd } from "../../src/component/lib/sketch.js";
import { coverRange, dayBucket } from "../../src/component/lib/time.js";
import type { Dimension } from "../../src/component/lib/types.js";
import {
  visitsBreakdown,
  visitsOverview,
  visitsTimeseries,
  type FilterContext,
  type VisitRecord,
} from "../../src/component/read/visitFigures.js";
import { sessionState } from "../../src/component/read/visits.js";
import {
  createComponentBackend,
  createSite,
  measure,
  round,
  type ComponentBackend,
} from "../../harness/component.js";
import { rangeEnd } from "./scale.js";
import { rng } from "./workload.js";
import { kib, mib, num, pct } from "./numbers.js";

/** Visits in the 30-day range (BENCH_FILTERED_VOLUMES=a,b overrides them, for a quick run). */
export const FILTERED_VOLUMES = process.env.BENCH_FILTERED_VOLUMES?.split(",").map(Number) ?? [
  10_000, 100_000,
];
/** The dashboard's filter: the largest source, ~40 % of visits. */
export const FILTER = [["is", "source", ["google.com"]]] as const;
/** The dashboard's breakdowns. */
export const FILTERED_DIMENSIONS = ["page", "source", "country", "device", "event"] as const;
/** Figures compared are those whose exact visitors are above this (where the sketch's error is measured: contract §5). */
export const ERROR_MIN_VISITORS = 1_000;
/** The target for those figures' p95 relative error. */
export const ERROR_TARGET_P95 = 0.05;
const RANGE_DAYS = 30;
/** Sessions written per t.run, and read back per t.run for the exact figures. */
const WRITE_BATCH = 2_000;
const ROLLUP_BATCH = 500;

// ------------------------------------------------------------------------------ traffic

const PATHS = [
  "/",
  "/pricing",
  "/docs",
  "/blog",
  "/docs/install",
  "/docs/quickstart",
  "/about",
  "/blog/launch",
  "/changelog",
  "/signup",
  "/login",
  "/docs/api",
  "/docs/filters",
  "/docs/goals",
  "/docs/funnels",
  "/docs/self-hosting",
  "/blog/privacy",
  "/blog/convex-components",
  "/blog/sampling",
  "/blog/year-one",
  "/integrations",
  "/integrations/next",
  "/integrations/remix",
  "/customers",
  "/customers/acme",
  "/security",
  "/terms",
  "/privacy",
  "/contact",
  "/careers",
  "/status",
  "/compare/plausible",
  "/compare/ga",
  "/docs/tracker",
  "/docs/dashboard",
  "/roadmap",
];
/** [source, weight]: google.com ~40 %. */
const SOURCES: [string, number][] = [
  ["google.com", 40],
  ["Direct / None", 25],
  ["news.ycombinator.com", 9],
  ["github.com", 8],
  ["twitter.com", 6],
  ["bing.com", 4],
  ["duckduckgo.com", 3],
  ["reddit.com", 3],
  ["linkedin.com", 2],
];
const COUNTRIES: [string, number][] = [
  ["US", 30],
  ["DE", 10],
  ["GB", 9],
  ["FR", 7],
  ["IN", 7],
  ["CA", 5],
  ["NL", 4],
  ["BR", 4],
  ["JP", 4],
  ["ES", 3],
  ["SE", 3],
  ["PL", 3],
  ["AU", 3],
  ["IT", 3],
  ["Unknown", 5],
];
/** [device, browser, os, weight]. */
const CLIENTS: [string, string, string, number][] = [
  ["Desktop", "Chrome", "Mac OS", 24],
  ["Desktop", "Chrome", "Windows", 20],
  ["Mobile", "Mobile Safari", "iOS", 18],
  ["Mobile", "Chrome", "Android", 12],
  ["Desktop", "Safari", "Mac OS", 9],
  ["Desktop", "Firefox", "Windows", 6],
  ["Desktop", "Edge", "Windows", 6],
  ["Tablet", "Mobile Safari", "iOS", 3],
  ["Desktop", "Firefox", "Linux", 2],
];
/** Visits a visitor makes: 1 (60 %), 2 (25 %), 3 (15 %). */
const VISITS_PER_VISITOR: [number, number][] = [
  [1, 60],
  [2, 25],
  [3, 15],
];
/** Pageviews of a visit: 1 to 6. */
const PAGEVIEWS_PER_VISIT: [number, number][] = [
  [1, 38],
  [2, 22],
  [3, 15],
  [4, 11],
  [5, 8],
  [6, 6],
];
/** Share of visits that end with a signup. */
const SIGNUP_SHARE = 0.05;
/** Weight of each UTC hour of the day (a visit starts in it): low at night, peaks by day. */
const HOUR_WEIGHTS = Array.from(
  { length: 24 },
  (_, h) => 1 + 4 * Math.max(0, Math.sin(((h - 6) / 16) * Math.PI)),
);

function weighted<T>(random: () => number, items: [T, number][]): () => T {
  const total = items.reduce((sum, [, w]) => sum + w, 0);
  return () => {
    let x = random() * total;
    for (const [item, w] of items) if ((x -= w) < 0) return item;
    return items[items.length - 1]![0];
  };
}

/** One visit as the worker would receive it: its visitor, session id and enriched activities. */
type GeneratedVisit = { visitorId: string; sessionId: string; activities: Activity[] };

/** `visits` visits that start in [from, from + RANGE_DAYS days), by visitors of `prefix`. */
function generateVisits(visits: number, from: number, prefix: string, seed: number) {
  const random = rng(seed);
  const path = weighted(
    random,
    PATHS.map((p, i) => [p, 1 / (i + 1)]),
  );
  const source = weighted(random, SOURCES);
  const country = weighted(random, COUNTRIES);
  const client = weighted(
    random,
    CLIENTS.map(([d, b, o, w]) => [[d, b, o] as const, w]),
  );
  const visitCount = weighted(random, VISITS_PER_VISITOR);
  const pageviews = weighted(random, PAGEVIEWS_PER_VISIT);
  const hour = weighted(
    random,
    HOUR_WEIGHTS.map((w, h) => [h, w]),
  );
  const out: GeneratedVisit[] = [];
  for (let v = 0; out.length < visits; v++) {
    const visitorId = `${prefix}${v}`;
    const [device, browser, os] = client();
    const visitorCountry = country();
    const days = new Set<number>();
    const count = Math.min(visitCount(), visits - out.length);
    for (let k = 0; k < count; k++) {
      // Different days, so a visitor's visits are separate sessions.
      let day = Math.floor(random() * RANGE_DAYS);
      while (days.has(day)) day = Math.floor(random() * RANGE_DAYS);
      days.add(day);
      let ts =
        from +
        day * DAY_MS +
        hour() * HOUR_MS +
        Math.floor(random() * (HOUR_MS - 30 * MINUTE_MS)) +
        (out.length % 1000); // distinct start times
      const base = {
        source: source(),
        device,
        browser,
        os,
        country: visitorCountry,
        hostname: "example.com",
      };
      const utm =
        base.source === "Direct / None" && random() < 0.2
          ? { utmSource: "newsletter", utmMedium: "email", utmCampaign: "june" }
          : {};
      const activities: Activity[] = [];
      const n = pageviews();
      for (let i = 0; i < n; i++) {
        activities.push({ ts, type: "pageview", path: path(), ...base, ...utm });
        ts += 15_000 + Math.floor(random() * 4 * MINUTE_MS);
      }
      if (random() < SIGNUP_SHARE) {
        activities.push({
          ts,
          type: "event",
          path: "/signup",
          name: "signup",
          props: { plan: random() < 0.8 ? "free" : "pro" },
          ...base,
          ...utm,
        });
      }
      out.push({ visitorId, sessionId: `${visitorId}-${k}`, activities });
    }
  }
  return out;
}

// ------------------------------------------------------------------------------ seeding

type RowAcc = { counters: Counters; visitors: Set<number> };
type Settings = { timezone: string; pageviewDedupMs: number; sessionTimeoutMs: number };
/** Visits of each site whose day rows are checked against the worker's own (foldGroup + eventFigures). */
const CROSS_CHECKED_VISITS = 500;

/** A row's key in the accumulator: cheaper than aggregate/rollup's rowId (JSON), which the check maps to. */
const dayRowKey = (bucket: number, dimension: string, key: string) =>
  `${bucket}\u0000${dimension}\u0000${key}`;
const dayRowRef = (id: string) => {
  const [bucket, dimension, key] = id.split("\u0000");
  return { granularity: "day" as const, bucket: Number(bucket), dimension: dimension!, key: key! };
};

/**
 * What one visit adds to the day rollup rows: aggregate/session.ts sessionContribution and the
 * visitors foldGroup adds (session-level figures in its start day, each counted pageview in
 * its own day), plus eventFigures for each of its activities, at day granularity only. The
 * worker's functions compute every granularity through JSON row ids (~0.3 ms a visit: over a
 * minute for this section's visits); CROSS_CHECKED_VISITS visits a site are checked against them.
 */
function addDayContribution(
  rows: Map<string, RowAcc>,
  visitorId: string,
  state: SessionState,
  activities: readonly Activity[],
  settings: Settings,
) {
  const day = (ts: number) => dayBucket(ts, settings.timezone);
  const at = (ts: number, dimension: string, key: string) => {
    const id = dayRowKey(day(ts), dimension, key);
    let row = rows.get(id);
    if (!row) rows.set(id, (row = { counters: zeroCounters(), visitors: new Set() }));
    return row;
  };
  const add = (row: RowAcc, delta: Partial<Counters>) => {
    for (const field of Object.keys(delta) as (keyof Counters)[])
      row.counters[field] += delta[field]!;
  };
  if (!isVisit(state)) return;
  const visitorHash = hashId(visitorId);
  const figures = sessionFigures(state, settings.pageviewDedupMs);
  const sessionLevel = {
    sessions: 1,
    bounces: figures.bounce ? 1 : 0,
    pvSessions: figures.hasPageview ? 1 : 0,
    durationMs: figures.hasPageview ? figures.durationMs : 0,
  };
  add(at(state.startTs, ALL, ""), sessionLevel);
  for (const [dimension, key] of sessionAttributes(state)) {
    const row = at(state.startTs, dimension, key);
    add(row, { ...sessionLevel, pageviews: figures.pageviews, events: state.eventCount });
    row.visitors.add(visitorHash);
  }
  for (const view of figures.counted) {
    add(at(view.ts, ALL, ""), { pageviews: 1 });
    add(at(view.ts, "page", view.path), { pageviews: 1 });
  }
  for (const path of new Set(state.pageviews.map((view) => view.path)))
    add(at(state.startTs, "page", path), { sessions: 1 });
  for (const name of state.eventNames) add(at(state.startTs, "event", name), { sessions: 1 });
  // eventFigures: the event's own visitor and counts, never retracted.
  for (const activity of activities) {
    if (activity.type !== "pageview" && activity.type !== "event") continue;
    at(activity.ts, ALL, "").visitors.add(visitorHash);
    if (activity.type === "pageview" && activity.path !== undefined) {
      at(activity.ts, "page", activity.path).visitors.add(visitorHash);
      continue;
    }
    const name = activity.name ?? "";
    add(at(activity.ts, ALL, ""), { events: 1 });
    const eventRow = at(activity.ts, "event", name);
    add(eventRow, { events: 1 });
    eventRow.visitors.add(visitorHash);
    for (const [property, value] of Object.entries(activity.props ?? {})) {
      const row = at(activity.ts, propertyDimension(name, property), propertyKey(value));
      add(row, { events: 1 });
      row.visitors.add(visitorHash);
    }
  }
}

/** The worker's own day rows of some visits (foldGroup, eventFigures), keyed as dayRowKey. */
function workerDayRows(
  visits: readonly { visit: GeneratedVisit; state: SessionState }[],
  settings: Settings,
) {
  const rows = new Map<string, RowAcc>();
  for (const { visit } of visits) {
    const { delta } = foldGroup([], visit.activities, hashId(visit.visitorId), settings);
    for (const d of [
      delta,
      ...visit.activities.map((a) =>
        eventFigures({ ...a, visitorId: visit.visitorId }, settings.timezone),
      ),
    ]) {
      // The worker writes hour rows; a day row is what compaction folds from them: their sum.
      const acc = (id: string) => {
        const ref = parseRowId(id);
        const key = dayRowKey(dayBucket(ref.bucket, settings.timezone), ref.dimension, ref.key);
        let row = rows.get(key);
        if (!row) rows.set(key, (row = { counters: zeroCounters(), visitors: new Set() }));
        return row;
      };
      for (const [id, counters] of d.counters) {
        if (parseRowId(id).granularity !== "hour" || isZero(counters)) continue;
        const into = acc(id).counters;
        for (const key of Object.keys(counters) as (keyof Counters)[]) into[key] += counters[key];
      }
      for (const [id, hashes] of d.visitors) {
        if (parseRowId(id).granularity !== "hour") continue;
        for (const hash of hashes) acc(id).visitors.add(hash);
      }
    }
  }
  return rows;
}

/** Throws unless the day rows of `visits` computed here are the worker's, row for row. */
function crossCheck(
  visits: readonly { visit: GeneratedVisit; state: SessionState }[],
  settings: Settings,
) {
  const ours = new Map<string, RowAcc>();
  for (const { visit, state } of visits)
    addDayContribution(ours, visit.visitorId, state, visit.activities, settings);
  const theirs = workerDayRows(visits, settings);
  const describe = (row: RowAcc | undefined) =>
    row ? JSON.stringify({ ...row.counters, visitors: [...row.visitors].sort() }) : "none";
  for (const id of new Set([...ours.keys(), ...theirs.keys()])) {
    const a = describe(ours.get(id));
    const b = describe(theirs.get(id));
    if (a !== b)
      throw new Error(`seeded row ${JSON.stringify(dayRowRef(id))} is ${a}, the worker's is ${b}`);
  }
  return theirs.size;
}

/**
 * The visits folded as the worker folds them (aggregate/session.ts foldSessions: one session each),
 * their day rollup rows added to `rows`.
 */
function foldVisits(visits: GeneratedVisit[], settings: Settings, rows: Map<string, RowAcc>) {
  const states: { visit: GeneratedVisit; state: SessionState }[] = [];
  for (const visit of visits) {
    const folded = foldSessions([], visit.activities, settings.sessionTimeoutMs);
    if (folded.length !== 1)
      throw new Error(`visit ${visit.sessionId} folded into ${folded.length} sessions`);
    const state = folded[0]!.state;
    states.push({ visit, state });
    addDayContribution(rows, visit.visitorId, state, visit.activities, settings);
  }
  return states;
}

async function siteDoc(t: ComponentBackend, siteId: string) {
  return (await t.run(async (ctx) => await ctx.db.get("sites", siteId as never))) as Doc<"sites">;
}

/** Writes a site's sessions and day rollup rows, as the worker and compaction leave them. */
async function seedSite(t: ComponentBackend, siteId: string, visits: number, end: number) {
  const site = await siteDoc(t, siteId);
  const settings: Settings = {
    timezone: site.timezone,
    pageviewDedupMs: site.settings.pageviewDedupMs,
    sessionTimeoutMs: site.settings.sessionTimeoutMs,
  };
  const lap = (() => {
    let last = performance.now();
    return () => {
      const now = performance.now();
      const ms = round(now - last);
      last = now;
      return ms;
    };
  })();
  const from = end - RANGE_DAYS * DAY_MS;
  const rows = new Map<string, RowAcc>();
  const current = foldVisits(generateVisits(visits, from, `fv${visits}-`, 11), settings, rows);
  const previous = foldVisits(
    generateVisits(visits, from - RANGE_DAYS * DAY_MS, `fp${visits}-`, 12),
    settings,
    rows,
  );
  const checkedRows = crossCheck(current.slice(0, CROSS_CHECKED_VISITS), settings);
  const foldMs = lap();
  const sessions = [...previous, ...current];
  for (let i = 0; i < sessions.length; i += WRITE_BATCH) {
    const batch = sessions.slice(i, i + WRITE_BATCH);
    await t.run(async (ctx) => {
      for (const { visit, state } of batch) {
        await ctx.db.insert("sessions", {
          siteId: site._id,
          partition: partitionOf(visit.visitorId),
          visitorId: visit.visitorId,
          sessionId: visit.sessionId,
          ...state,
          timezone: settings.timezone,
          pageviewDedupMs: settings.pageviewDedupMs,
          sample: sampleOf(visit.visitorId),
        });
      }
    });
  }
  const sessionsMs = lap();
  const rowDocs = [...rows].map(([id, row]) => ({
    siteId: site._id,
    ...dayRowRef(id),
    partition: COMPACTED_PARTITION,
    ...row.counters,
    visitors: sketchAdd(emptySketch(), [...row.visitors]),
  }));
  for (let i = 0; i < rowDocs.length; i += ROLLUP_BATCH) {
    const batch = rowDocs.slice(i, i + ROLLUP_BATCH);
    await t.run(async (ctx) => {
      for (const doc of batch) await ctx.db.insert("rollups", doc);
    });
  }
  const rollupsMs = lap();
  const count = (list: typeof current) => ({
    visits: list.length,
    visitors: new Set(list.map((s) => s.visit.visitorId)).size,
  });
  return {
    current: count(current),
    previous: count(previous),
    sessions: sessions.length,
    rollupRows: rowDocs.length,
    /** Day rows of the first CROSS_CHECKED_VISITS visits found equal to the worker's own. */
    crossCheckedRows: checkedRows,
    ms: { fold: foldMs, sessions: sessionsMs, rollups: rollupsMs },
  };
}

// ------------------------------------------------------------------------------ reads

type Fraction = { fraction: number };
type ReadCost = { documentsRead: number; bytesRead: number; indexRanges: number; ms: number };
type DashboardRead = ReadCost & { read: string; fraction?: number };

/** Every read of a 30-day dashboard load, metered one by one; with `filters`, their results too. */
async function dashboard(
  t: ComponentBackend,
  siteId: string,
  from: number,
  to: number,
  filters?: typeof FILTER,
) {
  const f = filters ? { filters: filters as unknown as [string, string, string[]][] } : {};
  const reads: DashboardRead[] = [];
  const results: Record<string, unknown> = {};
  const run = async <T>(read: string, body: Parameters<typeof measure<T>>[1]) => {
    const { result, cost, ms } = await measure(t, body);
    const sample = (result as { sample?: Fraction }).sample;
    reads.push({
      read,
      documentsRead: cost.documentsRead,
      bytesRead: cost.bytesRead,
      indexRanges: cost.indexRanges,
      ms: round(ms),
      ...(sample ? { fraction: sample.fraction } : {}),
    });
    results[read] = result;
    return result;
  };
  await run("overview (compare)", (ctx) =>
    ctx.runQuery(api.reports.getOverview, { siteId, from, to, compare: true, ...f }),
  );
  await run("timeseries (day)", (ctx) =>
    ctx.runQuery(api.reports.getTimeseries, { siteId, from, to, interval: "day", ...f }),
  );
  for (const dimension of FILTERED_DIMENSIONS) {
    await run(`breakdown ${dimension}`, (ctx) =>
      ctx.runQuery(api.reports.getBreakdown, {
        siteId,
        from,
        to,
        dimension,
        limit: MAX_BREAKDOWN_LIMIT,
        ...f,
      }),
    );
  }
  await run("goals", (ctx) => ctx.runQuery(api.goals.getGoals, { siteId, from, to, ...f }));
  const total = reads.reduce(
    (a, r) => ({
      documentsRead: a.documentsRead + r.documentsRead,
      bytesRead: a.bytesRead + r.bytesRead,
      indexRanges: a.indexRanges + r.indexRanges,
      ms: round(a.ms + r.ms),
    }),
    { documentsRead: 0, bytesRead: 0, indexRanges: 0, ms: 0 },
  );
  const fractions = reads.flatMap((r) => (r.fraction === undefined ? [] : [r.fraction]));
  return {
    total,
    maxDocumentsPerRead: Math.max(...reads.map((r) => r.documentsRead)),
    maxBytesPerRead: Math.max(...reads.map((r) => r.bytesRead)),
    ...(fractions.length
      ? { fraction: { min: Math.min(...fractions), max: Math.max(...fractions) } }
      : {}),
    reads,
    results,
  };
}

// ------------------------------------------------------------------------------ accuracy

/** Every session of the site starting in [from, to), read back one day per t.run. */
async function allVisits(t: ComponentBackend, siteId: string, from: number, to: number) {
  const visits: VisitRecord[] = [];
  for (let day = from; day < to; day += DAY_MS) {
    const docs = await t.run(
      async (ctx) =>
        await ctx.db
          .query("sessions")
          .withIndex("by_start", (q) =>
            q
              .eq("siteId", siteId as never)
              .gte("startTs", day)
              .lt("startTs", Math.min(day + DAY_MS, to)),
          )
          .collect(),
    );
    for (const session of docs)
      visits.push({
        visitorId: session.visitorId,
        state: sessionState(session),
        pageviewDedupMs: session.pageviewDedupMs,
      });
  }
  return visits;
}

type Figure = { figure: string; exact: number; sampled: number; visitors: number };
type Row = { key: string; visitors: number; pageviews: number };
type OverviewResult = { visitors: number; sessions: number; pageviews: number };

function errorStats(figures: Figure[]) {
  const errors = figures.map((f) => Math.abs(f.sampled - f.exact) / f.exact).sort((a, b) => a - b);
  const at = (q: number) => errors[Math.max(0, Math.ceil(q * errors.length) - 1)] ?? 0;
  const worst = figures.reduce<Figure | undefined>(
    (w, f) =>
      !w || Math.abs(f.sampled - f.exact) / f.exact > Math.abs(w.sampled - w.exact) / w.exact
        ? f
        : w,
    undefined,
  );
  return {
    figures: errors.length,
    p50RelativeError: round(at(0.5), 4),
    p95RelativeError: round(at(0.95), 4),
    maxRelativeError: round(errors[errors.length - 1] ?? 0, 4),
    ...(worst ? { worst } : {}),
  };
}

/**
 * Exact figures (visitFigures over every session of the range, fraction 1) against those the
 * filtered dashboard returned: overview visitors, sessions and pageviews (both sides of the
 * comparison) and breakdown rows' visitors and pageviews, where the exact visitors are above
 * ERROR_MIN_VISITORS; daily points apart.
 */
async function accuracy(
  t: ComponentBackend,
  siteId: string,
  from: number,
  to: number,
  results: Record<string, unknown>,
) {
  const ctx: FilterContext = { filters: parseFilters(FILTER as unknown as unknown[]), goals: [] };
  const current = await allVisits(t, siteId, from, to);
  const previous = await allVisits(t, siteId, from - (to - from), from);
  const figures: Figure[] = [];
  let missingRows = 0;
  const push = (figure: string, exact: number, sampled: number, visitors: number) => {
    if (visitors > ERROR_MIN_VISITORS && exact > 0)
      figures.push({ figure, exact, sampled, visitors });
  };
  const overview = results["overview (compare)"] as OverviewResult & { previous: OverviewResult };
  for (const [side, visits, sampled] of [
    ["current", current, overview],
    ["previous", previous, overview.previous],
  ] as const) {
    const exact = visitsOverview(visits, ctx, 1);
    for (const key of ["visitors", "sessions", "pageviews"] as const)
      push(`overview ${side} ${key}`, exact[key], sampled[key], exact.visitors);
  }
  for (const dimension of FILTERED_DIMENSIONS) {
    const exact = visitsBreakdown(current, ctx, 1, dimension as Dimension, MAX_BREAKDOWN_LIMIT);
    const sampled = new Map(
      (results[`breakdown ${dimension}`] as { rows: Row[] }).rows.map((r) => [r.key, r]),
    );
    for (const row of exact) {
      const got = sampled.get(row.key);
      if (!got) {
        if (row.visitors > ERROR_MIN_VISITORS) missingRows++;
        continue;
      }
      push(`${dimension} ${row.key} visitors`, row.visitors, got.visitors, row.visitors);
      push(`${dimension} ${row.key} pageviews`, row.pageviews, got.pageviews, row.visitors);
    }
  }
  // Daily points: each a thirtieth of the range, so its sample is a thirtieth as large.
  const points = (results["timeseries (day)"] as { points: (OverviewResult & { t: number })[] })
    .points;
  const exactPoints = visitsTimeseries(
    current,
    ctx,
    1,
    points.map((p) => p.t),
    (ts) => ts - (ts % DAY_MS),
  );
  const daily: Figure[] = [];
  exactPoints.forEach((p, i) => {
    if (p.visitors <= ERROR_MIN_VISITORS) return;
    for (const key of ["visitors", "pageviews"] as const)
      daily.push({
        figure: `day ${new Date(p.t).toISOString().slice(0, 10)} ${key}`,
        exact: p[key],
        sampled: points[i]![key],
        visitors: p.visitors,
      });
  });
  const stats = errorStats(figures);
  const fractionOf = (read: string) => (results[read] as { sample: Fraction }).sample.fraction;
  /**
   * A visitor sample's relative standard error for a figure of ERROR_MIN_VISITORS visitors,
   * √((1 − f) / (f · N)), at each read's fraction: the error sampling alone explains.
   */
  const expected = (f: number) => round(Math.sqrt((1 - f) / (f * ERROR_MIN_VISITORS)), 4);
  return {
    minVisitors: ERROR_MIN_VISITORS,
    target: { p95RelativeError: ERROR_TARGET_P95 },
    ...stats,
    missingRows,
    pass: stats.p95RelativeError < ERROR_TARGET_P95 && missingRows === 0,
    exactVisits: { current: current.length, previous: previous.length },
    overview: errorStats(figures.filter((f) => f.figure.startsWith("overview "))),
    breakdowns: errorStats(figures.filter((f) => !f.figure.startsWith("overview "))),
    dailyPoints: errorStats(daily),
    standardErrorAtMinVisitors: {
      overview: expected(fractionOf("overview (compare)")),
      breakdowns: expected(fractionOf("breakdown page")),
    },
  };
}

// ------------------------------------------------------------------------------ the section

const strip = <T extends { results: unknown }>({ results: _, ...rest }: T) => rest;

async function filteredVolume(visits: number, end: number, log: (line: string) => void) {
  const t = createComponentBackend();
  const siteId = await createSite(t, `filtered-${visits}`);
  await t.mutation(api.goals.createGoal, {
    siteId,
    name: "Signup",
    kind: "event",
    eventName: "signup",
  });
  await t.mutation(api.goals.createGoal, {
    siteId,
    name: "Pricing",
    kind: "page",
    pathPattern: "/pricing",
  });
  const from = end - RANGE_DAYS * DAY_MS;
  const segments = [
    ...coverRange(from - RANGE_DAYS * DAY_MS, from, "UTC", true),
    ...coverRange(from, end, "UTC", true),
  ];
  if (segments.some((s) => s.granularity !== "day"))
    throw new Error(
      "the ranges read must be whole days with no whole month: only day rows are seeded",
    );
  log(`  ${visits.toLocaleString("en")} visits: seed`);
  const started = performance.now();
  const seeded = await seedSite(t, siteId, visits, end);
  const seedMs = round(performance.now() - started);
  log(`  ${visits.toLocaleString("en")} visits: read (${round(seedMs / 1000, 1)} s seeding)`);
  const readsStarted = performance.now();
  const unfiltered = await dashboard(t, siteId, from, end);
  const overview = unfiltered.results["overview (compare)"] as OverviewResult;
  if (overview.sessions !== seeded.current.visits)
    throw new Error(`unfiltered overview: ${overview.sessions} sessions, seeded ${visits}`);
  const filtered = await dashboard(t, siteId, from, end, FILTER);
  const filteredOverview = filtered.results["overview (compare)"] as OverviewResult;
  const readsMs = round(performance.now() - readsStarted);
  log(`  ${visits.toLocaleString("en")} visits: exact figures`);
  const exactStarted = performance.now();
  const error = await accuracy(t, siteId, from, end, filtered.results);
  const exactMs = round(performance.now() - exactStarted);
  return {
    visits,
    seeded,
    filteredShare: round(filteredOverview.sessions / overview.sessions, 3),
    unfiltered: strip(unfiltered),
    filtered: strip(filtered),
    /** Filtered ÷ unfiltered, the whole dashboard. */
    overUnfiltered: {
      documents: round(filtered.total.documentsRead / unfiltered.total.documentsRead, 2),
      bytes: round(filtered.total.bytesRead / unfiltered.total.bytesRead, 2),
    },
    error,
    /** Wall time (ms): seeding, the two dashboards, the exact figures. */
    ms: { seed: seedMs, reads: readsMs, exact: exactMs },
  };
}

export type FilteredVolume = Awaited<ReturnType<typeof filteredVolume>>;

export async function benchFiltered(options: { log: (line: string) => void }) {
  const end = rangeEnd();
  const volumes: FilteredVolume[] = [];
  for (const visits of FILTERED_VOLUMES)
    volumes.push(await filteredVolume(visits, end, options.log));
  const small = volumes[0]!;
  const large = volumes[volumes.length - 1]!;
  return {
    range: {
      from: new Date(end - RANGE_DAYS * DAY_MS).toISOString(),
      to: new Date(end).toISOString(),
    },
    filter: FILTER,
    dimensions: FILTERED_DIMENSIONS,
    budget: {
      visits: MAX_VISITS_PER_READ,
      bytes: MAX_VISIT_BYTES_PER_READ,
      strata: SAMPLE_STRATA,
    },
    volumes,
    /** Documents and bytes of the filtered dashboard at the largest volume ÷ at the smallest. */
    scaleRatio: {
      visits: round(large.visits / small.visits, 1),
      documents: round(large.filtered.total.documentsRead / small.filtered.total.documentsRead, 3),
      bytes: round(large.filtered.total.bytesRead / small.filtered.total.bytesRead, 3),
    },
  };
}

export type FilteredReport = Awaited<ReturnType<typeof benchFiltered>>;

// ------------------------------------------------------------------------------ rendering

const fractionText = (f?: { min: number; max: number }) =>
  !f ? "—" : f.min === f.max ? num(f.min, 4) : `${num(f.min, 4)}–${num(f.max, 4)}`;

const errorText = (e: { p95RelativeError: number; maxRelativeError: number; figures: number }) =>
  `p95 ${pct(e.p95RelativeError)}, max ${pct(e.maxRelativeError)} (${e.figures})`;

/** [label, value] rows for the console table and docs/benchmark.md. */
export function filteredRows(r: FilteredReport): [string, string][] {
  const rows: [string, string][] = [];
  for (const v of r.volumes) {
    const at = `${num(v.visits)} visits`;
    rows.push([
      `filtered 30-day dashboard @ ${at}`,
      `${num(v.filtered.total.documentsRead)} docs, ${mib(v.filtered.total.bytesRead)} (max ${num(v.filtered.maxDocumentsPerRead)} docs / ${mib(v.filtered.maxBytesPerRead)} a read); fraction ${fractionText(v.filtered.fraction)}; ${pct(v.filteredShare, 1)} of visits match`,
    ]);
    rows.push([
      `unfiltered 30-day dashboard @ ${at}`,
      `${num(v.unfiltered.total.documentsRead)} docs, ${kib(v.unfiltered.total.bytesRead)}; filtered ÷ unfiltered ×${v.overUnfiltered.documents} docs, ×${v.overUnfiltered.bytes} bytes`,
    ]);
    const e = v.error;
    rows.push([
      `filtered figures' error @ ${at}`,
      `${errorText(e)} figures > ${num(e.minVisitors)} visitors${e.missingRows ? `, ${e.missingRows} rows missing` : ""} — ${e.pass ? "pass" : "FAIL"} (p95 < ${pct(e.target.p95RelativeError, 0)}); overview ${errorText(e.overview)}, breakdowns ${errorText(e.breakdowns)}, daily points ${errorText(e.dailyPoints)}; sampling's standard error at ${num(e.minVisitors)} visitors ${pct(e.standardErrorAtMinVisitors.overview, 1)} (overview) / ${pct(e.standardErrorAtMinVisitors.breakdowns, 1)} (others)`,
    ]);
  }
  rows.push([
    "filtered dashboard, largest ÷ smallest volume",
    `×${r.scaleRatio.documents} docs, ×${r.scaleRatio.bytes} bytes for ×${r.scaleRatio.visits} visits`,
  ]);
  return rows;
}

/** The section of docs/benchmark.md. */
export function filteredMarkdown(r: FilteredReport): string[] {
  const head = r.volumes.map((v) => `${num(v.visits)} visits`);
  const line = (label: string, cells: string[]) => `| ${label} | ${cells.join(" | ")} |`;
  const each = (f: (v: FilteredVolume) => string) => r.volumes.map(f);
  const small = r.volumes[0]!;
  const large = r.volumes[r.volumes.length - 1]!;
  const minVisitors = num(large.error.minVisitors);
  const worst = large.error.worst;
  return [
    "## Filtered reads (contract §7)",
    "",
    `A 30-day dashboard (${r.range.from.slice(0, 10)} to ${r.range.to.slice(0, 10)}: overview with comparison, daily timeseries, breakdowns by ${r.dimensions.join(", ")} (limit ${MAX_BREAKDOWN_LIMIT}), goals) with the filter \`${JSON.stringify(r.filter)}\`, next to the same reads unfiltered. A filtered read reads the range's sessions whatever the filter selects: all of them up to ${num(r.budget.visits)} sessions / ${mib(r.budget.bytes)} (each side of a comparison half of it), beyond that whole visitor strata (of ${num(r.budget.strata)}), its figures scaled by 1 / fraction. The sites are seeded directly (\`scripts/bench/filtered.ts\`): sessions folded by the worker's own functions and stored as it stores them, rollup rows built from the same contributions (checked row for row against the worker's on ${num(CROSS_CHECKED_VISITS)} visits) as compaction leaves them; the 30 days before the range hold as many visits (the comparison reads them). Errors compare each sampled figure with read/visitFigures.ts over every session of the range (fraction 1), for figures above ${minVisitors} exact visitors: overview visitors, sessions and pageviews (both sides of the comparison), breakdown rows' visitors and pageviews.`,
    "",
    line("measure", head),
    `|---|${head.map(() => "---|").join("")}`,
    line(
      "filtered: documents read",
      each((v) => num(v.filtered.total.documentsRead)),
    ),
    line(
      "filtered: bytes read",
      each((v) => mib(v.filtered.total.bytesRead)),
    ),
    line(
      "filtered: most documents / bytes in one read",
      each((v) => `${num(v.filtered.maxDocumentsPerRead)} / ${mib(v.filtered.maxBytesPerRead)}`),
    ),
    line(
      "filtered: sample fraction (overview with comparison – others)",
      each((v) => fractionText(v.filtered.fraction)),
    ),
    line(
      "visits matching the filter",
      each((v) => pct(v.filteredShare, 1)),
    ),
    line(
      "unfiltered: documents read",
      each((v) => num(v.unfiltered.total.documentsRead)),
    ),
    line(
      "unfiltered: bytes read",
      each((v) => kib(v.unfiltered.total.bytesRead)),
    ),
    line(
      "filtered ÷ unfiltered (docs / bytes)",
      each((v) => `×${v.overUnfiltered.documents} / ×${v.overUnfiltered.bytes}`),
    ),
    line(
      `error p95 / max (figures > ${minVisitors} visitors)`,
      each(
        (v) =>
          `${pct(v.error.p95RelativeError)} / ${pct(v.error.maxRelativeError)} (${v.error.figures})`,
      ),
    ),
    line(
      "target: p95 < 5 %",
      each((v) => (v.error.pass ? "pass" : "FAIL")),
    ),
    line(
      "error: overview",
      each((v) => errorText(v.error.overview)),
    ),
    line(
      "error: breakdowns",
      each((v) => errorText(v.error.breakdowns)),
    ),
    line(
      `error: daily points > ${minVisitors} visitors (visitors, pageviews)`,
      each((v) => errorText(v.error.dailyPoints)),
    ),
    line(
      `sampling's standard error at ${minVisitors} visitors, √((1 − f) / (f · ${minVisitors})): overview / others`,
      each(
        (v) =>
          `${pct(v.error.standardErrorAtMinVisitors.overview, 1)} / ${pct(v.error.standardErrorAtMinVisitors.breakdowns, 1)}`,
      ),
    ),
    "",
    `From ${num(small.visits)} to ${num(large.visits)} visits (×${r.scaleRatio.visits}) the filtered dashboard reads ×${r.scaleRatio.documents} the documents and ×${r.scaleRatio.bytes} the bytes: past the budget a read reads ${num(large.filtered.maxDocumentsPerRead)} documents at most, whatever the traffic. Its worst figure at ${num(large.visits)} visits: ${worst ? `${worst.figure}, ${num(worst.sampled)} for ${num(worst.exact)}` : "—"}. Per read at ${num(large.visits)} visits:`,
    "",
    "| read | filtered docs | filtered bytes | fraction | unfiltered docs | unfiltered bytes |",
    "|---|---|---|---|---|---|",
    ...large.filtered.reads.map((f, i) => {
      const u = large.unfiltered.reads[i]!;
      return `| ${f.read} | ${num(f.documentsRead)} | ${kib(f.bytesRead)} | ${f.fraction === undefined ? "—" : num(f.fraction, 4)} | ${num(u.documentsRead)} | ${kib(u.bytesRead)} |`;
    }),
    "",
  ];
}
