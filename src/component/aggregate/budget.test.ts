import { describe, expect, test } from "vitest";
import {
  Ledger,
  addCost,
  overBudget,
  readCost,
  rollupRowBytesBound,
  sizeOf,
  sketchBytesBound,
  writeCost,
  zeroCost,
} from "./budget.js";
import { emptySketch, hashId, sketchAdd } from "../lib/sketch.js";

const budget = { ...zeroCost(), databaseQueries: 10, bytesRead: 1_000 };

describe("cost", () => {
  test("a read is one index range, its documents, and their Convex size", () => {
    const docs = [{ a: "x".repeat(100) }, { b: 1 }];
    expect(readCost(docs)).toEqual({
      databaseQueries: 1,
      documentsRead: 2,
      bytesRead: sizeOf(docs[0]) + sizeOf(docs[1]),
    });
    expect(readCost([])).toEqual({ databaseQueries: 1, documentsRead: 0, bytesRead: 0 });
  });

  test("writes count documents and bytes; costs add field by field", () => {
    expect(writeCost([{ a: 1 }])).toEqual({ documentsWritten: 1, bytesWritten: sizeOf({ a: 1 }) });
    expect(addCost(zeroCost(), { documentsWritten: 2 })).toMatchObject({ documentsWritten: 2 });
  });

  test("overBudget names every field past the budget, none when it fits", () => {
    expect(overBudget({ ...zeroCost(), databaseQueries: 10 }, budget)).toEqual([]);
    expect(overBudget({ ...zeroCost(), databaseQueries: 11, bytesRead: 1_001 }, budget)).toEqual([
      "databaseQueries",
      "bytesRead",
    ]);
  });

  test("a ledger adds up every read it is told of", () => {
    const ledger = new Ledger();
    ledger.read([{ a: 1 }]);
    ledger.read([]);
    expect(ledger.cost).toMatchObject({ databaseQueries: 2, documentsRead: 1 });
  });
});

describe("rollup row growth bound", () => {
  const hashes = (n: number, from = 0) =>
    Array.from({ length: n }, (_, i) => hashId(`visitor-${from + i}`));

  test.each([0, 1, 10, 1_000, 1_024, 1_500])(
    "a sketch of 100 hashes with %i more is never larger than the bound",
    (added) => {
      const before = sketchAdd(emptySketch(), hashes(100));
      const after = sketchAdd(before, hashes(added, 100));
      expect(after.byteLength).toBeLessThanOrEqual(sketchBytesBound(before.byteLength, added));
    },
  );

  test("a dense sketch stays its size", () => {
    const dense = sketchAdd(emptySketch(), hashes(2_000));
    expect(sketchBytesBound(dense.byteLength, 50)).toBe(dense.byteLength);
  });

  test("a row's bound covers both sketches growing, and a users field appearing", () => {
    const row = { key: "k", visitors: sketchAdd(emptySketch(), hashes(3)) };
    const grown = {
      key: "k",
      visitors: sketchAdd(row.visitors, hashes(5, 10)),
      users: sketchAdd(emptySketch(), hashes(5, 50)),
    };
    expect(sizeOf(grown)).toBeLessThanOrEqual(rollupRowBytesBound(row, sizeOf(row), 5));
  });
});
