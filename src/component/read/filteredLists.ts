// listSessions and listEvents under filters (contract §7): the same newest-first pages and cursors
// as without, keeping only what the filters select. A page looks at a bounded slice of the
// index (FILTERED_LIST_SCAN documents and FILTERED_LIST_BYTES, events' sessions included), so
// a selective filter returns a short page, or an empty one that is not done, rather than
// reading without end: "load more" goes on from the cursor, the key of the last row looked at.
import type { Doc } from "../_generated/dataModel.js";
import type { QueryCtx } from "../_generated/server.js";
import { viewFilter, visitFilter } from "./filters.js";
import {
  FILTERED_LIST_BYTES,
  FILTERED_LIST_SCAN,
  FILTERED_LIST_SESSIONS_PER_VISIT,
} from "../lib/limits.js";
import { ReadBudget } from "../lib/readBudget.js";
import { isVisit } from "../aggregate/session.js";
import { visitFactOf } from "./visitFact.js";
import type { FilterContext } from "./visitFigures.js";
import { indexPage, pageSize, type ListRequest } from "./listPages.js";
import { sessionState } from "./visits.js";

type Page<T> = { page: T[]; isDone: boolean; continueCursor: string };

function matcher(filters: FilterContext) {
  const matches = visitFilter(filters.filters, filters.goals);
  return (session: Doc<"sessions">) => {
    const state = sessionState(session);
    return isVisit(state) && matches(visitFactOf(state));
  };
}

/** Rows one index read of a scan takes: a session may be ~170 KB, so a few at a time. */
const SCAN_CHUNK_ROWS = 20;

/**
 * A page of `table` newest first, keeping the rows `keep` selects, reading in chunks until
 * the page is full, the range ends, or `budget` is spent. `keep` may answer "stop" when what
 * it would read to decide is past the budget: the page ends before that row.
 */
async function scanPage<T extends "events" | "sessions">(
  ctx: QueryCtx,
  table: T,
  index: "by_ts" | "by_start",
  site: Doc<"sites">,
  args: ListRequest,
  budget: ReadBudget,
  keep: (row: Doc<T>) => Promise<boolean | "stop">,
): Promise<Page<Doc<T>>> {
  const wanted = pageSize(args.paginationOpts.numItems);
  const page: Doc<T>[] = [];
  let cursor = args.paginationOpts.cursor ?? "";
  for (;;) {
    if (budget.spent) return { page, isDone: false, continueCursor: cursor };
    const request = { ...args, paginationOpts: { ...args.paginationOpts, cursor } };
    const chunk = await indexPage(ctx, table, index, site, request, SCAN_CHUNK_ROWS);
    for (const [i, row] of chunk.page.entries()) {
      budget.spend(row);
      const verdict = await keep(row);
      if (verdict === "stop") return { page, isDone: false, continueCursor: cursor };
      cursor = chunk.cursors[i]!;
      if (verdict) page.push(row);
      const last = !chunk.hasMore && i === chunk.page.length - 1;
      if (page.length === wanted) return { page, isDone: last, continueCursor: cursor };
    }
    if (!chunk.hasMore) return { page, isDone: true, continueCursor: cursor };
  }
}

export async function filteredSessions(
  ctx: QueryCtx,
  site: Doc<"sites">,
  args: ListRequest,
  filters: FilterContext,
): Promise<Page<Doc<"sessions">>> {
  const matches = matcher(filters);
  const budget = new ReadBudget(FILTERED_LIST_SCAN, FILTERED_LIST_BYTES);
  return scanPage(ctx, "sessions", "by_start", site, args, budget, async (s) => matches(s));
}

/**
 * Events whose visit the filters select; under a page filter a pageview only if its own path
 * matches (as the figures count views). An event belongs to the stored session of its visitor
 * and session id that spans its time: events not yet folded, and identify events, have none
 * and are not listed under filters.
 */
export async function filteredEvents(
  ctx: QueryCtx,
  site: Doc<"sites">,
  args: ListRequest,
  filters: FilterContext,
): Promise<Page<Doc<"events">>> {
  const matches = matcher(filters);
  const viewMatches = viewFilter(filters.filters);
  const budget = new ReadBudget(FILTERED_LIST_SCAN, FILTERED_LIST_BYTES);
  const visits = new Map<string, Doc<"sessions">[]>();
  return scanPage(ctx, "events", "by_ts", site, args, budget, async (event) => {
    if (event.type === "pageview" && !viewMatches(event.path ?? "")) return false;
    const key = JSON.stringify([event.visitorId, event.sessionId]);
    let sessions = visits.get(key);
    if (!sessions) {
      if (budget.spent) return "stop";
      // One visitor's sessions of one id: few (a new one starts only after an idle timeout).
      sessions = await ctx.db
        .query("sessions")
        .withIndex("by_visitor_session", (q) =>
          q
            .eq("siteId", site._id)
            .eq("visitorId", event.visitorId)
            .eq("sessionId", event.sessionId),
        )
        .take(FILTERED_LIST_SESSIONS_PER_VISIT);
      for (const session of sessions) budget.spend(session);
      visits.set(key, sessions);
    }
    const visit = sessions.find((s) => s.startTs <= event.ts && event.ts <= s.endTs);
    return visit !== undefined && matches(visit);
  });
}
