// Indexed point lookups per second through convex-test, before (without its indexes) and
// after (patches/convex-test+0.0.60.patch), at 10,000 and 100,000 documents.
//
//   npx tsx scripts/engine/lookup-bench.ts [--sizes 10000,100000] [--lookups 2000]
//
// prints the figures as JSON; `runLookupBench()` returns them. convex-test needs vite's
// `import.meta.glob`, so the measurement itself (test/engine/lookupBench.ts) runs under
// vitest: this runs `vitest run --config test/engine/vitest.engine.config.ts`.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import type { LookupFigures } from "../../harness/lookupFigures.js";

export type { LookupFigures };
export type LookupBench = { benchmark: string; figures: LookupFigures[] };

const root = fileURLToPath(new URL("../../", import.meta.url));

/** Runs the benchmark; `sizes` are document counts, `lookups` the lookups timed with indexes. */
export async function runLookupBench(
  opts: { sizes?: number[]; lookups?: number } = {},
): Promise<LookupBench> {
  const dir = mkdtempSync(join(tmpdir(), "lookup-bench-"));
  const out = join(dir, "figures.json");
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, LOOKUP_BENCH_OUT: out };
    if (opts.sizes) env.LOOKUP_BENCH_SIZES = opts.sizes.join(",");
    if (opts.lookups) env.LOOKUP_BENCH_LOOKUPS = String(opts.lookups);
    const vitest = join(root, "node_modules", "vitest", "vitest.mjs");
    await promisify(execFile)(
      process.execPath,
      [vitest, "run", "--config", "test/engine/vitest.engine.config.ts"],
      {
        cwd: root,
        env,
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    return JSON.parse(readFileSync(out, "utf8")) as LookupBench;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i === -1 ? undefined : process.argv[i + 1];
  };
  const sizes = arg("--sizes")?.split(",").map(Number);
  const lookups = arg("--lookups") ? Number(arg("--lookups")) : undefined;
  runLookupBench({ sizes, lookups }).then(
    (result) => console.log(JSON.stringify(result, null, 2)),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
