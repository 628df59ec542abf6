// Prints the lookup benchmark's figures as JSON (to LOOKUP_BENCH_OUT too, if set):
//   npx vitest run --config test/engine/vitest.engine.config.ts
// LOOKUP_BENCH_SIZES=10000,100000 and LOOKUP_BENCH_LOOKUPS=2000 scale it.
import { writeFileSync } from "node:fs";
import { expect, test } from "vitest";
import { lookupBench } from "./lookupBench.js";

test("indexed point lookups per second", async () => {
  const sizes = process.env.LOOKUP_BENCH_SIZES?.split(",").map(Number);
  const lookupsAfter = process.env.LOOKUP_BENCH_LOOKUPS
    ? Number(process.env.LOOKUP_BENCH_LOOKUPS)
    : undefined;
  const figures = await lookupBench({ sizes, lookupsAfter });
  const json = JSON.stringify({ benchmark: "convex-test indexed point lookup", figures }, null, 2);
  console.log(json);
  if (process.env.LOOKUP_BENCH_OUT) writeFileSync(process.env.LOOKUP_BENCH_OUT, json + "\n");
  expect(figures.length).toBeGreaterThan(0);
});
