// Convex's total order over values, as index keys use it (and as the backend compares them).
//
//   undefined < null < bigint (int64) < number (float64) < boolean < string < bytes < array < object
//
// - numbers: by value, in IEEE-754 total order (-NaN < -Inf < … < -0 < +0 < … < +Inf < NaN);
// - strings: by Unicode code point (the same as UTF-8 byte order; NOT JS's UTF-16 `<`);
// - bytes: lexicographically by unsigned byte;
// - arrays: element by element, a proper prefix first;
// - objects: as the list of their (field, value) pairs sorted by field name;
// - a commit-timestamp placeholder (`v.commitTs()` value not yet committed) compares as the
//   largest int64, as Convex resolves it in query bounds: it will be a commit timestamp, which is
//   later than any timestamp a concurrent transaction can have read.
//
// Index keys end with `_creationTime` then `_id`, so two documents never share a full key.
import { CommitTsPlaceholder, type Value } from "convex/values";

const MAX_INT64 = 2n ** 63n - 1n;

function typeRank(v: unknown): number {
  if (v === undefined) return 0;
  if (v === null) return 1;
  if (typeof v === "bigint" || v instanceof CommitTsPlaceholder) return 2;
  if (typeof v === "number") return 3;
  if (typeof v === "boolean") return 4;
  if (typeof v === "string") return 5;
  if (v instanceof ArrayBuffer) return 6;
  if (Array.isArray(v)) return 7;
  if (typeof v === "object") return 8;
  throw new Error(`Not a Convex value: ${String(v)}`);
}

/** The IEEE-754 total order as an unsigned integer (what Rust's `f64::total_cmp` compares). */
function totalOrderBits(n: number): bigint {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, n);
  const bits = view.getBigUint64(0);
  const sign = 1n << 63n;
  return bits & sign ? ~bits & ((1n << 64n) - 1n) : bits | sign;
}

function compareNumbers(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  if (a === b && !Object.is(a, 0) && !Object.is(a, -0)) return 0;
  // Zeros of either sign, and NaNs: fall back to the bit-level total order.
  const x = totalOrderBits(a);
  const y = totalOrderBits(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Compares by code point, which is the order of the strings' UTF-8 bytes. */
export function compareStrings(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(j)!;
    if (x !== y) return x < y ? -1 : 1;
    i += x > 0xffff ? 2 : 1;
    j += y > 0xffff ? 2 : 1;
  }
  const restA = i < a.length;
  const restB = j < b.length;
  return restA === restB ? 0 : restA ? 1 : -1;
}

function compareBytes(a: ArrayBuffer, b: ArrayBuffer): number {
  const x = new Uint8Array(a);
  const y = new Uint8Array(b);
  for (let i = 0; i < x.length && i < y.length; i++) {
    if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
  }
  return x.length === y.length ? 0 : x.length < y.length ? -1 : 1;
}

function compareLists(a: readonly unknown[], b: readonly unknown[]): number {
  for (let i = 0; i < a.length && i < b.length; i++) {
    const c = compareValues(a[i], b[i]);
    if (c !== 0) return c;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** Convex's ordering of two values (or `undefined`, a missing field): negative, 0 or positive. */
export function compareValues(
  a: Value | undefined | unknown,
  b: Value | undefined | unknown,
): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 0:
    case 1:
      return 0;
    case 2: {
      const x = a instanceof CommitTsPlaceholder ? MAX_INT64 : (a as bigint);
      const y = b instanceof CommitTsPlaceholder ? MAX_INT64 : (b as bigint);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case 3:
      return compareNumbers(a as number, b as number);
    case 4:
      return a === b ? 0 : a ? 1 : -1;
    case 5:
      return compareStrings(a as string, b as string);
    case 6:
      return compareBytes(a as ArrayBuffer, b as ArrayBuffer);
    case 7:
      return compareLists(a as unknown[], b as unknown[]);
    default: {
      const entries = (o: object) =>
        Object.entries(o)
          .filter(([, v]) => v !== undefined)
          .sort(([x], [y]) => compareStrings(x, y));
      const x = entries(a as object);
      const y = entries(b as object);
      for (let i = 0; i < x.length && i < y.length; i++) {
        const c = compareStrings(x[i][0], y[i][0]) || compareValues(x[i][1], y[i][1]);
        if (c !== 0) return c;
      }
      return x.length === y.length ? 0 : x.length < y.length ? -1 : 1;
    }
  }
}

/** An index key: the indexed fields' values, then `_creationTime`, then `_id`. */
export type IndexKey = readonly (Value | undefined)[];

/** Lexicographic order of keys (tuples), a proper prefix first. */
export function compareKeys(a: IndexKey, b: IndexKey): number {
  return compareLists(a, b);
}

/** A short, readable rendering of a value, for conflict reasons and failure messages. */
export function formatValue(v: unknown): string {
  if (v === undefined) return "undefined";
  if (v === null) return "null";
  if (typeof v === "bigint") return `${v}n`;
  if (v instanceof CommitTsPlaceholder) return "<commitTs>";
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (v instanceof ArrayBuffer) return `<${v.byteLength} bytes>`;
  if (Array.isArray(v)) return `[${v.map(formatValue).join(", ")}]`;
  return `{${Object.entries(v as object)
    .filter(([, x]) => x !== undefined)
    .map(([k, x]) => `${k}: ${formatValue(x)}`)
    .join(", ")}}`;
}

export function formatKey(key: IndexKey): string {
  return `(${key.map(formatValue).join(", ")})`;
}
