// The benchmark's engine: the component on its own in convex-test (same code, schema and
// transaction limits as when it is mounted in a host app), with helpers that read a
// function's cost through `ctx.meta.getTransactionMetrics()` and run the aggregation workers
// deterministically instead of waiting for their real-time kicks.
import { convexTest } from "convex-test";
import { api, internal } from "../src/component/_generated/api.js";
import { PARTITIONS, PENDING_SETTLE_MS } from "../src/component/lib/limits.js";
import { partitionOf } from "../src/component/ingest/pipeline.js";
import schema from "../src/component/schema.js";
import { globModules } from "./embedded.js";

/** Slack on top of the worker's settle window before its pending range includes new events. */
const SETTLE_SLACK_MS = 150;
/** Worker runs per partition before the drain gives up: far above any workload here. */
const MAX_WORKER_RUNS_PER_PARTITION = 1_000;

export type ComponentBackend = ReturnType<typeof createComponentBackend>;

/** A standalone component instance: its functions are called directly, no facade, no auth. */
export function createComponentBackend() {
  return convexTest({ schema, modules: globModules("src/component"), transactionLimits: true });
}

export async function createSite(t: ComponentBackend, slug: string) {
  const { siteId } = await t.mutation(api.sites.createSite, {
    slug,
    name: slug,
    domain: "example.com",
  });
  return siteId;
}

/** The metrics of one transaction, as a real deployment reports them. */
export type Cost = {
  documentsRead: number;
  documentsWritten: number;
  bytesRead: number;
  bytesWritten: number;
  /** Index ranges queried (a point lookup that finds nothing reads no document but is one range). */
  indexRanges: number;
};

type Metrics = Record<keyof Omit<Cost, "indexRanges"> | "databaseQueries", { used: number }>;
type MetaCtx = { meta: { getTransactionMetrics(): Promise<Metrics> } };
type RunCtx = Parameters<Parameters<ComponentBackend["run"]>[0]>[0];

function costBetween(before: Metrics, after: Metrics): Cost {
  const used = (key: keyof Metrics) => after[key].used - before[key].used;
  return {
    documentsRead: used("documentsRead"),
    documentsWritten: used("documentsWritten"),
    bytesRead: used("bytesRead"),
    bytesWritten: used("bytesWritten"),
    indexRanges: used("databaseQueries"),
  };
}

/**
 * Runs `body` (one `ctx.runQuery` / `ctx.runMutation` of the function being measured) in a
 * transaction of its own and returns its result, its cost and its wall time. Nested calls
 * add to the enclosing transaction's metrics, so the difference is exactly the callee's.
 */
export async function measure<T>(t: ComponentBackend, body: (ctx: RunCtx) => Promise<T>) {
  return await t.run(async (ctx) => {
    const meta = (ctx as unknown as MetaCtx).meta;
    const before = await meta.getTransactionMetrics();
    const started = performance.now();
    const result = await body(ctx);
    const ms = performance.now() - started;
    const after = await meta.getTransactionMetrics();
    return { result, cost: costBetween(before, after), ms };
  });
}

export function perEvent(cost: Cost, events: number): Cost {
  const each = (x: number) => round(x / events, 3);
  return {
    documentsRead: each(cost.documentsRead),
    documentsWritten: each(cost.documentsWritten),
    bytesRead: each(cost.bytesRead),
    bytesWritten: each(cost.bytesWritten),
    indexRanges: each(cost.indexRanges),
  };
}

export const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Cancels every pending worker kick. Ingest schedules them on real timers; the benchmark
 * runs the workers itself so that a measured run folds exactly the batch it was given.
 */
export async function cancelKicks(t: ComponentBackend) {
  await t.run(async (ctx) => {
    const jobs = await ctx.db.system.query("_scheduled_functions").collect();
    for (const job of jobs) if (job.state.kind === "pending") await ctx.scheduler.cancel(job._id);
  });
}

/** Waits out the worker's settle window (PENDING_SETTLE_MS) so the latest imports are foldable. */
export async function waitSettle() {
  await sleep(PENDING_SETTLE_MS + SETTLE_SLACK_MS);
}

/** Runs one worker transaction and returns what it folded and what it cost. */
export async function measureWorker(t: ComponentBackend, siteId: string, partition: number) {
  return await measure(t, (ctx) =>
    ctx.runMutation(internal.worker.aggregate, { siteId: siteId as never, partition }),
  );
}

/**
 * Folds every pending event of a site, partition by partition, one measured worker run at a
 * time; returns the runs, what they folded and their summed cost.
 */
export async function drain(t: ComponentBackend, siteId: string) {
  await cancelKicks(t);
  await waitSettle();
  const totals = { runs: 0, folded: 0, ms: 0, cost: zeroCost() };
  for (let partition = 0; partition < PARTITIONS; partition++) {
    for (let i = 0; ; i++) {
      if (i >= MAX_WORKER_RUNS_PER_PARTITION)
        throw new Error(`partition ${partition} did not drain`);
      const { result, cost, ms } = await measureWorker(t, siteId, partition);
      // A full batch re-kicks its partition; this loop is what runs it, so the kick goes.
      if (result.more) await cancelKicks(t);
      if (result.folded > 0) {
        totals.runs++;
        totals.folded += result.folded;
        totals.ms += ms;
        addCost(totals.cost, cost);
      }
      if (!result.more) break;
    }
  }
  await t.finishInProgressScheduledFunctions();
  const health = await t.query(api.maintenance.getHealth, { siteId, now: Date.now() });
  if (health.pendingEvents !== 0 || health.failedEvents !== 0) {
    throw new Error(
      `drain left ${health.pendingEvents} pending and ${health.failedEvents} failed events`,
    );
  }
  return { ...totals, ms: round(totals.ms) };
}

export function zeroCost(): Cost {
  return { documentsRead: 0, documentsWritten: 0, bytesRead: 0, bytesWritten: 0, indexRanges: 0 };
}

function addCost(into: Cost, cost: Cost) {
  for (const key of Object.keys(into) as (keyof Cost)[]) into[key] += cost[key];
}

/** `count` visitor ids per partition, so a workload can fill every partition evenly. */
export function visitorsByPartition(count: number, prefix = "v"): string[][] {
  const pools = Array.from({ length: PARTITIONS }, () => [] as string[]);
  for (let i = 0; pools.some((pool) => pool.length < count); i++) {
    const id = `${prefix}${i}`;
    const pool = pools[partitionOf(id)]!;
    if (pool.length < count) pool.push(id);
  }
  return pools;
}

/** One desktop browser for every event: rollup rows per bucket stay few and equal across volumes. */
export const USER_AGENT =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";

export function pageview(id: string, ts: number, visitorId: string, path: string) {
  return {
    type: "pageview",
    id,
    ts,
    visitorId,
    sessionId: `${visitorId}-s`,
    url: `https://example.com${path}`,
    ip: "203.0.113.7",
    userAgent: USER_AGENT,
  };
}
