// Unique visitors (contract §5): the relative error of the visitor sketch over many ranges. The
// visitors of a year are spread over 365 day buckets × PARTITIONS partitions as the worker
// spreads them (one sketch per day row and partition, through sketchAdd); a range is a random
// contiguous span of days, counted as the reads count it (countUnion of its rows' sketches)
// and compared with the exact number of distinct visitors in it. Pure: no engine involved.
import { PARTITIONS } from "../../src/component/lib/limits.js";
import { partitionOf } from "../../src/component/ingest/pipeline.js";
import {
  countUnion,
  emptySketch,
  hashId,
  mergeAll,
  sketchAdd,
} from "../../src/component/lib/sketch.js";
import { round } from "../../harness/component.js";
import { rng } from "./workload.js";

export const UNIQUE_VOLUMES = [1_000, 10_000, 100_000];
export const FULL_UNIQUE_VOLUME = 1_000_000;
const DAYS = 365;
/** Ranges drawn per volume: random contiguous spans of 1…365 days. */
export const RANGES_PER_VOLUME = 400;
/** contract §5. */
export const EXACT_BELOW = 1_000;
export const TOLERANCE = 0.02;
export const WITHIN_SHARE = 0.95;

function quantile(sorted: number[], q: number) {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

/**
 * `visitors` distinct visitors, each on 1 + Geometric(mean 2) days of the year (returning
 * visitors make ranges overlap, which is what the union must not double count).
 */
export function uniquesAt(visitors: number, seed = 11) {
  const random = rng(seed + visitors);
  const started = performance.now();
  // Hashes per (day, partition) bucket, and each visitor's days for the exact count.
  const buckets: number[][] = Array.from({ length: DAYS * PARTITIONS }, () => []);
  const daysOf: Uint16Array[] = [];
  for (let v = 0; v < visitors; v++) {
    const id = `uv-${visitors}-${v}`;
    const hash = hashId(id);
    const partition = partitionOf(id);
    const visits = 1 + Math.floor(-Math.log(1 - random()) * 2);
    const days = new Set<number>();
    for (let i = 0; i < visits; i++) days.add(Math.floor(random() * DAYS));
    daysOf.push(Uint16Array.from(days));
    for (const day of days) buckets[day * PARTITIONS + partition]!.push(hash);
  }
  // The worker adds a batch's visitors to a row at a time; the result is the same set.
  const sketches = buckets.map((hashes) => sketchAdd(emptySketch(), hashes));
  const sketchBytes = sketches.reduce((sum, s) => sum + s.byteLength, 0);
  const errors: number[] = [];
  let signedSum = 0;
  let exactRanges = 0;
  let exactHeld = 0;
  let estimatedRanges = 0;
  let within = 0;
  const seen = new Uint8Array(DAYS);
  for (let r = 0; r < RANGES_PER_VOLUME; r++) {
    const length = 1 + Math.floor(random() * DAYS);
    const from = Math.floor(random() * (DAYS - length + 1));
    const to = from + length;
    seen.fill(0);
    seen.fill(1, from, to);
    let exact = 0;
    for (const days of daysOf) {
      for (let i = 0; i < days.length; i++) {
        if (seen[days[i]!]) {
          exact++;
          break;
        }
      }
    }
    const counted = countUnion(sketches.slice(from * PARTITIONS, to * PARTITIONS));
    if (exact > 0) signedSum += (counted - exact) / exact;
    const error = exact === 0 ? (counted === 0 ? 0 : 1) : Math.abs(counted - exact) / exact;
    if (exact < EXACT_BELOW) {
      exactRanges++;
      if (counted === exact) exactHeld++;
    } else {
      estimatedRanges++;
      if (error <= TOLERANCE) within++;
    }
    errors.push(error);
  }
  // Compaction merges a day's partitions into one row: the merged year must count the same.
  const yearExact = visitors;
  const yearMerged = countUnion([mergeAll(sketches)]);
  errors.sort((a, b) => a - b);
  const withinShare = estimatedRanges ? within / estimatedRanges : 1;
  return {
    visitors,
    ranges: RANGES_PER_VOLUME,
    maxRelativeError: round(errors[errors.length - 1]!, 5),
    p95RelativeError: round(quantile(errors, 0.95), 5),
    medianRelativeError: round(quantile(errors, 0.5), 5),
    /** Mean of (counted − exact) / exact: ≈ 0 for an unbiased estimate. */
    meanSignedError: round(signedSum / RANGES_PER_VOLUME, 5),
    /** Ranges with fewer than 1,000 distinct visitors must be exact. */
    exactRanges,
    exactRangesExact: exactHeld,
    /** Ranges with 1,000 or more: within 2 % in at least 95 % of them. */
    estimatedRanges,
    withinTwoPercent: within,
    withinTwoPercentShare: round(withinShare, 4),
    /** All ranges: the share within 2 % (exact ones included). */
    shareWithinTwoPercentAll: round(errors.filter((e) => e <= TOLERANCE).length / errors.length, 4),
    yearMergedRelativeError: round(Math.abs(yearMerged - yearExact) / yearExact, 5),
    meanSketchBytes: round(sketchBytes / sketches.length),
    specHolds: exactHeld === exactRanges && withinShare >= WITHIN_SHARE,
    ms: round(performance.now() - started),
  };
}

export function benchUniques(options: { full: boolean; log: (line: string) => void }) {
  const volumes = options.full ? [...UNIQUE_VOLUMES, FULL_UNIQUE_VOLUME] : UNIQUE_VOLUMES;
  const results = volumes.map((visitors) => {
    const r = uniquesAt(visitors);
    options.log(`  uniques at ${visitors.toLocaleString("en")} visitors: ${r.ms} ms`);
    return r;
  });
  return {
    days: DAYS,
    partitions: PARTITIONS,
    rangesPerVolume: RANGES_PER_VOLUME,
    spec: `exact below ${EXACT_BELOW.toLocaleString("en")}; within ${TOLERANCE * 100} % in ≥ ${WITHIN_SHARE * 100} % of ranges above`,
    volumes: results,
    specHolds: results.every((r) => r.specHolds),
  };
}
