// Each figure of ours as a ratio to the naive baseline's, measured in the same run on the
// same engine with the same traffic (< 1: ours is cheaper).
import type { BatchFigures } from "./write-path.js";
import type { BaselineVolume } from "./baseline.js";
import { round } from "../../harness/component.js";
import type { ScaleVolume } from "./scale.js";

type Inputs = {
  ingest: Record<string, BatchFigures>;
  dashboard: { atScale: { volumes: ScaleVolume[] } };
  baseline: { ingest: BaselineVolume["ingest"]; volumes: BaselineVolume[] };
  conflicts: {
    ours: { cells: Record<string, { per1000: number }> };
    baseline: { cells: Record<string, { per1000: number }> };
  };
};

const ratio = (ours: number, theirs: number) =>
  theirs === 0 ? (ours === 0 ? 1 : null) : round(ours / theirs, 4);

export function computeRatios(r: Inputs) {
  const live = r.ingest.batch100!.perEvent;
  const naive = r.baseline.ingest.perEvent;
  const largest = r.dashboard.atScale.volumes.find(
    (v) => v.events === r.baseline.volumes[r.baseline.volumes.length - 1]!.events,
  )!;
  const aggregation = largest.aggregation.perEvent;
  const dashboard: Record<
    string,
    Record<string, { documents: number | null; bytes: number | null }>
  > = {};
  for (const theirs of r.baseline.volumes) {
    const ours = r.dashboard.atScale.volumes.find((v) => v.events === theirs.events);
    if (!ours) continue;
    for (const state of ["sharded", "compacted"] as const) {
      dashboard[`events${theirs.events}`] ??= {};
      for (const read of ["dashboard30", "overview365"] as const) {
        dashboard[`events${theirs.events}`]![
          `${read}${state === "sharded" ? "BeforeCompaction" : "AfterCompaction"}`
        ] = {
          documents: ratio(ours[state][read].documentsRead, theirs[read].documentsRead),
          bytes: ratio(ours[state][read].bytesRead, theirs[read].bytesRead),
        };
      }
    }
  }
  return {
    note: "ours ÷ baseline; < 1 means ours costs less",
    /** The ingest transaction alone (the request path). */
    ingestPerEvent: {
      documentsRead: ratio(live.documentsRead, naive.documentsRead),
      documentsWritten: ratio(live.documentsWritten, naive.documentsWritten),
      indexRanges: ratio(live.indexRanges, naive.indexRanges),
    },
    /** Ingest plus the worker's fold (at the largest volume): everything an event costs to write. */
    writePathPerEvent: {
      documentsRead: ratio(live.documentsRead + aggregation.documentsRead, naive.documentsRead),
      documentsWritten: ratio(
        live.documentsWritten + aggregation.documentsWritten,
        naive.documentsWritten,
      ),
    },
    dashboard,
    conflictsPer1000IngestPairs: ratio(
      r.conflicts.ours.cells["ingest × ingest"]!.per1000,
      r.conflicts.baseline.cells["ingest × ingest"]!.per1000,
    ),
  };
}
