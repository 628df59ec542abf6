// What a filtered read (contract §7) computes its figures from: the stored sessions ("visits")
// that start in the range, read whole, never the raw events. A session already holds every
// fact a filter, a goal or a funnel needs (read/visitFact.ts), so filters cost no write of
// their own; sessions are kept for `visitRetentionDays`, apart from raw events' retention.
//
// Bounded whatever the traffic. The range's session count is known first from its whole-site
// rollup rows (cheap: what getOverview reads). Up to MAX_VISITS_PER_READ sessions the read
// is exact: one index range, by start. Beyond, it takes a sample: visitors are split into
// SAMPLE_STRATA strata by a hash of their id (read/sample.ts), and the read takes whole strata
// 0, 1, 2, … (one index range each) while they fit the budget: the largest sample the budget
// holds, the same visitors for every read of the range with that budget, and a visitor's
// visits all in or all out. Figures are then scaled by 1 / fraction. A stratum that doesn't
// fit whole is dropped, never cut: a cut one would sample the earliest visits, not visitors.
// A read thus reads at most its budget plus one session a pass (exact, then strata), and
// SAMPLE_STRATA + 2 index ranges; the reads of one query share QUERY_READ_DOCUMENTS/_BYTES.
import { getDocumentSize, type Value } from "convex/values";
import type { Doc } from "../_generated/dataModel.js";
import type { QueryCtx } from "../_generated/server.js";
import { parseFilters, type Filter, type NamedGoal } from "./filters.js";
import { definitionOf, siteGoals } from "./goalDocs.js";
import {
  MAX_VISIT_BYTES_PER_READ,
  MAX_VISITS_PER_READ,
  QUERY_READ_BYTES,
  QUERY_READ_DOCUMENTS,
  SAMPLE_STRATA,
} from "../lib/limits.js";
import { ALL } from "../aggregate/rollup.js";
import type { SessionState } from "../aggregate/session.js";
import { invalidArgument } from "../ingest/validate.js";
import type { FilterContext, VisitRecord } from "./visitFigures.js";
import { rangeRows, type RowsRead } from "./rollupReads.js";

/** A stored session's state as aggregate/session.ts folds and figures it. */
export function sessionState(session: Doc<"sessions">): SessionState {
  const { startTs, endTs, pageviews, eventCount, eventNames, entry, client } = session;
  const customEvents = session.customEvents ?? [];
  const state: SessionState = {
    startTs,
    endTs,
    pageviews,
    eventCount,
    eventNames,
    entry,
    client,
    customEvents,
  };
  if (session.quietEvents) state.quietEvents = session.quietEvents;
  if (session.engagement) state.engagement = session.engagement;
  return state;
}

/** What one filtered read may read: a read that reads two ranges (compare) halves it. */
export type VisitBudget = { visits: number; bytes: number };
export const FULL_VISIT_BUDGET: VisitBudget = {
  visits: MAX_VISITS_PER_READ,
  bytes: MAX_VISIT_BYTES_PER_READ,
};

export type VisitsRead = { visits: VisitRecord[]; fraction: number };

/**
 * Documents and bytes one query has read so far, against Convex's per-query limits: a query
 * that reads visits twice (a comparison) passes one to both reads.
 */
export class QueryReads {
  documents = 0;
  bytes = 0;
  add(documents: number, bytes: number) {
    this.documents += documents;
    this.bytes += bytes;
  }
  /** What is left of the query's limits, capped at `budget`. */
  left(budget: VisitBudget): VisitBudget {
    return {
      visits: Math.min(budget.visits, QUERY_READ_DOCUMENTS - this.documents),
      bytes: Math.min(budget.bytes, QUERY_READ_BYTES - this.bytes),
    };
  }
}

const recordOf = (session: Doc<"sessions">): VisitRecord => ({
  visitorId: session.visitorId,
  state: sessionState(session),
  pageviewDedupMs: session.pageviewDedupMs,
});

/** Streams one index range into `into` until the budget is spent; false if it was. */
async function take(
  sessions: AsyncIterable<Doc<"sessions">>,
  into: Doc<"sessions">[],
  spent: { visits: number; bytes: number },
  budget: VisitBudget,
): Promise<boolean> {
  for await (const session of sessions) {
    spent.visits++;
    spent.bytes += getDocumentSize(session as unknown as Record<string, Value>);
    if (spent.visits > budget.visits || spent.bytes > budget.bytes) return false;
    into.push(session);
  }
  return true;
}

async function readExact(
  ctx: QueryCtx,
  site: Doc<"sites">,
  range: { from: number; to: number },
  budget: VisitBudget,
  reads: QueryReads,
): Promise<Doc<"sessions">[] | null> {
  const sessions: Doc<"sessions">[] = [];
  const spent = { visits: 0, bytes: 0 };
  const whole = await take(
    ctx.db
      .query("sessions")
      .withIndex("by_start", (q) =>
        q.eq("siteId", site._id).gte("startTs", range.from).lt("startTs", range.to),
      ),
    sessions,
    spent,
    budget,
  );
  reads.add(spent.visits, spent.bytes);
  return whole ? sessions : null;
}

/** Strata 0, 1, 2, … while each fits whole: the largest sample the budget holds. */
async function readStrata(
  ctx: QueryCtx,
  site: Doc<"sites">,
  range: { from: number; to: number },
  budget: VisitBudget,
  reads: QueryReads,
): Promise<VisitsRead> {
  const kept: Doc<"sessions">[] = [];
  const spent = { visits: 0, bytes: 0 };
  let taken = 0;
  for (; taken < SAMPLE_STRATA; taken++) {
    const stratum: Doc<"sessions">[] = [];
    const whole = await take(
      ctx.db
        .query("sessions")
        .withIndex("by_sample", (q) =>
          q
            .eq("siteId", site._id)
            .eq("sample", taken)
            .gte("startTs", range.from)
            .lt("startTs", range.to),
        ),
      stratum,
      spent,
      budget,
    );
    if (!whole) break;
    kept.push(...stratum);
  }
  reads.add(spent.visits, spent.bytes);
  if (taken === 0)
    throw invalidArgument(
      `this range holds too many visits to sample within one read (one in ${SAMPLE_STRATA} visitors is more than ${budget.visits}): narrow the range`,
    );
  return { visits: kept.map(recordOf), fraction: taken / SAMPLE_STRATA };
}

/**
 * The visits that start in `range`, exactly while they fit `budget`, else a visitor sample
 * (see the file comment). `reads` is what the query read before: never more than
 * QUERY_READ_DOCUMENTS and QUERY_READ_BYTES in all, whatever each call's budget.
 */
export async function readVisits(
  ctx: QueryCtx,
  site: Doc<"sites">,
  range: { from: number; to: number },
  budget: VisitBudget = FULL_VISIT_BUDGET,
  reads: QueryReads = new QueryReads(),
): Promise<VisitsRead> {
  const rows: RowsRead = { rows: 0, bytes: 0 };
  const totals = await rangeRows(ctx, site, ALL, range.from, range.to, rows);
  reads.add(rows.rows, rows.bytes);
  const count = totals.reduce((sum, row) => sum + row.sessions, 0);
  if (count <= budget.visits) {
    const exact = await readExact(ctx, site, range, reads.left(budget), reads);
    if (exact) return { visits: exact.map(recordOf), fraction: 1 };
    // More than the rollups said (sessions of heartbeats only are no visits, so not counted
    // there), or larger ones: sample with what the query has left.
  }
  return readStrata(ctx, site, range, reads.left(budget), reads);
}

/**
 * A read's `filters`, parsed (read/filters.ts names a bad one), with the site's goals when a
 * filter selects by goal. Null when there are none: the read takes the rollup path.
 */
export async function filterContext(
  ctx: QueryCtx,
  site: Doc<"sites">,
  raw: unknown[] | undefined,
): Promise<FilterContext | null> {
  if (raw === undefined || raw.length === 0) return null;
  const filters: Filter[] = parseFilters(raw);
  const goals: NamedGoal[] = filters.some((f) => f.dimension === "goal")
    ? (await siteGoals(ctx, site._id)).map((goal) => ({
        name: goal.name,
        definition: definitionOf(goal),
      }))
    : [];
  return { filters, goals };
}
