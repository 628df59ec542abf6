// Dashboard reads. Every query reads rollup rows only, O(buckets × keys × shards) documents
// whatever the traffic (invariant 6), through the by_row index. Raw events and sessions
// are read only by the paginated lists, one page at a time.
import { pick } from "convex-helpers";
import { getPage } from "convex-helpers/server/pagination";
import { v } from "convex/values";
import type { Doc } from "./_generated/dataModel.js";
import { query, type QueryCtx } from "./_generated/server.js";
import {
  breakdownRows,
  overviewFigures,
  propertyRows,
  ratios,
  sumRows,
  type RowLike,
} from "./lib/figures.js";
import {
  DAY_MS,
  DEFAULT_BREAKDOWN_LIMIT,
  MAX_BREAKDOWN_LIMIT,
  MAX_PAGE_SIZE,
} from "./lib/limits.js";
import { ALL, propertyDimension } from "./lib/rollup.js";
import { sessionFigures } from "./lib/session.js";
import { countUnion } from "./lib/sketch.js";
import { bucketsIn, coverRange, dayBucket, snapRange, type Segment } from "./lib/time.js";
import { invalidArgument } from "./lib/validate.js";
import {
  breakdownValidator,
  dimensionValidator,
  eventsPageValidator,
  overviewValidator,
  paginationOptsValidator,
  propertiesValidator,
  sessionsPageValidator,
  timeseriesValidator,
} from "./lib/validators.js";
import schema, { publicEventFields } from "./schema.js";
import { loadSite } from "./sites.js";

/** Longest range a read accepts; hourly series are shorter (their points are sent). */
export const MAX_RANGE_DAYS = 3 * 366;
export const MAX_HOURLY_RANGE_DAYS = 62;
/** A read that would need more rollup rows than this asks for a narrower range instead. */
export const MAX_ROLLUP_ROWS_PER_READ = 20_000;
/**
 * The same for bytes, under Convex's 16 MiB per-query read limit with room for the rest of
 * the query: a busy bucket's row carries a 16 KiB sketch, so a wide breakdown of a busy site
 * can need more, and gets this error naming what to do instead of the platform's.
 */
export const MAX_ROLLUP_BYTES_PER_READ = 12 * 2 ** 20;
/** A rollup row's bytes besides its sketches (ids, bucket, key, counters), rounded up. */
const ROLLUP_ROW_FIXED_BYTES = 400;

export function checkedRange(from: number, to: number, timezone: string, maxDays = MAX_RANGE_DAYS) {
  if (!Number.isFinite(from) || !Number.isFinite(to))
    throw invalidArgument("from/to must be finite numbers (ms since epoch)");
  if (from >= to) throw invalidArgument("from must be before to");
  if (to - from > maxDays * DAY_MS)
    throw invalidArgument(`the range must be at most ${maxDays} days`);
  return snapRange(from, to, timezone);
}

/** Rollup rows one query has read so far: a query that reads several dimensions shares one. */
export type RowsRead = { rows: number; bytes: number };

async function readRows(
  ctx: QueryCtx,
  site: Doc<"sites">,
  dimension: string,
  segments: Segment[],
  read: RowsRead = { rows: 0, bytes: 0 },
): Promise<RowLike[]> {
  const rows: RowLike[] = [];
  for (const segment of segments) {
    // Streamed, so that the budgets stop the read before the platform's limit would.
    const stream = ctx.db
      .query("rollups")
      .withIndex("by_row", (q) =>
        q
          .eq("siteId", site._id)
          .eq("granularity", segment.granularity)
          .eq("dimension", dimension)
          .gte("bucket", segment.from)
          .lt("bucket", segment.to),
      );
    for await (const row of stream) {
      rows.push(row);
      read.rows++;
      read.bytes += ROLLUP_ROW_FIXED_BYTES + row.visitors.byteLength + (row.users?.byteLength ?? 0);
      if (read.rows > MAX_ROLLUP_ROWS_PER_READ) {
        throw invalidArgument(
          `this report needs more than ${MAX_ROLLUP_ROWS_PER_READ} rollup rows: narrow the range`,
        );
      }
      if (read.bytes > MAX_ROLLUP_BYTES_PER_READ) {
        throw invalidArgument(
          `this report needs more than ${MAX_ROLLUP_BYTES_PER_READ / 2 ** 20} MiB of rollup rows: narrow the range (maintenance compacts busy sites' rows within the hour)`,
        );
      }
    }
  }
  return rows;
}

export async function rangeRows(
  ctx: QueryCtx,
  site: Doc<"sites">,
  dimension: string,
  from: number,
  to: number,
  read?: RowsRead,
) {
  return readRows(ctx, site, dimension, coverRange(from, to, site.timezone, true), read);
}

export const getOverview = query({
  args: { siteId: v.string(), from: v.number(), to: v.number(), compare: v.optional(v.boolean()) },
  returns: overviewValidator,
  handler: async (ctx, args) => {
    const site = await loadSite(ctx, args.siteId);
    const range = checkedRange(args.from, args.to, site.timezone);
    const current = overviewFigures(await rangeRows(ctx, site, ALL, range.from, range.to));
    if (!args.compare) return { range, ...current };
    const previousRange = { from: range.from - (range.to - range.from), to: range.from };
    const previous = overviewFigures(
      await rangeRows(ctx, site, ALL, previousRange.from, previousRange.to),
    );
    return { range, ...current, previous: { range: previousRange, ...previous } };
  },
});

export const getTimeseries = query({
  args: {
    siteId: v.string(),
    from: v.number(),
    to: v.number(),
    interval: v.union(v.literal("hour"), v.literal("day")),
  },
  returns: timeseriesValidator,
  handler: async (ctx, args) => {
    const site = await loadSite(ctx, args.siteId);
    const maxDays = args.interval === "hour" ? MAX_HOURLY_RANGE_DAYS : MAX_RANGE_DAYS;
    const range = checkedRange(args.from, args.to, site.timezone, maxDays);
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

function checkedLimit(limit: number | undefined) {
  const value = limit ?? DEFAULT_BREAKDOWN_LIMIT;
  if (!Number.isInteger(value) || value < 1 || value > MAX_BREAKDOWN_LIMIT) {
    throw invalidArgument(`limit must be an integer from 1 to ${MAX_BREAKDOWN_LIMIT}`);
  }
  return value;
}

export const getBreakdown = query({
  args: {
    siteId: v.string(),
    from: v.number(),
    to: v.number(),
    dimension: dimensionValidator,
    limit: v.optional(v.number()),
  },
  returns: breakdownValidator,
  handler: async (ctx, args) => {
    const site = await loadSite(ctx, args.siteId);
    const limit = checkedLimit(args.limit);
    const range = checkedRange(args.from, args.to, site.timezone);
    const rows = await rangeRows(ctx, site, args.dimension, range.from, range.to);
    const sortBy = args.dimension === "event" ? "events" : "visitors";
    return { range, dimension: args.dimension, rows: breakdownRows(rows, sortBy, limit) };
  },
});

export const getEventProperties = query({
  args: {
    siteId: v.string(),
    from: v.number(),
    to: v.number(),
    eventName: v.string(),
    property: v.string(),
    limit: v.optional(v.number()),
  },
  returns: propertiesValidator,
  handler: async (ctx, args) => {
    const site = await loadSite(ctx, args.siteId);
    const limit = checkedLimit(args.limit);
    const range = checkedRange(args.from, args.to, site.timezone);
    const rows = await rangeRows(
      ctx,
      site,
      propertyDimension(args.eventName, args.property),
      range.from,
      range.to,
    );
    return { range, rows: propertyRows(rows, limit) };
  },
});

// Lists page with an index cursor (convex-helpers getPage): a component can't use the
// built-in pagination on a real deployment. The cursor is the last index key, as JSON.
const listArgs = {
  siteId: v.string(),
  from: v.optional(v.number()),
  to: v.optional(v.number()),
  paginationOpts: paginationOptsValidator,
};

function pageSize(numItems: number) {
  if (!Number.isInteger(numItems) || numItems < 1)
    throw invalidArgument("paginationOpts.numItems must be a positive integer");
  return Math.min(numItems, MAX_PAGE_SIZE);
}

const BAD_CURSOR =
  "paginationOpts.cursor is not a cursor this list returned for this site and range";

/**
 * A cursor is handed back by the caller, so it is checked before it becomes an index bound
 * (invariant 10): exactly the key getPage returns for this index ([siteId, time,
 * _creationTime, _id]), of this site, and inside [from, to). A forged one would otherwise
 * start the page in another site's part of the index.
 */
export function decodeCursor(
  cursor: string | null,
  siteId: string,
  range: { from?: number; to?: number },
): [string, number, number, string] | undefined {
  if (cursor === null || cursor === "") return undefined;
  let key: unknown;
  try {
    key = JSON.parse(cursor);
  } catch {
    throw invalidArgument(BAD_CURSOR);
  }
  if (
    !Array.isArray(key) ||
    key.length !== 4 ||
    key[0] !== siteId ||
    typeof key[1] !== "number" ||
    !Number.isFinite(key[1]) ||
    typeof key[2] !== "number" ||
    !Number.isFinite(key[2]) ||
    typeof key[3] !== "string" ||
    (range.from !== undefined && key[1] < range.from) ||
    (range.to !== undefined && key[1] >= range.to)
  ) {
    throw invalidArgument(BAD_CURSOR);
  }
  return key as [string, number, number, string];
}

async function listNewestFirst<T extends "events" | "sessions">(
  ctx: QueryCtx,
  table: T,
  index: "by_ts" | "by_start",
  site: Doc<"sites">,
  args: { from?: number; to?: number; paginationOpts: { numItems: number; cursor: string | null } },
) {
  const after = decodeCursor(args.paginationOpts.cursor, site._id, args);
  const { page, hasMore, indexKeys } = await getPage(ctx, {
    table,
    index,
    schema,
    order: "desc",
    startIndexKey: after ?? (args.to !== undefined ? [site._id, args.to] : [site._id]),
    startInclusive: false,
    endIndexKey: args.from !== undefined ? [site._id, args.from] : [site._id],
    endInclusive: true,
    // convex-helpers ignores targetMaxRows once endIndexKey is set; the absolute bound holds.
    absoluteMaxRows: pageSize(args.paginationOpts.numItems),
  } as never);
  const last = indexKeys[indexKeys.length - 1];
  return {
    page: page as unknown as Doc<T>[],
    isDone: !hasMore,
    continueCursor: last ? JSON.stringify(last) : (args.paginationOpts.cursor ?? ""),
  };
}

export const listEvents = query({
  args: listArgs,
  returns: eventsPageValidator,
  handler: async (ctx, args) => {
    const site = await loadSite(ctx, args.siteId);
    const result = await listNewestFirst(ctx, "events", "by_ts", site, args);
    return {
      ...result,
      page: result.page.map((e) => {
        // Only the public fields, picked by name: internal bookkeeping (status, partition,
        // failure, traits) never reaches a reader, whatever the events table grows.
        const event = e as Doc<"events">;
        return {
          _id: event._id as string,
          _creationTime: event._creationTime,
          ...pick(event, PUBLIC_EVENT_KEYS),
        };
      }),
    };
  },
});

const PUBLIC_EVENT_KEYS = Object.keys(publicEventFields) as (keyof typeof publicEventFields)[];

export const listSessions = query({
  args: listArgs,
  returns: sessionsPageValidator,
  handler: async (ctx, args) => {
    const site = await loadSite(ctx, args.siteId);
    const result = await listNewestFirst(ctx, "sessions", "by_start", site, args);
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
