// Maintenance (ARCHITECTURE invariant 5): compaction changes no figure and makes long reads
// cheaper; retention never deletes what is not yet counted; the default crons are what
// the README says, and each run is bounded.
import { cronJobs } from "convex/server";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { registerDefaultAnalyticsCrons, ANALYTICS_CRON_NAMES } from "../src/client/crons.js";
import { api, components, internal } from "../example/convex/_generated/api.js";
import exampleCrons from "../example/convex/crons.js";
import { RETENTION_SCAN_PER_STEP } from "../src/component/lib/limits.js";
import { createHarness, DAY, HOUR, MINUTE, type Harness } from "./harness.js";

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
    expect(after.month).toBeLessThan(before.month);
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
    // os, country) in its hour (compaction folds them into their day and month).
    expect(
      (await h.admin.query(api.analytics.getHealth, { siteId: h.siteId, now: Date.now() }))
        .compactionBacklog,
    ).toBe(9);
    await compact(h);
    expect(
      (await h.admin.query(api.analytics.getHealth, { siteId: h.siteId, now: Date.now() }))
        .compactionBacklog,
    ).toBe(0);
    expect(await figures(h)).toEqual(await figures(control));
    expect((await figures(h)).year.visitors).toBe(6);
    expect((await figures(h)).year.pageviews).toBe(year.length + 1);
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
        schedule: { type: "interval", minutes: 1 },
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
        schedule: { type: "interval", minutes: 5 },
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
