// Realistic schedules of the component's real functions, recorded as footprints
// (test/footprint) and turned into the conflict matrix of docs/architecture.md, "Showing
// conflict-freedom without a real backend". Shared by test/concurrency/*.test.ts and by
// scripts/bench/conflicts.ts, so it imports nothing from vitest and nothing Node-only: the
// caller hands in the component's module map and the clock.
//
// Every schedule runs on a standalone component (as the benchmark does), records every
// transaction it cares about under an operation kind, and ends by reading the dashboard
// figures it must produce. Scheduled functions never fire on their own: the clock is frozen
// (vitest fake timers, or the bench's paused clock), and a schedule runs the scheduled jobs it
// wants (realtime refreshes, worker continuations) and the worker kicks itself, in a fixed order.
//
// Kinds: "ingest" (the mutation behind the HTTP route: it also moves the presence of the live
// pageviews it carries), "heartbeat" (the same mutation for a request that carries a live
// heartbeat: what a tab sends while it stays open), "redelivery" (an ingest resending an event id
// already sent), "import" (importEvents backfill), "worker" (worker.aggregateSite, the run a kick
// window schedules for the whole site, and worker.aggregate, one partition's continuation),
// "compaction" and "retention" (the cron steps), "refresh" (the realtime summary loop), and
// "query:<name>" for dashboard subscriptions. "worker" and "heartbeat" carry a qualifier
// (partition, session) so that the matrix can tell same-partition/same-session pairs from the
// rest.
import { convexTest, type TestConvex } from "convex-test";
import type { GenericSchema, SchemaDefinition } from "convex/server";
import { api, internal } from "../src/component/_generated/api.js";
import { sha256Hex } from "../src/component/lib/keys.js";
import {
  DAY_MS,
  HOUR_MS,
  MINUTE_MS,
  PARTITIONS,
  PENDING_SETTLE_MS,
  REALTIME_REFRESH_MS,
} from "../src/component/lib/limits.js";
import { partitionOf } from "../src/component/ingest/pipeline.js";
import componentSchema from "../src/component/schema.js";
import type { Footprint } from "./footprint/footprint.js";
import {
  conflictMatrix,
  invalidates,
  type Execution,
  type PredictOptions,
} from "./footprint/predict.js";
import { startRecording, type Recorder } from "./footprint/recorder.js";

export type Modules = Record<string, () => Promise<unknown>>;
type AnySchema = SchemaDefinition<GenericSchema, boolean>;

export interface ScheduleEnv {
  /** The component's modules, as given to convex-test (import.meta.glob, or the bench's globModules). */
  modules: Modules;
  /** Defaults to the component's schema; a test-only variant may add tables. */
  schema?: AnySchema;
  /** Sets the time every function sees. The clock never moves on its own while a schedule runs. */
  setTime: (ms: number) => void;
}

/** The schedules' "now": noon, so live traffic sits in open buckets and earlier days are closed. */
export const T0 = Date.UTC(2026, 10, 20, 12, 0, 0);
/** Past the worker's settle window: the events ingested before it become foldable. */
const SETTLE = PENDING_SETTLE_MS + 1_000;
export const USER_AGENT =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";

// ---------------------------------------------------------------------------------------------
// Kinds

/** The qualifier value of an execution that covers every value (a site-wide worker run). */
const ALL_PARTITIONS = "all";

export const kinds = {
  worker: (partition: number) => `worker#partition=${partition}`,
  /**
   * A site-wide run (worker.aggregateSite) has no partition of its own: it reads and folds every
   * partition's pending events. Paired with any other worker run it shares a partition, so the
   * pair is filed under "same partition" (pairName): its conflicts are those of two kicks of one
   * partition (a clean retry that finds nothing left), never evidence against invariant 4, which
   * only "different partitions" pairs (two partitions' continuations) show.
   */
  siteWorker: `worker#partition=${ALL_PARTITIONS}`,
  heartbeat: (visitorId: string, sessionId: string) =>
    `heartbeat#session=${visitorId}/${sessionId}`,
  query: (name: string) => `query:${name}`,
};
const ORDER = [
  "ingest",
  "redelivery",
  "import",
  "heartbeat",
  "worker",
  "compaction",
  "retention",
  "refresh",
];
const QUALIFIER_PLURAL: Record<string, string> = { partition: "partitions", session: "sessions" };

function splitKind(kind: string) {
  const [base, qualifier] = kind.split("#", 2) as [string, string | undefined];
  if (!qualifier) return { base };
  const [noun, value] = qualifier.split("=", 2) as [string, string];
  return { base, noun, value };
}

/**
 * The reported name of a pair of kinds: bases in a fixed order, and for two executions of a
 * qualified kind whether they share the qualifier ("worker × worker, same partition").
 */
export function pairName(a: string, b: string): string {
  const x = splitKind(a);
  const y = splitKind(b);
  if (x.base === y.base && x.noun && x.noun === y.noun) {
    const same = x.value === y.value || x.value === ALL_PARTITIONS || y.value === ALL_PARTITIONS;
    return `${x.base} × ${x.base}, ${same ? `same ${x.noun}` : `different ${QUALIFIER_PLURAL[x.noun] ?? x.noun}`}`;
  }
  const rank = (k: string) => (ORDER.includes(k) ? ORDER.indexOf(k) : ORDER.length);
  const [first, second] = [x.base, y.base].sort((p, q) => rank(p) - rank(q) || p.localeCompare(q));
  return `${first} × ${second}`;
}

// ---------------------------------------------------------------------------------------------
// Cells

export interface Cell {
  pairs: number;
  conflicts: number;
  /** Conflicts per 1,000 pairs (conflictMatrix's normalization). */
  per1000: number;
  /** One conflict's description, to explain a nonzero figure. */
  example?: string;
}

export interface InvalidationCell {
  /** Writes of this kind that committed while the query was subscribed. */
  writes: number;
  /** Of those, writes that would re-run the subscription (`invalidates`). */
  invalidations: number;
  per1000: number;
  example?: string;
}

const per1000 = (n: number, of: number) => (of === 0 ? 0 : (1000 * n) / of);

function addCell(
  into: Record<string, Cell>,
  name: string,
  pairs: number,
  conflicts: number,
  example?: string,
) {
  const cell = (into[name] ??= { pairs: 0, conflicts: 0, per1000: 0 });
  cell.pairs += pairs;
  cell.conflicts += conflicts;
  cell.per1000 = per1000(cell.conflicts, cell.pairs);
  if (!cell.example && example) cell.example = example;
}

/**
 * conflictMatrix over mutation executions, folded into named pairs (see pairName). Queries
 * are left out: they never conflict; `invalidationCells` is their figure.
 */
export function conflictCells(
  executions: Execution[],
  options: PredictOptions,
): Record<string, Cell> {
  const mutations = executions.filter((e) => e.footprint.kind === "mutation");
  const m = conflictMatrix(mutations, options);
  const cells: Record<string, Cell> = {};
  for (let i = 0; i < m.kinds.length; i++) {
    for (let j = i; j < m.kinds.length; j++) {
      const c = m.cells[m.kinds[i]!]![m.kinds[j]!]!;
      if (c.pairs > 0)
        addCell(
          cells,
          pairName(m.kinds[i]!, m.kinds[j]!),
          c.pairs,
          c.conflicts,
          c.example?.description,
        );
    }
  }
  return cells;
}

/**
 * For every query execution (a subscription, taken at the moment it was recorded) and every
 * mutation recorded after it: would that mutation's commit re-run the query? Grouped by the
 * writer's base kind, then the query kind.
 */
export function invalidationCells(
  executions: Execution[],
): Record<string, Record<string, InvalidationCell>> {
  const ordered = [...executions].sort((a, b) => a.footprint.id - b.footprint.id);
  const out: Record<string, Record<string, InvalidationCell>> = {};
  ordered.forEach((query, i) => {
    if (query.footprint.kind !== "query") return;
    for (const write of ordered.slice(i + 1)) {
      if (write.footprint.kind !== "mutation") continue;
      const writer = splitKind(write.kind).base;
      const cell = ((out[writer] ??= {})[query.kind] ??= {
        writes: 0,
        invalidations: 0,
        per1000: 0,
      });
      cell.writes++;
      const reason = invalidates(write.footprint, query.footprint);
      if (reason) {
        cell.invalidations++;
        cell.example ??= reason.description;
      }
      cell.per1000 = per1000(cell.invalidations, cell.writes);
    }
  });
  return out;
}

function mergeCells(into: Record<string, Cell>, from: Record<string, Cell>) {
  for (const [name, c] of Object.entries(from))
    addCell(into, name, c.pairs, c.conflicts, c.example);
}

function mergeInvalidations(
  into: Record<string, Record<string, InvalidationCell>>,
  from: Record<string, Record<string, InvalidationCell>>,
) {
  for (const [writer, queries] of Object.entries(from)) {
    for (const [query, c] of Object.entries(queries)) {
      const cell = ((into[writer] ??= {})[query] ??= { writes: 0, invalidations: 0, per1000: 0 });
      cell.writes += c.writes;
      cell.invalidations += c.invalidations;
      cell.per1000 = per1000(cell.invalidations, cell.writes);
      cell.example ??= c.example;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Checks (the same functions decide matrix.test.ts and teeth.test.ts)

/** Conflicts predicted in a named cell of a schedule. A pair the schedule never ran is an error, not a zero. */
export function conflictsIn(result: { cells: Record<string, Cell> }, name: string): number {
  const cell = result.cells[name];
  if (!cell || cell.pairs === 0)
    throw new Error(
      `no "${name}" pairs in this schedule (it has: ${Object.keys(result.cells).join(", ")})`,
    );
  return cell.conflicts;
}

export type Mismatch = { figure: string; expected: unknown; actual: unknown };

/** JSON with object keys sorted: equal figures compare equal whatever order their fields were built in. */
const canonical = (value: unknown) =>
  JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );

/** Every report figure that differs from what the schedule's inputs say it must be. */
export function figureMismatches(result: {
  figures: Record<string, unknown>;
  expected: Record<string, unknown>;
}): Mismatch[] {
  const out: Mismatch[] = [];
  for (const [figure, expected] of Object.entries(result.expected)) {
    const actual = result.figures[figure];
    if (canonical(actual) !== canonical(expected)) out.push({ figure, expected, actual });
  }
  return out;
}

/** Documents a footprint wrote: a no-op retry writes none. */
export const writesOf = (f: Footprint) => f.writes.length;

/**
 * Documents a footprint wrote to presence rows and raw events: what a live heartbeat stores when
 * it moves its session's presence (a new row, the raw heartbeat), and none inside the dedup
 * window. (Its request's rate-limit mark, an ingestReservations row, is written either way.)
 */
export const presenceWritesOf = (f: Footprint) =>
  f.writes.filter((w) => w.table === "presence" || w.table === "events").length;

/** Documents written by more than one of the footprints (of one deployment): the hot documents. */
export function hotDocuments(footprints: Footprint[]) {
  const writers = new Map<string, number>();
  for (const f of footprints)
    for (const id of new Set(f.writes.map((w) => `${w.table}:${w.id}`)))
      writers.set(id, (writers.get(id) ?? 0) + 1);
  const hot = [...writers].filter(([, n]) => n > 1);
  return { documents: hot.length, tables: [...new Set(hot.map(([id]) => id.split(":")[0]!))] };
}

// ---------------------------------------------------------------------------------------------
// The lab: one standalone component instance, recorded

type Overview = {
  pageviews: number;
  visitors: number;
  sessions: number;
  events: number;
  bounceRate: number;
  avgDurationMs: number;
};
export type Figures = Record<string, unknown>;

export type PageviewInput = {
  id: string;
  ts: number;
  visitorId: string;
  sessionId?: string;
  path: string;
  type?: "pageview" | "heartbeat" | "event";
  /** Custom events only. */
  name?: string;
};

/** The kind an ingest request is filed under (see Lab.ingest). */
function requestKind(events: PageviewInput[]): string {
  const heartbeat = events.find((e) => e.type === "heartbeat");
  return heartbeat
    ? kinds.heartbeat(heartbeat.visitorId, heartbeat.sessionId ?? `${heartbeat.visitorId}-s`)
    : "ingest";
}

function wireEvent(e: PageviewInput) {
  return {
    type: e.type ?? "pageview",
    id: e.id,
    ts: e.ts,
    visitorId: e.visitorId,
    sessionId: e.sessionId ?? `${e.visitorId}-s`,
    url: `https://example.com${e.path}`,
    ...(e.name !== undefined ? { name: e.name } : {}),
  };
}

/** Visitor ids (prefix + counter) that land in `partition`. */
export function visitorsIn(partition: number, count: number, prefix: string): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < count; i++)
    if (partitionOf(`${prefix}${i}`) === partition) out.push(`${prefix}${i}`);
  return out;
}

/**
 * `modules` with some of the component's modules replaced, by module path ("worker",
 * "maintenance"): how teeth.test.ts runs a schedule on a deliberately broken variant.
 */
export function withModules(
  modules: Modules,
  replacements: Record<string, () => Promise<unknown>>,
): Modules {
  const generated = Object.keys(modules).find((k) => k.includes("/_generated/"));
  if (!generated) throw new Error("withModules: the module map has no _generated folder");
  const root = generated.slice(0, generated.indexOf("_generated/"));
  const out = { ...modules };
  for (const [path, load] of Object.entries(replacements)) {
    const key = Object.keys(modules).find(
      (k) => k === `${root}${path}.ts` || k === `${root}${path}.js`,
    );
    if (!key) throw new Error(`withModules: no module ${path} in the map`);
    out[key] = load;
  }
  return out;
}

export class Lab {
  readonly executions: Execution[] = [];
  private constructor(
    readonly env: ScheduleEnv,
    readonly t: TestConvex<typeof componentSchema>,
    readonly rec: Recorder,
    readonly siteId: string,
    readonly keyHash: string,
    private time: number,
  ) {}

  static async open(
    env: ScheduleEnv,
    options: { slug?: string; settings?: Record<string, number> } = {},
  ) {
    const schema = env.schema ?? componentSchema;
    env.setTime(T0);
    // A variant's schema only adds tables: the component's own typing still holds.
    const t = convexTest({
      schema,
      modules: env.modules,
      transactionLimits: true,
    }) as unknown as TestConvex<typeof componentSchema>;
    const writeKey = "concurrency-schedule-write-key-0123456789";
    const { siteId } = await t.mutation(api.sites.createSite, {
      slug: options.slug ?? "site",
      name: "Site",
      domain: "example.com",
      writeKey,
    });
    if (options.settings)
      await t.mutation(api.sites.updateSite, { siteId, settings: options.settings });
    const rec = await startRecording(t, { schemas: { "": schema }, modules: { "": env.modules } });
    return new Lab(env, t, rec, siteId, await sha256Hex(writeKey), T0);
  }

  now() {
    return this.time;
  }

  at(ms: number) {
    this.time = ms;
    this.env.setTime(ms);
  }

  advance(ms: number) {
    this.at(this.time + ms);
  }

  /** Runs `fn` and files every query/mutation transaction it ran under `kind`. */
  async record<T>(
    kind: string,
    fn: () => Promise<T>,
  ): Promise<{ result: T; footprints: Footprint[] }> {
    // Twin labs share the one clock: each puts its own time back before it runs anything.
    this.env.setTime(this.time);
    const out = await this.rec.during(fn, { actions: false });
    for (const footprint of out.footprints) this.executions.push({ kind, footprint });
    return out;
  }

  /** Runs `fn` without filing what it ran (setup, and reading the figures at the end). */
  async quiet<T>(fn: () => Promise<T>): Promise<T> {
    this.env.setTime(this.time);
    return (await this.rec.during(fn)).result;
  }

  ingestArgs(events: PageviewInput[]) {
    return {
      keyHash: this.keyHash,
      origin: "https://example.com",
      userAgent: USER_AGENT,
      country: "DE",
      events: events.map(wireEvent),
    };
  }

  /**
   * One HTTP request's mutation. Filed as "ingest", or, when it carries a heartbeat, under the
   * heartbeat's session: the request a tab sends while it stays open.
   */
  async ingest(events: PageviewInput[], kind = requestKind(events)) {
    const { result, footprints } = await this.record(kind, () =>
      this.t.mutation(api.ingest.ingest, this.ingestArgs(events)),
    );
    if (!result.ok) throw new Error(`ingest refused: ${result.refusal.message}`);
    return { ...result.result, footprint: footprints[0]! };
  }

  async importEvents(events: PageviewInput[], kind = "import") {
    const wire = events.map((e) => ({ ...wireEvent(e), ip: "203.0.113.7", userAgent: USER_AGENT }));
    const { result, footprints } = await this.record(kind, () =>
      this.t.mutation(api.ingest.importEvents, { siteId: this.siteId, events: wire }),
    );
    return { ...result, footprint: footprints[0]! };
  }

  /** The site's worker run, what a kick window schedules (worker.aggregateSite). */
  async siteWorker(kind = kinds.siteWorker) {
    const { result, footprints } = await this.record(kind, () =>
      this.t.mutation(internal.worker.aggregateSite, { siteId: this.siteId as never }),
    );
    return { ...result, footprint: footprints[0]! };
  }

  /** One partition's run (worker.aggregate): what the site run schedules for a partition it left. */
  async worker(partition: number, kind = kinds.worker(partition)) {
    const { result, footprints } = await this.record(kind, () =>
      this.t.mutation(internal.worker.aggregate, { siteId: this.siteId as never, partition }),
    );
    return { ...result, footprint: footprints[0]! };
  }

  /**
   * What the kick would do: the site's run, then the partition continuations it scheduled for
   * now (a full batch, a partition over the shared budget), until none is due.
   */
  async drain() {
    let folded = (await this.siteWorker()).folded;
    for (;;) {
      const runs = await this.runDue("worker:aggregate", (args) =>
        kinds.worker(args.partition as number),
      );
      if (runs.length === 0) return folded;
      folded += runs.reduce((sum, r) => sum + ((r.result as { folded: number }).folded ?? 0), 0);
    }
  }

  async step(
    task: "compact" | "retention",
    kind = task === "compact" ? "compaction" : "retention",
  ) {
    const { result, footprints } = await this.record(kind, () =>
      this.t.mutation(internal.maintenance.step, { task, siteId: this.siteId }),
    );
    return { ...result, footprint: footprints[0]! };
  }

  /**
   * Runs the scheduled jobs of one function that are due now, in the order they were
   * scheduled, as the scheduler would; each under the kind `kindOf(args)` returns. Jobs due
   * later stay scheduled.
   */
  async runDue(
    fn: "presence:refresh" | "worker:aggregate",
    kindOf: (args: Record<string, unknown>) => string,
  ) {
    const now = this.time;
    this.env.setTime(now);
    const jobs = await this.t.run(async (ctx) => {
      const all = await ctx.db.system.query("_scheduled_functions").collect();
      const due = all.filter(
        (j) => j.state.kind === "pending" && j.name === fn && j.scheduledTime <= now,
      );
      for (const job of due) await ctx.scheduler.cancel(job._id);
      return due.map((j) => j.args[0] as Record<string, unknown>);
    });
    const runs: { result: unknown; footprint: Footprint }[] = [];
    for (const args of jobs) {
      // Both are one mutation (the refresh reads live presence through a stale snapshot).
      const run =
        fn === "presence:refresh"
          ? () => this.t.mutation(internal.presence.refresh, args as { siteId: never })
          : () =>
              this.t.mutation(
                internal.worker.aggregate,
                args as { siteId: never; partition: number },
              );
      const { result, footprints } = await this.record(kindOf(args), run);
      runs.push({ result, footprint: footprints[0]! });
    }
    return runs;
  }

  /** The realtime refresh loop's turns due now. */
  async refreshes() {
    return (await this.runDue("presence:refresh", () => "refresh")).map((r) => r.footprint);
  }

  /** Presence rows of the site: one per move of a session's presence (they are never patched). */
  async presenceRows(): Promise<number> {
    this.env.setTime(this.time);
    return await this.t.run(async (ctx) => {
      const rows = await ctx.db
        .query("presence")
        .withIndex("by_last_seen", (q) => q.eq("siteId", this.siteId as never))
        .collect();
      return rows.length;
    });
  }

  /** A dashboard subscription, recorded at this point of the schedule. */
  async subscribe(
    name:
      | "getOverview"
      | "getTimeseries"
      | "getBreakdown"
      | "getRealtime"
      | "getHealth"
      | "listEvents"
      | "filteredOverview",
    range: { from: number; to: number },
  ) {
    const siteId = this.siteId;
    const call = {
      getOverview: () => this.t.query(api.reports.getOverview, { siteId, ...range }),
      // A filtered read (contract §7) reads the range's sessions, not only rollup rows.
      filteredOverview: () =>
        this.t.query(api.reports.getOverview, {
          siteId,
          ...range,
          filters: [["is", "source", ["Direct / None"]]],
        }),
      getTimeseries: () =>
        this.t.query(api.reports.getTimeseries, { siteId, ...range, interval: "hour" }),
      getBreakdown: () =>
        this.t.query(api.reports.getBreakdown, { siteId, ...range, dimension: "page" }),
      getRealtime: () => this.t.query(api.presence.getRealtime, { siteId }),
      getHealth: () => this.t.query(api.maintenance.getHealth, { siteId, now: Date.now() }),
      listEvents: () =>
        this.t.query(api.reports.listEvents, {
          siteId,
          ...range,
          paginationOpts: { numItems: 50, cursor: null },
        }),
    }[name] as () => Promise<unknown>;
    await this.record(kinds.query(name), call);
  }

  async overview(from: number, to: number): Promise<Overview> {
    const o = await this.quiet(() =>
      this.t.query(api.reports.getOverview, { siteId: this.siteId, from, to }),
    );
    return {
      pageviews: o.pageviews,
      visitors: o.visitors,
      sessions: o.sessions,
      events: o.events,
      bounceRate: o.bounceRate,
      avgDurationMs: o.avgDurationMs,
    };
  }

  async health() {
    const h = await this.quiet(() =>
      this.t.query(api.maintenance.getHealth, { siteId: this.siteId, now: Date.now() }),
    );
    return {
      pendingEvents: h.pendingEvents,
      failedEvents: h.failedEvents,
      duplicateSessions: h.duplicateSessions,
    };
  }

  /** Ids of the raw events still stored with a timestamp in [from, to) (of one type). */
  async storedEventIds(from: number, to: number, type?: string): Promise<string[]> {
    this.env.setTime(this.time);
    return await this.t.run(async (ctx) => {
      const rows = await ctx.db
        .query("events")
        .withIndex("by_ts", (q) =>
          q
            .eq("siteId", this.siteId as never)
            .gte("ts", from)
            .lt("ts", to),
        )
        .collect();
      return rows
        .filter((e) => type === undefined || e.type === type)
        .map((e) => e.eventId)
        .sort();
    });
  }

  /** Session rows of one visitor, as the worker stored them. */
  async storedSessions(visitorId: string): Promise<number> {
    this.env.setTime(this.time);
    return await this.t.run(async (ctx) => {
      const rows = await ctx.db
        .query("sessions")
        .withIndex("by_visitor_start", (q) =>
          q.eq("siteId", this.siteId as never).eq("visitorId", visitorId),
        )
        .collect();
      return rows.length;
    });
  }

  async pageBreakdown(from: number, to: number) {
    const b = await this.quiet(() =>
      this.t.query(api.reports.getBreakdown, {
        siteId: this.siteId,
        from,
        to,
        dimension: "page",
        limit: 100,
      }),
    );
    return Object.fromEntries(
      b.rows.map((r) => [r.key, { visitors: r.visitors, pageviews: r.pageviews }]),
    );
  }

  stop() {
    this.rec.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// Schedules

export interface ScheduleResult {
  name: string;
  /** How the pairs were read: "recorded-order" for one sequential-causal run (see predict.ts). */
  mode: string;
  executions: Execution[];
  cells: Record<string, Cell>;
  invalidations: Record<string, Record<string, InvalidationCell>>;
  /** What the dashboard and getHealth say at the end. */
  figures: Figures;
  /** What they must say, from the schedule's inputs alone. */
  expected: Figures;
}

function finish(lab: Lab, name: string, figures: Figures, expected: Figures): ScheduleResult {
  lab.stop();
  return {
    name,
    mode: "recorded-order",
    executions: lab.executions,
    cells: conflictCells(lab.executions, { mode: "recorded-order" }),
    invalidations: invalidationCells(lab.executions),
    figures,
    expected,
  };
}

const TODAY = { from: T0 - 12 * HOUR_MS, to: T0 + HOUR_MS };

/** The dashboard's subscriptions, as a schedule subscribes them. */
const DASHBOARD = [
  "getOverview",
  "getTimeseries",
  "getBreakdown",
  "getRealtime",
  "getHealth",
  "listEvents",
  "filteredOverview",
] as const;

/**
 * 200 ingest calls from 200 different visitors, then 10 calls from 3 tabs of one session
 * (same visitorId and sessionId, a different page each time). Then the workers fold it all.
 * `tabs.cells` is the matrix of the one-session calls alone.
 */
export async function manyVisitors(
  env: ScheduleEnv,
  options: { visitors?: number; tabCalls?: number } = {},
) {
  const visitors = options.visitors ?? 200;
  const tabCalls = options.tabCalls ?? 10;
  const lab = await Lab.open(env);
  const start = T0 - 10 * MINUTE_MS;
  for (let i = 0; i < visitors; i++) {
    await lab.ingest([
      { id: `u${i}-pv`, ts: start + i * 100, visitorId: `u${i}`, path: `/p${i % 5}` },
    ]);
  }
  const first = lab.executions.length;
  for (let call = 0; call < tabCalls; call++) {
    const tab = call % 3;
    await lab.ingest([
      {
        id: `tabs-pv${call}`,
        ts: start + visitors * 100 + call * 1_000,
        visitorId: "tabs",
        sessionId: "tabs-s",
        path: `/tab${tab}/${call}`,
      },
    ]);
  }
  const tabs = { cells: conflictCells(lab.executions.slice(first), { mode: "recorded-order" }) };
  lab.advance(SETTLE);
  await lab.drain();
  const figures = { today: await lab.overview(TODAY.from, TODAY.to), health: await lab.health() };
  const expected = {
    today: {
      pageviews: visitors + tabCalls,
      visitors: visitors + 1,
      sessions: visitors + 1,
      events: 0,
      // Every visitor's single view bounces; the tabs' session (10 views) doesn't.
      bounceRate: visitors / (visitors + 1),
      // The tabs' session spans its views, 1 s apart: the only session with a duration.
      avgDurationMs: Math.round(((tabCalls - 1) * 1_000) / (visitors + 1)),
    },
    health: { pendingEvents: 0, failedEvents: 0, duplicateSessions: 0 },
  };
  return { ...finish(lab, `${visitors} visitors, one session in 3 tabs`, figures, expected), tabs };
}

/**
 * Ingest while the workers run. Round A (40 calls of two live views, visitors spread over every
 * partition: each call also moves its visitor's presence) is ingested, its settle window
 * passes, and the dashboard subscribes. Then each partition's run folds round A (partition
 * runs, worker.aggregate: what a site run that left every partition to a continuation would be
 * followed by, and the only way the matrix sees runs of different partitions side by side), and
 * round B's ingests (half of them from round A's visitors coming back, half from new ones) land
 * between the runs. The realtime summary refreshes; round B settles and the site's run
 * (worker.aggregateSite) folds it.
 */
export async function ingestDuringWorker(
  env: ScheduleEnv,
  options: { callsPerRound?: number } = {},
) {
  const calls = options.callsPerRound ?? 40;
  const lab = await Lab.open(env);
  const pool = Array.from({ length: PARTITIONS }, (_, p) => visitorsIn(p, 2 * calls, `w${p}-`));
  // Call n of a round goes to partition n % PARTITIONS; in round B, even calls are returning visitors.
  const visitorOf = (round: "a" | "b", n: number) => {
    const slot = Math.floor(n / PARTITIONS);
    return pool[n % PARTITIONS]![round === "a" || n % 2 === 0 ? slot : calls + slot]!;
  };
  const views = (round: "a" | "b", n: number) =>
    [0, 1].map((k) => ({
      id: `${round}${n}-${k}`,
      ts: lab.now() - MINUTE_MS + k * 1_000,
      visitorId: visitorOf(round, n),
      path: `/${round}/${k}`,
    }));

  for (let n = 0; n < calls; n++) await lab.ingest(views("a", n));
  lab.advance(SETTLE);
  await lab.refreshes();
  for (const q of DASHBOARD) await lab.subscribe(q, TODAY);
  const perPartition = calls / PARTITIONS;
  for (let p = 0; p < PARTITIONS; p++) {
    await lab.worker(p);
    for (let n = p * perPartition; n < (p + 1) * perPartition; n++) await lab.ingest(views("b", n));
  }
  lab.advance(REALTIME_REFRESH_MS);
  await lab.refreshes();
  await lab.drain();

  const returning = Math.ceil(calls / 2);
  const sessions = calls + (calls - returning);
  // Round A's views are 1 s apart; a returning visitor's session runs on to its round B
  // views, SETTLE later: SETTLE + 1 s in all.
  const durations = (calls - returning) * 1_000 * 2 + returning * (SETTLE + 1_000);
  const figures = { today: await lab.overview(TODAY.from, TODAY.to), health: await lab.health() };
  const expected = {
    today: {
      pageviews: 4 * calls,
      visitors: sessions,
      sessions,
      events: 0,
      bounceRate: 0,
      avgDurationMs: Math.round(durations / sessions),
    },
    health: { pendingEvents: 0, failedEvents: 0, duplicateSessions: 0 },
  };
  return finish(lab, "ingest while the workers run", figures, expected);
}

/**
 * Two kicks of one site. A twin instance (same inputs, same ids) runs the same site run
 * (worker.aggregateSite) on the same snapshot: what a second kick that starts before the first
 * commits reads and writes (requests racing into an empty kick window may each schedule one,
 * for the same instant). The pair conflicts, so Convex retries the later one; the retry, run
 * after the first committed, must find nothing to fold, write nothing, and leave every figure
 * counted once. The same for an event delivered twice at once (a tracker retry): the twin
 * deliveries conflict on the event id (and, the view being live and the realtime loop stopped,
 * on starting the loop), and the retried one stores nothing.
 */
export async function concurrentKicks(env: ScheduleEnv) {
  const partition = 1;
  const visitors = visitorsIn(partition, 4, "k");
  const setup = async (lab: Lab) => {
    lab.at(T0);
    await lab.quiet(async () => {
      for (const [i, visitorId] of visitors.entries()) {
        // Two views and a custom event: the events counter is the figure a second fold would double.
        const events: PageviewInput[] = [0, 1, 2].map((k) => ({
          id: `k${i}-${k}`,
          ts: T0 - 5 * MINUTE_MS + k * MINUTE_MS,
          visitorId,
          path: `/k${Math.min(k, 1)}`,
        }));
        events[2] = { ...events[2]!, type: "event", name: "cta" };
        await lab.t.mutation(api.ingest.ingest, lab.ingestArgs(events));
      }
    });
    lab.advance(SETTLE);
  };
  const lab = await Lab.open(env, { slug: "kicks" });
  const twin = await Lab.open(env, { slug: "kicks" });
  await setup(lab);
  await setup(twin);
  const first = await lab.siteWorker();
  const concurrent = await twin.siteWorker();
  const retry = await lab.siteWorker();
  const resend = [{ id: "dup-1", ts: lab.now(), visitorId: visitors[0]!, path: "/again" }];
  const delivery = await lab.ingest(resend);
  const concurrentDelivery = await twin.ingest(resend, "redelivery");
  const redelivery = await lab.ingest(resend, "redelivery");
  lab.advance(SETTLE);
  twin.stop();
  const rest = await lab.drain();
  const figures = {
    today: await lab.overview(TODAY.from, TODAY.to),
    health: await lab.health(),
    firstFolded: first.folded,
    retryFolded: retry.folded,
    retryWrites: writesOf(retry.footprint),
    redelivery: {
      accepted: redelivery.accepted,
      duplicates: redelivery.duplicates,
      writes: writesOf(redelivery.footprint),
      eventWrites: presenceWritesOf(redelivery.footprint),
    },
    laterFolded: rest,
  };
  // Three events 1 min apart per visitor; the resent view extends the first visitor's session to now.
  const durations = 3 * 2 * MINUTE_MS + (resend[0]!.ts - (T0 - 5 * MINUTE_MS));
  const expected = {
    today: {
      pageviews: 4 * 2 + 1,
      visitors: 4,
      sessions: 4,
      events: 4,
      bounceRate: 0,
      avgDurationMs: Math.round(durations / 4),
    },
    health: { pendingEvents: 0, failedEvents: 0, duplicateSessions: 0 },
    firstFolded: 12,
    retryFolded: 0,
    retryWrites: 0,
    // It stores nothing: its one write is its request's rate-limit mark (ingestReservations),
    // which counts the events a request asks to store, duplicates included.
    redelivery: { accepted: 0, duplicates: 1, writes: 1, eventWrites: 0 },
    laterFolded: 1,
  };
  const w = kinds.siteWorker;
  const cells: Record<string, Cell> = {};
  // The two kicks overlapped: either may commit first, so both directions count.
  mergeCells(
    cells,
    conflictCells(
      [
        { kind: w, footprint: first.footprint },
        { kind: w, footprint: concurrent.footprint },
      ],
      { mode: "symmetric" },
    ),
  );
  mergeCells(
    cells,
    conflictCells(
      [
        { kind: "ingest", footprint: delivery.footprint },
        { kind: "redelivery", footprint: concurrentDelivery.footprint },
      ],
      { mode: "symmetric" },
    ),
  );
  // The retries ran after the first committed: recorded order.
  mergeCells(
    cells,
    conflictCells(
      [
        { kind: w, footprint: first.footprint },
        { kind: w, footprint: retry.footprint },
      ],
      { mode: "recorded-order" },
    ),
  );
  mergeCells(
    cells,
    conflictCells(
      [
        { kind: "ingest", footprint: delivery.footprint },
        { kind: "redelivery", footprint: redelivery.footprint },
      ],
      { mode: "recorded-order" },
    ),
  );
  lab.stop();
  const result: ScheduleResult = {
    name: "two kicks of one site, one event delivered twice",
    mode: "symmetric for the twin pairs, recorded-order for the retries",
    executions: lab.executions,
    cells,
    invalidations: {},
    figures,
    expected,
  };
  const twins = {
    kicks: {
      first: first.footprint,
      concurrent: concurrent.footprint,
      retry: retry.footprint,
    } satisfies Twins,
    deliveries: {
      first: delivery.footprint,
      concurrent: concurrentDelivery.footprint,
      retry: redelivery.footprint,
    } satisfies Twins,
  };
  return { ...result, twins };
}

/**
 * Compaction and retention while the workers run, on a site keeping 30 days of raw events.
 * Already there: two aggregated views 60 days old (visitor "a"), four aggregated views two
 * days old (closed buckets: compaction work). Recorded: a backfill of the 60-day-old day (o3,
 * visitor "b", still pending when retention looks at that day), a late event for the
 * two-day-old day, live traffic; retention; a second backfill of the old day (o4) just after
 * retention read it; compaction; the workers; compaction; more live traffic; retention; the
 * workers; retention.
 */
export async function maintenanceDuringWorker(env: ScheduleEnv) {
  const lab = await Lab.open(env, {
    slug: "maintenance",
    settings: { retentionDays: 30, visitRetentionDays: 30 },
  });
  const OLD = T0 - 60 * DAY_MS;
  const RECENT = T0 - 2 * DAY_MS;
  const [a] = visitorsIn(0, 1, "old-a");
  const [b] = visitorsIn(1, 1, "old-b");
  const [late] = visitorsIn(2, 1, "late");
  const recent = [0, 1, 2, 3].map((p) => visitorsIn(p, 1, "recent")[0]!);
  const live = [0, 1, 2, 3].flatMap((p) => visitorsIn(p, 2, "live"));
  await lab.quiet(async () => {
    await lab.t.mutation(api.ingest.importEvents, {
      siteId: lab.siteId,
      events: [
        {
          ...wireEvent({ id: "o1", ts: OLD, visitorId: a!, path: "/" }),
          ip: "203.0.113.7",
          userAgent: USER_AGENT,
        },
        {
          ...wireEvent({ id: "o2", ts: OLD + MINUTE_MS, visitorId: a!, path: "/b" }),
          ip: "203.0.113.7",
          userAgent: USER_AGENT,
        },
        ...recent.map((visitorId, i) => ({
          ...wireEvent({ id: `r${i}`, ts: RECENT + i * HOUR_MS, visitorId, path: "/r" }),
          ip: "203.0.113.7",
          userAgent: USER_AGENT,
        })),
      ],
    });
  });
  lab.advance(SETTLE);
  await lab.quiet(() =>
    lab.t.mutation(internal.worker.aggregateSite, { siteId: lab.siteId as never }),
  );

  await lab.importEvents([{ id: "o3", ts: OLD + 2 * MINUTE_MS, visitorId: b!, path: "/" }]);
  await lab.importEvents([
    { id: "late1", ts: RECENT + 5 * HOUR_MS, visitorId: late!, path: "/late" },
  ]);
  for (const [i, visitorId] of live.entries())
    await lab.ingest([{ id: `live${i}`, ts: lab.now() - MINUTE_MS, visitorId, path: "/live" }]);
  lab.advance(SETTLE);
  const retention1 = await lab.step("retention");
  const oldDayAfterFirstRetention = await lab.storedEventIds(OLD - HOUR_MS, OLD + HOUR_MS);
  // A second backfill of the old day, after retention read that day: the append racing retention.
  await lab.importEvents([{ id: "o4", ts: OLD + 3 * MINUTE_MS, visitorId: b!, path: "/c" }]);
  await lab.step("compact");
  lab.advance(SETTLE);
  await lab.drain();
  await lab.step("compact");
  for (const [i, visitorId] of live.entries())
    await lab.ingest([{ id: `live2-${i}`, ts: lab.now() - MINUTE_MS, visitorId, path: "/live2" }]);
  const retention2 = await lab.step("retention");
  lab.advance(SETTLE);
  await lab.drain();
  const retention3 = await lab.step("retention");

  const oldDay = { from: OLD - HOUR_MS, to: OLD + HOUR_MS };
  const recentDay = { from: RECENT - HOUR_MS, to: RECENT + 12 * HOUR_MS };
  const figures = {
    oldDay: await lab.overview(oldDay.from, oldDay.to),
    oldDayPages: await lab.pageBreakdown(oldDay.from, oldDay.to),
    oldDayAfterFirstRetention,
    recentDay: await lab.overview(recentDay.from, recentDay.to),
    today: await lab.overview(TODAY.from, TODAY.to),
    // Raw events of the old day: all of them aggregated, so retention has taken them all.
    oldDayStored: await lab.storedEventIds(oldDay.from, oldDay.to),
    deleted: [retention1.done, retention2.done, retention3.done],
    health: await lab.health(),
  };
  const expected = {
    // a: two views ("/", "/b"), one session; b: o3 ("/") and o4 ("/c"), one session.
    oldDay: {
      pageviews: 4,
      visitors: 2,
      sessions: 2,
      events: 0,
      bounceRate: 0,
      avgDurationMs: MINUTE_MS,
    },
    oldDayPages: {
      "/": { visitors: 2, pageviews: 2 },
      "/b": { visitors: 1, pageviews: 1 },
      "/c": { visitors: 1, pageviews: 1 },
    },
    // The backfill was pending when retention looked at its day: kept.
    oldDayAfterFirstRetention: ["o3"],
    recentDay: {
      pageviews: 5,
      visitors: 5,
      sessions: 5,
      events: 0,
      bounceRate: 1,
      avgDurationMs: 0,
    },
    // Each live visitor's two views, one per live round: the rounds are two SETTLE steps apart.
    today: {
      pageviews: 2 * live.length,
      visitors: live.length,
      sessions: live.length,
      events: 0,
      bounceRate: 0,
      avgDurationMs: 2 * SETTLE,
    },
    oldDayStored: [],
    // First pass: o1, o2 and a's session (o3 is pending: kept). Second: o3, o4 (aggregated by
    // then) and b's session. Third: nothing left. (Visitor rows are no longer written.)
    deleted: [3, 3, 0],
    health: { pendingEvents: 0, failedEvents: 0, duplicateSessions: 0 },
  };
  return finish(lab, "compaction and retention while the workers run", figures, expected);
}

/**
 * Heartbeats from several tabs of several sessions (all on the same page). Each session opens
 * with a pageview from its first tab; two more tabs heartbeat 2 s later and the first one at
 * 4 s (all inside the 10 s dedup window: they store nothing); the second tab's heartbeat at
 * 12 s moves the session's presence (a new row, and the heartbeat stored), the third's at 13 s
 * doesn't. Every request is one ingest mutation: the pageviews are filed as "ingest", the
 * heartbeats under their session. The realtime summary refreshes (every REALTIME_REFRESH_MS)
 * while they run, under the dashboard's subscriptions; the stored heartbeats extend the sessions.
 */
export async function heartbeats(env: ScheduleEnv, options: { sessions?: number } = {}) {
  const sessions = options.sessions ?? 4;
  const lab = await Lab.open(env, { slug: "presence" });
  const visitors = Array.from({ length: sessions }, (_, i) => `hb${i}`);
  for (const q of DASHBOARD) await lab.subscribe(q, TODAY);
  const beat = async (offset: number, tab: number, type: "pageview" | "heartbeat") => {
    lab.at(T0 + offset);
    for (const visitorId of visitors) {
      await lab.ingest([
        { id: `${visitorId}-t${tab}-${offset}`, ts: T0 + offset, visitorId, path: "/a", type },
      ]);
    }
  };
  await beat(0, 0, "pageview");
  await lab.refreshes(); // the first turn, scheduled by the request that started the loop
  await beat(2_000, 1, "heartbeat");
  await beat(2_000, 2, "heartbeat");
  await beat(4_000, 0, "heartbeat");
  await lab.refreshes(); // not due yet
  lab.at(T0 + REALTIME_REFRESH_MS);
  await lab.refreshes();
  await beat(12_000, 1, "heartbeat");
  await beat(13_000, 2, "heartbeat");
  lab.at(T0 + 2 * REALTIME_REFRESH_MS);
  await lab.refreshes();
  lab.advance(SETTLE);
  await lab.drain();
  const realtime = await lab.quiet(() =>
    lab.t.query(api.presence.getRealtime, { siteId: lab.siteId }),
  );
  const figures = {
    today: await lab.overview(TODAY.from, TODAY.to),
    realtime: { activeVisitors: realtime.activeVisitors, pages: realtime.pages },
    storedHeartbeats: await lab.storedEventIds(TODAY.from, TODAY.to, "heartbeat"),
    presenceRows: await lab.presenceRows(),
    health: await lab.health(),
  };
  const expected = {
    // One pageview and one stored heartbeat (12 s later) per session.
    today: {
      pageviews: sessions,
      visitors: sessions,
      sessions,
      events: 0,
      bounceRate: 1,
      avgDurationMs: 12_000,
    },
    realtime: { activeVisitors: sessions, pages: [{ path: "/a", visitors: sessions }] },
    storedHeartbeats: visitors.map((v) => `${v}-t1-12000`).sort(),
    // Per session: the pageview's row and the 12 s heartbeat's (a move inserts a row).
    presenceRows: 2 * sessions,
    health: { pendingEvents: 0, failedEvents: 0, duplicateSessions: 0 },
  };
  return finish(lab, "heartbeats from several tabs", figures, expected);
}

// ---------------------------------------------------------------------------------------------
// Reference incidents (docs/architecture.md): each as a schedule whose figures say whether it recurred

/**
 * Concurrent writers to one log: `calls` ingest calls of `perCall` views from distinct
 * visitors, each also resending the previous call's last event (a tracker retry that
 * overlapped it). Read symmetrically (ingests are independent: any two may overlap), the only
 * conflicts must be between calls that carry the same event id; every view is stored and
 * counted once.
 */
export async function sharedLog(
  env: ScheduleEnv,
  options: { calls?: number; perCall?: number } = {},
) {
  const calls = options.calls ?? 50;
  const perCall = options.perCall ?? 4;
  const lab = await Lab.open(env, { slug: "log" });
  const view = (k: number, i: number) => ({
    id: `log${k}-${i}`,
    ts: T0 - 10 * MINUTE_MS + k * 1_000 + i,
    visitorId: `log${k}-${i}`,
    path: `/l${i}`,
  });
  const ids: string[][] = [];
  let accepted = 0;
  let duplicates = 0;
  for (let k = 0; k < calls; k++) {
    const events = Array.from({ length: perCall }, (_, i) => view(k, i));
    if (k > 0) events.push(view(k - 1, perCall - 1));
    ids.push(events.map((e) => e.id));
    const out = await lab.ingest(events);
    accepted += out.accepted;
    duplicates += out.duplicates;
  }
  lab.advance(SETTLE);
  await lab.drain();
  const ingests = lab.executions.filter((e) => e.kind === "ingest");
  const sharing: [number, number][] = [];
  for (let a = 0; a < ids.length; a++)
    for (let b = a + 1; b < ids.length; b++)
      if (ids[a]!.some((id) => ids[b]!.includes(id))) sharing.push([a, b]);
  const figures = {
    accepted,
    duplicates,
    stored: (await lab.storedEventIds(TODAY.from, TODAY.to)).length,
    today: await lab.overview(TODAY.from, TODAY.to),
    health: await lab.health(),
  };
  const n = calls * perCall;
  const expected = {
    accepted: n,
    duplicates: calls - 1,
    stored: n,
    today: { pageviews: n, visitors: n, sessions: n, events: 0, bounceRate: 1, avgDurationMs: 0 },
    health: { pendingEvents: 0, failedEvents: 0, duplicateSessions: 0 },
  };
  const result = finish(lab, "concurrent writers to one log", figures, expected);
  return {
    ...result,
    mode: "symmetric",
    cells: conflictCells(ingests, { mode: "symmetric" }),
    /** Index pairs (in call order) of ingest calls predicted to conflict, read symmetrically. */
    conflicting: conflictingPairs(
      ingests.map((e) => e.footprint),
      { mode: "symmetric" },
    ),
    /** Index pairs of calls that carry a common event id. */
    sharing,
  };
}

/** Index pairs [i, j] (i < j) of footprints predicted to conflict. */
export function conflictingPairs(
  footprints: Footprint[],
  options: PredictOptions,
): [number, number][] {
  const out: [number, number][] = [];
  const m = footprints.map((footprint, i) => ({ kind: String(i), footprint }));
  for (let i = 0; i < m.length; i++) {
    for (let j = i + 1; j < m.length; j++) {
      if (conflictCells([m[i]!, m[j]!], options)[pairName(m[i]!.kind, m[j]!.kind)]!.conflicts > 0)
        out.push([i, j]);
    }
  }
  return out;
}

/** Two executions of one snapshot (a lab and its twin), and the retry of the second after the first committed. */
export type Twins = { first: Footprint; concurrent: Footprint; retry: Footprint };

/**
 * Parallel heartbeats of one session. Two tabs heartbeat at the same moment: the first
 * request runs in the lab, the second on a twin with the same history (it started before the
 * first committed), then again in the lab (its retry, or a heartbeat that came just after).
 * Inside the dedup window neither stores anything. Just past it both move the session's
 * presence: each inserts a row (read through a stale snapshot, never patched), so they don't
 * conflict, and the one that runs after the first stores nothing.
 */
export async function parallelHeartbeats(env: ScheduleEnv) {
  const run = async (at: number): Promise<Twins> => {
    const open = async () => {
      const lab = await Lab.open(env, { slug: "tabs" });
      await lab.ingest([{ id: "pv", ts: T0, visitorId: "tabs", path: "/docs" }]);
      lab.at(T0 + at);
      return lab;
    };
    const lab = await open();
    const twin = await open();
    // Tab b's heartbeat is half a second behind tab a's.
    const beat = async (l: Lab, tab: "a" | "b") => {
      const ts = T0 + at + (tab === "b" ? 500 : 0);
      l.at(ts);
      const out = await l.ingest([
        { id: `hb-${tab}-${at}`, ts, visitorId: "tabs", path: "/docs", type: "heartbeat" },
      ]);
      return out.footprint;
    };
    const first = await beat(lab, "a");
    const concurrent = await beat(twin, "b");
    const retry = await beat(lab, "b");
    lab.stop();
    twin.stop();
    return { first, concurrent, retry };
  };
  return { insideWindow: await run(2_000), pastWindow: await run(12_000) };
}

/**
 * An append racing retention of the segment it writes to, in both orders: retention reads
 * the 60-day-old day (o1, o2 aggregated) and a backfill of that day (o3) arrives just after,
 * or just before. Either way o3 stays until it is counted, and the day's figures are exact.
 */
export async function appendRacingRetention(
  env: ScheduleEnv,
  order: "retention first" | "append first",
) {
  const lab = await Lab.open(env, {
    slug: "race",
    settings: { retentionDays: 30, visitRetentionDays: 30 },
  });
  const OLD = T0 - 60 * DAY_MS;
  const day = { from: OLD - HOUR_MS, to: OLD + HOUR_MS };
  await lab.quiet(() =>
    lab.t.mutation(api.ingest.importEvents, {
      siteId: lab.siteId,
      events: [
        { ...wireEvent({ id: "o1", ts: OLD, visitorId: "a", path: "/" }), userAgent: USER_AGENT },
        {
          ...wireEvent({ id: "o2", ts: OLD + MINUTE_MS, visitorId: "a", path: "/b" }),
          userAgent: USER_AGENT,
        },
      ],
    }),
  );
  lab.advance(SETTLE);
  await lab.quiet(() =>
    lab.t.mutation(internal.worker.aggregateSite, { siteId: lab.siteId as never }),
  );
  const append = () =>
    lab.importEvents([{ id: "o3", ts: OLD + 2 * MINUTE_MS, visitorId: "b", path: "/" }]);
  if (order === "append first") await append();
  const first = await lab.step("retention");
  if (order === "retention first") await append();
  const afterFirst = await lab.storedEventIds(day.from, day.to);
  lab.advance(SETTLE);
  await lab.drain();
  const second = await lab.step("retention");
  const figures = {
    afterFirstRetention: afterFirst,
    deleted: [first.done, second.done],
    day: await lab.overview(day.from, day.to),
    storedAtEnd: await lab.storedEventIds(day.from, day.to),
    health: await lab.health(),
  };
  const expected = {
    afterFirstRetention: ["o3"],
    // o1, o2 and a's session; then o3 and b's session (visitor rows are no longer written).
    deleted: [3, 2],
    day: {
      pageviews: 3,
      visitors: 2,
      sessions: 2,
      events: 0,
      bounceRate: 0.5,
      avgDurationMs: MINUTE_MS / 2,
    },
    storedAtEnd: [],
    health: { pendingEvents: 0, failedEvents: 0, duplicateSessions: 0 },
  };
  return finish(lab, `an append racing retention (${order})`, figures, expected);
}

/**
 * Three calls for one user's session (three tabs, same visitorId and sessionId). "together":
 * they arrive at once and one worker run folds them; "apart": each is folded by its own
 * worker run, so the second and third runs must find the session the first created.
 */
export async function oneSessionThreeCalls(env: ScheduleEnv, fold: "together" | "apart") {
  const lab = await Lab.open(env, { slug: "one-session" });
  const visitorId = "user";
  for (let tab = 0; tab < 3; tab++) {
    await lab.ingest([
      {
        id: `tab${tab}`,
        ts: lab.now() - MINUTE_MS,
        visitorId,
        sessionId: "user-s",
        path: `/tab${tab}`,
      },
    ]);
    if (fold === "apart") {
      lab.advance(SETTLE);
      await lab.siteWorker();
    }
  }
  lab.advance(SETTLE);
  await lab.drain();
  const ingests = lab.executions.filter((e) => e.kind === "ingest");
  const figures = {
    today: await lab.overview(TODAY.from, TODAY.to),
    sessionRows: await lab.storedSessions(visitorId),
    health: await lab.health(),
  };
  const span = fold === "apart" ? 2 * SETTLE : 0;
  const expected = {
    today: {
      pageviews: 3,
      visitors: 1,
      sessions: 1,
      events: 0,
      bounceRate: 0,
      avgDurationMs: span,
    },
    sessionRows: 1,
    health: { pendingEvents: 0, failedEvents: 0, duplicateSessions: 0 },
  };
  return {
    ...finish(lab, `three calls for one session (${fold})`, figures, expected),
    ingestCells: conflictCells(ingests, { mode: "symmetric" }),
  };
}

/**
 * A dashboard metric that means what its label says. Four visitors: A comes back after a
 * 3 h gap with the same session id (two sessions); B reloads a page within the dedup window
 * (one view counted) and reads on; C opens two session ids 5 min apart; D views a page and
 * signs up (a custom event: not a bounce).
 */
export async function metricMeaning(env: ScheduleEnv) {
  const lab = await Lab.open(env, { slug: "meaning" });
  const h = HOUR_MS;
  const m = MINUTE_MS;
  const events: PageviewInput[] = [
    { id: "a1", ts: T0 - 5 * h, visitorId: "A", path: "/" },
    { id: "a2", ts: T0 - 5 * h + 2 * m, visitorId: "A", path: "/pricing" },
    { id: "a3", ts: T0 - 2 * h, visitorId: "A", path: "/" },
    { id: "b1", ts: T0 - 3 * h, visitorId: "B", path: "/" },
    { id: "b2", ts: T0 - 3 * h + m, visitorId: "B", path: "/" },
    { id: "b3", ts: T0 - 3 * h + 4 * m, visitorId: "B", path: "/docs" },
    { id: "c1", ts: T0 - h, visitorId: "C", sessionId: "C-1", path: "/" },
    { id: "c2", ts: T0 - h + 5 * m, visitorId: "C", sessionId: "C-2", path: "/" },
    { id: "d1", ts: T0 - 30 * m, visitorId: "D", path: "/pricing" },
    { id: "d2", ts: T0 - 29 * m, visitorId: "D", path: "/pricing", type: "event", name: "signup" },
  ];
  for (const e of events) await lab.ingest([e]);
  lab.advance(SETTLE);
  await lab.drain();
  const figures = {
    today: await lab.overview(TODAY.from, TODAY.to),
    pages: await lab.pageBreakdown(TODAY.from, TODAY.to),
  };
  const expected = {
    today: {
      pageviews: 8, // A 3, B 2 (the reload within pageviewDedupMs isn't counted), C 2, D 1
      visitors: 4,
      sessions: 6, // A 2, B 1, C 2, D 1
      events: 1,
      bounceRate: 3 / 6, // A's second, C's two: one view and no event
      avgDurationMs: Math.round((2 * m + 4 * m + m) / 6), // A's first 2 min, B 4 min, D 1 min
    },
    pages: {
      "/": { visitors: 3, pageviews: 5 },
      "/pricing": { visitors: 2, pageviews: 2 },
      "/docs": { visitors: 1, pageviews: 1 },
    },
  };
  return finish(lab, "a metric that means what its label says", figures, expected);
}

// ---------------------------------------------------------------------------------------------
// The matrix

export interface ConcurrencyMatrix {
  method: string;
  schedules: {
    name: string;
    mode: string;
    executions: Record<string, number>;
    mismatches: Mismatch[];
    /** Documents written by more than one ingest of the schedule: invariant 1 says none. */
    hotIngestDocuments: ReturnType<typeof hotDocuments>;
  }[];
  /** Per pair of operation kinds, over every schedule. */
  cells: Record<string, Cell>;
  /** Per writer kind and dashboard query: the reactivity cost. */
  invalidations: Record<string, Record<string, InvalidationCell>>;
  total: Cell;
}

function executionCounts(executions: Execution[]) {
  const counts: Record<string, number> = {};
  for (const e of executions) {
    const base = splitKind(e.kind).base;
    counts[base] = (counts[base] ?? 0) + 1;
  }
  return counts;
}

export const MATRIX_METHOD =
  "footprints of the real component (test/footprint recorder) over the schedules of harness/schedules.ts; " +
  "conflictMatrix in recorded order for the sequential-causal schedules, symmetric for two executions of one snapshot " +
  "(concurrent kicks, a concurrent redelivery); per1000 = conflicts per 1,000 pairs of executions";

/** Sums the schedules' cells: per pair of operation kinds, and in total. */
export function foldMatrix(results: ScheduleResult[]): ConcurrencyMatrix {
  const cells: Record<string, Cell> = {};
  const invalidations: Record<string, Record<string, InvalidationCell>> = {};
  for (const r of results) {
    mergeCells(cells, r.cells);
    mergeInvalidations(invalidations, r.invalidations);
  }
  const total: Cell = { pairs: 0, conflicts: 0, per1000: 0 };
  for (const c of Object.values(cells)) {
    total.pairs += c.pairs;
    total.conflicts += c.conflicts;
  }
  total.per1000 = per1000(total.conflicts, total.pairs);
  return {
    method: MATRIX_METHOD,
    schedules: results.map((r) => ({
      name: r.name,
      mode: r.mode,
      executions: executionCounts(r.executions),
      mismatches: figureMismatches(r),
      hotIngestDocuments: hotDocuments(
        r.executions.filter((e) => e.kind === "ingest").map((e) => e.footprint),
      ),
    })),
    cells,
    invalidations,
    total,
  };
}

/** The realistic schedules, in the order the matrix reports them. */
export async function matrixSchedules(env: ScheduleEnv): Promise<ScheduleResult[]> {
  return [
    await manyVisitors(env),
    await ingestDuringWorker(env),
    await concurrentKicks(env),
    await maintenanceDuringWorker(env),
    await heartbeats(env),
  ];
}

/** Runs every schedule: per pair of operation kinds, conflicts per 1,000 pairs, plus invalidations. */
export async function concurrencyMatrix(env: ScheduleEnv): Promise<ConcurrencyMatrix> {
  return foldMatrix(await matrixSchedules(env));
}
