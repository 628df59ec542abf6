// What a site pays Convex (invariants 11 and 12): function calls and database I/O per pageview,
// and what an open dashboard costs per hour, at 10k, 100k, 1M and 10M pageviews a month, priced
// with Convex's published prices.
//
// Per level, the real log's visitors (their pageview sequences, referrers and user agents) are
// replayed live at that level's rate on the example host app: new copies of the log's visitors
// arrive evenly spaced so that pageviews arrive at the rate, each sends its views through
// POST /analytics/ingest as the tracker batches them, and every scheduled function and the
// default crons (sweep every 10 minutes, compaction every 15, presence cleanup every 10) run when
// due. Before the replay, the 30 days before it are seeded with the log (imported and
// compacted), so the dashboard reads closed days as it would on a real site (its bytes are a
// floor for a busier site's history; its re-runs are not). After it, the clock moves 32 days on
// and compaction runs until nothing is left: all it will ever do for that traffic, amortized.
//
// The dashboard is the default 30-day view (overview with comparison, daily series, page,
// source, country and device breakdowns, goals, realtime), subscribed through the host facades
// unfiltered and, separately, with one filter. Re-runs are counted from footprints, not
// assumed: every committed transaction whose writes fall inside a subscribed query's recorded
// read set is one re-run of that query (test/footprint predict.ts `invalidates`), and the query
// is executed again for its new read set and its I/O. A dashboard also loads each query anew
// when its range moves (the range ends at the next whole hour): counted as calls too.
import {
  api as exampleApi,
  internal as exampleInternal,
} from "../../example/convex/_generated/api.js";
import type { ImportEvent } from "../../src/client/accessLog.js";
import { DEFAULT_CRON_OPTIONS } from "../../src/client/crons.js";
import { sizeOf } from "../../src/component/aggregate/budget.js";
import { DAY_MS, HOUR_MS, MINUTE_MS } from "../../src/component/lib/limits.js";
import componentSchema from "../../src/component/schema.js";
import { createEmbeddedBackend, exampleModules } from "../../harness/embedded.js";
import type { Footprint } from "../../harness/footprint/footprint.js";
import { invalidates } from "../../harness/footprint/predict.js";
import { startRecording } from "../../harness/footprint/recorder.js";
import { NOW, VirtualClock } from "./clock.js";
import {
  instrumentOnce,
  logEvents,
  runTail,
  trackerRequests,
  type ReplayEvent,
} from "./end-to-end.js";
import { round } from "../../harness/component.js";
import { Meter, type Totals } from "./meter.js";

/** Convex's published prices (Professional plan, US) and the free plan's monthly allowances. */
export const PRICES = {
  source:
    "docs.convex.dev, Limits and Pricing (Professional plan, US prices); Plausible Cloud list prices for 1M pageviews/month",
  dollarsPerMillionCalls: 2,
  dollarsPerGBIO: 0.2,
  dollarsPerGBMonthStorage: 0.2,
  freePlan: { calls: 1_000_000, ioBytes: 1e9, storageBytes: 0.5e9 },
  plausible: { growth: 69, business: 139 },
} as const;

export const COST_LEVELS = [10_000, 100_000, 1_000_000, 10_000_000] as const;
/**
 * Replayed traffic per level: a few hundred to fourteen hundred pageviews each, so that the
 * section runs in minutes on 2 cores; per-hour figures of a replay shorter than an hour are
 * scaled to the hour.
 */
const REPLAY_MS: Record<(typeof COST_LEVELS)[number], number> = {
  10_000: 12 * HOUR_MS,
  100_000: 4 * HOUR_MS,
  1_000_000: HOUR_MS,
  10_000_000: 6 * MINUTE_MS,
};
/** The dashboard is open this many hours a day in the monthly bill. */
export const DASHBOARD_HOURS_PER_DAY = 8;
/** The free plan's check: the dashboard open an hour a day. */
const FREE_PLAN_DASHBOARD_HOURS_PER_DAY = 1;
const MONTH_MS = 30 * DAY_MS;
const CRONS = [
  { task: "sweep", everyMs: DEFAULT_CRON_OPTIONS.sweepMinutes * MINUTE_MS },
  { task: "compact", everyMs: DEFAULT_CRON_OPTIONS.compactionMinutes * MINUTE_MS },
  { task: "presence", everyMs: DEFAULT_CRON_OPTIONS.presenceMinutes * MINUTE_MS },
] as const;
/** Raw events are kept this long by default (retentionDays), sessions and rollups longer. */
const STORAGE_MONTHS = 3;

type Level = (typeof COST_LEVELS)[number];

/** The log's visitors as templates: each one's views, relative to its first. */
function visitTemplates(log: ImportEvent[]) {
  const byVisitor = new Map<string, ImportEvent[]>();
  for (const e of log)
    (byVisitor.get(e.visitorId) ?? byVisitor.set(e.visitorId, []).get(e.visitorId)!).push(e);
  return [...byVisitor.values()].map((views) => {
    views.sort((a, b) => a.ts - b.ts);
    // A visitor whose views span days comes back: keep the first day of it (a visit's shape).
    return views
      .filter((v) => v.ts - views[0]!.ts < 2 * HOUR_MS)
      .map((v) => ({ ...v, ts: v.ts - views[0]!.ts }));
  });
}

/**
 * How long a visitor stays on the last page of a visit: its engagement is sent then (the
 * tracker sends one when the tab is hidden or closed).
 */
const LAST_PAGE_ENGAGED_MS = 30_000;

/**
 * Live traffic at `perMonth` pageviews a month for `durationMs` from `start`. Each pageview is
 * followed by its page's engagement, as the tracker sends it by default: just before the next
 * pageview, or LAST_PAGE_ENGAGED_MS after the last one (a reading site's visits send about as
 * many engagement events as pageviews; they are counted in every per-pageview figure).
 */
export function liveTraffic(
  log: ImportEvent[],
  perMonth: number,
  start: number,
  durationMs: number,
) {
  const templates = visitTemplates(log);
  const viewsPerVisitor = templates.reduce((n, t) => n + t.length, 0) / templates.length;
  const pageviews = Math.round((perMonth * durationMs) / MONTH_MS);
  const visitors = Math.max(1, Math.round(pageviews / viewsPerVisitor));
  const gap = durationMs / visitors;
  const events: ReplayEvent[] = [];
  for (let k = 0; k < visitors; k++) {
    const template = templates[k % templates.length]!;
    const arrival = start + Math.floor(k * gap);
    const visitorId = `lv${k}-${template[0]!.visitorId.slice(0, 40)}`;
    for (const [i, view] of template.entries()) {
      const ts = arrival + view.ts;
      if (ts >= start + durationMs) break;
      events.push({ ...view, id: `lv${k}-${i}`, ts, visitorId, sessionId: visitorId });
      const next = template[i + 1];
      const engagedMs = Math.min(next ? next.ts - view.ts : LAST_PAGE_ENGAGED_MS, 30 * MINUTE_MS);
      const left = ts + Math.max(1, engagedMs) - (next ? 1 : 0);
      if (left < start + durationMs)
        events.push({
          ...view,
          type: "engagement",
          id: `lv${k}-${i}e`,
          ts: left,
          visitorId,
          sessionId: visitorId,
          scrollDepth: (k * 37 + i * 11) % 101,
          engagedMs,
        });
    }
  }
  return events;
}

type Backend = ReturnType<typeof createEmbeddedBackend>;

/**
 * The default 30-day dashboard's subscriptions, as AnalyticsDashboard makes them on a host that
 * exports getRangePart (src/react/hooks/queries.ts): the overview, the daily series, goals and each
 * breakdown read as the closed days and today, the previous period as one closed part;
 * realtime whole. With a filter, the overview, breakdowns and goals read the range whole
 * (filtered reads go through the visits) and the series is still split.
 */
function dashboardQueries(
  siteId: string,
  now: number,
  filtered: boolean,
  closedKeys: (dimension: string) => string[],
) {
  const to = Math.floor(now / HOUR_MS) * HOUR_MS + HOUR_MS;
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  const tomorrow = today + DAY_MS;
  const from = today - 29 * DAY_MS;
  const filters = filtered ? { filters: [["is", "source", ["Google"]]] } : {};
  const a = exampleApi.analytics;
  const q = (name: string, fn: unknown, args: Record<string, unknown>) => ({ name, fn, args });
  const part = (name: string, dimension: string, a0: number, a1: number, keys?: string[]) =>
    q(name, exampleApi.analytics.getRangePart, {
      siteId,
      from: a0,
      to: a1,
      dimension,
      ...(keys?.length ? { keys } : {}),
    });
  const series = [
    q("getTimeseries:closed", a.getTimeseries, {
      siteId,
      from,
      to: today,
      interval: "day",
      ...filters,
    }),
    q("getTimeseries:today", a.getTimeseries, {
      siteId,
      from: today,
      to: tomorrow,
      interval: "day",
      ...filters,
    }),
  ];
  const dimensions = ["page", "source", "country", "device"] as const;
  const whole = [...series, q("getRealtime", a.getRealtime, { siteId })];
  if (filtered)
    return [
      q("getGoals", a.getGoals, { siteId, from, to, ...filters }),
      q("getOverview", a.getOverview, { siteId, from, to, compare: true, ...filters }),
      ...dimensions.map((dimension) =>
        q(`getBreakdown:${dimension}`, a.getBreakdown, { siteId, from, to, dimension, ...filters }),
      ),
      ...whole,
    ];
  return [
    part("overview:closed", "all", from, today),
    part("overview:today", "all", today, tomorrow),
    part("overview:previous", "all", from - (to - from), from),
    part("goals:closed", "goals", from, today),
    part("goals:today", "goals", today, tomorrow),
    ...dimensions.flatMap((dimension) => [
      part(`${dimension}:closed`, dimension, from, today),
      part(`${dimension}:today`, dimension, today, tomorrow, closedKeys(dimension)),
    ]),
    ...whole,
  ];
}

/** A re-run is executed (for its read set and I/O) at most this often; the others are counted. */
const REMEASURE_MS = 5 * MINUTE_MS;

type Subscription = {
  name: string;
  fn: unknown;
  args: Record<string, unknown>;
  footprint: Footprint | undefined;
  result?: unknown;
  /** When it was last executed, and what that execution read. */
  measuredAt: number;
  lastBytes: number;
  lastDocuments: number;
};

type DashboardTally = {
  /** Per subscription: re-runs and bytes read, for the breakdown of where an hour goes. */
  bySubscription: Record<string, { reruns: number; bytesRead: number }>;
  calls: number;
  reruns: number;
  loads: number;
  bytesRead: number;
  documentsRead: number;
};

/** The replay of one level: traffic cost, and each dashboard's re-runs. */
async function replayLevel(level: Level, log: ImportEvent[], progress: (line: string) => void) {
  await instrumentOnce();
  const duration = REPLAY_MS[level];
  const start = NOW - duration;
  // The history is imported at the replay's start (imports refuse timestamps in the future).
  const clock = new VirtualClock(start - 2 * HOUR_MS);
  clock.install();
  try {
    const { t, admin } = createEmbeddedBackend();
    const settle = () => t.finishInProgressScheduledFunctions();
    const { siteId, writeKey } = await admin.mutation(exampleApi.analytics.createSite, {
      slug: "cost",
      name: "semicomplete.com",
      domain: "semicomplete.com",
    });
    await admin.mutation(exampleApi.analytics.createGoal, {
      siteId,
      name: "Articles",
      kind: "page",
      pathPattern: "/articles/*",
    } as never);
    // History: the log spread over the 30 days before the replay, imported and compacted.
    const span = Math.max(...log.map((e) => e.ts)) - Math.min(...log.map((e) => e.ts));
    const first = Math.min(...log.map((e) => e.ts));
    const history = log.map((e) => ({
      ...e,
      id: `h-${e.id}`,
      ts: start - 30 * DAY_MS + Math.floor(((e.ts - first) / Math.max(span, 1)) * 29 * DAY_MS),
    }));
    for (let i = 0; i < history.length; i += 500)
      await admin.mutation(exampleApi.analytics.importEvents, {
        siteId,
        events: history.slice(i, i + 500),
      });
    await runTail(clock, settle);
    progress(`    history imported (${history.length} pageviews)`);
    await compactAll(t, clock, settle);
    await clock.advanceTo(start, settle);
    const storedBefore = await storedBytes(t);

    const rec = await startRecording(t, {
      schemas: { "": undefined, analytics: componentSchema },
      modules: { "": exampleModules().app, analytics: exampleModules().component },
    });
    const traffic = new Meter();
    const dashboards = {
      unfiltered: { subs: [] as Subscription[], tally: zeroTally() },
      filtered: { subs: [] as Subscription[], tally: zeroTally() },
    };
    const dashMeter = new Meter();
    const keysOf = (d: (typeof dashboards)["unfiltered"]) => (dimension: string) => {
      const closed = d.subs.find((sub) => sub.name === `${dimension}:closed`)?.result as
        { rows: { key: string }[] } | undefined;
      return closed?.rows.map((row) => row.key) ?? [];
    };
    /** (Re)subscribes whatever the dashboard's arguments now are: a changed one is a new load. */
    const load = async (d: (typeof dashboards)["unfiltered"], filtered: boolean) => {
      // Twice: the open breakdown parts take the closed parts' keys.
      for (let pass = 0; pass < 2; pass++) {
        const wanted = dashboardQueries(siteId, clock.now, filtered, keysOf(d));
        const next: Subscription[] = [];
        for (const q of wanted) {
          const same = d.subs.find(
            (sub) => sub.name === q.name && JSON.stringify(sub.args) === JSON.stringify(q.args),
          );
          if (same) {
            next.push(same);
            continue;
          }
          const sub: Subscription = {
            ...q,
            footprint: undefined,
            measuredAt: 0,
            lastBytes: 0,
            lastDocuments: 0,
          };
          await rerun(sub, d.tally, true);
          next.push(sub);
        }
        d.subs = next;
      }
    };
    const rerun = async (sub: Subscription, tally: DashboardTally, isLoad: boolean) => {
      tally.calls++;
      if (isLoad) tally.loads++;
      else tally.reruns++;
      const own = (tally.bySubscription[sub.name] ??= { reruns: 0, bytesRead: 0 });
      if (!isLoad) own.reruns++;
      if (!isLoad && clock.now - sub.measuredAt < REMEASURE_MS) {
        tally.bytesRead += sub.lastBytes;
        tally.documentsRead += sub.lastDocuments;
        own.bytesRead += sub.lastBytes;
        return;
      }
      rec.take();
      const before = snapshot(dashMeter.totals);
      const query = admin.query as (fn: unknown, args: unknown) => Promise<unknown>;
      sub.result = await dashMeter.during(() => query(sub.fn, sub.args));
      const [fp] = rec.take({ actions: false }).filter((f) => f.kind === "query");
      sub.footprint = fp;
      sub.measuredAt = clock.now;
      sub.lastBytes = dashMeter.totals.bytesRead - before.bytesRead;
      sub.lastDocuments = dashMeter.totals.documentsRead - before.documentsRead;
      tally.bytesRead += sub.lastBytes;
      tally.documentsRead += sub.lastDocuments;
      own.bytesRead += sub.lastBytes;
    };
    await load(dashboards.unfiltered, false);
    await load(dashboards.filtered, true);
    let loadedHour = Math.floor(clock.now / HOUR_MS);

    /** Re-runs what the transactions committed since the last call invalidated. */
    const follow = async () => {
      const written = rec.take().filter((f) => f.kind === "mutation" && !f.failed);
      for (const d of Object.values(dashboards)) {
        for (const sub of d.subs) {
          const hits = sub.footprint
            ? written.filter((w) => invalidates(w, sub.footprint!)).length
            : 0;
          // Each invalidating commit re-runs the subscription once.
          for (let i = 0; i < hits; i++) await rerun(sub, d.tally, false);
        }
      }
      const hour = Math.floor(clock.now / HOUR_MS);
      if (hour !== loadedHour) {
        loadedHour = hour;
        await load(dashboards.unfiltered, false);
        await load(dashboards.filtered, true);
      }
    };

    const events = liveTraffic(log, level, start, duration);
    const requests = trackerRequests(events);
    const cronTicks = CRONS.flatMap(({ task, everyMs }) =>
      Array.from({ length: Math.floor(duration / everyMs) }, (_, i) => ({
        at: start + (i + 1) * everyMs,
        task,
      })),
    );
    const timeline = [
      ...requests.map((r) => ({ at: r.at, request: r })),
      ...cronTicks.map((c) => ({ at: c.at, task: c.task })),
    ].sort((a, b) => a.at - b.at);
    let pageviews = 0;
    progress(`    replaying ${requests.length} requests and ${cronTicks.length} cron runs`);
    for (const [i, item] of timeline.entries()) {
      if (i > 0 && i % 250 === 0) progress(`    ${i} of ${timeline.length}`);
      await traffic.during(() => clock.advanceTo(item.at, settle));
      await follow();
      await traffic.during(async () => {
        if ("request" in item && item.request) {
          const response = await t.fetch("/analytics/ingest", {
            method: "POST",
            headers: { "Content-Type": "application/json", "User-Agent": item.request.userAgent },
            body: JSON.stringify({ key: writeKey, events: item.request.events }),
          });
          const body = (await response.json()) as { accepted?: number };
          if (response.status !== 202) throw new Error(`ingest answered ${response.status}`);
          if (body.accepted !== item.request.events.length)
            throw new Error(`ingest accepted ${body.accepted} of ${item.request.events.length}`);
          // Figures are per pageview: the engagement events ride along in every one of them.
          pageviews += item.request.events.filter(
            (e) => (e as { type: string }).type === "pageview",
          ).length;
        } else if ("task" in item) {
          await t.action(exampleInternal.analytics.analyticsMaintenance, {
            task: item.task,
          } as never);
        }
      });
      await follow();
    }
    await traffic.during(() => clock.advanceTo(start + duration + 2 * MINUTE_MS, settle));
    await follow();
    rec.stop();
    // Compaction of what the traffic wrote, amortized: all it will ever do for it.
    const compaction = new Meter();
    await clock.advanceTo(clock.now + 32 * DAY_MS, settle);
    await compaction.during(() => compactAll(t, clock, settle));
    const stored = await storedBytes(t);
    return {
      level,
      duration,
      pageviews,
      requests: requests.length,
      traffic: traffic.totals,
      byFunction: traffic.byFunction,
      compaction: compaction.totals,
      dashboards,
      stored: stored - storedBefore,
    };
  } finally {
    clock.uninstall();
  }
}

const zeroTally = (): DashboardTally => ({
  bySubscription: {},
  calls: 0,
  reruns: 0,
  loads: 0,
  bytesRead: 0,
  documentsRead: 0,
});
const snapshot = (t: Totals) => ({ bytesRead: t.bytesRead, documentsRead: t.documentsRead });

async function compactAll(t: Backend["t"], clock: VirtualClock, settle: () => Promise<void>) {
  for (let pass = 0; pass < 100; pass++) {
    const result = await t.action(exampleInternal.analytics.analyticsMaintenance, {
      task: "compact",
    } as never);
    await runTail(clock, settle);
    if (!(result as { more?: boolean }).more) break;
  }
}

/** Bytes of every component document stored (what storage is billed on), as Convex sizes them. */
async function storedBytes(t: Backend["t"]) {
  const runner = t as unknown as {
    runInComponent<T>(path: string, fn: (ctx: { db: unknown }) => Promise<T>): Promise<T>;
  };
  const tables = Object.keys(componentSchema.tables);
  return await runner.runInComponent("analytics", async (ctx) => {
    const db = ctx.db as { query(table: string): { collect(): Promise<unknown[]> } };
    let bytes = 0;
    for (const table of tables)
      for (const doc of await db.query(table).collect()) bytes += sizeOf(doc);
    return bytes;
  });
}

const calls = (t: Totals) => t.transactions + t.actions;
const io = (t: Totals) => t.bytesRead + t.bytesWritten;

function priced(run: Awaited<ReturnType<typeof replayLevel>>) {
  const n = run.pageviews;
  const hours = run.duration / HOUR_MS;
  const perEvent = {
    functionCalls: round((calls(run.traffic) + calls(run.compaction)) / n, 2),
    ioBytes: Math.round((io(run.traffic) + io(run.compaction)) / n),
    ioBytesRead: Math.round((run.traffic.bytesRead + run.compaction.bytesRead) / n),
    ioBytesWritten: Math.round((run.traffic.bytesWritten + run.compaction.bytesWritten) / n),
  };
  const dashboard = Object.fromEntries(
    Object.entries(run.dashboards).map(([kind, d]) => [
      kind,
      {
        rerunsPerHour: round(d.tally.reruns / hours, 1),
        loadsPerHour: round(d.tally.loads / hours, 1),
        callsPerHour: round(d.tally.calls / hours, 1),
        bytesReadPerHour: Math.round(d.tally.bytesRead / hours),
        perHourBySubscription: Object.fromEntries(
          Object.entries(d.tally.bySubscription)
            .sort((a, b) => b[1].bytesRead - a[1].bytesRead)
            .map(([name, t]) => [
              name,
              { reruns: round(t.reruns / hours, 1), bytesRead: Math.round(t.bytesRead / hours) },
            ]),
        ),
      },
    ]),
  ) as Record<
    "unfiltered" | "filtered",
    {
      rerunsPerHour: number;
      loadsPerHour: number;
      callsPerHour: number;
      bytesReadPerHour: number;
      perHourBySubscription: Record<string, { reruns: number; bytesRead: number }>;
    }
  >;
  const storageBytesPerEvent = Math.round(Math.max(0, run.stored) / n);
  const month = run.level;
  const dashHours = DASHBOARD_HOURS_PER_DAY * 30;
  const d = dashboard.unfiltered;
  const dollars = {
    events: round(
      (month * perEvent.functionCalls * PRICES.dollarsPerMillionCalls) / 1e6 +
        (month * perEvent.ioBytes * PRICES.dollarsPerGBIO) / 1e9,
      2,
    ),
    dashboard: round(
      (dashHours * d.callsPerHour * PRICES.dollarsPerMillionCalls) / 1e6 +
        (dashHours * d.bytesReadPerHour * PRICES.dollarsPerGBIO) / 1e9,
      2,
    ),
    storage: round(
      (month * STORAGE_MONTHS * storageBytesPerEvent * PRICES.dollarsPerGBMonthStorage) / 1e9,
      2,
    ),
    total: 0,
  };
  dollars.total = round(dollars.events + dollars.dashboard + dollars.storage, 2);
  const freeHours = FREE_PLAN_DASHBOARD_HOURS_PER_DAY * 30;
  const free = PRICES.freePlan;
  const freePlanPageviewsPerMonth = Math.max(
    0,
    Math.floor(
      Math.min(
        (free.calls - freeHours * d.callsPerHour) / perEvent.functionCalls,
        (free.ioBytes - freeHours * d.bytesReadPerHour) / perEvent.ioBytes,
        free.storageBytes / Math.max(1, storageBytesPerEvent * STORAGE_MONTHS),
      ),
    ),
  );
  // Where the calls and I/O go, per event: the five functions that cost the most I/O.
  const byFunction = [...run.byFunction]
    .map(([name, t]) => ({
      name,
      calls: round(calls(t) / n, 3),
      ioBytesRead: Math.round(t.bytesRead / n),
      ioBytesWritten: Math.round(t.bytesWritten / n),
    }))
    .sort((a, b) => b.ioBytesRead + b.ioBytesWritten - (a.ioBytesRead + a.ioBytesWritten))
    .slice(0, 6);
  return {
    pageviewsPerMonth: run.level,
    replayed: { pageviews: n, requests: run.requests, hours: round(hours, 2) },
    perEvent,
    perEventByFunction: [
      ...byFunction,
      {
        name: "compaction (amortized)",
        calls: round(calls(run.compaction) / n, 3),
        ioBytesRead: Math.round(run.compaction.bytesRead / n),
        ioBytesWritten: Math.round(run.compaction.bytesWritten / n),
      },
    ],
    dashboard,
    storageBytesPerEvent,
    dollarsPerMonth: dollars,
    freePlanPageviewsPerMonth,
  };
}

/** The `cost` section of `npm run bench`. */
export async function benchCost(
  options: { log?: (line: string) => void; levels?: readonly number[] } = {},
) {
  const log = await logEvents();
  const fromEnv = process.env.BENCH_COST_LEVELS?.split(",").map(Number);
  const levels = (options.levels ?? fromEnv ?? COST_LEVELS) as readonly Level[];
  const out = [];
  for (const level of levels) {
    const run = await replayLevel(level, log, (line) => options.log?.(line));
    const figures = priced(run);
    options.log?.(
      `  ${level.toLocaleString("en-US")}/month: ${figures.perEvent.functionCalls} calls and ${figures.perEvent.ioBytes} B I/O per event; dashboard ${figures.dashboard.unfiltered.callsPerHour} calls and ${(figures.dashboard.unfiltered.bytesReadPerHour / 1e6).toFixed(1)} MB an hour (filtered ${figures.dashboard.filtered.callsPerHour}, ${(figures.dashboard.filtered.bytesReadPerHour / 1e6).toFixed(1)} MB); $${figures.dollarsPerMonth.total}/month`,
    );
    out.push(figures);
  }
  return {
    method:
      "live replay of the real log's visitors at each level's rate through the HTTP route, crons and scheduled functions run when due; compaction to the end amortized; dashboard re-runs counted from footprints (invalidates)",
    dashboardHoursPerDay: DASHBOARD_HOURS_PER_DAY,
    storageMonths: STORAGE_MONTHS,
    prices: PRICES,
    levels: out,
  };
}

type CostReport = Awaited<ReturnType<typeof benchCost>>;

const usd = (x: number) => `$${x.toFixed(2)}`;
const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} KB`;
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/** The README's "What it costs to run" table, from the `cost` section (`--only cost` prints it). */
export function costTable(cost: CostReport): string {
  const head = `| pageviews / month | calls per pageview | I/O per pageview (read + written) | dashboard open, per hour: calls, read (one filter) | storage per pageview | $ / month (events + dashboard 8 h/day + storage) | free plan holds |`;
  const rule = `| --- | --- | --- | --- | --- | --- | --- |`;
  const rows = cost.levels.map((l) => {
    const u = l.dashboard.unfiltered;
    const f = l.dashboard.filtered;
    const d = l.dollarsPerMonth;
    return `| ${l.pageviewsPerMonth.toLocaleString("en-US")} | ${l.perEvent.functionCalls} | ${kb(l.perEvent.ioBytes)} (${kb(l.perEvent.ioBytesRead)} + ${kb(l.perEvent.ioBytesWritten)}) | ${Math.round(u.callsPerHour)}, ${mb(u.bytesReadPerHour)} (${Math.round(f.callsPerHour)}, ${mb(f.bytesReadPerHour)}) | ${kb(l.storageBytesPerEvent)} | **${usd(d.total)}** (${usd(d.events)} + ${usd(d.dashboard)} + ${usd(d.storage)}) | ${l.freePlanPageviewsPerMonth.toLocaleString("en-US")} pageviews |`;
  });
  return [head, rule, ...rows].join("\n");
}

/** `--only cost`'s rows: the table, then the per-function and per-subscription figures. */
export function costRows(cost: CostReport): [string, string][] {
  return [
    ["table", `\n${costTable(cost)}\n`],
    ...cost.levels.flatMap((l): [string, string][] => [
      [
        `${l.pageviewsPerMonth} per event by function`,
        l.perEventByFunction
          .map((f) => `${f.name} ${f.calls} calls ${f.ioBytesRead}+${f.ioBytesWritten} B`)
          .join("; "),
      ],
      [
        `${l.pageviewsPerMonth} dashboard per hour by subscription`,
        Object.entries(l.dashboard.unfiltered.perHourBySubscription)
          .map(([name, t]) => `${name} ${t.reruns}× ${mb(t.bytesRead)}`)
          .join("; "),
      ],
    ]),
  ];
}
