// The example page: the real AnalyticsDashboard over the functions the host re-exported
// from exposeAnalyticsApi (example/convex/analytics.ts). Used by the Vite page against a
// real deployment (main.tsx) and by `npm run demo` against the embedded backend.
import { AnalyticsDashboard } from "convex-analytics/react";
import { api } from "../convex/_generated/api.js";

export function App({ siteId, ingestUrl }: { siteId: string; ingestUrl?: string }) {
  return (
    <main style={{ maxWidth: 1200, margin: "0 auto", padding: "16px" }}>
      <AnalyticsDashboard
        api={api.analytics}
        siteId={siteId}
        title="semicomplete.com"
        defaultRange="7d"
        {...(ingestUrl ? { ingestUrl } : {})}
      />
    </main>
  );
}
