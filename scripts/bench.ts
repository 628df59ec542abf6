// `npm run bench`: what convex-analytics costs, measured on the embedded engine (convex-test
// with real indexes) through `ctx.meta.getTransactionMetrics()`, the same counters a real
// deployment bills and limits by. Every ratio is against a baseline measured in this run:
// a deliberately naive implementation (scripts/bench/naive/) on the same engine.
//
//   npm run bench             the table (also written to docs/benchmark.md), then the JSON report
//   npm run bench -- --json   the JSON report only (one object on stdout)
//   npm run bench -- --full   adds 1,000,000 events to the dashboard and 1,000,000 visitors
//                             to the uniques (tens of minutes)
//   npm run bench -- --only filtered
//                             one section alone (ONLY_SECTIONS): its rows, then its JSON;
//                             docs/benchmark.md is left as it is
//
// Sections run one after another (never in parallel) so wall times don't disturb each other.
// Each starts with `Date.now` pinned to the same NOW (scripts/bench/clock.ts), so every read
// touches the same buckets whatever the calendar day of the run.
// Nothing here asserts a time or a target: a figure off target is reported as FAIL, not thrown.
import { writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import { benchBaseline } from "./bench/baseline.js";
import { benchBundle } from "./bench/bundle.js";
import { NOW, pinClock } from "./bench/clock.js";
import { benchConflicts } from "./bench/conflicts.js";
import { benchCost, costRows } from "./bench/cost.js";
import { benchDashboard, BASELINE_EVENTS, SCALED_EVENTS } from "./bench/dashboard.js";
import { benchEndToEnd } from "./bench/end-to-end.js";
import { benchFiltered, FILTERED_VOLUMES, filteredRows } from "./bench/filtered.js";
import { benchLookups, benchRealLog, benchTracker } from "./bench/external.js";
import { benchLongTail, longTailRows } from "./bench/longtail.js";
import { round } from "./bench/harness.js";
import { renderMarkdown } from "./bench/markdown.js";
import { computeRatios } from "./bench/ratios.js";
import { benchScale, SCALE_VOLUMES } from "./bench/scale.js";
import { renderTable } from "./bench/table.js";
import { benchUniques } from "./bench/uniques.js";
import { benchAggregation, benchIngest } from "./bench/write-path.js";

const MARKDOWN = fileURLToPath(new URL("../docs/benchmark.md", import.meta.url));

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
export type BenchReportWithoutRatios = Omit<BenchReport, "ratios">;

/**
 * Sections `--only <name>` runs alone (pinned clock as in runBench): the report's key, the
 * section, and its rows of the table.
 */
const ONLY_SECTIONS = {
  endToEnd: {
    key: "endToEnd",
    run: (log: (line: string) => void) => benchEndToEnd({ log }),
    rows: (): [string, string][] => [],
  },
  cost: {
    key: "cost",
    run: (log: (line: string) => void) => benchCost({ log }),
    rows: costRows,
  },
  filtered: {
    key: "filteredReads",
    run: (log: (line: string) => void) => benchFiltered({ log }),
    rows: filteredRows,
  },
  longTail: {
    key: "longTail",
    run: (log: (line: string) => void) => benchLongTail({ log }),
    rows: longTailRows,
  },
} as const;

async function runOnly(name: string, json: boolean) {
  const section = ONLY_SECTIONS[name as keyof typeof ONLY_SECTIONS];
  if (!section)
    throw new Error(
      `--only: unknown section "${name}" (one of ${Object.keys(ONLY_SECTIONS).join(", ")})`,
    );
  const started = performance.now();
  const unpin = pinClock(NOW);
  let result: Awaited<ReturnType<typeof section.run>>;
  try {
    result = await section.run((line) => console.error(line));
  } finally {
    unpin();
  }
  const seconds = round((performance.now() - started) / 1000, 1);
  console.error(`${name}: ${seconds} s`);
  if (!json) {
    const rows = (section.rows as (r: unknown) => [string, string][])(result);
    const width = Math.max(...rows.map(([label]) => label.length));
    console.log(
      rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`).join("\n") + "\n",
    );
  }
  console.log(JSON.stringify({ [section.key]: result, seconds }, null, 2));
}

async function main() {
  const json = process.argv.includes("--json");
  const full = process.argv.includes("--full");
  const only = process.argv.indexOf("--only");
  if (only !== -1) return await runOnly(process.argv[only + 1] ?? "", json);
  // Progress goes to stderr so stdout stays one JSON object with --json.
  const report = await runBench((line) => console.error(line), { full });
  console.error(`total: ${report.totalSeconds} s`);
  const ordered = {
    ingest: report.ingest,
    aggregation: report.aggregation,
    dashboard: report.dashboard,
    filteredReads: report.filteredReads,
    cost: report.cost,
    uniques: report.uniques,
    longTail: report.longTail,
    conflicts: report.conflicts,
    tracker: report.tracker,
    bundle: report.bundle,
    baseline: report.baseline,
    ratios: report.ratios,
    machine: report.machine,
    date: report.date,
    now: report.now,
    full: report.full,
    realLog: report.realLog,
    lookups: report.lookups,
    sectionSeconds: report.sectionSeconds,
    totalSeconds: report.totalSeconds,
  };
  if (!json) {
    console.log(renderTable(report) + "\n");
    writeFileSync(MARKDOWN, renderMarkdown(report));
    console.error(`wrote ${MARKDOWN}`);
  }
  console.log(JSON.stringify(ordered, null, 2));
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
