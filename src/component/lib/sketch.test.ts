import { describe, expect, it } from "vitest";
import {
  HLL_PRECISION,
  SPARSE_LIMIT,
  countUnion,
  emptySketch,
  hashId,
  mergeAll,
  sketchAdd,
  sketchCount,
  sketchMerge,
  sketchRemove,
} from "./sketch.js";

const SPARSE_HEADER = 1;
const DENSE_BYTES = 1 + 2 ** HLL_PRECISION;
const TOLERANCE = 0.02;

/** mulberry32: a deterministic PRNG, so every run checks the same ids and ranges. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const randomId = (rand: () => number, i: number) =>
  `${i.toString(36)}-${Math.floor(rand() * 2 ** 32).toString(36)}`;
const sketchOf = (hs: readonly number[]) => sketchAdd(emptySketch(), hs);
const bytes = (buffer: ArrayBuffer) => [...new Uint8Array(buffer)];
const isDense = (sketch: ArrayBuffer) => sketch.byteLength === DENSE_BYTES;
const relativeError = (estimate: number, truth: number) => Math.abs(estimate - truth) / truth;

/** `count` distinct visitor hashes. */
function visitors(count: number, seed: number): number[] {
  const rand = prng(seed);
  return Array.from({ length: count }, (_, i) => hashId(randomId(rand, i)));
}

function sparseOfSize(size: number, seed: number): ArrayBuffer {
  return sketchOf(visitors(size, seed));
}

describe("hashId", () => {
  it("is stable across releases: stored sketches and visitor partitions depend on it", () => {
    expect(hashId("")).toBe(6405930193975251);
    expect(hashId("a")).toBe(174439150207260);
    expect(hashId("visitor-1")).toBe(4937971594182217);
    expect(hashId("00000000-0000-4000-8000-000000000000")).toBe(4890435406996352);
    expect(hashId("héllo wörld ✓ 🎉")).toBe(7384220815514447); // hashes UTF-8, not UTF-16
    expect(hashId("abcde")).toBe(6113500827915786);
  });

  it("is a non-negative safe integer of 53 bits", () => {
    for (const id of ["", "x", "a much longer visitor id with spaces", "🎉".repeat(50)]) {
      const hash = hashId(id);
      expect(Number.isSafeInteger(hash)).toBe(true);
      expect(hash).toBeGreaterThanOrEqual(0);
    }
  });

  it("spreads sequential ids uniformly over top bits, low bits and every single bit", () => {
    const n = 1 << 16;
    const all = Array.from({ length: n }, (_, i) => hashId(`user-${i}`));
    expect(new Set(all).size).toBe(n);
    // χ² over 256 buckets (255 degrees of freedom: mean 255, σ ≈ 22.6); reject above ~5 σ.
    const chiSquare = (bucketOf: (hash: number) => number) => {
      const counts = new Array(256).fill(0);
      for (const hash of all) counts[bucketOf(hash)]++;
      const expected = n / 256;
      return counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
    };
    expect(chiSquare((h) => Math.floor(h / 2 ** 45))).toBeLessThan(370); // top 8 bits: register index
    expect(chiSquare((h) => h % 256)).toBeLessThan(370); // low 8 bits: partition
    expect(chiSquare((h) => Math.floor(h / 2 ** 28) % 256)).toBeLessThan(370); // across the two lanes
    for (let bit = 0; bit < 53; bit++) {
      const set = all.filter((h) => Math.floor(h / 2 ** bit) % 2 === 1).length;
      expect(Math.abs(set - n / 2)).toBeLessThan(5 * Math.sqrt(n / 4));
    }
  });
});

describe("exact below SPARSE_LIMIT", () => {
  it("keeps SPARSE_LIMIT ≥ 1,000, the contract's exact range", () => {
    expect(SPARSE_LIMIT).toBeGreaterThanOrEqual(1_000);
  });

  it("counts an empty sketch, and an empty range, as 0", () => {
    expect(emptySketch().byteLength).toBe(SPARSE_HEADER);
    expect(sketchCount(emptySketch())).toBe(0);
    expect(countUnion([])).toBe(0);
    expect(bytes(mergeAll([]))).toEqual(bytes(emptySketch()));
  });

  it("counts repeated visits once", () => {
    const [a, b] = visitors(2, 1);
    expect(sketchCount(sketchAdd(emptySketch(), [a, b, a, a, b]))).toBe(2);
    expect(sketchCount(sketchAdd(sketchOf([a]), [a, b]))).toBe(2);
  });

  it("is exact over any union of many overlapping buckets below 1,000 visitors", () => {
    const rand = prng(7);
    const pool = visitors(999, 2);
    // 96 hourly buckets; each sees a random share of the pool, returning visitors overlap.
    const buckets = Array.from({ length: 96 }, () => pool.filter(() => rand() < 0.1));
    const sketches = buckets.map(sketchOf);
    for (let range = 0; range < 300; range++) {
      const from = Math.floor(rand() * buckets.length);
      const to = from + Math.floor(rand() * (buckets.length - from));
      const truth = new Set(buckets.slice(from, to + 1).flat()).size;
      expect(countUnion(sketches.slice(from, to + 1))).toBe(truth);
      expect(sketchCount(mergeAll(sketches.slice(from, to + 1)))).toBe(truth);
    }
    expect(countUnion(sketches)).toBe(999);
  });

  it("is exact for a union of sparse sketches whatever its size", () => {
    const rows = Array.from({ length: 8 }, (_, i) => sparseOfSize(SPARSE_LIMIT, 100 + i));
    expect(countUnion([...rows, ...rows])).toBe(8 * SPARSE_LIMIT);
  });

  it("estimates a union of sparse sketches too large to hold exactly within 2 %", () => {
    const rows = Array.from({ length: 80 }, (_, i) => sparseOfSize(1_000, 200 + i));
    expect(relativeError(countUnion(rows), 80_000)).toBeLessThan(TOLERANCE);
  });
});

describe("sparse to dense", () => {
  const full = visitors(SPARSE_LIMIT + 1, 3);

  it("stays sparse, 8 bytes a visitor, up to SPARSE_LIMIT hashes", () => {
    const sketch = sketchOf(full.slice(0, SPARSE_LIMIT));
    expect(sketch.byteLength).toBe(SPARSE_HEADER + 8 * SPARSE_LIMIT);
    expect(sketchCount(sketch)).toBe(SPARSE_LIMIT);
  });

  it("turns dense with one more, whether added or merged", () => {
    const added = sketchAdd(sketchOf(full.slice(0, SPARSE_LIMIT)), full.slice(SPARSE_LIMIT));
    const merged = sketchMerge(sketchOf(full.slice(0, 600)), sketchOf(full.slice(600)));
    expect(isDense(added)).toBe(true);
    expect(bytes(merged)).toEqual(bytes(added));
    expect(relativeError(sketchCount(added), SPARSE_LIMIT + 1)).toBeLessThan(TOLERANCE);
  });

  it("gives the same dense sketch however the hashes arrive", () => {
    const all = visitors(5_000, 4);
    const oneGo = sketchOf(all);
    let inBatches = emptySketch();
    for (let i = 0; i < all.length; i += 333)
      inBatches = sketchAdd(inBatches, all.slice(i, i + 333));
    expect(bytes(inBatches)).toEqual(bytes(oneGo));
    expect(bytes(mergeAll([sketchOf(all.slice(0, 1_000)), sketchOf(all.slice(1_000))]))).toEqual(
      bytes(oneGo),
    );
  });

  it("estimates one partition's row alone: the register index doesn't use the partition bits", () => {
    const onePartition = visitors(80_000, 5).filter((h) => h % 4 === 0);
    expect(relativeError(sketchCount(sketchOf(onePartition)), onePartition.length)).toBeLessThan(
      TOLERANCE,
    );
  });

  it("removes visitors from a sparse sketch; a dense one can't forget and is returned as a copy", () => {
    const [a, b, c] = visitors(3, 6);
    expect(sketchCount(sketchRemove(sketchOf([a, b, c]), [b, hashId("never added")]))).toBe(2);
    const dense = sketchOf(visitors(2_000, 7));
    const after = sketchRemove(dense, [a]);
    expect(after).not.toBe(dense);
    expect(bytes(after)).toEqual(bytes(dense));
  });
});

describe("merge", () => {
  const small = sketchOf(visitors(300, 10));
  const medium = sketchOf(visitors(900, 11));
  const dense = sketchOf(visitors(3_000, 12));
  const otherDense = sketchOf(visitors(20_000, 13));
  const overlapping = sketchOf([...visitors(900, 11).slice(0, 450), ...visitors(300, 14)]);
  const all = { small, medium, dense, otherDense, overlapping };

  it("is commutative", () => {
    for (const a of Object.values(all)) {
      for (const b of Object.values(all))
        expect(bytes(sketchMerge(a, b))).toEqual(bytes(sketchMerge(b, a)));
    }
  });

  it("is associative", () => {
    const sets = [
      [small, medium, overlapping],
      [small, dense, medium],
      [dense, otherDense, overlapping],
    ];
    for (const [a, b, c] of sets) {
      const left = sketchMerge(sketchMerge(a, b), c);
      expect(bytes(sketchMerge(a, sketchMerge(b, c)))).toEqual(bytes(left));
      expect(bytes(mergeAll([a, b, c]))).toEqual(bytes(left));
      expect(countUnion([a, b, c])).toBe(countUnion([c, a, b]));
    }
  });

  it("is idempotent: merging a sketch with itself changes nothing", () => {
    for (const a of Object.values(all)) {
      expect(bytes(sketchMerge(a, a))).toEqual(bytes(a));
      expect(bytes(mergeAll([a, a, a]))).toEqual(bytes(a));
      expect(countUnion([a, a])).toBe(sketchCount(a));
    }
  });

  it("has the empty sketch as identity", () => {
    for (const a of Object.values(all))
      expect(bytes(sketchMerge(a, emptySketch()))).toEqual(bytes(a));
  });

  it("never mutates its inputs", () => {
    const before = Object.values(all).map(bytes);
    sketchMerge(small, dense);
    mergeAll([medium, otherDense, overlapping]);
    countUnion([dense, small, otherDense]);
    sketchAdd(small, visitors(2_000, 15));
    sketchAdd(dense, visitors(10, 16));
    sketchRemove(medium, visitors(900, 11).slice(0, 10));
    expect(Object.values(all).map(bytes)).toEqual(before);
  });
});

describe("bad input", () => {
  const withHeader = (header: number, length: number) => {
    const buffer = new ArrayBuffer(length);
    new Uint8Array(buffer)[0] = header;
    return buffer;
  };
  const sparse = sketchOf(visitors(3, 20));

  it("refuses buffers that aren't sketches, naming the problem", () => {
    const refusals: [ArrayBuffer, RegExp][] = [
      [new ArrayBuffer(0), /empty buffer/],
      [withHeader(9, 9), /unknown format 9/],
      [withHeader(2, DENSE_BYTES), /unknown format 2/], // retired dense layout
      [withHeader(1, 8), /sparse sketch is 8 bytes/],
      [withHeader(1, 1 + 8 * (SPARSE_LIMIT + 1)), /sparse sketch is/],
      [sparse.slice(0, 10), /sparse sketch is 10 bytes/],
      [withHeader(3, DENSE_BYTES - 1), /dense sketch is 16384 bytes, expected 16385/],
    ];
    for (const [buffer, message] of refusals) {
      expect(() => countUnion([buffer])).toThrow(message);
      expect(() => mergeAll([sparse, buffer])).toThrow(message);
      expect(() => sketchMerge(buffer, sparse)).toThrow(message);
      expect(() => sketchCount(buffer)).toThrow(message);
      expect(() => sketchAdd(buffer, [])).toThrow(message);
      expect(() => sketchRemove(buffer, [])).toThrow(message);
    }
    expect(() => countUnion([new Uint8Array(sparse) as unknown as ArrayBuffer])).toThrow(
      /not an ArrayBuffer/,
    );
  });

  it("refuses corrupt content", () => {
    const unsorted = sparse.slice(0);
    const view = new DataView(unsorted);
    const [first, second] = [view.getFloat64(1, true), view.getFloat64(9, true)];
    view.setFloat64(1, second, true);
    view.setFloat64(9, first, true);
    expect(() => sketchCount(unsorted)).toThrow(/sparse sketch is corrupt/);
    const fraction = sparse.slice(0);
    new DataView(fraction).setFloat64(1, 0.5, true);
    expect(() => sketchCount(fraction)).toThrow(/sparse sketch is corrupt/);
    const register = sketchOf(visitors(2_000, 21));
    new Uint8Array(register)[100] = 200;
    expect(() => sketchCount(register)).toThrow(/dense sketch is corrupt/);
  });

  it("refuses hashes that hashId can't produce", () => {
    for (const bad of [-1, 1.5, 2 ** 53, NaN, Infinity]) {
      expect(() => sketchAdd(emptySketch(), [bad])).toThrow(/not a 53-bit hash/);
      expect(() => sketchRemove(sparse, [bad])).toThrow(/not a 53-bit hash/);
    }
  });
});

describe("accuracy: within 2 % in at least 95 % of ranges above 1,000 visitors", () => {
  /**
   * A range with exactly `distinct` visitors spread over 2–12 buckets (its hours or days):
   * bucket sizes are skewed, so a range mixes sparse and dense rows, and a third of the
   * visitors come back in further buckets.
   */
  function range(rand: () => number, distinct: number, seed: number): ArrayBuffer[] {
    const count = 2 + Math.floor(rand() * 11);
    const rows: number[][] = Array.from({ length: count }, () => []);
    const pick = () => rows[Math.floor(rand() ** 2 * count)];
    for (let i = 0; i < distinct; i++) {
      const hash = hashId(`${seed}:${randomId(rand, i)}`);
      pick().push(hash);
      while (rand() < 1 / 3) pick().push(hash);
    }
    return rows.map(sketchOf);
  }

  for (const [distinct, ranges] of [
    [1_000, 200],
    [10_000, 200],
    [100_000, 40],
  ] as const) {
    it(`${distinct.toLocaleString("en")} distinct visitors, ${ranges} ranges`, () => {
      const rand = prng(distinct);
      let within = 0;
      let withDenseRows = 0;
      for (let r = 0; r < ranges; r++) {
        const rows = range(rand, distinct, r);
        if (rows.some(isDense)) withDenseRows++;
        if (relativeError(countUnion(rows), distinct) <= TOLERANCE) within++;
      }
      expect(within / ranges).toBeGreaterThanOrEqual(0.95);
      // The estimator is what's under test, not just the exact path.
      if (distinct > SPARSE_LIMIT * 2) expect(withDenseRows / ranges).toBeGreaterThan(0.5);
    });
  }
});
