// `convex-analytics/tracker`: the browser tracker for bundlers. createTracker = the core
// (core.ts: pageviews, events, identify, heartbeats, batching, delivery) plus the opt-in
// automatic events (extras.ts). The script-tag builds are script.ts and script-extras.ts.
import { createCoreTracker, type CoreTrackerOptions, type Tracker } from "./core.js";
import { trackExtras, type ExtrasOptions } from "./extras.js";
import { MAX_EVENTS_PER_REQUEST } from "../component/lib/wireLimits.js";

export {
  MAX_QUEUED_EVENTS,
  MAX_REQUEST_BYTES,
  MAX_SEND_ATTEMPTS,
  OPT_OUT_STORAGE_KEY,
  RETRY_BASE_MS,
  RETRY_MAX_MS,
  SESSION_STORAGE_KEY,
  TICK_MS,
  VISITOR_STORAGE_KEY,
  type Props,
  type Tracker,
} from "./core.js";
export {
  DOWNLOAD_EXTENSIONS,
  FILE_DOWNLOAD_EVENT,
  NOT_FOUND_EVENT,
  OUTBOUND_LINK_EVENT,
} from "./extras.js";

export type TrackerOptions = CoreTrackerOptions & ExtrasOptions;

/**
 * Options are checked here, where a mistake is a developer's, and not in core.ts: tracker.js
 * (core only) is within a byte budget, and its script tag passes values it read itself.
 */
function checkOptions(options: TrackerOptions) {
  const fail = (message: string) => {
    throw new TypeError(`createTracker: ${message}`);
  };
  if (
    typeof options.endpoint !== "string" ||
    !/^https?:\/\//.test(options.endpoint) ||
    !URL.canParse(options.endpoint)
  ) {
    fail(
      `endpoint must be the absolute http(s) URL of the ingest route, got ${JSON.stringify(options.endpoint)}`,
    );
  }
  if (typeof options.key !== "string" || options.key.length === 0)
    fail("key must be the site's write key (a non-empty string)");
  const ranges: [keyof TrackerOptions, number, number][] = [
    ["heartbeatMs", 0, Number.MAX_SAFE_INTEGER],
    ["flushIntervalMs", 0, Number.MAX_SAFE_INTEGER],
    ["sessionTimeoutMs", 1, Number.MAX_SAFE_INTEGER],
    ["maxBatchSize", 1, MAX_EVENTS_PER_REQUEST],
  ];
  for (const [name, min, max] of ranges) {
    const value = options[name];
    if (
      value !== undefined &&
      (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max)
    ) {
      fail(`${name} must be a number from ${min} to ${max}, got ${JSON.stringify(value)}`);
    }
  }
  const downloads = options.fileDownloads;
  if (
    downloads !== undefined &&
    typeof downloads !== "boolean" &&
    !(Array.isArray(downloads) && downloads.every((e) => typeof e === "string"))
  ) {
    fail("fileDownloads must be true, false or a list of file extensions");
  }
  if (options.notFound !== undefined && typeof options.notFound !== "function")
    fail("notFound must be a function returning a boolean");
}

/**
 * Starts tracking this page. Call it once, early; in React, in an effect that returns
 * `() => tracker.stop()` — a StrictMode remount then neither double-counts nor stacks timers.
 */
export function createTracker(options: TrackerOptions): Tracker {
  checkOptions(options);
  const tracker = createCoreTracker(options);
  const removeExtras = trackExtras(tracker, options);
  return {
    ...tracker,
    stop() {
      removeExtras();
      tracker.stop();
    },
  };
}
