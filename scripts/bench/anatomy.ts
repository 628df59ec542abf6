// What the dashboard reads are made of: the rollup rows each read touches (the same index and
// segments as src/component/reports.ts, read again unmeasured), their bytes and their
// unique-visitor sketches (lib/sketch: sparse = 1 + 8 bytes a visitor, exact; dense = 16,385
// bytes of HyperLogLog registers, once a row holds more than 1,024 visitors). The scale
// section uses it to say why a figure grows with traffic, with numbers.
import { getDocumentSize } from "convex/values";
import { DAY_MS, PARTITIONS } from "../../src/component/lib/limits.js";
import { ALL } from "../../src/component/aggregate/rollup.js";
import { sketchCount } from "../../src/component/lib/sketch.js";
import { coverRange, snapRange, type Segment } from "../../src/component/lib/time.js";
import { UNFOLDED_FINER } from "../../src/component/read/rollupReads.js";
import type { ComponentBackend } from "../../harness/component.js";
import { round } from "../../harness/component.js";
import { kib, num, pct } from "./numbers.js";

/** The sketch format bytes of lib/sketch.ts. */
const SPARSE = 1;
const DENSE = 3;

export type RowAnatomy = {
  /** Rollup rows read (= documents read). */
  rows: number;
  /** getDocumentSize of those rows (= bytes read). */
  bytes: number;
  /** Bytes of their visitor and user sketches. */
  sketchBytes: number;
  sparseRows: number;
  denseRows: number;
  /** Visitors per row, summed over rows (exact for sparse sketches, the estimate for dense ones). */
  rowVisitors: number;
  /**
   * Rows the read could touch at most whatever the traffic: its buckets × the keys seen ×
   * the shards per (bucket, key) (PARTITIONS before compaction, 1 after).
   */
  ceiling: number;
};

type Row = {
  granularity: string;
  bucket: number;
  key: string;
  partition: number;
  visitors: ArrayBuffer;
  users?: ArrayBuffer;
};

function anatomyOf(rows: Row[], shards: number): RowAnatomy {
  const a: RowAnatomy = {
    rows: rows.length,
    bytes: 0,
    sketchBytes: 0,
    sparseRows: 0,
    denseRows: 0,
    rowVisitors: 0,
    ceiling: 0,
  };
  const buckets = new Set<string>();
  const keys = new Set<string>();
  for (const row of rows) {
    a.bytes += getDocumentSize(row as never);
    a.sketchBytes += row.visitors.byteLength + (row.users?.byteLength ?? 0);
    const format = new Uint8Array(row.visitors, 0, 1)[0];
    if (format === DENSE) a.denseRows++;
    else if (format === SPARSE) a.sparseRows++;
    a.rowVisitors += sketchCount(row.visitors);
    buckets.add(`${row.granularity}:${row.bucket}`);
    keys.add(row.key);
  }
  a.ceiling = buckets.size * keys.size * shards;
  return a;
}

export function addAnatomy(parts: RowAnatomy[]): RowAnatomy {
  const sum = (pick: (a: RowAnatomy) => number) => parts.reduce((s, p) => s + pick(p), 0);
  return {
    rows: sum((a) => a.rows),
    bytes: sum((a) => a.bytes),
    sketchBytes: sum((a) => a.sketchBytes),
    sparseRows: sum((a) => a.sparseRows),
    denseRows: sum((a) => a.denseRows),
    rowVisitors: sum((a) => a.rowVisitors),
    ceiling: sum((a) => a.ceiling),
  };
}

async function rowsOf(t: ComponentBackend, siteId: string, dimension: string, segments: Segment[]) {
  return await t.run(async (ctx) => {
    const rows: Row[] = [];
    for (const segment of segments) {
      const page = await ctx.db
        .query("rollups")
        .withIndex("by_row", (q) =>
          q
            .eq("siteId", siteId as never)
            .eq("granularity", segment.granularity)
            .eq("dimension", dimension)
            .gte("bucket", segment.from)
            .lt("bucket", segment.to),
        )
        .collect();
      rows.push(...(page as unknown as Row[]));
      // As rollupReads.ts: whole days and months add the finer rows not folded into them yet.
      for (const finer of UNFOLDED_FINER[segment.granularity]) {
        const unfolded = await ctx.db
          .query("rollups")
          .withIndex("by_unfolded", (q) =>
            q
              .eq("siteId", siteId as never)
              .eq("dimension", dimension)
              .eq("unfolded", true)
              .eq("granularity", finer)
              .gte("bucket", segment.from)
              .lt("bucket", segment.to),
          )
          .collect();
        rows.push(...(unfolded as unknown as Row[]));
      }
    }
    return rows;
  });
}

/**
 * The rows of the 30-day dashboard (overview, daily timeseries, the breakdowns) and of the
 * 365-day overview, as reports.ts reads them for a site in UTC.
 */
export async function readAnatomy(
  t: ComponentBackend,
  siteId: string,
  end: number,
  dimensions: readonly string[],
  compacted: boolean,
) {
  const shards = compacted ? 1 : PARTITIONS;
  const range30 = snapRange(end - 30 * DAY_MS, end, "UTC");
  const range365 = snapRange(end - 365 * DAY_MS, end, "UTC");
  const overviewSegments = coverRange(range30.from, range30.to, "UTC", true);
  const parts: Record<string, RowAnatomy> = {
    overview: anatomyOf(await rowsOf(t, siteId, ALL, overviewSegments), shards),
    timeseries: anatomyOf(
      await rowsOf(t, siteId, ALL, coverRange(range30.from, range30.to, "UTC", false)),
      shards,
    ),
  };
  for (const dimension of dimensions)
    parts[dimension] = anatomyOf(await rowsOf(t, siteId, dimension, overviewSegments), shards);
  return {
    dashboard30: addAnatomy(Object.values(parts)),
    dashboard30Parts: parts,
    overview365: anatomyOf(
      await rowsOf(t, siteId, ALL, coverRange(range365.from, range365.to, "UTC", true)),
      shards,
    ),
  };
}

/** "1,883 rows (56 % of a 3,360-row ceiling)". */
export function describeRows(a: RowAnatomy, ceiling = a.ceiling) {
  return `${num(a.rows, 1)} rows (${pct(a.rows / ceiling, 0)} of a ${num(ceiling, 1)}-row ceiling)`;
}

/** Visitors per row, averaged over the read's rows. */
export const visitorsPerRow = (a: RowAnatomy) => round(a.rowVisitors / Math.max(1, a.rows), 1);

/** Where the bytes of a read go: fixed row fields vs sketches, visitors per row, dense rows. */
export function describeBytes(a: RowAnatomy) {
  const fixed = a.bytes - a.sketchBytes;
  return (
    `${kib(a.bytes)} = ${kib(fixed)} of counters and keys (${Math.round(fixed / Math.max(1, a.rows))} B a row) + ${kib(a.sketchBytes)} of sketches ` +
    `(${num(visitorsPerRow(a), 1)} visitors a row on average; ${num(a.sparseRows, 1)} sparse rows at 8 B a visitor, ${num(a.denseRows, 1)} dense at 16 KiB)`
  );
}
