// Maintenance (invariant 5): compaction changes no figure and makes long reads
// cheaper; retention never deletes what is not yet counted; the default crons are what
// the README says, and each run is bounded.
import { cronJobs } from "convex/server";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { registerDefaultAnalyticsCrons, ANALYTICS_CRON_NAMES } from "../src/client/crons.js";
import { api, components, internal } from "../example/convex/_generated/api.js";
import exampleCrons from "../example/convex/crons.js";
import {
  COMPACTED_PARTITION,
  UNFOLDED_DAY_PARTITION,
} from "../src/component/maintenance/compaction.js";
import { RETENTION_SCAN_PER_STEP } from "../src/component/lib/limits.js";
import {
  componentDocs,
  createHarness,
  DAY,
  HOUR,
  MINUTE,
  tableCounts,
  type Harness,
} from "../harness/host.js";

const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);

function view(id: string, ts: number, visitor: string, path = "/") {
  return {
    type: "pageview",
    id,
    ts,
    visitorId: visitor,
    sessionId: `${visitor}-${Math.floor(ts / DAY)}`,
    url: `https://example.com${path}`,
    ip: "10.0.0.1",
  };
}

/** A year of traffic: every third day, five visitors (several partitions), two pages. */
function yearOfViews() {
  const events = [];
  for (let day = 1; day <= 364; day += 3) {
    for (let v = 0; v < 5; v++)
      events.push(
        view(`y${day}-${v}`, NOW - day * DAY + v * MINUTE, `v${v}`, `/p${(day + v) % 2}`),
      );
  }
  return events;
}

async function importAll(h: Harness, events: object[]) {
  for (let i = 0; i < events.length; i += 500) {
    await h.admin.mutation(api.analytics.importEvents, {
      siteId: h.siteId,
      events: events.slice(i, i + 500),
    });
  }
}

async function figures(h: Harness) {
  const year = { siteId: h.siteId, from: NOW - 365 * DAY, to: NOW };
  return {
    year: await h.admin.query(api.analytics.getOverview, year),
    month: await h.admin.query(api.analytics.getOverview, { ...year, from: NOW - 30 * DAY }),
    pages: await h.admin.query(api.analytics.getBreakdown, { ...year, dimension: "page" }),
    days: await h.admin.query(api.analytics.getTimeseries, {
      ...year,
      from: NOW - 30 * DAY,
      interval: "day",
    }),
  };
}

async function overviewDocsRead(h: Harness, days: number) {
  return await h.t.run(async (ctx) => {
    const before = await ctx.meta.getTransactionMetrics();
    await ctx.runQuery(components.analytics.reports.getOverview, {
      siteId: h.siteId,
      from: NOW - days * DAY,
      to: NOW,
    });
    const after = await ctx.meta.getTransactionMetrics();
    return after.documentsRead.used - before.documentsRead.used;
  });
}

const PARTITION_NAMES: Record<number, string> = {
  [COMPACTED_PARTITION]: "merged",
  [UNFOLDED_DAY_PARTITION]: "folded hours",
};

/** The whole-site rollup rows, as "granularity bucket partition [unfolded]: pageviews". */
async function wholeSiteRows(h: Harness) {
  const rows = await componentDocs<RollupRow>(h, "rollups");
  const bucketName = { hour: 13, day: 10, month: 7 } as const;
  return rows
    .filter((row) => row.dimension === "all")
    .map(
      (row) =>
        `${row.granularity} ${new Date(row.bucket).toISOString().slice(0, bucketName[row.granularity])} ${
          PARTITION_NAMES[row.partition] ?? "p shard"
        }${row.unfolded ? " unfolded" : ""}: ${row.pageviews}`,
    )
    .sort();
}

type RollupRow = {
  dimension: string;
  granularity: "hour" | "day" | "month";
  bucket: number;
  partition: number;
  unfolded?: boolean;
  pageviews: number;
};

/** What the `compact` cron does. */
async function compact(h: Harness) {
  const result = await h.t.action(internal.analytics.analyticsMaintenance, { task: "compact" });
  await h.settle();
  return result;
}

describe("maintenance", () => {
  let h: Harness;
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(NOW);
  });
  afterEach(() => vi.useRealTimers());

  it("compaction keeps every figure, including during aggregation and for late events, and cuts overview reads", async () => {
    h = await createHarness();
    const control = await createHarness();
    const year = yearOfViews();
    await importAll(h, year);
    await importAll(control, year);
    // Compaction while events are still pending merges what is aggregated, and nothing else.
    await h.t.action(internal.analytics.analyticsMaintenance, { task: "compact" });
    await h.settle();
    await control.settle();
    const before = { month: await overviewDocsRead(h, 30), year: await overviewDocsRead(h, 365) };
    expect(
      (await h.admin.query(api.analytics.getHealth, { siteId: h.siteId, now: Date.now() }))
        .compactionBacklog,
    ).toBeGreaterThan(0);

    const first = await compact(h);
    expect(first.more).toBe(false);
    expect(await figures(h)).toEqual(await figures(control));
    const after = { month: await overviewDocsRead(h, 30), year: await overviewDocsRead(h, 365) };
    console.log(
      `overview documents read before → after compaction: 30 days ${before.month} → ${after.month}, 365 days ${before.year} → ${after.year}`,
    );
    // A site-wide worker run writes one shard for all its events: a month of a backfill may
    // already read one row per day before compaction; a year reads fewer once months merge.
    expect(after.month).toBeLessThanOrEqual(before.month);
    expect(after.year).toBeLessThan(before.year);
    expect(
      (await h.admin.query(api.analytics.getHealth, { siteId: h.siteId, now: Date.now() }))
        .compactionBacklog,
    ).toBe(0);

    // A late event for a compacted bucket: a new shard row, counted at once, merged next time.
    const late = [view("late", NOW - 100 * DAY + 5 * HOUR, "late-visitor", "/p0")];
    await importAll(h, late);
    await importAll(control, late);
    await h.settle();
    await control.settle();
    expect(await figures(h)).toEqual(await figures(control));
    // The late session's rows: 9 dimensions (all, page, entry, exit, source, device, browser,
    // os, country) in its hour, day and month. Its hour is closed, so the worker writes the
    // day and month rows too (no read has to add an unfolded hour), as shards to merge.
    expect(
      (await h.admin.query(api.analytics.getHealth, { siteId: h.siteId, now: Date.now() }))
        .compactionBacklog,
    ).toBe(27);
    await compact(h);
    expect(
      (await h.admin.query(api.analytics.getHealth, { siteId: h.siteId, now: Date.now() }))
        .compactionBacklog,
    ).toBe(0);
    expect(await figures(h)).toEqual(await figures(control));
    expect((await figures(h)).year.visitors).toBe(6);
    expect((await figures(h)).year.pageviews).toBe(year.length + 1);
  });

  it("an open hour's rows wait for compaction to fold them into their day, and the day into its month; a closed hour's day and month rows are written with them", async () => {
    h = await createHarness();
    // One live pageview in the open hour, one backfilled into an hour that closed days ago.
    await importAll(h, [view("live", NOW - 10 * MINUTE, "a"), view("old", NOW - 5 * DAY, "b")]);
    await h.settle();
    const overview = async (from: number) =>
      (await h.admin.query(api.analytics.getOverview, { siteId: h.siteId, from, to: NOW }))
        .pageviews;
    // The open hour: an hour row only, marked for compaction (reads of its day add it). The
    // closed hour: its hour, day and month rows at once, so no read ever adds it as an hour.
    expect(await wholeSiteRows(h)).toEqual([
      "day 2026-11-15 p shard: 1",
      "hour 2026-11-15T12 p shard: 1",
      "hour 2026-11-20T11 p shard unfolded: 1",
      "month 2026-11 p shard: 1",
    ]);
    expect(await overview(NOW - 30 * DAY)).toBe(2);
    expect(await overview(NOW - DAY)).toBe(1);

    // Two hours on, the live hour has closed: compaction folds it into its day's row of
    // folded hours, which waits for the day to close before it goes into the month.
    vi.setSystemTime(NOW + 2 * HOUR);
    await compact(h);
    expect(await wholeSiteRows(h)).toEqual([
      "day 2026-11-15 merged: 1",
      "day 2026-11-20 folded hours unfolded: 1",
      "hour 2026-11-15T12 merged: 1",
      "hour 2026-11-20T11 merged: 1",
      "month 2026-11 p shard: 1",
    ]);
    expect(await overview(NOW - 30 * DAY)).toBe(2);
    expect(await overview(NOW - DAY)).toBe(1);

    // A day on, the day has closed: one fold puts it into its month.
    vi.setSystemTime(NOW + DAY);
    await compact(h);
    expect(await wholeSiteRows(h)).toEqual([
      "day 2026-11-15 merged: 1",
      "day 2026-11-20 merged: 1",
      "hour 2026-11-15T12 merged: 1",
      "hour 2026-11-20T11 merged: 1",
      // The open month: folded days go to its merged row; shards wait for the month's end.
      "month 2026-11 merged: 1",
      "month 2026-11 p shard: 1",
    ]);
    expect(await overview(NOW - 30 * DAY)).toBe(2);
    expect(await overview(NOW - DAY)).toBe(1);
  });

  it("the hour that closes a day is folded into the day, and the day into its month, in one compaction run", async () => {
    h = await createHarness();
    const lastHour = Date.UTC(2026, 10, 20, 23, 30);
    vi.setSystemTime(lastHour);
    await importAll(h, [view("last", lastHour - MINUTE, "a")]);
    await h.settle();
    // 01:30: the hour 23:00 and its day have both closed (an hour's grace).
    vi.setSystemTime(Date.UTC(2026, 10, 21, 1, 30));
    await compact(h);
    expect(await wholeSiteRows(h)).toEqual([
      "day 2026-11-20 merged: 1",
      "hour 2026-11-20T23 merged: 1",
      "month 2026-11 merged: 1",
    ]);
  });

  it("live traffic over three days, compacted every 15 minutes while hours, days and a month close, reads exactly what an uncompacted twin reads", async () => {
    const start = Date.UTC(2026, 10, 29, 20, 0);
    const end = Date.UTC(2026, 11, 2, 8, 0);
    vi.setSystemTime(start);
    h = await createHarness();
    const twin = await createHarness();
    const both = async (events: object[]) => {
      await importAll(h, events);
      await importAll(twin, events);
      await h.settle();
      await twin.settle();
    };
    // Whole months (October, November), whole days and the ragged hours of December.
    const reads = async (site: Harness) => {
      const range = { siteId: site.siteId, from: Date.UTC(2026, 9, 1), to: end };
      return {
        overview: await site.admin.query(api.analytics.getOverview, range),
        pages: await site.admin.query(api.analytics.getBreakdown, { ...range, dimension: "page" }),
        exits: await site.admin.query(api.analytics.getBreakdown, {
          ...range,
          dimension: "exitPage",
        }),
        days: await site.admin.query(api.analytics.getTimeseries, { ...range, interval: "day" }),
        hours: await site.admin.query(api.analytics.getTimeseries, {
          ...range,
          from: end - 2 * DAY,
          interval: "hour",
        }),
      };
    };
    let step = 0;
    let checkpoints = 0;
    for (let now = start; now < end; now += 10 * MINUTE, step++) {
      vi.setSystemTime(now);
      const visitor = `v${step % 7}`;
      await both([
        {
          ...view(`live${step}`, now - 30_000, visitor, `/p${step % 3}`),
          sessionId: `${visitor}-${Math.floor(now / (3 * HOUR))}`,
        },
      ]);
      if (step % 3 === 0) await compact(h);
      if (step % 36 === 0) {
        expect(await reads(h)).toEqual(await reads(twin));
        checkpoints++;
      }
    }
    // Late events: into an hour compaction folded, and into a day already in its month.
    vi.setSystemTime(end);
    await both([
      view("late-hour", end - 5 * HOUR, "late", "/p1"),
      view("late-day", Date.UTC(2026, 10, 29, 22, 30), "late", "/p2"),
    ]);
    expect(await reads(h)).toEqual(await reads(twin));
    await compact(h);
    const compacted = await reads(h);
    expect(compacted).toEqual(await reads(twin));
    expect(checkpoints).toBe(10);
    expect(compacted.overview.pageviews).toBe(step + 2);
    expect(compacted.overview.visitors).toBe(8);
    // Everything closed got folded: what is left is today's folded hours and the open hours.
    const rows = await wholeSiteRows(h);
    expect(rows.filter((row) => row.includes("unfolded") && !row.startsWith("hour"))).toEqual([
      expect.stringMatching(/^day 2026-12-02 folded hours unfolded: \d+$/),
    ]);
    expect(rows.filter((row) => row.startsWith("month") && row.includes("merged"))).toEqual([
      expect.stringMatching(/^month 2026-11 merged: \d+$/),
      expect.stringMatching(/^month 2026-12 merged: \d+$/),
    ]);
  });

  it("retention deletes old aggregated events but keeps a pending backfill until it is counted", async () => {
    h = await createHarness();
    await h.admin.mutation(api.analytics.updateSite, {
      siteId: h.siteId,
      settings: { retentionDays: 30 },
    });
    const old = NOW - 60 * DAY;
    await importAll(h, [view("o1", old, "a"), view("o2", old + MINUTE, "a", "/b")]);
    await h.settle();
    // A backfill for the same old day arrives and is still pending when retention runs.
    await importAll(h, [view("o3", old + 2 * MINUTE, "b")]);
    const pass = await h.admin.mutation(api.analytics.runMaintenance, { siteId: h.siteId });
    expect(pass.expired).toBeGreaterThanOrEqual(2); // o1, o2 (and the session of a)
    const oldDay = { siteId: h.siteId, from: old - HOUR, to: old + HOUR };
    const listed = await h.admin.query(api.analytics.listEvents, {
      ...oldDay,
      paginationOpts: { numItems: 10, cursor: null },
    });
    expect(listed.page.map((e: { eventId: string }) => e.eventId)).toEqual(["o3"]);
    await h.settle();
    const overview = await h.admin.query(api.analytics.getOverview, oldDay);
    expect(overview).toMatchObject({ pageviews: 3, visitors: 2, sessions: 2 });
    await h.admin.mutation(api.analytics.runMaintenance, { siteId: h.siteId });
    const empty = await h.admin.query(api.analytics.listEvents, {
      ...oldDay,
      paginationOpts: { numItems: 10, cursor: null },
    });
    expect(empty.page).toEqual([]);
    expect(await h.admin.query(api.analytics.getOverview, oldDay)).toEqual(overview);
  });

  it("a pending backfill larger than a retention step does not stall retention of what is counted", async () => {
    h = await createHarness();
    await h.admin.mutation(api.analytics.updateSite, {
      siteId: h.siteId,
      settings: { retentionDays: 30, visitRetentionDays: 30 },
    });
    const old = NOW - 60 * DAY;
    await importAll(h, [
      view("counted-1", old + HOUR, "a"),
      view("counted-2", old + HOUR + MINUTE, "a", "/b"),
    ]);
    await h.settle();
    // An older backfill, more events than one step may scan, still pending (no worker ran).
    const backfill = Array.from({ length: RETENTION_SCAN_PER_STEP + 200 }, (_, i) =>
      view(`bf${i}`, old - DAY + i * 1_000, `b${i % 50}`, `/p${i}`),
    );
    await importAll(h, backfill);
    const pass = await h.admin.mutation(api.analytics.runMaintenance, { siteId: h.siteId });
    // The two counted events and a's session, in one bounded pass; no pending event.
    expect(pass.expired).toBe(3);
    expect(
      (await h.admin.query(api.analytics.getHealth, { siteId: h.siteId, now: Date.now() }))
        .pendingEvents,
    ).toBe(backfill.length);
    await h.settle();
    const oldDays = { siteId: h.siteId, from: old - 2 * DAY, to: old + DAY };
    expect(await h.admin.query(api.analytics.getOverview, oldDays)).toMatchObject({
      pageviews: backfill.length + 2,
      visitors: 51,
    });
  });

  it("keeps sessions for the visit retention after raw events expire, so filtered reads still count them", async () => {
    h = await createHarness();
    await h.admin.mutation(api.analytics.updateSite, {
      siteId: h.siteId,
      settings: { retentionDays: 30 },
    });
    const old = NOW - 60 * DAY;
    await importAll(h, [
      view("kept-1", old + HOUR, "a"),
      view("kept-2", old + HOUR + MINUTE, "a", "/b"),
    ]);
    await h.settle();
    const pass = await h.admin.mutation(api.analytics.runMaintenance, { siteId: h.siteId });
    // The two raw events go; a's session stays (default visit retention: 400 days).
    expect(pass.expired).toBe(2);
    const oldDays = { siteId: h.siteId, from: old - DAY, to: old + DAY };
    const filtered = await h.admin.query(api.analytics.getOverview, {
      ...oldDays,
      filters: [["is", "page", ["/b"]]],
    });
    expect(filtered).toMatchObject({ sessions: 1, visitors: 1, pageviews: 1 });
    // Past the visit retention the session goes too.
    await h.admin.mutation(api.analytics.updateSite, {
      siteId: h.siteId,
      settings: { visitRetentionDays: 45 },
    });
    expect(
      (await h.admin.mutation(api.analytics.runMaintenance, { siteId: h.siteId })).expired,
    ).toBe(1);
    expect(
      await h.admin.query(api.analytics.getOverview, {
        ...oldDays,
        filters: [["is", "page", ["/b"]]],
      }),
    ).toMatchObject({ sessions: 0, visitors: 0, pageviews: 0 });
  });

  it("the sweep re-kicks a partition whose worker was lost", async () => {
    h = await createHarness();
    await importAll(h, [view("s1", NOW - HOUR, "a")]);
    // The scheduled worker is lost (as in a crash): drop every pending timer.
    vi.clearAllTimers();
    await h.t.finishInProgressScheduledFunctions();
    vi.setSystemTime(NOW + MINUTE);
    expect(
      (await h.admin.query(api.analytics.getHealth, { siteId: h.siteId, now: Date.now() }))
        .pendingEvents,
    ).toBe(1);
    const swept = await h.t.action(internal.analytics.analyticsMaintenance, { task: "sweep" });
    expect(swept).toMatchObject({ done: 1, more: false });
    await h.settle();
    const health = await h.admin.query(api.analytics.getHealth, {
      siteId: h.siteId,
      now: Date.now(),
    });
    expect(health).toMatchObject({
      pendingEvents: 0,
      oldestPendingMs: null,
      failedEvents: 0,
      duplicateSessions: 0,
    });
  });
  it("getHealth says when the workers last folded and how often a session write extended a session, from what each run writes anyway", async () => {
    h = await createHarness();
    const health = () => h.admin.query(api.analytics.getHealth, { siteId: h.siteId, now: NOW });
    expect(await health()).toMatchObject({ lastAggregatedAt: null, sessionReuseRatio: 0 });
    // One visit folded over three runs (created, then extended twice), one folded in one run.
    for (const [i, visitor] of ["a", "a", "a", "b"].entries()) {
      vi.setSystemTime(NOW + i * 10 * MINUTE);
      await importAll(h, [view(`r${i}`, NOW - HOUR + i * MINUTE, visitor)]);
      await h.settle();
    }
    const lastImport = NOW + 30 * MINUTE;
    const { lastAggregatedAt, sessionReuseRatio } = await health();
    // 4 session writes, 2 of them extensions.
    expect(sessionReuseRatio).toBe(0.5);
    expect(lastAggregatedAt).toBeGreaterThan(lastImport);
    expect(lastAggregatedAt).toBeLessThanOrEqual(Date.now());
    // No document a run writes only to keep count.
    expect((await tableCounts(h)).workerState).toBe(0);
  });

  it("getHealth ages pending events by the now it is given, never by the clock (a subscription would freeze)", async () => {
    h = await createHarness();
    await importAll(h, [view("c1", NOW - HOUR, "a")]);
    const at = (now: number) =>
      h.admin
        .query(api.analytics.getHealth, { siteId: h.siteId, now })
        .then((x) => x.oldestPendingMs);
    expect(await at(NOW + 5 * MINUTE)).toBe(5 * MINUTE);
    expect(await at(NOW + 20 * MINUTE)).toBe(20 * MINUTE);
    await h.settle();
  });
});

describe("default crons", () => {
  it("registers the four bounded maintenance jobs on the host's action, with configurable intervals", () => {
    const crons = cronJobs();
    registerDefaultAnalyticsCrons(crons, internal.analytics.analyticsMaintenance, {
      compactionMinutes: 60,
    });
    expect(crons.crons).toEqual({
      [ANALYTICS_CRON_NAMES.sweep]: {
        name: "analytics:analyticsMaintenance",
        args: [{ task: "sweep" }],
        schedule: { type: "interval", minutes: 10 },
      },
      [ANALYTICS_CRON_NAMES.compact]: {
        name: "analytics:analyticsMaintenance",
        args: [{ task: "compact" }],
        schedule: { type: "interval", minutes: 60 },
      },
      [ANALYTICS_CRON_NAMES.retention]: {
        name: "analytics:analyticsMaintenance",
        args: [{ task: "retention" }],
        schedule: { type: "interval", hours: 24 },
      },
      [ANALYTICS_CRON_NAMES.presence]: {
        name: "analytics:analyticsMaintenance",
        args: [{ task: "presence" }],
        schedule: { type: "interval", minutes: 10 },
      },
    });
    expect(Object.keys(exampleCrons.crons)).toEqual(Object.values(ANALYTICS_CRON_NAMES));
    expect(() =>
      registerDefaultAnalyticsCrons(cronJobs(), internal.analytics.analyticsMaintenance, {
        sweepMinutes: 0,
      }),
    ).toThrow(/sweepMinutes must be a positive integer, got 0/);
  });

  it("crons can't name a component function directly, which is why the host action exists", () => {
    expect(() =>
      cronJobs().interval(
        "x",
        { minutes: 1 },
        components.analytics.maintenance.run as never,
        { task: "sweep" } as never,
      ),
    ).toThrow(/current component/);
  });
});
