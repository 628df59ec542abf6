// Write cost as users pay it (invariant 11): documents and bytes written (and
// read) per event, end to end — the ingest and every transaction the traffic sets off after it
// (worker runs and realtime refreshes; ingest itself stores the rate-limit mark and presence),
// every transaction's `ctx.meta.getTransactionMetrics()` summed (meter.ts).
//
// The traffic is the real access log (data/apache_combined_2015-05.log.gz, 1,495 pageviews of
// 911 visitors over 83 hours), moved in time to end a minute before the pinned NOW, replayed
// on the example host app (the component mounted as in a user's app) under a stopped clock:
//
//   live  each visitor's pageviews are sent through POST /analytics/ingest as the tracker
//         batches them (a batch opens with a pageview and is sent flushIntervalMs later with
//         whatever else that visitor viewed meanwhile, at most maxBatchSize), the clock set to
//         each send's time; every scheduled function runs when it is due, at its own time.
//   drip  the same requests, but after each one the clock moves on by the worker's kick delay
//         and everything due runs to completion: every ingest call folded on its own (the worst
//         case: no worker run ever folds two requests' events).
//   bulk  the log as the access-log importer makes it, 500 events per importEvents call
//         through the admin facade, the workers run to completion after each call.
//
// Each at 1× and 10× the traffic: the 10× copies are distinct visitors (own visitor, session
// and event ids) doing exactly what the log's visitors did, 100 ms apart. Live and drip at 10×
// replay 10 copies of the log's first tenth (its earliest 150 pageviews, 9 hours): the
// same traffic density as 10 copies of the whole log and the same number of events as 1×, so
// it costs the run what 1× costs (the whole log ten times over would take ~10 minutes of the
// embedded engine per protocol). Bulk at 10× imports the whole log ten times. Crons (sweep,
// retention, presence cleanup) are not run: what is measured is what the traffic itself sets
// off. Compaction is measured apart (`compaction`): once the traffic is over, the clock moves
// 32 days on so that every bucket it wrote is closed, and compaction runs until nothing is left,
// which is all it will ever do for that traffic; `withCompaction` adds it to `endToEnd`.
import { accessLogToEvents, type ImportEvent } from "../../src/client/accessLog.js";
import { DAY_MS, PARTITIONS, PENDING_SETTLE_MS } from "../../src/component/lib/limits.js";
import { internal as exampleInternal } from "../../example/convex/_generated/api.js";
import { createEmbeddedBackend, exampleModules } from "../../harness/embedded.js";
import { readLogFile, SAMPLE_LOG_PATH } from "../sample-log.js";
import { NOW, VirtualClock } from "./clock.js";
import { round } from "../../harness/component.js";
import { instrument, Meter, type Totals } from "./meter.js";

/** Traffic multiples measured (BENCH_E2E_MULTIPLES=1 for a quick run). */
export const E2E_MULTIPLES = process.env.BENCH_E2E_MULTIPLES?.split(",").map(Number) ?? [1, 10];
/** The first N pageviews of the log only (BENCH_E2E_EVENTS, for development): all by default. */
const EVENT_LIMIT = Number(process.env.BENCH_E2E_EVENTS ?? Infinity);
const LOG_DOMAIN = "semicomplete.com";
/** The log's last pageview is this long before NOW. */
const LOG_END_BEFORE_NOW_MS = 60_000;
/** The tracker's defaults (src/tracker/core.ts): flushIntervalMs, maxBatchSize, sessionTimeoutMs. */
const TRACKER_FLUSH_MS = 2_000;
const TRACKER_MAX_BATCH = 20;
const TRACKER_SESSION_TIMEOUT_MS = 30 * 60_000;
/** The settle window and the kick's slack (src/component/aggregate/kick.ts): drip's wait after a request. */
const KICK_DELAY_MS = PENDING_SETTLE_MS + 500;
/** Events per importEvents call in bulk. */
const BULK_BATCH = 500;
/** Copies k ≥ 1 of the 10× traffic are this much later than the original, times k. */
const COPY_OFFSET_MS = 100;
/** Once the traffic is over: timers are run until none is left, at most this many. */
const MAX_TAIL_TIMERS = 100_000;

/**
 * Hand-measured figures of the peer component (Abdssamie/convex-analytics): the same
 * log and protocols, documents (and bytes) written per event end to end.
 */
export const PEER_BY_HAND = {
  label: "peer (Abdssamie/convex-analytics, measured by hand)",
  bulk: { x1: { documentsWritten: 6.06 }, x10: { documentsWritten: 4.15 } },
  live: { x1: { documentsWritten: 13.1, bytesWritten: 4.6 * 1000 } },
  ours: {
    bulk: { x1: 11.0, x10: 6.59 },
    live: { x1: { documentsWritten: 23.7, bytesWritten: 11.1 * 1000 } },
  },
} as const;

type Protocol = "live" | "drip" | "bulk";

export type EndToEndFigures = {
  protocol: Protocol;
  multiple: number;
  /** The log's pageviews replayed (before the copies): all of them, or the first tenth. */
  logPageviews: number;
  events: number;
  visitors: number;
  /** HTTP requests (live, drip) or importEvents calls (bulk). */
  calls: number;
  transactions: number;
  mutations: number;
  queries: number;
  actions: number;
  failedTransactions: number;
  workerRuns: number;
  /** Worker runs that folded something (wrote more than nothing). */
  workerRunsWriting: number;
  endToEnd: {
    documentsWritten: number;
    bytesWritten: number;
    documentsRead: number;
    bytesRead: number;
    indexRanges: number;
  };
  total: {
    documentsWritten: number;
    bytesWritten: number;
    documentsRead: number;
    bytesRead: number;
  };
  /** Compacting everything the traffic wrote, once every bucket is closed, per event. */
  compaction: { documentsWritten: number; bytesWritten: number };
  /** endToEnd plus compaction, per event. */
  withCompaction: { documentsWritten: number; bytesWritten: number };
  /** 1 document per event (the raw insert), and the bytes the raw inserts wrote per event. */
  floor: { documentsWritten: 1; bytesWritten: number };
  /** endToEnd ÷ floor. */
  overFloor: { documentsWritten: number; bytesWritten: number };
  /** Documents written per event by each function (the transactions it was the top of). */
  writtenPerEventBy: Record<string, number>;
  seconds: number;
};

export type Request = { at: number; userAgent: string; events: object[] };

/** The log's pageviews, in log order, moved to end LOG_END_BEFORE_NOW_MS before NOW. */
export async function logEvents(): Promise<ImportEvent[]> {
  const { events } = await accessLogToEvents(readLogFile(SAMPLE_LOG_PATH), { domain: LOG_DOMAIN });
  const sliced = events.slice(0, EVENT_LIMIT);
  const shift = NOW - LOG_END_BEFORE_NOW_MS - Math.max(...sliced.map((e) => e.ts));
  return sliced.map((e) => ({ ...e, ts: e.ts + shift }));
}

/** `multiple` copies of the traffic, copy 0 the log itself; ids stay within 64 characters. */
function scaled(events: ImportEvent[], multiple: number): ImportEvent[] {
  const out: ImportEvent[] = [];
  for (let k = 0; k < multiple; k++) {
    for (const e of events) {
      if (k === 0) {
        out.push(e);
        continue;
      }
      const visitorId = `${e.visitorId.slice(0, 60)}c${k}`;
      out.push({
        ...e,
        id: `${e.id}-c${k}`,
        ts: e.ts + k * COPY_OFFSET_MS,
        visitorId,
        sessionId: visitorId,
      });
    }
  }
  return out;
}

/**
 * The tracker's requests for these pageviews: per visitor, in time order, a session id by
 * the tracker's 30-minute idle rule, batches of what the visitor viewed within flushIntervalMs
 * of the batch's first view, each sent at that first view + flushIntervalMs with the visitor's
 * user agent. Sorted by send time (then visitor), as the server would receive them.
 */
/** A replayed event: a log pageview, or the engagement the tracker sends when its page is left. */
export type ReplayEvent =
  | ImportEvent
  | (Omit<ImportEvent, "type"> & { type: "engagement"; scrollDepth: number; engagedMs: number });

export function trackerRequests(events: ReplayEvent[]): Request[] {
  const byVisitor = new Map<string, ReplayEvent[]>();
  for (const e of events) {
    const list = byVisitor.get(e.visitorId);
    if (list) list.push(e);
    else byVisitor.set(e.visitorId, [e]);
  }
  const requests: (Request & { order: number })[] = [];
  let order = 0;
  for (const [visitorId, list] of byVisitor) {
    list.sort((a, b) => a.ts - b.ts || (a.id < b.id ? -1 : 1));
    let session = 0;
    let lastTs = -Infinity;
    let open: (Request & { order: number; first: number }) | undefined;
    for (const e of list) {
      if (e.ts - lastTs >= TRACKER_SESSION_TIMEOUT_MS) session++;
      lastTs = e.ts;
      if (
        !open ||
        e.ts >= open.first + TRACKER_FLUSH_MS ||
        open.events.length >= TRACKER_MAX_BATCH
      ) {
        open = {
          at: e.ts + TRACKER_FLUSH_MS,
          first: e.ts,
          userAgent: e.userAgent ?? "",
          events: [],
          order: order++,
        };
        requests.push(open);
      }
      open.events.push({
        type: e.type,
        ...(e.type === "engagement" ? { scrollDepth: e.scrollDepth, engagedMs: e.engagedMs } : {}),
        id: e.id,
        ts: e.ts,
        visitorId,
        sessionId: `${visitorId.slice(0, 56)}-s${session}`,
        url: e.url,
        ...(e.referrer ? { referrer: e.referrer } : {}),
      });
    }
  }
  return requests
    .sort((a, b) => a.at - b.at || a.order - b.order)
    .map(({ at, userAgent, events }) => ({ at, userAgent, events }));
}

let instrumented: Promise<void> | undefined;
/** Wraps the example app's and the component's functions once (meter.ts). */
export function instrumentOnce() {
  instrumented ??= (async () => {
    await instrument("", exampleModules().app);
    await instrument("analytics", exampleModules().component);
  })();
  return instrumented;
}

type Backend = ReturnType<typeof createEmbeddedBackend>;

async function site(backend: Backend) {
  return await backend.admin.mutation(backend.api.analytics.createSite, {
    slug: "semicomplete",
    name: "semicomplete.com",
    domain: LOG_DOMAIN,
  });
}

/** Runs every held timer, at its time, until none is left (the traffic's tail). */
export async function runTail(clock: VirtualClock, settle: () => Promise<void>) {
  for (let i = 0; clock.pending > 0; i++) {
    if (i >= MAX_TAIL_TIMERS) throw new Error(`timers still pending after ${i} steps`);
    await clock.advanceTo(clock.nextAt()!, settle);
  }
}

/** The part of the log a protocol replays at `multiple`: see the header (live and drip at 10×). */
function base(protocol: Protocol, multiple: number, log: ImportEvent[]) {
  if (protocol === "bulk" || multiple === 1) return log;
  const byTime = [...log].sort((a, b) => a.ts - b.ts || (a.id < b.id ? -1 : 1));
  return byTime.slice(0, Math.ceil(log.length / multiple));
}

async function runProtocol(
  protocol: Protocol,
  multiple: number,
  log: ImportEvent[],
): Promise<EndToEndFigures> {
  await instrumentOnce();
  const started = performance.now();
  const events = scaled(base(protocol, multiple, log), multiple);
  const first = Math.min(...events.map((e) => e.ts));
  const clock = new VirtualClock(protocol === "bulk" ? NOW : first - 60_000);
  clock.install();
  try {
    const backend = createEmbeddedBackend();
    const { t, admin, api } = backend;
    const settle = () => t.finishInProgressScheduledFunctions();
    const { siteId, writeKey } = await site(backend);
    const meter = new Meter();
    let calls = 0;
    let accepted = 0;
    await meter.during(async () => {
      if (protocol === "bulk") {
        // At 10× the copies arrive interleaved in time, as ten times the traffic would be
        // logged: each 500-event call covers a tenth of the time span it covers at 1×.
        const ordered =
          multiple === 1
            ? events
            : events
                .map((e, i) => ({ e, i }))
                .sort((a, b) => a.e.ts - b.e.ts || a.i - b.i)
                .map(({ e }) => e);
        for (let i = 0; i < ordered.length; i += BULK_BATCH) {
          const result = await admin.mutation(api.analytics.importEvents, {
            siteId,
            events: ordered.slice(i, i + BULK_BATCH),
          });
          calls++;
          accepted += result.accepted;
          await clock.advanceTo(clock.now + KICK_DELAY_MS, settle);
        }
      } else {
        for (const request of trackerRequests(events)) {
          await clock.advanceTo(request.at, settle);
          const response = await t.fetch("/analytics/ingest", {
            method: "POST",
            headers: { "Content-Type": "application/json", "User-Agent": request.userAgent },
            body: JSON.stringify({ key: writeKey, events: request.events }),
          });
          const body = (await response.json()) as { accepted?: number; rejected?: unknown[] };
          if (response.status !== 202 || body.rejected?.length)
            throw new Error(`ingest answered ${response.status}: ${JSON.stringify(body)}`);
          calls++;
          accepted += body.accepted ?? 0;
          if (protocol === "drip") await clock.advanceTo(clock.now + KICK_DELAY_MS, settle);
        }
      }
      await runTail(clock, settle);
    });
    const health = await admin.query(api.analytics.getHealth, { siteId, now: clock.now });
    if (health.pendingEvents !== 0 || health.failedEvents !== 0)
      throw new Error(
        `${protocol} ×${multiple}: ${health.pendingEvents} pending, ${health.failedEvents} failed after the run`,
      );
    if (accepted !== events.length)
      throw new Error(`${protocol} ×${multiple}: accepted ${accepted} of ${events.length}`);
    const compaction = new Meter();
    await clock.advanceTo(clock.now + COMPACT_AFTER_MS, settle);
    await compaction.during(async () => {
      for (let pass = 0; pass < MAX_COMPACTION_PASSES; pass++) {
        const result = await t.action(exampleInternal.analytics.analyticsMaintenance, {
          task: "compact",
        });
        await runTail(clock, settle);
        if (!(result as { more?: boolean }).more) break;
      }
    });
    const ms = performance.now() - started;
    return figures(protocol, multiple, events, calls, meter, compaction, ms);
  } finally {
    clock.uninstall();
  }
}

/** The worker's functions, as the meter names them (src/component/worker.ts). */
const WORKER_FUNCTIONS = ["analytics/worker:aggregateSite", "analytics/worker:aggregate"];
const RAW_INSERTS = ["analytics/ingest:ingest", "analytics:importEvents"];
/** Past the longest bucket (a month) and compaction's grace: every bucket written is closed. */
const COMPACT_AFTER_MS = 32 * DAY_MS;
const MAX_COMPACTION_PASSES = 100;

function figures(
  protocol: Protocol,
  multiple: number,
  events: ImportEvent[],
  calls: number,
  meter: Meter,
  compactionMeter: Meter,
  ms: number,
): EndToEndFigures {
  const n = events.length;
  const s: Totals = meter.totals;
  const each = (x: number, digits = 3) => round(x / n, digits);
  // A worker run is a site's run or a partition's (its continuation, a deferral, a retry).
  const workerRuns = WORKER_FUNCTIONS.map((name) => meter.byFunction.get(name));
  let rawBytes = 0;
  for (const name of RAW_INSERTS) rawBytes += meter.byFunction.get(name)?.bytesWritten ?? 0;
  const floorBytes = each(rawBytes, 1);
  const writtenPerEventBy = Object.fromEntries(
    [...meter.byFunction]
      .filter(([, t]) => t.documentsWritten > 0)
      .sort((a, b) => b[1].documentsWritten - a[1].documentsWritten)
      .map(([name, t]) => [name, each(t.documentsWritten)]),
  );
  const endToEnd = {
    documentsWritten: each(s.documentsWritten),
    bytesWritten: each(s.bytesWritten, 1),
    documentsRead: each(s.documentsRead),
    bytesRead: each(s.bytesRead, 1),
    indexRanges: each(s.indexRanges),
  };
  const compaction = {
    documentsWritten: each(compactionMeter.totals.documentsWritten),
    bytesWritten: each(compactionMeter.totals.bytesWritten, 1),
  };
  return {
    protocol,
    multiple,
    logPageviews: n / multiple,
    events: n,
    visitors: new Set(events.map((e) => e.visitorId)).size,
    calls,
    transactions: s.transactions,
    mutations: s.mutations,
    queries: s.queries,
    actions: s.actions,
    failedTransactions: s.failed,
    workerRuns: workerRuns.reduce((sum, t) => sum + (t?.transactions ?? 0), 0),
    workerRunsWriting: workerRuns.reduce((sum, t) => sum + (t?.writing ?? 0), 0),
    endToEnd,
    total: {
      documentsWritten: s.documentsWritten,
      bytesWritten: s.bytesWritten,
      documentsRead: s.documentsRead,
      bytesRead: s.bytesRead,
    },
    compaction,
    withCompaction: {
      documentsWritten: round(endToEnd.documentsWritten + compaction.documentsWritten, 3),
      bytesWritten: round(endToEnd.bytesWritten + compaction.bytesWritten, 1),
    },
    floor: { documentsWritten: 1, bytesWritten: floorBytes },
    overFloor: {
      documentsWritten: round(endToEnd.documentsWritten, 2),
      bytesWritten: floorBytes > 0 ? round(endToEnd.bytesWritten / floorBytes, 2) : 0,
    },
    writtenPerEventBy,
    seconds: round(ms / 1000, 1),
  };
}

/** live, drip and bulk at each of E2E_MULTIPLES, one after another. */
export async function benchEndToEnd(options: { log?: (line: string) => void } = {}) {
  const log = await logEvents();
  const out: Record<Protocol, Record<string, EndToEndFigures>> = { live: {}, drip: {}, bulk: {} };
  for (const protocol of ["live", "drip", "bulk"] as const) {
    for (const multiple of E2E_MULTIPLES) {
      const f = await runProtocol(protocol, multiple, log);
      options.log?.(
        `  ${protocol} ×${multiple}: ${f.events} events, ${f.endToEnd.documentsWritten} docs / ${f.endToEnd.bytesWritten} B written per event (+ compaction ${f.compaction.documentsWritten} / ${f.compaction.bytesWritten} B), ${f.transactions} transactions (${f.seconds} s)`,
      );
      out[protocol][`x${multiple}`] = f;
    }
  }
  return {
    log: {
      path: "data/apache_combined_2015-05.log.gz",
      pageviews: log.length,
      partitions: PARTITIONS,
    },
    now: new Date(NOW).toISOString(),
    ...out,
    peer: PEER_BY_HAND,
  };
}
