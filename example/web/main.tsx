// The example page against a real deployment: `npx convex dev` in example/, then Vite with
// VITE_CONVEX_URL set and ?site=<siteId> in the address (README, "Run the example").
// With VITE_ANALYTICS_WRITE_KEY set, the page also tracks its own visits with the npm tracker.
import { ConvexProvider, ConvexReactClient } from "convex/react";
import { ingestEndpointFor } from "convex-analytics/react";
import { createTracker } from "convex-analytics/tracker";
import { StrictMode, useEffect } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App.js";

const env = (import.meta as unknown as { env: Record<string, string | undefined> }).env;
const url = env.VITE_CONVEX_URL;
if (!url)
  throw new Error("Set VITE_CONVEX_URL to your deployment's URL (npx convex dev prints it)");
const writeKey = env.VITE_ANALYTICS_WRITE_KEY;
const siteId = new URLSearchParams(location.search).get("site") ?? "";
/** The route example/convex/http.ts mounts, on the deployment's HTTP-actions host. */
const ingestUrl = ingestEndpointFor(url);

/** One tracker for the page's lifetime; stop() on unmount makes StrictMode's remount harmless. */
function TrackPageViews({ endpoint, writeKey }: { endpoint: string; writeKey: string }) {
  useEffect(() => {
    // Pageviews, heartbeats and engagement (time on page, scroll depth) are on by default.
    const tracker = createTracker({
      endpoint,
      key: writeKey,
      outboundLinks: true,
      engagement: true,
    });
    return () => tracker.stop();
  }, [endpoint, writeKey]);
  return null;
}

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <ConvexProvider client={new ConvexReactClient(url)}>
      {writeKey ? <TrackPageViews endpoint={ingestUrl} writeKey={writeKey} /> : null}
      <App siteId={siteId} ingestUrl={ingestUrl} />
    </ConvexProvider>
  </StrictMode>,
);
