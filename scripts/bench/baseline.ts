// The baseline: a deliberately naive analytics backend (scripts/bench/naive/) on the same
// engine, fed the same traffic: every event read-modify-writes one counter document per site
// per metric, and every dashboard query scans the raw events of its range. Its limits are
// off so the scans that a deployment would refuse can still be measured; each figure says
// whether it is over Convex's per-function limits.
import { convexTest } from "convex-test";
import { DAY_MS } from "../../src/component/lib/limits.js";
import { globModules } from "../../harness/embedded.js";
import { api } from "./naive/_generated/api.js";
import naiveSchema from "./naive/schema.js";
import { perEvent, round, zeroCost, type Cost } from "../../harness/component.js";
import { rangeEnd, SCALE_VOLUMES, sumFigures, type ReadFigures } from "./scale.js";
import { scaleWorkload, toNaive } from "./workload.js";

/** Convex's per-function read limits (docs/architecture.md, "The platform facts it relies on"). */
export const CONVEX_LIMITS = { documentsRead: 32_000, bytesRead: 16 * 2 ** 20 };
/** Events per naive ingest call while seeding (each event is its own read-modify-write anyway). */
const NAIVE_BATCH = 100;
const DIMENSIONS = ["page", "source", "browser", "country", "entryPage"] as const;

export function createNaiveBackend() {
  return convexTest({
    schema: naiveSchema,
    modules: globModules("scripts/bench/naive"),
    transactionLimits: false,
  });
}
type NaiveBackend = ReturnType<typeof createNaiveBackend>;
type RunCtx = Parameters<Parameters<NaiveBackend["run"]>[0]>[0];
type Metrics = Record<
  "documentsRead" | "documentsWritten" | "bytesRead" | "bytesWritten" | "databaseQueries",
  { used: number }
>;

/** Same as harness.measure, for the naive instance. */
async function measure<T>(t: NaiveBackend, body: (ctx: RunCtx) => Promise<T>) {
  return await t.run(async (ctx) => {
    const meta = (ctx as unknown as { meta: { getTransactionMetrics(): Promise<Metrics> } }).meta;
    const before = await meta.getTransactionMetrics();
    const started = performance.now();
    const result = await body(ctx);
    const ms = performance.now() - started;
    const after = await meta.getTransactionMetrics();
    const used = (key: keyof Metrics) => after[key].used - before[key].used;
    const cost: Cost = {
      documentsRead: used("documentsRead"),
      documentsWritten: used("documentsWritten"),
      bytesRead: used("bytesRead"),
      bytesWritten: used("bytesWritten"),
      indexRanges: used("databaseQueries"),
    };
    return { result, cost, ms };
  });
}

const figures = (cost: Cost, ms: number): ReadFigures & { overLimit: boolean } => ({
  documentsRead: cost.documentsRead,
  bytesRead: cost.bytesRead,
  indexRanges: cost.indexRanges,
  ms: round(ms),
  overLimit:
    cost.documentsRead > CONVEX_LIMITS.documentsRead || cost.bytesRead > CONVEX_LIMITS.bytesRead,
});

async function naiveVolume(events: number, end: number, log: (line: string) => void) {
  const t = createNaiveBackend();
  const site = `naive-${events}`;
  const workload = scaleWorkload(events, end).map(toNaive);
  log(`  baseline ${events.toLocaleString("en")} events: ingest`);
  const total = zeroCost();
  let ms = 0;
  for (let i = 0; i < workload.length; i += NAIVE_BATCH) {
    const batch = workload.slice(i, i + NAIVE_BATCH);
    const run = await measure(t, (ctx) =>
      ctx.runMutation(api.functions.ingest, { site, events: batch }),
    );
    for (const key of Object.keys(total) as (keyof Cost)[]) total[key] += run.cost[key];
    ms += run.ms;
  }
  const range = (days: number) => ({ site, from: end - days * DAY_MS, to: end });
  const expected30 = workload.filter((e) => e.ts >= end - 30 * DAY_MS).length;
  const overview = await measure(t, (ctx) => ctx.runQuery(api.functions.overview, range(30)));
  if (overview.result.pageviews !== expected30)
    throw new Error(`naive 30-day overview: ${overview.result.pageviews}, expected ${expected30}`);
  const timeseries = await measure(t, (ctx) => ctx.runQuery(api.functions.timeseries, range(30)));
  const breakdowns: Record<string, ReadFigures> = {};
  for (const dimension of DIMENSIONS) {
    const b = await measure(t, (ctx) =>
      ctx.runQuery(api.functions.breakdown, { ...range(30), dimension }),
    );
    breakdowns[dimension] = figures(b.cost, b.ms);
  }
  const year = await measure(t, (ctx) => ctx.runQuery(api.functions.overview, range(365)));
  if (year.result.pageviews !== events)
    throw new Error(`naive 365-day overview: ${year.result.pageviews}, expected ${events}`);
  const dashboard30 = sumFigures([
    figures(overview.cost, overview.ms),
    figures(timeseries.cost, timeseries.ms),
    ...Object.values(breakdowns),
  ]);
  const overview365 = figures(year.cost, year.ms);
  return {
    events,
    ingest: {
      ms: round(ms),
      eventsPerSecond: round((events / ms) * 1000),
      perEvent: perEvent(total, events),
    },
    dashboard30: {
      ...dashboard30,
      overLimit: [overview, timeseries].some((r) => figures(r.cost, r.ms).overLimit),
    },
    overview30: figures(overview.cost, overview.ms),
    overview365,
    visitors30: overview.result.visitors,
    visitors365: year.result.visitors,
  };
}

export type BaselineVolume = Awaited<ReturnType<typeof naiveVolume>>;

export async function benchBaseline(options: { log: (line: string) => void }) {
  const end = rangeEnd();
  const volumes: BaselineVolume[] = [];
  for (const events of SCALE_VOLUMES) volumes.push(await naiveVolume(events, end, options.log));
  const last = volumes[volumes.length - 1]!;
  return {
    design:
      "one events table scanned by every read; counters table: one document per site per metric (pageviews, visitors, sessions) read-modify-written by every event",
    limits: CONVEX_LIMITS,
    /** Per event over the largest volume's ingest (same traffic as ours). */
    ingest: last.ingest,
    volumes,
  };
}
