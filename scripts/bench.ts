// The bench's sections and its report (runBench), run by `npm run bench` (scripts/bench/cli.ts,
// which prints the table and writes docs/benchmark.md): what convex-analytics costs, measured
// on the embedded engine (convex-test with real indexes) through
// `ctx.meta.getTransactionMetrics()`, the same counters a real deployment bills and limits by.
// Every ratio is against a baseline measured in this run: a deliberately naive implementation
// (scripts/bench/naive/) on the same engine.
//
// Sections run one after another (never in parallel) so wall times don't disturb each other.
// Each starts with `Date.now` pinned to the same NOW (scripts/bench/clock.ts), so every read
// touches the same buckets whatever the calendar day of the run.
// Nothing here asserts a time or a target: a figure off target is reported as FAIL, not thrown.
import { cpus, totalmem } from "node:os";
import { benchBaseline } from "./bench/baseline.js";
import { benchBundle } from "./bench/bundle.js";
import { NOW, pinClock } from "./bench/clock.js";
import { benchConflicts } from "./bench/conflicts.js";
import { benchCost } from "./bench/cost.js";
import { benchDashboard, BASELINE_EVENTS, SCALED_EVENTS } from "./bench/dashboard.js";
import { benchEndToEnd } from "./bench/end-to-end.js";
import { benchFiltered, FILTERED_VOLUMES } from "./bench/filtered.js";
import { benchLookups, benchRealLog, benchTracker } from "./bench/external.js";
import { benchLongTail } from "./bench/longtail.js";
import { round } from "../harness/component.js";
import { computeRatios } from "./bench/ratios.js";
import { benchScale, SCALE_VOLUMES } from "./bench/scale.js";
import { benchUniques } from "./bench/uniques.js";
import { benchAggregation, benchIngest } from "./bench/write-path.js";

export async function runBench(
  log: (line: string) => void = () => {},
  options: { full?: boolean } = {},
) {
  const full = options.full ?? false;
  const started = performance.now();
  /** Wall time of each section (s), in run order: printed as it ends, and kept in the report. */
  const sectionSeconds: Record<string, number> = {};
  const timed = async <T>(name: string, section: () => Promise<T> | T): Promise<T> => {
    const t0 = performance.now();
    log(`${name}…`);
    const unpin = pinClock(NOW);
    let result: T;
    try {
      result = await section();
    } finally {
      unpin();
    }
    sectionSeconds[name] = round((performance.now() - t0) / 1000, 1);
    log(`  ${name}: ${sectionSeconds[name]!.toFixed(1)} s`);
    return result;
  };
  const ingest = await timed("ingest", benchIngest);
  const aggregation = await timed("aggregation", benchAggregation);
  const endToEnd = await timed("end-to-end writes (live, drip, bulk)", () =>
    benchEndToEnd({ log }),
  );
  const cost = await timed("cost (what a site pays per pageview and per dashboard hour)", () =>
    benchCost({ log }),
  );
  const small = await timed(
    `dashboard (${BASELINE_EVENTS} and ${SCALED_EVENTS} events)`,
    benchDashboard,
  );
  const scale = await timed(
    `dashboard at scale (${[...SCALE_VOLUMES, ...(full ? [1_000_000] : [])].join(", ")} events)`,
    () => benchScale({ full, log }),
  );
  const filteredReads = await timed(`filtered reads (${FILTERED_VOLUMES.join(", ")} visits)`, () =>
    benchFiltered({ log }),
  );
  const uniques = await timed("uniques", () => benchUniques({ full, log }));
  const longTail = await timed("long tails", () => benchLongTail({ log }));
  const baseline = await timed("baseline (naive implementation)", () => benchBaseline({ log }));
  const conflicts = await timed("conflicts", benchConflicts);
  const realLog = await timed("real log (seedDemo)", benchRealLog);
  const lookups = await timed("convex-test lookups", benchLookups);
  const tracker = await timed("tracker", benchTracker);
  const bundle = await timed("component bundle", benchBundle);
  const report = {
    date: new Date().toISOString(),
    machine: {
      cpu: cpus()[0]?.model ?? "unknown",
      cores: cpus().length,
      memoryGiB: round(totalmem() / 2 ** 30, 1),
      node: process.version,
      platform: process.platform,
    },
    /** The pinned clock every section starts at. */
    now: new Date(NOW).toISOString(),
    full,
    ingest,
    aggregation: {
      ...aggregation,
      /** End to end, every transaction summed (scripts/bench/end-to-end.ts). */
      live: endToEnd.live,
      drip: endToEnd.drip,
      bulk: endToEnd.bulk,
      endToEnd: {
        log: endToEnd.log,
        now: endToEnd.now,
        floor: "1 document per event (the raw insert); bytes: what the raw inserts wrote per event",
        peer: endToEnd.peer,
      },
      atScale: Object.fromEntries(scale.volumes.map((v) => [`events${v.events}`, v.aggregation])),
    },
    dashboard: { ...small, atScale: scale },
    filteredReads,
    cost,
    uniques,
    longTail,
    conflicts,
    tracker,
    bundle,
    baseline: { ...baseline, conflicts: conflicts.baseline },
    realLog,
    lookups,
    sectionSeconds,
    totalSeconds: 0,
  };
  const withRatios = { ...report, ratios: computeRatios(report) };
  withRatios.totalSeconds = round((performance.now() - started) / 1000, 1);
  return withRatios;
}

export type BenchReport = Awaited<ReturnType<typeof runBench>>;
