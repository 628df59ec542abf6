// Figures measured through other scripts of the project: the real access log through the
// embedded demo backend, convex-test's point lookups with and without the index patch, and
// the size of the tracker's script-tag build.
import { buildTrackerScript, TRACKER_BUDGET_GZIP_BYTES } from "../build-tracker.js";
import { seedDemo } from "../demo.js";
import { runLookupBench } from "../engine/lookup-bench.js";
import { round } from "../../harness/component.js";

/** Document counts of the lookup comparison (the sizes the engine patch was measured at). */
export const LOOKUP_SIZES = [10_000, 100_000];

/**
 * The demo's seed: parse the 10,000-line log, import it in batches of 500 through the admin
 * facade, and wait until the workers (on real timers, as on a deployment) have folded it.
 * The wall time includes the workers' settle windows, so it is end-to-end, not CPU time.
 */
export async function benchRealLog() {
  const started = performance.now();
  const { counts, accepted, health } = await seedDemo();
  const seconds = (performance.now() - started) / 1000;
  return {
    lines: counts.lines,
    imported: accepted,
    bots: counts.bots,
    notPages: counts.notPages,
    unparsed: counts.unparsed,
    seconds: round(seconds),
    eventsPerSecond: round(accepted / seconds),
    linesPerSecond: round(counts.lines / seconds),
    pendingAfter: health.pendingEvents,
    failedAfter: health.failedEvents,
  };
}

/**
 * Lookups per second at each of LOOKUP_SIZES documents, on the patched engine and on the
 * unpatched one (the same convex-test with its indexes off). An unpatched lookup scans the
 * whole table, so only a few are timed there (test/engine/lookupBench.ts: 2,000,000 ÷ docs,
 * at least 10: 200 at 10,000 documents, 20 at 100,000), so the section takes ~15 s.
 */
export async function benchLookups() {
  const { figures } = await runLookupBench({ sizes: LOOKUP_SIZES });
  const at = (docs: number, indexed: boolean) => {
    const figure = figures.find((f) => f.docs === docs && f.indexed === indexed);
    if (!figure)
      throw new Error(
        `lookup bench returned no ${indexed ? "patched" : "unpatched"} figure at ${docs} documents`,
      );
    return figure;
  };
  return {
    sizes: LOOKUP_SIZES.map((docs) => {
      const unpatched = at(docs, false);
      const patched = at(docs, true);
      return {
        docs,
        unpatched,
        patched,
        speedup: round(patched.lookupsPerSecond / unpatched.lookupsPerSecond, 1),
      };
    }),
  };
}

/**
 * The script-tag build of the tracker (scripts/build-tracker.ts): its size, raw and gzipped,
 * against that budget.
 */
export async function benchTracker() {
  const { rawBytes, gzipBytes } = await buildTrackerScript();
  return {
    rawBytes,
    gzipBytes,
    budgetBytes: TRACKER_BUDGET_GZIP_BYTES,
    withinBudget: gzipBytes <= TRACKER_BUDGET_GZIP_BYTES,
  };
}
