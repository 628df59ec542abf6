// Importing an access log into a deployment (contract §6): the log streams through
// accessLogBatches into the host's `importEvents` admin function, one batch of at most 500
// events per call. Works with anything that can call a mutation: a ConvexHttpClient
// signed in as an administrator (scripts/import-log.ts), ConvexReactClient, or convex-test.
import type { FunctionReference } from "convex/server";
import {
  accessLogBatches,
  type AccessLogCounts,
  type ImportEvent,
  type LogSource,
} from "./accessLog.js";
import type { IngestResult } from "./types.js";

export type ImportEventsRef = FunctionReference<
  "mutation",
  "public",
  { siteId: string; events: ImportEvent[] },
  IngestResult
>;

export type MutationCaller = {
  mutation(
    ref: ImportEventsRef,
    args: { siteId: string; events: ImportEvent[] },
  ): Promise<IngestResult>;
};

export type ImportLogResult = {
  counts: AccessLogCounts;
  accepted: number;
  duplicates: number;
  filtered: number;
  rejected: number;
  /** Earliest and latest event time imported, null when the log had no page request. */
  firstTs: number | null;
  lastTs: number | null;
};

/**
 * Sends the log's pageviews to `importEvents`. Event ids derive from the log lines, so
 * running the same import twice counts nothing twice (the second run reports duplicates).
 */
export async function importAccessLog(
  client: MutationCaller,
  importEvents: ImportEventsRef,
  siteId: string,
  source: LogSource,
  options: { domain: string; onBatch?: (progress: ImportLogResult) => void },
): Promise<ImportLogResult> {
  const result: ImportLogResult = {
    counts: { lines: 0, imported: 0, bots: 0, notPages: 0, unparsed: 0 },
    accepted: 0,
    duplicates: 0,
    filtered: 0,
    rejected: 0,
    firstTs: null,
    lastTs: null,
  };
  for await (const batch of accessLogBatches(source, { domain: options.domain })) {
    for (const event of batch.events) {
      result.firstTs = Math.min(result.firstTs ?? event.ts, event.ts);
      result.lastTs = Math.max(result.lastTs ?? event.ts, event.ts);
    }
    if (batch.events.length > 0) {
      const response = await client.mutation(importEvents, { siteId, events: batch.events });
      result.accepted += response.accepted;
      result.duplicates += response.duplicates;
      result.filtered += response.filtered;
      result.rejected += response.rejected.length;
    }
    result.counts = batch.totals;
    options.onBatch?.(result);
  }
  return result;
}
