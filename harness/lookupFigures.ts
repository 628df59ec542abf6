// The engine lookup benchmark's figures: measured under vitest (test/engine/lookupBench.ts needs
// `import.meta.glob`), written as JSON by test/engine/lookup.bench-run.ts, and read back by
// scripts/engine/lookup-bench.ts in the bench's process.
export type LookupFigures = {
  docs: number;
  indexed: boolean;
  lookups: number;
  seconds: number;
  lookupsPerSecond: number;
  /** Inserting the documents, in batches of 1,000 per mutation. */
  setupSeconds: number;
  /** The first lookup, which builds the index when indexed. */
  firstLookupMs: number;
};
