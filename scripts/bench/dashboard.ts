// Dashboard reads (invariant 6): documents read by a 30-day and a 365-day
// overview at two traffic volumes over the same buckets, before and after compaction. Reads
// are O(buckets × rows): 25× the events must read the same number of documents.
import { api } from "../../src/component/_generated/api.js";
import {
  DAY_MS,
  HOUR_MS,
  MAX_EVENTS_PER_IMPORT,
  PARTITIONS,
} from "../../src/component/lib/limits.js";
import {
  createComponentBackend,
  createSite,
  drain,
  measure,
  pageview,
  perEvent,
  round,
  visitorsByPartition,
  type ComponentBackend,
  type Cost,
} from "../../harness/component.js";

/** The baseline volume and the one compared with it. */
export const BASELINE_EVENTS = 200;
export const SCALED_EVENTS = 5_000;
/** Ranges of the overview (days). */
const RANGES_DAYS = [30, 365];
/**
 * The days that carry traffic: every day of the last 30, and some spread over the 335
 * before. Both volumes fill exactly these days in every partition, so they differ in the
 * number of events and nothing else.
 */
const RECENT_DAYS = 30;
const OLDER_DAYS = 20;
const TRAFFIC_DAYS = RECENT_DAYS + OLDER_DAYS;
/**
 * Hours of the day the traffic of a (day, partition) falls in. Few, so the shard rows the
 * workers and compaction go through (one per hour × dimension × key × partition) stay cheap.
 */
const TRAFFIC_HOURS = [9, 12, 15, 18];
/** Paths: a handful, as on a small site; each adds page, entry and exit rows. */
const PATHS = 5;

type Overview = { pageviews: number; visitors: number };

/**
 * Ranges end at today's UTC midnight: whole days (and whole months inside the 365 days),
 * all of them closed, so compaction may merge every bucket the reads touch.
 */
function rangeEnd(now: number) {
  return now - (now % DAY_MS);
}

function trafficDays(end: number): number[] {
  const days: number[] = [];
  for (let i = 1; i <= RECENT_DAYS; i++) days.push(end - i * DAY_MS);
  const olderSpan = 365 - RECENT_DAYS;
  for (let i = 0; i < OLDER_DAYS; i++)
    days.push(end - (RECENT_DAYS + 1 + Math.floor((i * olderSpan) / OLDER_DAYS)) * DAY_MS);
  return days.sort((a, b) => a - b);
}

/** `total` pageviews, the same number in every (traffic day, partition), chronological. */
function workload(total: number, end: number) {
  const perCell = total / (TRAFFIC_DAYS * PARTITIONS);
  if (!Number.isInteger(perCell))
    throw new Error(
      `${total} events don't divide over ${TRAFFIC_DAYS} days × ${PARTITIONS} partitions`,
    );
  const pools = visitorsByPartition(perCell, `d${total}-`);
  const events: object[] = [];
  for (const day of trafficDays(end)) {
    for (let i = 0; i < perCell; i++) {
      const ts = day + TRAFFIC_HOURS[i % TRAFFIC_HOURS.length]! * HOUR_MS + i * 1000;
      for (let partition = 0; partition < PARTITIONS; partition++) {
        events.push(
          pageview(`${day}-${partition}-${i}`, ts, pools[partition]![i]!, `/p${i % PATHS}`),
        );
      }
    }
  }
  return events;
}

async function readCost(
  t: ComponentBackend,
  siteId: string,
  from: number,
  to: number,
  expected: number,
) {
  const { result, cost } = await measure(t, (ctx) =>
    ctx.runQuery(api.reports.getOverview, { siteId, from, to }),
  );
  const overview = result as Overview;
  if (overview.pageviews !== expected)
    throw new Error(`overview counted ${overview.pageviews} pageviews, expected ${expected}`);
  return cost;
}

type ReadFigures = { documentsRead: number; bytesRead: number; indexRanges: number };
const readFigures = (cost: Cost): ReadFigures => ({
  documentsRead: cost.documentsRead,
  bytesRead: cost.bytesRead,
  indexRanges: cost.indexRanges,
});

async function overviews(
  t: ComponentBackend,
  siteId: string,
  end: number,
  events: number,
  days: number[],
) {
  const out: Record<string, ReadFigures> = {};
  for (const range of RANGES_DAYS) {
    const from = end - range * DAY_MS;
    const expected = events * (days.filter((day) => day >= from).length / days.length);
    out[`days${range}`] = readFigures(await readCost(t, siteId, from, end, expected));
  }
  return out;
}

/** runMaintenance until it reports nothing more to do; returns the calls and what they did. */
async function compactAll(t: ComponentBackend, siteId: string) {
  const totals = { calls: 0, compacted: 0, expired: 0, ms: 0 };
  const started = performance.now();
  for (;;) {
    const result = await t.mutation(api.maintenance.runMaintenance, { siteId });
    totals.calls++;
    totals.compacted += result.compacted;
    totals.expired += result.expired;
    if (!result.more) break;
  }
  totals.ms = round(performance.now() - started);
  return totals;
}

/** Imports, aggregates, reads, compacts and reads again one site of `events` events. */
async function volume(t: ComponentBackend, events: number, end: number) {
  const siteId = await createSite(t, `dashboard-${events}`);
  const batch = workload(events, end);
  const started = performance.now();
  for (let i = 0; i < batch.length; i += MAX_EVENTS_PER_IMPORT) {
    await t.mutation(api.ingest.importEvents, {
      siteId,
      events: batch.slice(i, i + MAX_EVENTS_PER_IMPORT),
    });
  }
  const workers = await drain(t, siteId);
  const seedMs = round(performance.now() - started);
  // Backfilled events spread over TRAFFIC_DAYS days: each worker run touches rollup rows of
  // many buckets, unlike live traffic that lands in the current hour.
  const aggregation = {
    runs: workers.runs,
    folded: workers.folded,
    ms: workers.ms,
    perEvent: perEvent(workers.cost, workers.folded),
  };
  const days = trafficDays(end);
  const sharded = await overviews(t, siteId, end, events, days);
  const maintenance = await compactAll(t, siteId);
  const compacted = await overviews(t, siteId, end, events, days);
  return { events, seedMs, aggregation, sharded, maintenance, compacted };
}

export async function benchDashboard() {
  const t = createComponentBackend();
  const end = rangeEnd(Date.now());
  const baseline = await volume(t, BASELINE_EVENTS, end);
  const scaled = await volume(t, SCALED_EVENTS, end);
  const ratio = (
    pick: (v: typeof baseline) => Record<string, ReadFigures>,
    figure: keyof ReadFigures = "documentsRead",
  ) =>
    Object.fromEntries(
      Object.keys(pick(baseline)).map((key) => [
        key,
        round(pick(scaled)[key]![figure] / pick(baseline)[key]![figure], 3),
      ]),
    );
  const saving = (v: typeof baseline) =>
    Object.fromEntries(
      Object.keys(v.sharded).map((key) => [
        key,
        round(v.compacted[key]!.documentsRead / v.sharded[key]!.documentsRead, 3),
      ]),
    );
  return {
    range: { to: new Date(end).toISOString(), trafficDays: TRAFFIC_DAYS, partitions: PARTITIONS },
    baseline,
    scaled,
    /** Documents read at SCALED_EVENTS ÷ at BASELINE_EVENTS (target ≈ 1). */
    readRatio: { sharded: ratio((v) => v.sharded), compacted: ratio((v) => v.compacted) },
    /** Bytes read at SCALED_EVENTS ÷ at BASELINE_EVENTS: sparse visitor sketches grow with visitors. */
    bytesRatio: {
      sharded: ratio((v) => v.sharded, "bytesRead"),
      compacted: ratio((v) => v.compacted, "bytesRead"),
    },
    /** Documents read after compaction ÷ before, at each volume. */
    compactionReadRatio: { baseline: saving(baseline), scaled: saving(scaled) },
  };
}
