// tracker-extras.js, the script-tag add-on for the opt-in automatic events. Load it after
// tracker.js (both `defer`, in this order):
//
//   <script defer src=".../tracker-extras.js" data-outbound-links data-file-downloads data-track-404></script>
//
// data-track-404 reports a `404` event on pages that carry <meta name="convex-analytics-404">.
import { trackExtras } from "./extras.js";

const data = (document.currentScript as HTMLScriptElement | null)?.dataset;
if (data && window.convexAnalytics) {
  trackExtras(window.convexAnalytics, {
    outboundLinks: "outboundLinks" in data,
    fileDownloads: "fileDownloads" in data,
    notFound: () =>
      "track-404" in data && !!document.querySelector("meta[name=convex-analytics-404]"),
  });
} else {
  console.warn("convex-analytics: load tracker-extras.js after tracker.js");
}
