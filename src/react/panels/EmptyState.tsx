// Shown when a site has never received an event: how to send the first one (contract §2),
// with the deployment's own ingest URL filled in when it can be worked out.
import { useConvex } from "convex/react";
import { useId, useState } from "react";

const PLACEHOLDER_ENDPOINT = "https://<deployment>.convex.site/analytics/ingest";

/**
 * HTTP routes live on the deployment's ".convex.site" host (cloud) or on the port after
 * the API port (a local backend: 3210 → 3211).
 */
export function ingestEndpointFor(convexUrl: string | undefined): string {
  if (!convexUrl) return PLACEHOLDER_ENDPOINT;
  try {
    const url = new URL(convexUrl);
    if (url.hostname.endsWith(".convex.cloud")) {
      url.hostname = url.hostname.replace(/\.convex\.cloud$/, ".convex.site");
    } else if (url.port) {
      url.port = String(Number(url.port) + 1);
    } else {
      return PLACEHOLDER_ENDPOINT;
    }
    return `${url.origin}/analytics/ingest`;
  } catch {
    return PLACEHOLDER_ENDPOINT;
  }
}

export function scriptSnippet(endpoint: string): string {
  return `<script defer src="https://<your-site>/tracker.js"
  data-endpoint="${endpoint}"
  data-key="wk_..."></script>`;
}

export function npmSnippet(endpoint: string): string {
  return `import { createTracker } from "convex-analytics/tracker";

const tracker = createTracker({
  endpoint: "${endpoint}",
  key: "wk_...",
});`;
}

function Snippet({ title, code }: { title: string; code: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(code);
      setCopied(true);
      setTimeout(() => setCopied(false), 2000);
    } catch {
      // No clipboard permission: the code stays selectable by hand.
    }
  };
  return (
    <div className="cxa-snippet">
      <div className="cxa-snippet-head">
        <span>{title}</span>
        <button type="button" className="cxa-button" onClick={copy} aria-label={`Copy: ${title}`}>
          {copied ? "Copied" : "Copy"}
        </button>
      </div>
      <pre className="cxa-code" tabIndex={0}>
        <code>{code}</code>
      </pre>
    </div>
  );
}

export function EmptyState({ ingestUrl }: { ingestUrl?: string }) {
  const convex = useConvex() as { url?: string } | undefined;
  const endpoint = ingestUrl ?? ingestEndpointFor(convex?.url);
  const titleId = useId();
  return (
    <section className="cxa-card cxa-empty" aria-labelledby={titleId}>
      <h3 className="cxa-empty-title" id={titleId}>
        Waiting for the first event
      </h3>
      <p className="cxa-muted">
        This site hasn't received any events yet. Add the tracker to your pages with the site's
        write key (shown once by <code>createSite</code>, renewed by <code>rotateWriteKey</code>);
        figures appear here within seconds.
      </p>
      <Snippet title="Script tag, in your page's <head>" code={scriptSnippet(endpoint)} />
      <Snippet title="Or from npm, in your app" code={npmSnippet(endpoint)} />
    </section>
  );
}
