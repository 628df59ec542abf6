// The demo page's entry: the same App as the example, with a stand-in for ConvexReactClient
// that runs queries on the demo server's embedded backend. It implements the part of the
// client the convex/react hooks use (watchQuery → onUpdate / localQueryResult, logger) and
// refreshes every subscription each POLL_MS, as the embedded backend has no websocket.
// Demo-only: never part of the published package.
import { ConvexProvider, type ConvexReactClient } from "convex/react";
import { getFunctionName, type FunctionReference } from "convex/server";
import { convexToJson, jsonToConvex, type Value } from "convex/values";
import { createRoot } from "react-dom/client";
import { App } from "../../example/web/App.js";

const POLL_MS = 2_000;

type Entry = {
  result?: { value: Value } | { error: Error };
  listeners: Set<() => void>;
  inFlight: boolean;
};

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
      for (const key of this.entries.keys()) void this.fetch(key);
    }, POLL_MS);
  }

  private async fetch(key: string) {
    const entry = this.entries.get(key)!;
    if (entry.inFlight) return;
    entry.inFlight = true;
    const { name, args } = JSON.parse(key) as { name: string; args: Value };
    try {
      const response = await fetch("/demo/query", {
        method: "POST",
        body: JSON.stringify({ name, args }),
      });
      const body = (await response.json()) as { value?: Value; error?: string };
      entry.result =
        body.error !== undefined
          ? { error: new Error(body.error) }
          : { value: jsonToConvex(body.value as never) };
    } catch (error) {
      entry.result = { error: error instanceof Error ? error : new Error(String(error)) };
    } finally {
      entry.inFlight = false;
    }
    for (const listener of entry.listeners) listener();
  }

  watchQuery(query: FunctionReference<"query">, args: Record<string, Value> = {}) {
    const key = JSON.stringify({ name: getFunctionName(query), args: convexToJson(args) });
    if (!this.entries.has(key)) {
      this.entries.set(key, { listeners: new Set(), inFlight: false });
      void this.fetch(key);
    }
    const entry = this.entries.get(key)!;
    return {
      onUpdate: (callback: () => void) => {
        entry.listeners.add(callback);
        return () => entry.listeners.delete(callback);
      },
      localQueryResult: () => {
        if (entry.result === undefined) return undefined;
        if ("error" in entry.result) throw entry.result.error;
        return entry.result.value;
      },
      localQueryLogs: () => undefined,
      journal: () => undefined,
    };
  }
}

const config = (window as unknown as { DEMO: { siteId: string; ingestUrl: string } }).DEMO;
createRoot(document.getElementById("root")!).render(
  <ConvexProvider client={new DemoClient() as unknown as ConvexReactClient}>
    <App siteId={config.siteId} ingestUrl={config.ingestUrl} />
  </ConvexProvider>,
);
