// `npm run bench`: what convex-analytics costs, measured on the embedded engine (convex-test
// with real indexes) through `ctx.meta.getTransactionMetrics()`, the same counters a real
// deployment bills and limits by. Every ratio is against a baseline measured in this run.
//
//   npm run bench             a short table, then the JSON report
//   npm run bench -- --json   the JSON report only (one object on stdout)
//
// Sections run one after another (never in parallel) so wall times don't disturb each other.
// Nothing here asserts a time: a figure off target is reported, not failed.
import { cpus, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import { benchDashboard, BASELINE_EVENTS, SCALED_EVENTS } from "./bench/dashboard.js";
import { benchLookups, benchRealLog, benchTracker } from "./bench/external.js";
import { round } from "./bench/harness.js";
import { renderTable } from "./bench/table.js";
import { benchAggregation, benchIngest } from "./bench/write-path.js";

export async function runBench(log: (line: string) => void = () => {}) {
  const started = performance.now();
  const timed = async <T>(name: string, section: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const result = await section();
    log(`  ${name}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    return result;
  };
  const ingest = await timed("ingest", benchIngest);
  const aggregation = await timed("aggregation", benchAggregation);
  const dashboard = await timed(`dashboard (${BASELINE_EVENTS} and ${SCALED_EVENTS} events)`, benchDashboard);
  const realLog = await timed("real log (seedDemo)", benchRealLog);
  const lookups = await timed("convex-test lookups", benchLookups);
  const tracker = await timed("tracker", benchTracker);
  return {
    date: new Date().toISOString(),
    machine: {
      cpu: cpus()[0]?.model ?? "unknown",
      cores: cpus().length,
      memoryGiB: round(totalmem() / 2 ** 30, 1),
      node: process.version,
      platform: process.platform,
    },
    ingest,
    aggregation,
    dashboard,
    realLog,
    lookups,
    tracker,
    totalSeconds: round((performance.now() - started) / 1000, 1),
  };
}

export type BenchReport = Awaited<ReturnType<typeof runBench>>;

async function main() {
  const json = process.argv.includes("--json");
  // Progress goes to stderr so stdout stays one JSON object with --json.
  const report = await runBench((line) => console.error(line));
  if (!json) console.log(renderTable(report) + "\n");
  console.log(JSON.stringify(report, null, 2));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  // Exit explicitly: cancelled worker kicks and the demo backend leave real timers behind.
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
