// Builds the script-tag tracker into dist/: tracker.js (src/tracker/script.ts, the core) and
// tracker-extras.js (src/tracker/script-extras.ts, opt-in click and 404 tracking), and checks
// tracker.js against its size budget, the page weight users compare with Plausible's (~0.7 KB)
// and Umami's (~2.4 KB) scripts.
//   tsx scripts/build-tracker.ts          writes both files, fails when tracker.js is over budget
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

/** The budget of the gzipped script-tag build, engagement included: a page pays it on every load. */
export const TRACKER_BUDGET_GZIP_BYTES = 2_048;
const ROOT = fileURLToPath(new URL("../", import.meta.url));
export const TRACKER_SCRIPT_PATH = `${ROOT}dist/tracker.js`;
export const TRACKER_EXTRAS_SCRIPT_PATH = `${ROOT}dist/tracker-extras.js`;
/**
 * Option names are internal to each bundle (the script reads data- attributes and passes them
 * on), so the build may shorten them. Wire fields and the Tracker's methods are never listed.
 */
const INTERNAL_OPTION_NAMES =
  /^(endpoint|autoPageviews|hashRouting|heartbeatMs|flushIntervalMs|maxBatchSize|sessionTimeoutMs|outboundLinks|fileDownloads|notFound)$/;

export type BuiltScript = { code: string; rawBytes: number; gzipBytes: number };

async function bundle(entry: string): Promise<BuiltScript> {
  const result = await build({
    entryPoints: [`${ROOT}src/tracker/${entry}`],
    bundle: true,
    write: false,
    format: "iife",
    minify: true,
    mangleProps: INTERNAL_OPTION_NAMES,
    // Browsers of the last several years; keeps `??=`, `?.` and arrow functions unrewritten.
    target: "es2021",
    // Not the project's tsconfig: its strict mode would add a "use strict" the code doesn't need.
    tsconfigRaw: "{}",
    legalComments: "none",
    logLevel: "silent",
  });
  const code = result.outputFiles[0]!.text;
  return {
    code,
    rawBytes: Buffer.byteLength(code),
    gzipBytes: gzipSync(code, { level: 9 }).length,
  };
}

/** tracker.js (the budgeted file) and, under `extras`, tracker-extras.js. */
export async function buildTrackerScript(): Promise<BuiltScript & { extras: BuiltScript }> {
  return { ...(await bundle("script.ts")), extras: await bundle("script-extras.ts") };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const tracker = await buildTrackerScript();
  mkdirSync(`${ROOT}dist`, { recursive: true });
  writeFileSync(TRACKER_SCRIPT_PATH, tracker.code);
  writeFileSync(TRACKER_EXTRAS_SCRIPT_PATH, tracker.extras.code);
  console.log(
    `dist/tracker.js: ${tracker.rawBytes} bytes, ${tracker.gzipBytes} gzipped (budget ${TRACKER_BUDGET_GZIP_BYTES})`,
  );
  console.log(
    `dist/tracker-extras.js: ${tracker.extras.rawBytes} bytes, ${tracker.extras.gzipBytes} gzipped`,
  );
  if (tracker.gzipBytes > TRACKER_BUDGET_GZIP_BYTES) {
    console.error(
      `tracker.js is ${tracker.gzipBytes - TRACKER_BUDGET_GZIP_BYTES} bytes over its gzipped budget`,
    );
    process.exit(1);
  }
}
