// Predicts, from two footprints, whether the two executions would conflict on a real deployment.
//
// Convex runs a mutation as a serializable transaction under optimistic concurrency control:
// at commit it fails (and is retried) when a transaction that committed after its snapshot wrote
// something it read: a document it read (db.get, or implicitly by patch/replace/delete), or a
// key inside an index range it read, including the empty part of the range. A write touches an
// index through the document's old key (it leaves that place) and its new key (it arrives
// there), so both are checked. Reads and writes live in a component's own namespace: tables of
// different components never meet.
//
// Queries are never retried; a write inside a query's read set re-runs it (invalidation),
// reported by `invalidates`. Actions read and write nothing themselves: each of their
// ctx.runQuery/runMutation calls has a footprint of its own.
import {
  describeRead,
  keyInRead,
  type Footprint,
  type KeyChange,
  type ReadRange,
  type WriteRecord,
} from "./footprint.js";
import { formatKey, type IndexKey } from "./values.js";

export interface Reason {
  component: string;
  table: string;
  index: string;
  /** The written key that falls in the read (null when the key isn't known: `uncertain`). */
  key: IndexKey | null;
  /** Whether it is the document's old key (it moved or was deleted) or its new key. */
  keySide: "before" | "after";
  documentId: string;
  /** Which footprint read / wrote: "a"/"b" for predictConflict, "query"/"write" for invalidates. */
  reader: string;
  writer: string;
  readerName: string;
  writerName: string;
  read: ReadRange;
  write: WriteRecord;
  /** The recorder didn't know the document's old or new value; the overlap is assumed. */
  uncertain?: boolean;
  description: string;
}

export interface Conflict extends Reason {
  /** Every overlap found; the conflict's own fields are the first. */
  reasons: Reason[];
}

export interface PredictOptions {
  /**
   * "symmetric" (default): either may commit first, so both directions are checked.
   * "recorded-order": the footprints come from one sequential run and `a` ran first; only
   * `b`'s writes against `a`'s reads are checked, as if `b` had committed while `a` was
   * running. In a sequential recording `b` saw `a`'s writes, so `b`'s recorded reads can cover
   * keys that, had the two overlapped, it would not have read (a worker that folded the event
   * an ingest had just inserted); `a`'s recorded reads are exactly what `a` read before `b`
   * committed. Writes of `b` to documents `a` inserted are skipped too: `b` could only make
   * them after `a` committed.
   */
  mode?: "symmetric" | "recorded-order";
}

/** Writes of `writer` that land in reads of `reader`. */
function overlaps(
  reader: Footprint,
  writer: Footprint,
  readerLabel: string,
  writerLabel: string,
  firstOnly: boolean,
  writerRanAfterReader = false,
): Reason[] {
  const reasons: Reason[] = [];
  if (writer.writes.length === 0 || reader.reads.length === 0) return reasons;
  // A later writer that writes a document the reader inserted could only do so after the reader
  // committed: had they overlapped, that write couldn't have happened.
  const insertedByReader = writerRanAfterReader
    ? new Set(
        reader.writes.filter((w) => w.op === "insert").map((w) => `${w.component}\u0000${w.id}`),
      )
    : undefined;
  // Group the writer's writes by namespace and table: a read only meets writes of its table.
  const byTable = new Map<string, WriteRecord[]>();
  for (const w of writer.writes) {
    if (insertedByReader?.has(`${w.component}\u0000${w.id}`)) continue;
    const k = `${w.component}\u0000${w.table}`;
    let list = byTable.get(k);
    if (!list) byTable.set(k, (list = []));
    list.push(w);
  }
  for (const read of reader.reads) {
    if (read.empty) continue;
    const writes = byTable.get(`${read.component}\u0000${read.table}`);
    if (!writes) continue;
    for (const write of writes) {
      const reason = writeInRead(read, write);
      if (!reason) continue;
      reasons.push({
        ...reason,
        reader: readerLabel,
        writer: writerLabel,
        readerName: reader.name,
        writerName: writer.name,
        description:
          `${writer.name} ${write.op === "insert" ? "inserts" : write.op === "delete" ? "deletes" : "updates"} ` +
          `${write.component ? write.component + ":" : ""}${write.table} ${write.id}` +
          (reason.key
            ? ` (${reason.keySide} key ${formatKey(reason.key)} on ${read.index})`
            : ` (${read.index} key unknown)`) +
          ` inside ${reader.name}'s read of ${describeRead(read)}`,
      });
      if (firstOnly) return reasons;
    }
  }
  return reasons;
}

function writeInRead(
  read: ReadRange,
  write: WriteRecord,
): Omit<Reason, "reader" | "writer" | "readerName" | "writerName" | "description"> | null {
  const base = {
    component: read.component,
    table: read.table,
    index: read.index,
    documentId: write.id,
    read,
    write,
  };
  const change: KeyChange | undefined = write.keys[read.index];
  if (read.wholeTable || change === undefined) {
    // A search read, or an index the write's table record doesn't list: any write to the table.
    return {
      ...base,
      key: change?.after ?? change?.before ?? null,
      keySide: change?.after ? "after" : "before",
      uncertain: true,
    };
  }
  if (change.beforeUnknown) return { ...base, key: null, keySide: "before", uncertain: true };
  if (change.before && keyInRead(read, change.before))
    return { ...base, key: change.before, keySide: "before" };
  if (change.afterUnknown) return { ...base, key: null, keySide: "after", uncertain: true };
  if (change.after && keyInRead(read, change.after))
    return { ...base, key: change.after, keySide: "after" };
  return null;
}

const isTransaction = (f: Footprint) => f.kind === "mutation";

/**
 * Whether two mutations would conflict if they ran concurrently: one's writes fall inside the
 * other's reads. Queries and actions never conflict (see `invalidates` for queries).
 */
export function predictConflict(
  a: Footprint,
  b: Footprint,
  options: PredictOptions = {},
): Conflict | null {
  if (!isTransaction(a) || !isTransaction(b)) return null;
  const recordedOrder = options.mode === "recorded-order";
  const reasons = overlaps(a, b, "a", "b", false, recordedOrder);
  if (!recordedOrder) reasons.push(...overlaps(b, a, "b", "a", false));
  return reasons.length === 0 ? null : { ...reasons[0], reasons };
}

/**
 * Whether `write`'s writes fall inside `query`'s reads: on a real deployment the query's
 * subscriptions re-run when `write` commits. (Works for any reader footprint.)
 */
export function invalidates(write: Footprint, query: Footprint): Reason | null {
  return overlaps(query, write, "query", "write", true)[0] ?? null;
}

// ---------------------------------------------------------------------------------------------
// Conflict matrix

export interface MatrixCell {
  /** Pairs of distinct executions with these two kinds. */
  pairs: number;
  /** Of those, pairs of mutations predicted to conflict. */
  conflicts: number;
  /** conflicts per 1,000 pairs. */
  per1000: number;
  /** Pairs where one is a query that the other's writes invalidate. */
  invalidations: number;
  invalidationsPer1000: number;
  /** One conflict, to explain the figure. */
  example?: Conflict;
  exampleInvalidation?: Reason;
}

export interface ConflictMatrix {
  kinds: string[];
  /** cells[kindA][kindB], symmetric: cells[a][b] and cells[b][a] are the same object. */
  cells: Record<string, Record<string, MatrixCell>>;
  /** Over all pairs of all kinds. */
  total: MatrixCell;
}

export interface Execution {
  /** The operation kind, as the caller names it ("ingest", "worker", "heartbeat"…). */
  kind: string;
  footprint: Footprint;
}

/**
 * Conflicts between kinds of operations, normalized per 1,000 pairs.
 *
 * Normalization: every unordered pair of two distinct recorded executions is one hypothetical
 * "these two ran at the same time". For kinds A ≠ B there are |A|·|B| such pairs, for A with
 * itself |A|·(|A|−1)/2. A cell's `per1000` is 1000 × (pairs predicted to conflict) / (pairs),
 * i.e. the chance, in thousandths, that two operations of those kinds that overlap in time
 * conflict. It doesn't depend on how many executions of each kind were recorded (only on how
 * representative they are), so schedules of different sizes compare. It is not a rate per
 * second: the retries a deployment sees also scale with how often operations overlap.
 *
 * Pairs are checked in both directions (either could commit first) unless `mode` is
 * "recorded-order", where for each pair only the later execution's writes are checked against
 * the earlier one's reads (see PredictOptions). For footprints recorded from one realistic
 * sequential schedule, "recorded-order" is the one to trust: symmetric mode also counts pairs
 * where one only read what it read because the other had already committed.
 */
export function conflictMatrix(
  executions: Execution[],
  options: PredictOptions = {},
): ConflictMatrix {
  const kinds = [...new Set(executions.map((e) => e.kind))];
  const cells: Record<string, Record<string, MatrixCell>> = {};
  const newCell = (): MatrixCell => ({
    pairs: 0,
    conflicts: 0,
    per1000: 0,
    invalidations: 0,
    invalidationsPer1000: 0,
  });
  for (const a of kinds) cells[a] = {};
  for (let i = 0; i < kinds.length; i++) {
    for (let j = i; j < kinds.length; j++) {
      const cell = newCell();
      cells[kinds[i]][kinds[j]] = cell;
      cells[kinds[j]][kinds[i]] = cell;
    }
  }
  const total = newCell();
  const ordered =
    options.mode === "recorded-order"
      ? [...executions].sort((x, y) => x.footprint.id - y.footprint.id)
      : executions;
  for (let i = 0; i < ordered.length; i++) {
    for (let j = i + 1; j < ordered.length; j++) {
      const x = ordered[i];
      const y = ordered[j];
      const cell = cells[x.kind][y.kind];
      cell.pairs++;
      total.pairs++;
      const conflict = predictConflict(x.footprint, y.footprint, options);
      if (conflict) {
        cell.conflicts++;
        total.conflicts++;
        cell.example ??= conflict;
        total.example ??= conflict;
      }
      let inv: Reason | null = null;
      if (x.footprint.kind === "query") inv = invalidates(y.footprint, x.footprint);
      if (!inv && y.footprint.kind === "query" && options.mode !== "recorded-order") {
        inv = invalidates(x.footprint, y.footprint);
      }
      if (inv) {
        cell.invalidations++;
        total.invalidations++;
        cell.exampleInvalidation ??= inv;
        total.exampleInvalidation ??= inv;
      }
    }
  }
  const norm = (c: MatrixCell) => {
    c.per1000 = c.pairs === 0 ? 0 : (1000 * c.conflicts) / c.pairs;
    c.invalidationsPer1000 = c.pairs === 0 ? 0 : (1000 * c.invalidations) / c.pairs;
  };
  for (let i = 0; i < kinds.length; i++)
    for (let j = i; j < kinds.length; j++) norm(cells[kinds[i]][kinds[j]]);
  norm(total);
  return { kinds, cells, total };
}

/** The matrix as a table of per-1,000 figures, for logs and reports. */
export function formatMatrix(m: ConflictMatrix): string {
  const w = Math.max(8, ...m.kinds.map((k) => k.length));
  const head = ["".padEnd(w), ...m.kinds.map((k) => k.padStart(w))].join(" ");
  const rows = m.kinds.map((a) =>
    [a.padEnd(w), ...m.kinds.map((b) => m.cells[a][b].per1000.toFixed(1).padStart(w))].join(" "),
  );
  return [head, ...rows].join("\n");
}
