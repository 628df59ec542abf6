// `convex-analytics/tracker`: the browser tracker for bundlers. createTracker = the core
// (core.ts: pageviews, events, identify, heartbeats, batching, delivery) plus the opt-in
// automatic events (extras.ts). The script-tag builds are script.ts and script-extras.ts.
import { createCoreTracker, type CoreTrackerOptions, type Tracker } from "./core.js";
import { trackExtras, type ExtrasOptions } from "./extras.js";

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
export { DOWNLOAD_EXTENSIONS, FILE_DOWNLOAD_EVENT, NOT_FOUND_EVENT, OUTBOUND_LINK_EVENT } from "./extras.js";

export type TrackerOptions = CoreTrackerOptions & ExtrasOptions;

/**
 * Starts tracking this page. Call it once, early; in React, in an effect that returns
 * `() => tracker.stop()` — a StrictMode remount then neither double-counts nor stacks timers.
 */
export function createTracker(options: TrackerOptions): Tracker {
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
