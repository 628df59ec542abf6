// The naive baseline's functions (see schema.ts). Same engine, same metrics, none of the
// product's design: ingest does a read-modify-write of shared counter documents for every
// event, and every dashboard query scans the raw events of its range.
import { v } from "convex/values";
import { mutation, query, type MutationCtx, type QueryCtx } from "./_generated/server.js";

const DAY_MS = 24 * 60 * 60 * 1000;
const SESSION_TIMEOUT_MS = 30 * 60 * 1000;

const eventValidator = v.object({
  ts: v.number(),
  visitorId: v.string(),
  sessionId: v.string(),
  path: v.string(),
  source: v.string(),
  browser: v.string(),
  country: v.string(),
});

async function bump(ctx: MutationCtx, site: string, metric: string) {
  const counter = await ctx.db
    .query("counters")
    .withIndex("by_metric", (q) => q.eq("site", site).eq("metric", metric))
    .unique();
  if (counter) await ctx.db.patch(counter._id, { value: counter.value + 1 });
  else await ctx.db.insert("counters", { site, metric, value: 1 });
}

/** Each event: is its visitor / session new? insert it, then bump the site's counters. */
export const ingest = mutation({
  args: { site: v.string(), events: v.array(eventValidator) },
  returns: v.number(),
  handler: async (ctx, { site, events }) => {
    for (const event of events) {
      const seenVisitor = await ctx.db
        .query("events")
        .withIndex("by_visitor", (q) => q.eq("site", site).eq("visitorId", event.visitorId))
        .first();
      const seenSession = await ctx.db
        .query("events")
        .withIndex("by_session", (q) => q.eq("site", site).eq("sessionId", event.sessionId))
        .first();
      await ctx.db.insert("events", { site, ...event });
      await bump(ctx, site, "pageviews");
      if (!seenVisitor) await bump(ctx, site, "visitors");
      if (!seenSession) await bump(ctx, site, "sessions");
    }
    return events.length;
  },
});

type Row = {
  ts: number;
  visitorId: string;
  sessionId: string;
  path: string;
  source: string;
  browser: string;
  country: string;
};

async function scan(ctx: QueryCtx, site: string, from: number, to: number): Promise<Row[]> {
  return await ctx.db
    .query("events")
    .withIndex("by_ts", (q) => q.eq("site", site).gte("ts", from).lt("ts", to))
    .collect();
}

/** Sessions as the idle-timeout split of each session id's events (events come sorted by ts). */
function sessionsOf(events: Row[]) {
  const last = new Map<string, { start: number; end: number; pageviews: number; entry: string }>();
  const sessions: { start: number; end: number; pageviews: number; entry: string }[] = [];
  for (const e of events) {
    const open = last.get(e.sessionId);
    if (open && e.ts - open.end <= SESSION_TIMEOUT_MS) {
      open.end = e.ts;
      open.pageviews++;
    } else {
      const session = { start: e.ts, end: e.ts, pageviews: 1, entry: e.path };
      sessions.push(session);
      last.set(e.sessionId, session);
    }
  }
  return sessions;
}

function figures(events: Row[]) {
  const sessions = sessionsOf(events);
  const bounces = sessions.filter((s) => s.pageviews === 1).length;
  const duration = sessions.reduce((sum, s) => sum + s.end - s.start, 0);
  return {
    pageviews: events.length,
    visitors: new Set(events.map((e) => e.visitorId)).size,
    sessions: sessions.length,
    bounceRate: sessions.length ? bounces / sessions.length : 0,
    avgDurationMs: sessions.length ? duration / sessions.length : 0,
  };
}

const range = { site: v.string(), from: v.number(), to: v.number() };

export const overview = query({
  args: range,
  handler: async (ctx, { site, from, to }) => figures(await scan(ctx, site, from, to)),
});

export const timeseries = query({
  args: range,
  handler: async (ctx, { site, from, to }) => {
    const byDay = new Map<number, Row[]>();
    for (const e of await scan(ctx, site, from, to)) {
      const day = e.ts - (e.ts % DAY_MS);
      (byDay.get(day) ?? byDay.set(day, []).get(day)!).push(e);
    }
    return [...byDay].sort(([a], [b]) => a - b).map(([t, events]) => ({ t, ...figures(events) }));
  },
});

export const breakdown = query({
  args: {
    ...range,
    dimension: v.union(
      v.literal("page"),
      v.literal("source"),
      v.literal("browser"),
      v.literal("country"),
      v.literal("entryPage"),
    ),
    limit: v.optional(v.number()),
  },
  handler: async (ctx, { site, from, to, dimension, limit }) => {
    const events = await scan(ctx, site, from, to);
    const rows = new Map<string, { visitors: Set<string>; pageviews: number }>();
    const add = (key: string, e: Row, pageviews: number) => {
      const row = rows.get(key) ?? rows.set(key, { visitors: new Set(), pageviews: 0 }).get(key)!;
      row.visitors.add(e.visitorId);
      row.pageviews += pageviews;
    };
    if (dimension === "entryPage") {
      const seen = new Set<string>();
      for (const e of events)
        if (!seen.has(e.sessionId)) {
          seen.add(e.sessionId);
          add(e.path, e, 1);
        }
    } else {
      const field = dimension === "page" ? "path" : dimension;
      for (const e of events) add(e[field], e, 1);
    }
    return [...rows]
      .map(([key, row]) => ({ key, visitors: row.visitors.size, pageviews: row.pageviews }))
      .sort((a, b) => b.visitors - a.visitors || a.key.localeCompare(b.key))
      .slice(0, limit ?? 10);
  },
});
