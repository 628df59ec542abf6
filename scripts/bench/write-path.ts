// Write path: what one ingested event and one aggregated event cost in documents read and
// written (invariants 1 and 4: ingest reads nothing but its site and its own
// ids; the worker's reads are bounded by its batch).
import { api } from "../../src/component/_generated/api.js";
import {
  HOUR_MS,
  MAX_EVENTS_PER_IMPORT,
  MINUTE_MS,
  WORKER_BATCH_EVENTS,
} from "../../src/component/lib/limits.js";
import {
  cancelKicks,
  createComponentBackend,
  createSite,
  measure,
  measureWorker,
  pageview,
  perEvent,
  round,
  visitorsByPartition,
  waitSettle,
  type ComponentBackend,
  type Cost,
} from "../../harness/component.js";

/** The live ingest request's cap (contract §2) and the import cap (contract §4). */
const INGEST_BATCHES = [100, MAX_EVENTS_PER_IMPORT];
/** The aggregation batch is placed a few hours back: an import, folded like any event. */
const AGGREGATION_START_AGO_MS = 3 * HOUR_MS;
/** Returning visitors come back inside the session timeout, so their sessions are extended. */
const RETURN_AFTER_MS = 5 * MINUTE_MS;
/** The partition measured; every visitor of the batch is in it so one worker run folds them all. */
const MEASURED_PARTITION = 0;

export type BatchFigures = {
  events: number;
  ms: number;
  eventsPerSecond: number;
  total: Cost;
  perEvent: Cost;
};

function figures(events: number, cost: Cost, ms: number): BatchFigures {
  return {
    events,
    ms: round(ms),
    eventsPerSecond: round((events / ms) * 1000),
    total: cost,
    perEvent: perEvent(cost, events),
  };
}

async function measureImport(t: ComponentBackend, siteId: string, events: object[]) {
  const { result, cost, ms } = await measure(t, (ctx) =>
    ctx.runMutation(api.ingest.importEvents, { siteId, events }),
  );
  if (result.accepted !== events.length)
    throw new Error(`import accepted ${result.accepted} of ${events.length}`);
  return figures(events.length, cost, ms);
}

/** importEvents with new events, one transaction per batch. */
export async function benchIngest() {
  const t = createComponentBackend();
  const siteId = await createSite(t, "ingest");
  const now = Date.now();
  const out: Record<string, BatchFigures> = {};
  for (const size of INGEST_BATCHES) {
    // Distinct visitors over the last hour, spread over every partition.
    const events = Array.from({ length: size }, (_, i) =>
      pageview(`ingest-${size}-${i}`, now - HOUR_MS + i * 1000, `iv-${size}-${i}`, `/p${i % 5}`),
    );
    out[`batch${size}`] = await measureImport(t, siteId, events);
  }
  await cancelKicks(t);
  return out;
}

/**
 * One worker run of WORKER_BATCH_EVENTS events, twice on one site: first visitors never seen
 * (sessions and visitors inserted), then the same visitors back within the session timeout
 * on another page (sessions, visitors and rollup rows read and patched).
 */
export async function benchAggregation() {
  const t = createComponentBackend();
  const siteId = await createSite(t, "aggregation");
  const visitors = visitorsByPartition(WORKER_BATCH_EVENTS, "av")[MEASURED_PARTITION]!;
  const start = Date.now() - AGGREGATION_START_AGO_MS;
  const run = async (label: string, at: number, path: string) => {
    const events = visitors.map((visitor, i) =>
      pageview(`${label}-${i}`, at + i * 1000, visitor, path),
    );
    await t.mutation(api.ingest.importEvents, { siteId, events });
    await cancelKicks(t);
    await waitSettle();
    const { result, cost, ms } = await measureWorker(t, siteId, MEASURED_PARTITION);
    if (result.folded !== events.length)
      throw new Error(`worker folded ${result.folded} of ${events.length}`);
    await cancelKicks(t); // the full batch re-kicked its partition; nothing is left to fold
    return figures(events.length, cost, ms);
  };
  const newVisitors = await run("new", start, "/landing");
  const returningVisitors = await run("back", start + RETURN_AFTER_MS, "/pricing");
  const health = await t.query(api.maintenance.getHealth, { siteId, now: Date.now() });
  return { newVisitors, returningVisitors, sessionReuseRatio: round(health.sessionReuseRatio, 3) };
}
