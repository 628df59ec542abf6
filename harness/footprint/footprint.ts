// What one function execution read and wrote, in the terms Convex's optimistic concurrency
// control checks: index ranges (and points) read, and the index keys of every document written.
// Produced by `recorder.ts`, consumed by `predict.ts`; plain data, so tests can also build
// footprints by hand.
import type { GenericSchema, SchemaDefinition } from "convex/server";
import type { Value } from "convex/values";
import { compareKeys, compareValues, type IndexKey } from "./values.js";

export type { IndexKey } from "./values.js";

/** A bound on the first index field after the equality prefix. */
export interface FieldBound {
  value: Value | undefined;
  inclusive: boolean;
}

/** A bound on the whole key (the index fields, `_creationTime` and `_id`). */
export interface KeyBound {
  key: IndexKey;
  inclusive: boolean;
}

/**
 * An index range a transaction read, and the part of it that it actually read.
 *
 * The range is the `withIndex` expression: `eq` values for the first `eq.length` fields, then an
 * optional `lower`/`upper` bound on the next field. The part actually read is that range clamped,
 * on the whole key and in ascending key order, to `[from, to]`:
 * - a query that read to the end of its range (`exhausted`) read all of it, including its empty
 *   tail, so a later insert anywhere in it conflicts: no clamp on the side it was heading to;
 * - a query that stopped early (take/first/unique reached its limit, paginate, a loop that
 *   broke) read from the range's start, in its order, up to and including the last key it
 *   returned: `to` (ascending) or `from` (descending) is that key, inclusive;
 * - a page that started after a cursor is clamped, exclusively, at the cursor's key.
 */
export interface ReadRange {
  /** Component path of the table's namespace: "" for the app, else e.g. "analytics". */
  component: string;
  table: string;
  /** `by_creation_time`, `by_id` (db.get and writes' implicit reads), or a schema index. */
  index: string;
  /** The key's fields: the index fields then `_creationTime`, `_id` (`["_id"]` for by_id). */
  fields: string[];
  eq: (Value | undefined)[];
  lower?: FieldBound;
  upper?: FieldBound;
  order: "asc" | "desc";
  from?: KeyBound;
  to?: KeyBound;
  /** The scan reached the end of the range (or the range is a point). */
  exhausted: boolean;
  /** Nothing at all was read (take(0), a stream closed before its first item). */
  empty?: boolean;
  /** Documents the read returned. */
  returned: number;
  via: "query" | "get" | "paginate" | "count" | "search" | "patch" | "replace" | "delete";
  /**
   * The read can't be located precisely (a text search, an index the schema given to the
   * recorder doesn't declare, a cursor it couldn't decode): any write to the table is taken to
   * fall inside it.
   */
  wholeTable?: boolean;
  /** Function (with component) that issued the read, when it ran nested in the transaction. */
  by?: string;
}

/** An index key before and after a transaction's write. */
export interface KeyChange {
  /** null: the document didn't exist before (insert). */
  before: IndexKey | null;
  /** null: the document doesn't exist after (delete). */
  after: IndexKey | null;
  /** The old document wasn't known to the recorder: the old key could be anywhere. */
  beforeUnknown?: boolean;
  /** The new document isn't fully known (blind patch of an unknown document). */
  afterUnknown?: boolean;
}

export interface WriteRecord {
  component: string;
  table: string;
  id: string;
  /** Net effect on the document over the transaction. */
  op: "insert" | "update" | "delete";
  /** The calls that made it, in order. */
  ops: ("insert" | "patch" | "replace" | "delete")[];
  /** Every index of the table: by_id, by_creation_time and the schema's indexes. */
  keys: Record<string, KeyChange>;
  /** `_creationTime` of an inserted document is the recorder's estimate (see recorder.ts). */
  creationTimeEstimated?: boolean;
  by?: string;
}

export type FunctionKind = "query" | "mutation" | "action";

export interface Footprint {
  /** Recorder-assigned, in order of start. */
  id: number;
  /** Function path with its component: "counter:increment", "analytics/ingest:ingest". */
  name: string;
  component: string;
  udfPath: string;
  kind: FunctionKind;
  /** How it started: called by the test, run by the scheduler, or by an action (`parent`). */
  origin: "test" | "scheduled" | "action" | "unknown";
  parent?: number;
  scheduledBy?: number;
  /** Functions that ran inside this transaction (ctx.runQuery/runMutation, component calls). */
  calls: { name: string; component: string; kind: FunctionKind }[];
  /** Transactions an action ran (each `ctx.runQuery`/`runMutation` commits on its own). */
  children: number[];
  /** Functions it scheduled. */
  scheduled: string[];
  reads: ReadRange[];
  writes: WriteRecord[];
  /** It threw: its writes were rolled back (its reads remain: they happened). */
  failed?: boolean;
  error?: string;
}

// ---------------------------------------------------------------------------------------------
// Index keys

export const BY_ID = "by_id";
export const BY_CREATION_TIME = "by_creation_time";

/** Reads a (possibly dotted) field path off a document, as Convex does for index fields. */
export function fieldValue(doc: Record<string, unknown>, path: string): Value | undefined {
  let v: unknown = doc;
  for (const part of path.split(".")) {
    if (v === null || typeof v !== "object" || Array.isArray(v) || v instanceof ArrayBuffer)
      return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v as Value | undefined;
}

export function indexKey(doc: Record<string, unknown>, fields: readonly string[]): IndexKey {
  return fields.map((f) => fieldValue(doc, f));
}

/** Index name → key fields (index fields + `_creationTime`, `_id`) for each table of a schema. */
export type TableIndexes = Record<string, Record<string, string[]>>;

export function systemIndexes(): Record<string, string[]> {
  return { [BY_ID]: ["_id"], [BY_CREATION_TIME]: ["_creationTime", "_id"] };
}

/**
 * The database indexes `defineSchema` declares, per table. Staged indexes are left out: queries
 * can't use them, so they never appear in a read set. Search and vector indexes are listed in
 * `searchIndexes`.
 */
export function schemaIndexes(schema: SchemaDefinition<GenericSchema, boolean> | undefined): {
  indexes: TableIndexes;
  searchIndexes: Record<string, string[]>;
} {
  const indexes: TableIndexes = {};
  const searchIndexes: Record<string, string[]> = {};
  for (const [table, def] of Object.entries(schema?.tables ?? {})) {
    const d = def as unknown as {
      " indexes"?: () => { indexDescriptor: string; fields: string[] }[];
      export: () => {
        indexes: { indexDescriptor: string; fields: string[] }[];
        searchIndexes?: { indexDescriptor: string }[];
        vectorIndexes?: { indexDescriptor: string }[];
      };
    };
    const exported = d.export();
    const list = typeof d[" indexes"] === "function" ? d[" indexes"]() : exported.indexes;
    indexes[table] = systemIndexes();
    for (const { indexDescriptor, fields } of list) {
      indexes[table][indexDescriptor] = [...fields, "_creationTime", "_id"];
    }
    searchIndexes[table] = [
      ...(exported.searchIndexes ?? []),
      ...(exported.vectorIndexes ?? []),
    ].map((i) => i.indexDescriptor);
  }
  return { indexes, searchIndexes };
}

// ---------------------------------------------------------------------------------------------
// Range membership

/** Whether a full index key lies in the part of the range that was actually read. */
export function keyInRead(read: ReadRange, key: IndexKey): boolean {
  if (read.empty) return false;
  if (read.wholeTable) return true;
  const k = read.eq.length;
  for (let i = 0; i < k; i++) {
    if (compareValues(key[i], read.eq[i]) !== 0) return false;
  }
  if (read.lower) {
    const c = compareValues(key[k], read.lower.value);
    if (c < 0 || (c === 0 && !read.lower.inclusive)) return false;
  }
  if (read.upper) {
    const c = compareValues(key[k], read.upper.value);
    if (c > 0 || (c === 0 && !read.upper.inclusive)) return false;
  }
  if (read.from) {
    const c = compareKeys(key, read.from.key);
    if (c < 0 || (c === 0 && !read.from.inclusive)) return false;
  }
  if (read.to) {
    const c = compareKeys(key, read.to.key);
    if (c > 0 || (c === 0 && !read.to.inclusive)) return false;
  }
  return true;
}

/** A human-readable rendering of a read range. */
export function describeRead(read: ReadRange): string {
  const fmt = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? `${x}n` : x));
  if (read.wholeTable) return `${read.table}.${read.index} (whole table)`;
  const k = read.fields[read.eq.length];
  const parts = read.eq.map((v, i) => `${read.fields[i]} == ${fmt(v)}`);
  if (read.lower) parts.push(`${k} ${read.lower.inclusive ? ">=" : ">"} ${fmt(read.lower.value)}`);
  if (read.upper) parts.push(`${k} ${read.upper.inclusive ? "<=" : "<"} ${fmt(read.upper.value)}`);
  if (read.from) parts.push(`key ${read.from.inclusive ? ">=" : ">"} ${fmt(read.from.key)}`);
  if (read.to) parts.push(`key ${read.to.inclusive ? "<=" : "<"} ${fmt(read.to.key)}`);
  return `${read.component ? read.component + ":" : ""}${read.table}.${read.index}[${parts.join(", ")}]${
    read.exhausted ? " (exhausted)" : ""
  }`;
}
