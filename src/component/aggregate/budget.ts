// What a transaction costs, in the terms of Convex's per-transaction limits (invariant 9).
// The worker measures every read as it makes it and computes every write before it makes any,
// so it can tell before writing whether a batch fits; these are the pure pieces of that.
import { getConvexSize } from "convex/values";
import type { Value } from "convex/values";
import { SPARSE_LIMIT } from "../lib/sketch.js";

export type Cost = {
  /** Index ranges read: every query, and (conservatively) every point read. */
  databaseQueries: number;
  documentsRead: number;
  bytesRead: number;
  documentsWritten: number;
  bytesWritten: number;
  functionsScheduled: number;
};
export type CostField = keyof Cost;

export const COST_FIELDS: readonly CostField[] = [
  "databaseQueries",
  "documentsRead",
  "bytesRead",
  "documentsWritten",
  "bytesWritten",
  "functionsScheduled",
];

export function zeroCost(): Cost {
  return {
    databaseQueries: 0,
    documentsRead: 0,
    bytesRead: 0,
    documentsWritten: 0,
    bytesWritten: 0,
    functionsScheduled: 0,
  };
}

export function addCost(a: Cost, b: Partial<Cost>): Cost {
  const sum = { ...a };
  for (const field of COST_FIELDS) sum[field] += b[field] ?? 0;
  return sum;
}

/** The fields of `cost` above `budget`: empty when it fits. */
export function overBudget(cost: Cost, budget: Readonly<Cost>): CostField[] {
  return COST_FIELDS.filter((field) => cost[field] > budget[field]);
}

/** Convex's size of a value (what the byte limits count), documents included. */
export function sizeOf(value: unknown): number {
  return getConvexSize(value as Value);
}

/** The cost of reading `documents` through one index range. */
export function readCost(documents: readonly unknown[]): Partial<Cost> {
  let bytesRead = 0;
  for (const document of documents) bytesRead += sizeOf(document);
  return { databaseQueries: 1, documentsRead: documents.length, bytesRead };
}

/** The cost of writing these documents (an update writes the whole new document). */
export function writeCost(documents: readonly unknown[]): Partial<Cost> {
  let bytesWritten = 0;
  for (const document of documents) bytesWritten += sizeOf(document);
  return { documentsWritten: documents.length, bytesWritten };
}

/** Sketch layout (lib/sketch.ts): a format byte, then 8 bytes a hash, or 2^14 registers. */
const HASH_BYTES = 8;
const DENSE_SKETCH_BYTES = 1 + (1 << 14);

/**
 * An upper bound on a sketch's size once `added` more hashes joined it: a sparse sketch grows
 * by 8 bytes a hash until it passes SPARSE_LIMIT and turns into the dense form, which stays.
 */
export function sketchBytesBound(currentBytes: number, added: number): number {
  if (currentBytes >= DENSE_SKETCH_BYTES) return DENSE_SKETCH_BYTES;
  const hashes = Math.max(0, Math.ceil((currentBytes - 1) / HASH_BYTES));
  if (hashes + added > SPARSE_LIMIT) return DENSE_SKETCH_BYTES;
  return 1 + HASH_BYTES * (hashes + added);
}

/**
 * An upper bound on a rollup row's size after at most `added` visitor and `added` user hashes
 * join it (its counters keep their size: numbers are 8 bytes whatever their value).
 */
export function rollupRowBytesBound(
  row: {
    visitors: ArrayBuffer;
    users?: ArrayBuffer;
    engagedVisits?: number;
    engagedMs?: number;
    scrollSum?: number;
  },
  rowBytes: number,
  added: number,
): number {
  const visitors = row.visitors.byteLength;
  const users = row.users?.byteLength ?? 0;
  // A row without users may gain the field: its name and tag.
  const usersField = row.users === undefined ? "users".length + 16 : 0;
  // A page row may gain the sparse engagement counters (aggregate/rollup.ts): names and numbers.
  const engagementFields = (["engagedVisits", "engagedMs", "scrollSum"] as const)
    .filter((field) => row[field] === undefined)
    .reduce((bytes, field) => bytes + field.length + 16, 0);
  return (
    rowBytes -
    visitors -
    users +
    sketchBytesBound(visitors, added) +
    sketchBytesBound(Math.max(users, 1), added) +
    usersField +
    engagementFields
  );
}

/** Accumulates what one transaction has read, measured document by document. */
export class Ledger {
  cost: Cost = zeroCost();

  read(documents: readonly unknown[]) {
    this.cost = addCost(this.cost, readCost(documents));
  }
}
