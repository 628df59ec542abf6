// tracker.js, the script-tag build (scripts/build-tracker.ts; `convex-analytics/tracker.js`):
//
//   <script defer src=".../tracker.js" data-endpoint="https://<deployment>.convex.site/analytics/ingest"
//           data-key="wk_…"></script>
//
// Optional attributes: data-hash-routing, data-manual (no automatic pageviews),
// data-heartbeat-ms, data-no-engagement (no time on page and scroll depth). The tracker is `window.convexAnalytics` (track, identify, pageview, …).
import { createCoreTracker, type Tracker } from "./core.js";

declare global {
  interface Window {
    convexAnalytics?: Tracker;
  }
}

// Quoted keys: the build shortens option names, not the attributes read here.
const data = (document.currentScript as HTMLScriptElement | null)?.dataset;
if (data?.["endpoint"]) {
  window.convexAnalytics = createCoreTracker({
    endpoint: data["endpoint"],
    key: data["key"]!,
    autoPageviews: !("manual" in data),
    hashRouting: "hashRouting" in data,
    heartbeatMs: +(data["heartbeatMs"] || 15_000),
    engagement: !("noEngagement" in data),
  });
}
