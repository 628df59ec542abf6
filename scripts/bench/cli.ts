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
// The sections and the report are scripts/bench.ts (runBench); this file is the command line
// and the printing, apart from it so that the renderers can import the report's type without
// an import cycle.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { runBench } from "../bench.js";
import { NOW, pinClock } from "./clock.js";
import { benchCost, costRows } from "./cost.js";
import { benchEndToEnd } from "./end-to-end.js";
import { benchFiltered, filteredRows } from "./filtered.js";
import { benchLongTail, longTailRows } from "./longtail.js";
import { round } from "../../harness/component.js";
import { renderMarkdown } from "./markdown.js";
import { renderTable } from "./table.js";

const MARKDOWN = fileURLToPath(new URL("../../docs/benchmark.md", import.meta.url));

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
