import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseRowId, propertyDimension, propertyKey, rowId, type RowRef } from "./rollup.js";

// Any string, control characters, separators and lone surrogates included.
const anyString = fc.string({ unit: "binary", maxLength: 12 });
const spiky = fc.oneof(
  anyString,
  fc
    .array(fc.constantFrom("a", "\u0001", "\u001f", "\u001b", "e", "s", "prop", "\\", '"'), {
      maxLength: 6,
    })
    .map((parts) => parts.join("")),
);
const propValue = fc.oneof(spiky, fc.double(), fc.boolean(), fc.constant(null));

function rowOf(name: string, property: string, value: string | number | boolean | null): RowRef {
  return {
    granularity: "hour",
    bucket: 0,
    dimension: propertyDimension(name, property),
    key: propertyKey(value),
  };
}

describe("rollup row keys", () => {
  it("never collide for distinct (event name, property, value spelling) triples", () => {
    fc.assert(
      fc.property(spiky, spiky, propValue, spiky, spiky, propValue, (n1, p1, v1, n2, p2, v2) => {
        const same = n1 === n2 && p1 === p2 && propertyKey(v1) === propertyKey(v2);
        expect(rowId(rowOf(n1, p1, v1)) === rowId(rowOf(n2, p2, v2))).toBe(same);
        expect(propertyDimension(n1, p1) === propertyDimension(n2, p2)).toBe(
          n1 === n2 && p1 === p2,
        );
      }),
      { numRuns: 5_000 },
    );
  });

  it("parse back to exactly the row they were made of", () => {
    const row = fc.record({
      granularity: fc.constantFrom("hour" as const, "day" as const, "month" as const),
      bucket: fc.integer({ min: 0, max: 2 ** 45 }),
      dimension: spiky,
      key: spiky,
    });
    fc.assert(
      fc.property(row, (r) => {
        expect(parseRowId(rowId(r))).toEqual(r);
      }),
    );
  });

  it("spell names without control characters as before (stored rows keep their dimension)", () => {
    expect(propertyDimension("signup", "plan")).toBe("prop\u001fsignup\u001fplan");
  });

  it("keep the hostile-input suite's forgeries apart from the rows they imitate", () => {
    const forged = rowOf("signup\u001fplan\u0001INJECTED", "x", "y");
    expect(parseRowId(rowId(forged)).dimension).not.toBe(propertyDimension("signup", "plan"));
    expect(parseRowId(rowId(rowOf("sign\u0001up", "plan", "pro")))).toEqual(
      rowOf("sign\u0001up", "plan", "pro"),
    );
  });
});
