// The short human-readable table of a benchmark report (the JSON holds every figure).
import type { BenchReport } from "../bench.js";

const num = (x: number, digits = 2) => x.toLocaleString("en", { maximumFractionDigits: digits });
const kib = (bytes: number) => `${num(bytes / 1024, 1)} KiB`;

export function renderTable(r: BenchReport): string {
  const rows: [string, string][] = [];
  const add = (label: string, value: string) => rows.push([label, value]);

  for (const [name, b] of Object.entries(r.ingest)) {
    add(`ingest ${name.replace("batch", "batch of ")}`, `${num(b.perEvent.documentsRead, 3)} read, ${num(b.perEvent.documentsWritten)} written, ${num(b.perEvent.indexRanges, 3)} index ranges per event; ${num(b.eventsPerSecond, 0)} events/s`);
  }
  for (const [name, b] of [["new visitors", r.aggregation.newVisitors], ["returning visitors", r.aggregation.returningVisitors]] as const) {
    add(`aggregate 100, ${name}`, `${num(b.perEvent.documentsRead)} read, ${num(b.perEvent.documentsWritten)} written per event; ${num(b.eventsPerSecond, 0)} events/s`);
  }
  const d = r.dashboard;
  for (const v of [d.baseline, d.scaled]) {
    add(`aggregate ${num(v.events)} backfilled`, `${num(v.aggregation.perEvent.documentsRead)} read, ${num(v.aggregation.perEvent.documentsWritten)} written per event (${v.aggregation.runs} runs)`);
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
  add("compaction", `${d.scaled.maintenance.calls} runMaintenance calls, ${num(d.scaled.maintenance.compacted)} groups merged at ${num(d.scaled.events)} events; reads ×${d.compactionReadRatio.scaled.days30}`);
  const log = r.realLog;
  add("real log import + aggregate", `${num(log.lines)} lines → ${num(log.imported)} events in ${num(log.seconds, 1)} s: ${num(log.eventsPerSecond, 0)} events/s, ${num(log.linesPerSecond, 0)} lines/s`);
  const l = r.lookups;
  add(`convex-test lookups @ ${num(l.docs)} docs`, `${num(l.unindexed.lookupsPerSecond, 0)}/s unpatched → ${num(l.indexed.lookupsPerSecond, 0)}/s indexed (×${num(l.speedup, 1)})`);
  const tr = r.tracker;
  add("tracker (gzip)", tr.status === "built" ? `${num(tr.gzipBytes, 0)} B of ${num(tr.budgetBytes, 0)} B budget${tr.withinBudget ? "" : " — OVER"}` : `not built (${tr.reason})`);

  const width = Math.max(...rows.map(([label]) => label.length));
  const header = `convex-analytics benchmark — ${r.date.slice(0, 10)}, ${r.machine.cores} × ${r.machine.cpu}, Node ${r.machine.node}, ${r.totalSeconds} s`;
  return [header, ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`)].join("\n");
}
