// The short human-readable table of a benchmark report (the JSON holds every figure).
import type { BenchReport } from "../bench.js";
import { filteredRows } from "./filtered.js";
import { kib, num, pct } from "./numbers.js";

export function renderTable(r: BenchReport): string {
  const rows = tableRows(r);
  const width = Math.max(...rows.map(([label]) => label.length));
  const header = `convex-analytics benchmark — ${r.date.slice(0, 10)}, ${r.machine.cores} × ${r.machine.cpu}, Node ${r.machine.node}, ${r.totalSeconds} s`;
  return [header, ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`)].join("\n");
}

/** Every row of the table: [label, value]. */
export function tableRows(r: BenchReport): [string, string][] {
  const rows: [string, string][] = [];
  const add = (label: string, value: string) => rows.push([label, value]);

  for (const [name, b] of Object.entries(r.ingest)) {
    add(
      `ingest ${name.replace("batch", "batch of ")}`,
      `${num(b.perEvent.documentsRead, 3)} read, ${num(b.perEvent.documentsWritten)} written, ${num(b.perEvent.indexRanges, 3)} index ranges per event; ${num(b.eventsPerSecond, 0)} events/s`,
    );
  }
  for (const [label, value] of endToEndRows(r)) add(label, value);
  for (const [name, b] of [
    ["new visitors", r.aggregation.newVisitors],
    ["returning visitors", r.aggregation.returningVisitors],
  ] as const) {
    add(
      `one worker run of 100, ${name}`,
      `${num(b.perEvent.documentsRead)} read, ${num(b.perEvent.documentsWritten)} written per event; ${num(b.eventsPerSecond, 0)} events/s`,
    );
  }
  const d = r.dashboard;
  for (const v of [d.baseline, d.scaled]) {
    add(
      `aggregate ${num(v.events)} backfilled`,
      `${num(v.aggregation.perEvent.documentsRead)} read, ${num(v.aggregation.perEvent.documentsWritten)} written per event (${v.aggregation.runs} runs)`,
    );
  }
  for (const range of ["days30", "days365"] as const) {
    const label = range === "days30" ? "30-day" : "365-day";
    for (const state of ["sharded", "compacted"] as const) {
      const small = d.baseline[state][range];
      const large = d.scaled[state][range];
      add(
        `${label} overview, ${state === "sharded" ? "before" : "after"} compaction`,
        `${small.documentsRead} docs at ${num(d.baseline.events)} → ${large.documentsRead} at ${num(d.scaled.events)} (×${d.readRatio[state][range]}); ${kib(small.bytesRead)} → ${kib(large.bytesRead)}`,
      );
    }
  }
  add(
    "compaction",
    `${d.scaled.maintenance.calls} runMaintenance calls, ${num(d.scaled.maintenance.compacted)} groups merged at ${num(d.scaled.events)} events; reads ×${d.compactionReadRatio.scaled.days30}`,
  );
  const log = r.realLog;
  add(
    "real log import + aggregate",
    `${num(log.lines)} lines → ${num(log.imported)} events in ${num(log.seconds, 1)} s: ${num(log.eventsPerSecond, 0)} events/s, ${num(log.linesPerSecond, 0)} lines/s`,
  );
  for (const l of r.lookups.sizes) {
    add(
      `convex-test lookups @ ${num(l.docs)} docs`,
      `${num(l.unpatched.lookupsPerSecond, 1)}/s unpatched (${num(l.unpatched.lookups)} lookups timed) → ${num(l.patched.lookupsPerSecond, 0)}/s patched (${num(l.patched.lookups)} timed), ×${num(l.speedup, 1)}`,
    );
  }
  for (const [label, value] of scaleRows(r)) add(label, value);
  for (const [label, value] of filteredRows(r.filteredReads)) add(label, value);
  add(
    "wall time per section",
    Object.entries(r.sectionSeconds)
      .map(([name, seconds]) => `${name} ${num(seconds, 1)} s`)
      .join("; ") + `; total ${num(r.totalSeconds, 1)} s`,
  );
  const bu = r.bundle;
  add(
    "component bundle (Convex CLI, default runtime)",
    `${num(bu.kib, 1)} KiB in ${bu.modules} modules from ${bu.functionsDir}${bu.fromSources ? " (dist was older than the sources)" : ""}; ${bu.packages.map((p) => `${p.name} ${pct(p.share, 0)}`).join(", ")}`,
  );
  const tr = r.tracker;
  add(
    "tracker script (gzip)",
    `${num(tr.gzipBytes, 0)} B of ${num(tr.budgetBytes, 0)} B budget (${num(tr.rawBytes, 0)} B raw) — ${tr.withinBudget ? "pass" : "FAIL"}`,
  );
  return rows;
}

const PROTOCOLS = ["live", "drip", "bulk"] as const;

/** End-to-end write cost (invariant 11), per protocol and traffic multiple. */
export function endToEndRows(r: BenchReport): [string, string][] {
  const rows: [string, string][] = [];
  for (const protocol of PROTOCOLS) {
    for (const [key, f] of Object.entries(r.aggregation[protocol])) {
      const e = f.endToEnd;
      const part =
        f.logPageviews < r.aggregation.endToEnd.log.pageviews
          ? `, log's first ${num(f.logPageviews)} pageviews`
          : "";
      rows.push([
        `end to end, ${protocol} ${key.replace("x", "×")}`,
        `${num(e.documentsWritten)} docs (${kib(e.bytesWritten)}) written, ${num(e.documentsRead)} docs (${kib(e.bytesRead)}) read per event — ${num(f.overFloor.documentsWritten, 1)}× the 1-document floor, ${num(f.overFloor.bytesWritten, 1)}× the raw insert's ${num(f.floor.bytesWritten, 0)} B; ${num(f.events)} events${part}, ${num(f.calls)} calls, ${num(f.transactions)} transactions, ${num(f.workerRuns)} worker runs`,
      ]);
    }
  }
  return rows;
}

/** The rows of the sections added for the scale benchmark, shared by the table and docs/benchmark.md. */
export function scaleRows(r: BenchReport): [string, string][] {
  const rows: [string, string][] = [];
  const add = (label: string, value: string) => rows.push([label, value]);
  const s = r.dashboard.atScale;
  for (const v of s.volumes) {
    add(
      `${num(v.events)} events: import, aggregate`,
      `${num(v.importEventsPerSecond, 0)} events/s imported; worker ${num(v.aggregation.perEvent.documentsRead)} read, ${num(v.aggregation.perEvent.documentsWritten)} written per event, ${num(v.aggregation.eventsPerSecond, 0)} events/s (${v.aggregation.runs} runs)`,
    );
    for (const state of ["sharded", "compacted"] as const) {
      const x = v[state];
      const when = state === "sharded" ? "before" : "after";
      add(
        `${num(v.events)}: 30-day dashboard, ${when} compaction`,
        `${num(x.dashboard30.documentsRead)} docs, ${kib(x.dashboard30.bytesRead)} (overview ${x.overview30.documentsRead}, timeseries ${x.timeseries30.documentsRead}, breakdowns ${Object.values(
          x.breakdowns30,
        )
          .map((b) => b.documentsRead)
          .join("/")})`,
      );
      add(
        `${num(v.events)}: 365-day overview, ${when} compaction`,
        `${num(x.overview365.documentsRead)} docs, ${kib(x.overview365.bytesRead)}`,
      );
    }
    add(
      `${num(v.events)}: compaction`,
      `${num(v.maintenance.calls)} runMaintenance calls, ${num(v.maintenance.compacted)} groups merged; rollup rows ${num(v.rollupRows.sharded)} → ${num(v.rollupRows.compacted)}`,
    );
  }
  for (const c of s.checks) {
    add(`target: ${c.target}`, `${c.value} — ${c.result}`);
    if (c.why) add(`  why ${c.value} (${c.result})`, c.why);
  }
  for (const u of r.uniques.volumes) {
    add(
      `uniques @ ${num(u.visitors)} visitors`,
      `max ${pct(u.maxRelativeError)}, p95 ${pct(u.p95RelativeError)}, mean signed ${pct(u.meanSignedError)}; exact ${u.exactRangesExact}/${u.exactRanges} ranges < 1,000; within 2 %: ${u.withinTwoPercent}/${u.estimatedRanges} (${pct(u.withinTwoPercentShare, 1)}) — ${u.specHolds ? "pass" : "FAIL"}`,
    );
  }
  for (const b of r.baseline.volumes) {
    add(
      `baseline ${num(b.events)}: ingest`,
      `${num(b.ingest.perEvent.documentsRead)} read, ${num(b.ingest.perEvent.documentsWritten)} written, ${num(b.ingest.perEvent.indexRanges)} index ranges per event; ${num(b.ingest.eventsPerSecond, 0)} events/s`,
    );
    add(
      `baseline ${num(b.events)}: 30-day dashboard`,
      `${num(b.dashboard30.documentsRead)} docs, ${kib(b.dashboard30.bytesRead)}`,
    );
    add(
      `baseline ${num(b.events)}: 365-day overview`,
      `${num(b.overview365.documentsRead)} docs, ${kib(b.overview365.bytesRead)}${b.overview365.overLimit ? " — over Convex's 32,000-document limit: fails on a deployment" : ""}`,
    );
  }
  const c = r.conflicts;
  for (const [pair, cell] of Object.entries(c.ours.cells))
    if (cell.pairs > 0)
      add(
        `conflicts per 1,000: ${pair}`,
        `${num(cell.per1000, 1)} (${cell.conflicts} of ${num(cell.pairs)} pairs)`,
      );
  const naiveCell = c.baseline.cells["ingest × ingest"]!;
  add(
    "conflicts per 1,000: baseline ingest × ingest",
    `${num(naiveCell.per1000, 1)} (${naiveCell.conflicts} of ${num(naiveCell.pairs)} pairs); hot documents: ours ${c.ours.hotDocuments.documents}, baseline ${c.baseline.hotDocuments.documents} (${c.baseline.hotDocuments.tables.join(", ")})`,
  );
  const q = r.ratios;
  add(
    "ratio ours/baseline: ingest per event",
    `read ×${q.ingestPerEvent.documentsRead}, written ×${q.ingestPerEvent.documentsWritten}; with the worker's fold: read ×${q.writePathPerEvent.documentsRead}, written ×${q.writePathPerEvent.documentsWritten}`,
  );
  for (const [volume, reads] of Object.entries(q.dashboard)) {
    const events = num(Number(volume.replace("events", "")));
    add(
      `ratio ours/baseline @ ${events}: 30-day dashboard`,
      `docs ×${reads.dashboard30BeforeCompaction!.documents} before / ×${reads.dashboard30AfterCompaction!.documents} after compaction; bytes ×${reads.dashboard30BeforeCompaction!.bytes} / ×${reads.dashboard30AfterCompaction!.bytes}`,
    );
    add(
      `ratio ours/baseline @ ${events}: 365-day overview`,
      `docs ×${reads.overview365BeforeCompaction!.documents} before / ×${reads.overview365AfterCompaction!.documents} after compaction; bytes ×${reads.overview365BeforeCompaction!.bytes} / ×${reads.overview365AfterCompaction!.bytes}`,
    );
  }
  add("ratio ours/baseline: conflicts per 1,000 ingest pairs", `×${q.conflictsPer1000IngestPairs}`);
  return rows;
}
