/// <reference types="vite/client" />
// Indexed point lookups per second through convex-test, with and without its indexes
// (patches/convex-test+0.0.60.patch). Needs `import.meta.glob`, so it runs under vitest:
// lookup.bench-run.ts prints the figures; scripts/engine/lookup-bench.ts runs that.
import { convexTest } from "convex-test";
import { api } from "./convex/_generated/api.js";
import schema from "./convex/schema.js";
import type { LookupFigures } from "../../harness/lookupFigures.js";

const modules = import.meta.glob("./convex/**/*.ts");

type Flags = typeof globalThis & { __CONVEX_TEST_NO_INDEX__?: boolean };

/** Times `lookups` queries that each read one document by `withIndex("by_a", q => q.eq("a", x)).unique()`. */
export async function measureLookups(opts: {
  docs: number;
  lookups: number;
  indexed: boolean;
}): Promise<LookupFigures> {
  const { docs, lookups, indexed } = opts;
  const flags = globalThis as Flags;
  flags.__CONVEX_TEST_NO_INDEX__ = !indexed;
  let t;
  try {
    t = convexTest(schema, modules);
  } finally {
    delete flags.__CONVEX_TEST_NO_INDEX__;
  }
  let setup = performance.now();
  for (let i = 0; i < docs; i += 1000) {
    const batch = [];
    for (let j = i; j < Math.min(docs, i + 1000); j++)
      batch.push({ a: j, b: `b${j % 97}`, g: j % 4 });
    await t.mutation(api.ops.insertMany, { docs: batch });
  }
  setup = performance.now() - setup;
  // A fixed pseudo-random sequence of keys, all present.
  let x = 12345;
  const key = () => (x = (x * 1103515245 + 12345) % 2147483648) % docs;
  let first = performance.now();
  await t.query(api.ops.lookup, { a: key() });
  first = performance.now() - first;
  const start = performance.now();
  for (let i = 0; i < lookups; i++) {
    const a = key();
    const doc = await t.query(api.ops.lookup, { a });
    if (doc?.a !== a) throw new Error(`lookup of ${a} returned ${JSON.stringify(doc)}`);
  }
  const seconds = (performance.now() - start) / 1000;
  return {
    docs,
    indexed,
    lookups,
    seconds: round(seconds),
    lookupsPerSecond: round(lookups / seconds),
    setupSeconds: round(setup / 1000),
    firstLookupMs: round(first),
  };
}

const round = (x: number) => Math.round(x * 100) / 100;

/** The figures of the report: before (no indexes) and after, at 10,000 and 100,000 documents. */
export async function lookupBench(
  scale: { sizes?: number[]; lookupsAfter?: number; lookupsBefore?: (docs: number) => number } = {},
): Promise<LookupFigures[]> {
  const sizes = scale.sizes ?? [10_000, 100_000];
  const lookupsAfter = scale.lookupsAfter ?? 2_000;
  // Without indexes a lookup scans every document: keep those runs to a few seconds.
  const lookupsBefore =
    scale.lookupsBefore ?? ((docs: number) => Math.max(10, Math.round(2_000_000 / docs)));
  const figures: LookupFigures[] = [];
  for (const docs of sizes) {
    figures.push(await measureLookups({ docs, lookups: lookupsBefore(docs), indexed: false }));
    figures.push(await measureLookups({ docs, lookups: lookupsAfter, indexed: true }));
  }
  return figures;
}
