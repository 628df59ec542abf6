// The numbers of contract §5, worked out by hand for one realistic hour of traffic, read back
// through the example app's facades after going through the real HTTP route and worker.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { api } from "../example/convex/_generated/api.js";
import { createHarness, HOUR, MINUTE, type Harness } from "../harness/host.js";

const T0 = Date.UTC(2026, 10, 2, 10, 0, 0); // Monday 2026-11-02 10:00 UTC

// Visitor a: session a1 (google, utm, 2 counted views of 3, a signup, a heartbeat at +5 min),
// then after a 35-minute gap session a2 (one view of /docs: a bounce).
// Visitor b: one view of /pricing from a same-site referrer (a bounce), then identifies.
// Visitor c: a signup event and no pageview (a session, but not a pageview session).
function scenario() {
  const a = { visitorId: "va", sessionId: "sa" };
  const b = { visitorId: "vb", sessionId: "sb" };
  const c = { visitorId: "vc", sessionId: "sc" };
  const url = (path: string) => `https://example.com${path}`;
  return [
    {
      ...a,
      type: "pageview",
      id: "a1",
      ts: T0,
      url: url("/?utm_source=news&utm_medium=email&utm_campaign=launch"),
      referrer: "https://www.google.com/search?q=x",
    },
    {
      ...a,
      type: "pageview",
      id: "a2",
      ts: T0 + 1 * MINUTE,
      url: url("/pricing"),
      referrer: url("/"),
    },
    {
      ...a,
      type: "pageview",
      id: "a3",
      ts: T0 + 2 * MINUTE,
      url: url("/pricing"),
      referrer: url("/pricing"),
    },
    {
      ...a,
      type: "event",
      id: "a4",
      ts: T0 + 3 * MINUTE,
      url: url("/pricing"),
      name: "signup",
      props: { plan: "pro" },
    },
    { ...a, type: "heartbeat", id: "a5", ts: T0 + 5 * MINUTE, url: url("/pricing") },
    { ...a, type: "pageview", id: "a6", ts: T0 + 40 * MINUTE, url: url("/docs") },
    {
      ...b,
      type: "pageview",
      id: "b1",
      ts: T0 + 10 * MINUTE,
      url: url("/pricing"),
      referrer: url("/"),
    },
    { ...b, type: "identify", id: "b2", ts: T0 + 11 * MINUTE, userId: "user-1" },
    {
      ...c,
      type: "event",
      id: "c1",
      ts: T0 + 20 * MINUTE,
      url: url("/pricing"),
      name: "signup",
      props: { plan: "free" },
    },
  ];
}

const range = (h: Harness) => ({ siteId: h.siteId, from: T0, to: T0 + HOUR });

async function allFigures(h: Harness) {
  const dims = [
    "page",
    "entryPage",
    "exitPage",
    "source",
    "utmSource",
    "utmMedium",
    "utmCampaign",
    "country",
    "device",
    "browser",
    "os",
    "event",
  ] as const;
  const breakdowns: Record<string, unknown> = {};
  for (const dimension of dims) {
    breakdowns[dimension] = (
      await h.admin.query(api.analytics.getBreakdown, { ...range(h), dimension })
    ).rows;
  }
  return {
    overview: await h.admin.query(api.analytics.getOverview, range(h)),
    hourly: await h.admin.query(api.analytics.getTimeseries, { ...range(h), interval: "hour" }),
    breakdowns,
    plans: await h.admin.query(api.analytics.getEventProperties, {
      ...range(h),
      eventName: "signup",
      property: "plan",
    }),
  };
}

describe("the figures of one hour of traffic", () => {
  let h: Harness;
  beforeEach(async () => {
    vi.useFakeTimers();
    vi.setSystemTime(T0 + 2 * HOUR);
    h = await createHarness();
  });
  afterEach(() => vi.useRealTimers());

  it("counts pageviews, visitors, sessions, bounces, duration, events and users as contract §5 defines them", async () => {
    const response = await h.send(scenario());
    expect(response.status).toBe(202);
    expect(response.body).toEqual({ accepted: 9, duplicates: 0, filtered: 0, rejected: [] });
    await h.settle();

    const { overview, hourly, breakdowns, plans } = await allFigures(h);
    expect(overview).toEqual({
      range: { from: T0, to: T0 + HOUR },
      pageviews: 4, // a1, a2 (a3 repeats /pricing within 30 min), a6, b1
      visitors: 3,
      sessions: 4, // a1, a2 (35-minute gap, same sessionId), b, c
      bounceRate: 2 / 3, // a2 and b of the 3 sessions with a pageview
      avgDurationMs: 100_000, // (5 min + 0 + 0) / 3
      viewsPerSession: 4 / 3,
      events: 2,
      identifiedUsers: 1,
    });
    expect(hourly.points).toEqual([
      { t: T0, pageviews: 4, visitors: 3, sessions: 4, bounceRate: 2 / 3, avgDurationMs: 100_000 },
    ]);
    expect(breakdowns.page).toEqual([
      { key: "/pricing", visitors: 2, pageviews: 2, sessions: 2, events: 0 },
      { key: "/", visitors: 1, pageviews: 1, sessions: 1, events: 0 },
      { key: "/docs", visitors: 1, pageviews: 1, sessions: 1, events: 0 },
    ]);
    expect(breakdowns.source).toEqual([
      { key: "Direct / None", visitors: 3, pageviews: 2, sessions: 3, events: 1 },
      { key: "google.com", visitors: 1, pageviews: 2, sessions: 1, events: 1 },
    ]);
    expect(breakdowns.entryPage).toEqual([
      { key: "/", visitors: 1, pageviews: 2, sessions: 1, events: 1 },
      { key: "/docs", visitors: 1, pageviews: 1, sessions: 1, events: 0 },
      { key: "/pricing", visitors: 1, pageviews: 1, sessions: 1, events: 0 },
    ]);
    expect(breakdowns.exitPage).toEqual([
      { key: "/pricing", visitors: 2, pageviews: 3, sessions: 2, events: 1 },
      { key: "/docs", visitors: 1, pageviews: 1, sessions: 1, events: 0 },
    ]);
    for (const dimension of ["utmSource", "utmMedium", "utmCampaign"]) {
      const key = { utmSource: "news", utmMedium: "email", utmCampaign: "launch" }[dimension]!;
      expect(breakdowns[dimension]).toEqual([
        { key, visitors: 1, pageviews: 2, sessions: 1, events: 1 },
      ]);
    }
    expect(breakdowns.event).toEqual([
      { key: "signup", visitors: 2, pageviews: 0, sessions: 2, events: 2 },
    ]);
    expect(breakdowns.device).toEqual([
      { key: "Desktop", visitors: 3, pageviews: 4, sessions: 4, events: 2 },
    ]);
    expect(breakdowns.browser).toEqual([
      { key: "Chrome", visitors: 3, pageviews: 4, sessions: 4, events: 2 },
    ]);
    expect(breakdowns.os).toEqual([
      { key: "macOS", visitors: 3, pageviews: 4, sessions: 4, events: 2 },
    ]);
    expect(breakdowns.country).toEqual([
      { key: "Unknown", visitors: 3, pageviews: 4, sessions: 4, events: 2 },
    ]);
    expect(plans.rows).toEqual([
      { key: "free", events: 1, visitors: 1 },
      { key: "pro", events: 1, visitors: 1 },
    ]);
  });

  it("gives the same figures when the same events arrive shuffled, in late batches", async () => {
    const events = scenario();
    const order = [5, 8, 2, 7, 0, 4, 6, 1, 3]; // a6 first, a1 (the entry) in the middle
    for (const batch of [order.slice(0, 3), order.slice(3, 6), order.slice(6)]) {
      expect((await h.send(batch.map((i) => events[i]))).status).toBe(202);
      await h.settle();
    }
    const late = await allFigures(h);

    vi.setSystemTime(T0 + 2 * HOUR);
    const ordered = await createHarness();
    await ordered.send(events);
    await ordered.settle();
    expect(late).toEqual(await allFigures(ordered));
  });

  it("counts a resent batch once and reports the duplicates", async () => {
    await h.send(scenario());
    const again = await h.send(scenario());
    expect(again.body).toEqual({ accepted: 0, duplicates: 9, filtered: 0, rejected: [] });
    await h.settle();
    const overview = await h.admin.query(api.analytics.getOverview, range(h));
    expect([overview.pageviews, overview.sessions, overview.events]).toEqual([4, 4, 2]);
  });

  it("lists raw events with their public fields only: no traits, status or other bookkeeping", async () => {
    const events = scenario().map((e) =>
      e.type === "identify" ? { ...e, traits: { plan: "pro" } } : e,
    );
    await h.send(events);
    await h.settle();
    const { page } = await h.admin.query(api.analytics.listEvents, {
      siteId: h.siteId,
      paginationOpts: { numItems: 100, cursor: null },
    });
    const identify = page.find((e) => e.type === "identify")!;
    expect(identify).toMatchObject({ eventId: "b2", userId: "user-1", visitorId: "vb" });
    const keys = new Set(page.flatMap((e) => Object.keys(e)));
    for (const internal of [
      "traits",
      "status",
      "partition",
      "receivedAt",
      "siteId",
      "failure",
      "attempts",
    ])
      expect(keys.has(internal)).toBe(false);
  });
});
