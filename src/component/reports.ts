// Dashboard reads. Without filters every query reads rollup rows only, O(buckets × keys ×
// shards) documents whatever the traffic (invariant 6), through the by_row index. With
// filters (contract §7) it reads the range's visits instead, exactly up to MAX_VISITS_PER_READ and
// a visitor sample beyond (read/visits.ts), and read/visitFigures.ts defines the figures. Raw events
// and sessions are otherwise read only by the paginated lists, one page at a time.
import { pick } from "convex-helpers";
import type { Infer } from "convex/values";
import type { Doc } from "./_generated/dataModel.js";
import { query, type QueryCtx } from "./_generated/server.js";
import {
  breakdownRows,
  overviewFigures,
  propertyRows,
  ratios,
  sumRows,
  type RowLike,
} from "./read/figures.js";
import * as signatures from "./lib/signatures.js";
import { ENGAGEMENT_DIMENSIONS } from "./lib/engagement.js";
import { isComplete, scoreMetric } from "./read/leaderboard.js";
import {
  BREAKDOWN_CANDIDATE_MARGIN,
  DEFAULT_BREAKDOWN_LIMIT,
  MAX_BREAKDOWN_LIMIT,
  MAX_HOURLY_RANGE_DAYS,
  MAX_RANGE_DAYS,
} from "./lib/limits.js";
import { encodePropKey } from "./ingest/propKeys.js";
import { ALL, propertyDimension } from "./aggregate/rollup.js";
import { sessionFigures } from "./aggregate/session.js";
import { countUnion } from "./lib/sketch.js";
import { bucketsIn, coverRange, dayBucket, hourBucket, type Segment } from "./lib/time.js";
import { invalidArgument } from "./ingest/validate.js";
import { overviewValidator } from "./lib/validators.js";
import {
  visitsBreakdown,
  visitsOverview,
  visitsProperties,
  visitsTimeseries,
} from "./read/visitFigures.js";
import { filteredEvents, filteredSessions } from "./read/filteredLists.js";
import { indexPage, pageSize, type ListRequest } from "./read/listPages.js";
import { candidateRows, checkedRange, rangeRows, readRows } from "./read/rollupReads.js";
import { publicEventFields } from "./schema.js";
import { loadSite } from "./sites.js";
import { FULL_VISIT_BUDGET, QueryReads, filterContext, readVisits } from "./read/visits.js";

/** A comparison reads two ranges in one query: each side gets half the visit budget. */
const COMPARED_VISIT_BUDGET = {
  visits: FULL_VISIT_BUDGET.visits / 2,
  bytes: FULL_VISIT_BUDGET.bytes / 2,
};

export const getOverview = query({
  args: signatures.getOverview.args,
  returns: signatures.getOverview.returns,
  handler: async (ctx, args): Promise<Infer<typeof overviewValidator>> => {
    const site = await loadSite(ctx, args.siteId);
    const range = checkedRange(args.from, args.to, site.timezone);
    const previousRange = { from: range.from - (range.to - range.from), to: range.from };
    const filters = await filterContext(ctx, site, args.filters);
    if (filters) {
      const budget = args.compare ? COMPARED_VISIT_BUDGET : FULL_VISIT_BUDGET;
      // One tally for both sides: together they stay inside the query's read limits.
      const reads = new QueryReads();
      const read = await readVisits(ctx, site, range, budget, reads);
      const current = visitsOverview(read.visits, filters, read.fraction);
      if (!args.compare) return { range, ...current, sample: { fraction: read.fraction } };
      const before = await readVisits(ctx, site, previousRange, budget, reads);
      const previous = visitsOverview(before.visits, filters, before.fraction);
      const fraction = Math.min(read.fraction, before.fraction);
      return {
        range,
        ...current,
        previous: { range: previousRange, ...previous },
        sample: { fraction },
      };
    }
    const current = overviewFigures(await rangeRows(ctx, site, ALL, range.from, range.to));
    if (!args.compare) return { range, ...current };
    const previous = overviewFigures(
      await rangeRows(ctx, site, ALL, previousRange.from, previousRange.to),
    );
    return { range, ...current, previous: { range: previousRange, ...previous } };
  },
});

export const getTimeseries = query({
  args: signatures.getTimeseries.args,
  returns: signatures.getTimeseries.returns,
  handler: async (ctx, args) => {
    const site = await loadSite(ctx, args.siteId);
    const maxDays = args.interval === "hour" ? MAX_HOURLY_RANGE_DAYS : MAX_RANGE_DAYS;
    const range = checkedRange(args.from, args.to, site.timezone, maxDays);
    const filters = await filterContext(ctx, site, args.filters);
    if (filters) {
      const read = await readVisits(ctx, site, range);
      const bucket = args.interval === "hour" ? hourBucket : dayBucket;
      const points = visitsTimeseries(
        read.visits,
        filters,
        read.fraction,
        bucketsIn(range.from, range.to, args.interval, site.timezone),
        (ts) => bucket(ts, site.timezone),
      );
      return { range, interval: args.interval, points, sample: { fraction: read.fraction } };
    }
    const segments: Segment[] =
      args.interval === "hour"
        ? [{ granularity: "hour", from: range.from, to: range.to }]
        : coverRange(range.from, range.to, site.timezone, false);
    const rows = await readRows(ctx, site, ALL, segments);
    const pointOf = (bucket: number) =>
      args.interval === "hour" ? bucket : dayBucket(bucket, site.timezone);
    const byPoint = new Map<number, RowLike[]>();
    for (const row of rows) {
      const t = pointOf(row.bucket);
      (byPoint.get(t) ?? byPoint.set(t, []).get(t)!).push(row);
    }
    const points = bucketsIn(range.from, range.to, args.interval, site.timezone).map((t) => {
      const pointRows = byPoint.get(t) ?? [];
      const total = sumRows(pointRows);
      const { bounceRate, avgDurationMs } = ratios(total);
      return {
        t,
        pageviews: total.pageviews,
        visitors: countUnion(pointRows.map((r) => r.visitors)),
        sessions: total.sessions,
        bounceRate,
        avgDurationMs,
      };
    });
    return { range, interval: args.interval, points };
  },
});

/**
 * A breakdown's first `limit` rows from its candidates' rows (read/rollupReads.ts candidateRows):
 * each row's figures are exact (all its rows are read); `approximate` when a key not read
 * might rank above the last row shown (docs/read-path.md gives the bound).
 */
async function topRows<Row extends { visitors: number; events: number }>(
  ctx: QueryCtx,
  site: Doc<"sites">,
  dimension: string,
  range: { from: number; to: number },
  limit: number,
  figures: (rows: RowLike[]) => Row[],
): Promise<{ rows: Row[]; approximate?: true }> {
  const candidates = limit + BREAKDOWN_CANDIDATE_MARGIN;
  const read = await candidateRows(ctx, site, dimension, range.from, range.to, candidates);
  const rows = figures(read.rows);
  const metric = scoreMetric(dimension);
  const complete = isComplete(
    rows.map((row) => row[metric]),
    limit,
    read.rest,
  );
  return read.capped || !complete ? { rows, approximate: true } : { rows };
}

function checkedLimit(limit: number | undefined) {
  const value = limit ?? DEFAULT_BREAKDOWN_LIMIT;
  if (!Number.isInteger(value) || value < 1 || value > MAX_BREAKDOWN_LIMIT) {
    throw invalidArgument(`limit must be an integer from 1 to ${MAX_BREAKDOWN_LIMIT}`);
  }
  return value;
}

export const getBreakdown = query({
  args: signatures.getBreakdown.args,
  returns: signatures.getBreakdown.returns,
  handler: async (ctx, args) => {
    const site = await loadSite(ctx, args.siteId);
    const limit = checkedLimit(args.limit);
    const range = checkedRange(args.from, args.to, site.timezone);
    const filters = await filterContext(ctx, site, args.filters);
    if (filters) {
      const read = await readVisits(ctx, site, range);
      const rows = visitsBreakdown(read.visits, filters, read.fraction, args.dimension, limit);
      return { range, dimension: args.dimension, rows, sample: { fraction: read.fraction } };
    }
    const sortBy = args.dimension === "event" ? "events" : "visitors";
    const top = await topRows(ctx, site, args.dimension, range, limit, (rows) =>
      breakdownRows(rows, sortBy, limit, ENGAGEMENT_DIMENSIONS.has(args.dimension)),
    );
    return { range, dimension: args.dimension, ...top };
  },
});

export const getEventProperties = query({
  args: signatures.getEventProperties.args,
  returns: signatures.getEventProperties.returns,
  handler: async (ctx, args) => {
    const site = await loadSite(ctx, args.siteId);
    const limit = checkedLimit(args.limit);
    const range = checkedRange(args.from, args.to, site.timezone);
    const filters = await filterContext(ctx, site, args.filters);
    // Rows and kept events are keyed by the property's stored form (ingest/propKeys.ts).
    const property = encodePropKey(args.property);
    if (filters) {
      const read = await readVisits(ctx, site, range);
      const { eventName } = args;
      const rows = visitsProperties(
        read.visits,
        filters,
        read.fraction,
        eventName,
        property,
        limit,
      );
      return { range, rows, sample: { fraction: read.fraction } };
    }
    const dimension = propertyDimension(args.eventName, property);
    const top = await topRows(ctx, site, dimension, range, limit, (rows) =>
      propertyRows(rows, limit),
    );
    return { range, ...top };
  },
});

async function listNewestFirst<T extends "events" | "sessions">(
  ctx: QueryCtx,
  table: T,
  index: "by_ts" | "by_start",
  site: Doc<"sites">,
  args: ListRequest,
) {
  const rows = pageSize(args.paginationOpts.numItems);
  const { page, hasMore, cursors } = await indexPage(ctx, table, index, site, args, rows);
  return {
    page,
    isDone: !hasMore,
    continueCursor: cursors[cursors.length - 1] ?? args.paginationOpts.cursor ?? "",
  };
}

export const listEvents = query({
  args: signatures.listEvents.args,
  returns: signatures.listEvents.returns,
  handler: async (ctx, args) => {
    const site = await loadSite(ctx, args.siteId);
    const filters = await filterContext(ctx, site, args.filters);
    const result = filters
      ? await filteredEvents(ctx, site, args, filters)
      : await listNewestFirst(ctx, "events", "by_ts", site, args);
    return { ...result, page: result.page.map(publicEvent) };
  },
});

const PUBLIC_EVENT_KEYS = Object.keys(publicEventFields) as (keyof typeof publicEventFields)[];

/**
 * Only the public fields, picked by name: internal bookkeeping (status, partition, failure,
 * traits) never reaches a reader, whatever the events table grows.
 */
function publicEvent(event: Doc<"events">) {
  return {
    _id: event._id as string,
    _creationTime: event._creationTime,
    ...pick(event, PUBLIC_EVENT_KEYS),
  };
}

export const listSessions = query({
  args: signatures.listSessions.args,
  returns: signatures.listSessions.returns,
  handler: async (ctx, args) => {
    const site = await loadSite(ctx, args.siteId);
    const filters = await filterContext(ctx, site, args.filters);
    const result = filters
      ? await filteredSessions(ctx, site, args, filters)
      : await listNewestFirst(ctx, "sessions", "by_start", site, args);
    return {
      ...result,
      page: result.page.map((doc) => {
        const s = doc as Doc<"sessions">;
        const figures = sessionFigures(s, s.pageviewDedupMs);
        return {
          _id: s._id as string,
          visitorId: s.visitorId,
          sessionId: s.sessionId,
          startTs: s.startTs,
          endTs: s.endTs,
          durationMs: figures.durationMs,
          pageviews: figures.pageviews,
          events: s.eventCount,
          bounce: figures.bounce,
          entryPage: figures.entryPage,
          exitPage: figures.exitPage,
          source: s.entry.source,
          country: s.client.country,
          device: s.client.device,
          browser: s.client.browser,
          os: s.client.os,
        };
      }),
    };
  },
});
