// Figures measured through other scripts of the project: the real access log through the
// embedded demo backend, convex-test's point lookups with and without the index patch, and
// the size of the tracker's script-tag build.
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { seedDemo } from "../demo.js";
import { runLookupBench } from "../engine/lookup-bench.js";
import { round } from "./harness.js";

/** Document count of the lookup comparison: where the unpatched engine is already slow. */
const LOOKUP_DOCS = 10_000;
/** SPEC budget for the gzipped script-tag tracker. */
export const TRACKER_BUDGET_GZIP_BYTES = 1_536;
const TRACKER_BUILD_SCRIPT = fileURLToPath(new URL("../build-tracker.ts", import.meta.url));

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

/** Lookups per second at LOOKUP_DOCS documents; the unindexed engine is the baseline. */
export async function benchLookups() {
  const { figures } = await runLookupBench({ sizes: [LOOKUP_DOCS] });
  const at = (indexed: boolean) => {
    const figure = figures.find((f) => f.docs === LOOKUP_DOCS && f.indexed === indexed);
    if (!figure) throw new Error(`lookup bench returned no ${indexed ? "indexed" : "unindexed"} figure at ${LOOKUP_DOCS}`);
    return figure;
  };
  const indexed = at(true);
  const unindexed = at(false);
  return {
    docs: LOOKUP_DOCS,
    unindexed,
    indexed,
    speedup: round(indexed.lookupsPerSecond / unindexed.lookupsPerSecond, 1),
  };
}

type TrackerFigures =
  | { status: "built"; gzipBytes: number; rawBytes?: number; budgetBytes: number; withinBudget: boolean }
  | { status: "not built"; reason: string; budgetBytes: number };

/**
 * `scripts/build-tracker.ts` is written separately and may not exist yet. When it exports
 * `buildTrackerScript()`, its `gzipBytes` (or the gzip of the code it returns) is reported.
 */
export async function benchTracker(): Promise<TrackerFigures> {
  const budgetBytes = TRACKER_BUDGET_GZIP_BYTES;
  if (!existsSync(TRACKER_BUILD_SCRIPT)) return { status: "not built", reason: "scripts/build-tracker.ts does not exist", budgetBytes };
  const module = (await import(pathToFileURL(TRACKER_BUILD_SCRIPT).href)) as { buildTrackerScript?: () => unknown };
  if (typeof module.buildTrackerScript !== "function") {
    return { status: "not built", reason: "scripts/build-tracker.ts exports no buildTrackerScript()", budgetBytes };
  }
  const built = await module.buildTrackerScript();
  const sized = sizeOf(built);
  if (!sized) return { status: "not built", reason: "buildTrackerScript() returned neither gzipBytes nor code", budgetBytes };
  return { status: "built", ...sized, budgetBytes, withinBudget: sized.gzipBytes <= budgetBytes };
}

function sizeOf(built: unknown): { gzipBytes: number; rawBytes?: number } | null {
  if (typeof built === "string" || built instanceof Uint8Array) {
    const bytes = typeof built === "string" ? Buffer.from(built) : built;
    return { gzipBytes: gzipSync(bytes, { level: 9 }).length, rawBytes: bytes.length };
  }
  if (built && typeof built === "object") {
    const record = built as Record<string, unknown>;
    if (typeof record.gzipBytes === "number") {
      const raw = record.rawBytes ?? record.bytes ?? record.minBytes ?? record.size;
      return { gzipBytes: record.gzipBytes, ...(typeof raw === "number" ? { rawBytes: raw } : {}) };
    }
    const code = record.code ?? record.source ?? record.js;
    if (typeof code === "string") return sizeOf(code);
  }
  return null;
}
