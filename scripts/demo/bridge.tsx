// The demo page's entry: the same App as the example, with a stand-in for ConvexReactClient
// that runs queries on the demo server's embedded backend. It implements the part of the
// client the convex/react hooks use (watchQuery → onUpdate / localQueryResult, query,
// logger) and, as the embedded backend has no websocket, polls each subscription every
// POLL_MS. Like the real client it
// - drops a query as soon as its last subscriber leaves, so views no longer shown cost nothing;
// - keeps the last result through a network failure and retries, rather than throwing it at
//   the page (the real client reconnects its websocket the same way);
// - rethrows a ConvexError with its `data`, so the dashboard can say what was wrong.
// Demo-only: never part of the published package.
import { ConvexProvider, type ConvexReactClient } from "convex/react";
import { getFunctionName, type FunctionReference } from "convex/server";
import { ConvexError, convexToJson, jsonToConvex, type Value } from "convex/values";
import { createRoot } from "react-dom/client";
import { App } from "../../example/web/App.js";

const POLL_MS = 2_000;

type Result = { value: Value } | { error: Error };
type Entry = { result?: Result; listeners: Set<() => void>; inFlight: boolean };
type Answer = { value?: Value; error?: string; errorData?: Value };

/** Runs one query on the demo server; a network failure rejects, a query error resolves. */
async function runQuery(name: string, args: Value): Promise<Result> {
  const response = await fetch("/demo/query", {
    method: "POST",
    body: JSON.stringify({ name, args }),
  });
  if (!response.ok) throw new TypeError(`Failed to fetch: HTTP ${response.status}`);
  const body = (await response.json()) as Answer;
  if (body.errorData !== undefined)
    return { error: new ConvexError(jsonToConvex(body.errorData as never)) };
  if (body.error !== undefined) return { error: new Error(body.error) };
  return { value: jsonToConvex(body.value as never) };
}

class DemoClient {
  private readonly entries = new Map<string, Entry>();
  readonly logger = {
    log: console.log,
    warn: console.warn,
    error: console.error,
    logVerbose: () => {},
  };
  readonly url = location.origin;

  constructor() {
    setInterval(() => {
      for (const [key, entry] of this.entries) if (entry.listeners.size > 0) void this.poll(key);
    }, POLL_MS);
  }

  private async poll(key: string) {
    const entry = this.entries.get(key);
    if (!entry || entry.inFlight) return;
    entry.inFlight = true;
    const { name, args } = JSON.parse(key) as { name: string; args: Value };
    try {
      entry.result = await runQuery(name, args);
    } catch {
      // Offline: keep what we had (or keep loading) and try again on the next poll.
      return;
    } finally {
      entry.inFlight = false;
    }
    for (const listener of entry.listeners) listener();
  }

  /** One-off read, as ConvexReactClient.query (the CSV export uses it). */
  async query(query: FunctionReference<"query">, args: Record<string, Value> = {}) {
    const result = await runQuery(getFunctionName(query), convexToJson(args));
    if ("error" in result) throw result.error;
    return result.value;
  }

  watchQuery(query: FunctionReference<"query">, args: Record<string, Value> = {}) {
    const key = JSON.stringify({ name: getFunctionName(query), args: convexToJson(args) });
    const entryFor = () => {
      let entry = this.entries.get(key);
      if (!entry) {
        entry = { listeners: new Set(), inFlight: false };
        this.entries.set(key, entry);
        void this.poll(key);
      }
      return entry;
    };
    entryFor();
    return {
      onUpdate: (callback: () => void) => {
        const entry = entryFor();
        entry.listeners.add(callback);
        return () => {
          entry.listeners.delete(callback);
          // Unsubscribed like the real client: the last subscriber gone, the query goes too.
          if (entry.listeners.size === 0 && this.entries.get(key) === entry)
            this.entries.delete(key);
        };
      },
      localQueryResult: () => {
        const result = this.entries.get(key)?.result;
        if (result === undefined) return undefined;
        if ("error" in result) throw result.error;
        return result.value;
      },
      localQueryLogs: () => undefined,
      journal: () => undefined,
    };
  }

  /** Subscriptions being polled now, for the demo's browser test. */
  activeQueries(): number {
    return [...this.entries.values()].filter((e) => e.listeners.size > 0).length;
  }
}

const config = (window as unknown as { DEMO: { siteId: string; ingestUrl: string } }).DEMO;
const client = new DemoClient();
(window as unknown as { demoClient: DemoClient }).demoClient = client;
createRoot(document.getElementById("root")!).render(
  <ConvexProvider client={client as unknown as ConvexReactClient}>
    <App siteId={config.siteId} ingestUrl={config.ingestUrl} />
  </ConvexProvider>,
);
