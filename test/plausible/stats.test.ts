// Plausible's Stats API v2 through the example host's real route (POST /api/v2/query): a table
// of queries modelled on Plausible's documented examples, each answered with figures counted
// by hand from the small scenario below, plus the errors and the stats-key lifecycle.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { api } from "../../example/convex/_generated/api.js";
import { HOUR, MINUTE, createHarness, pageview, type Harness } from "../../harness/host.js";

const NOW = Date.UTC(2026, 10, 20, 12, 0, 0); // Friday 2026-11-20 12:00 UTC: events arrive
/** When the queries run: the next morning, so `7d` (the 7 days before today) holds them all. */
const QUERY_NOW = Date.UTC(2026, 10, 21, 8, 0, 0);
const TODAY = Date.UTC(2026, 10, 20);
const YESTERDAY = Date.UTC(2026, 10, 19);
const OCT_30 = Date.UTC(2026, 9, 30);
const NOV_2 = Date.UTC(2026, 10, 2);

/**
 * The scenario (site example.com, UTC), one session each:
 * - v4 Friday 2026-10-30 14:00: "/blog" from google; a bounce.                          (US)
 * - v1 Monday 2026-11-02 09:00: "/pricing", direct; a bounce.                           (US)
 * - v1 yesterday 15:00: "/blog", direct; a bounce of 0 s.                               (US)
 * - v1 today 09:00 "/" from google, 09:05 "/pricing", 09:06 event Signup {plan: pro}; 360 s. (US)
 * - v2 today 10:00 "/?utm_source=news", direct; a bounce of 0 s.                          (EE)
 * - v3 today 10:30 "/blog" from news.ycombinator.com, 10:40 "/pricing"; 600 s.             (US)
 * Engagement, each inside its visit (so no duration changes): v1 today on "/" 30 % for 8 s and
 * on "/pricing" 90 % for 45 s; v3 on "/blog" 60 % for 20 s.
 * Goals: "Signup" (event Signup) and "Pricing" (page /pricing).
 */
async function scenario(h: Harness) {
  const us = { "cf-ipcountry": "US" };
  const visit = (visitor: string) => ({ visitorId: visitor, sessionId: visitor });
  const engagement = (
    id: string,
    ts: number,
    path: string,
    visitor: string,
    scrollDepth: number,
    engagedMs: number,
  ) => ({ ...pageview(id, ts, path, visit(visitor)), type: "engagement", scrollDepth, engagedMs });
  // The older visits, each sent on its day (live ingest takes the last 24 hours).
  vi.setSystemTime(OCT_30 + 16 * HOUR);
  await h.send(
    [
      pageview("o1", OCT_30 + 14 * HOUR, "/blog", {
        ...visit("v4"),
        referrer: "https://www.google.com/",
      }),
    ],
    us,
  );
  await h.settle();
  vi.setSystemTime(NOV_2 + 12 * HOUR);
  await h.send([pageview("n1", NOV_2 + 9 * HOUR, "/pricing", visit("v1"))], us);
  await h.settle();
  vi.setSystemTime(NOW);
  await h.send([pageview("y1", YESTERDAY + 15 * HOUR, "/blog", visit("v1"))], us);
  await h.send(
    [
      pageview("a1", TODAY + 9 * HOUR, "/", {
        ...visit("v1"),
        referrer: "https://www.google.com/",
      }),
      pageview("a2", TODAY + 9 * HOUR + 5 * MINUTE, "/pricing", visit("v1")),
      {
        ...pageview("a3", TODAY + 9 * HOUR + 6 * MINUTE, "/pricing", visit("v1")),
        type: "event",
        name: "Signup",
        props: { plan: "pro" },
      },
      engagement("e1", TODAY + 9 * HOUR + 3 * MINUTE, "/", "v1", 30, 8_000),
      engagement("e2", TODAY + 9 * HOUR + 6 * MINUTE, "/pricing", "v1", 90, 45_000),
      engagement("e3", TODAY + 10 * HOUR + 35 * MINUTE, "/blog", "v3", 60, 20_000),
      pageview("c1", TODAY + 10 * HOUR + 30 * MINUTE, "/blog", {
        ...visit("v3"),
        referrer: "https://news.ycombinator.com/item?id=1",
      }),
      pageview("c2", TODAY + 10 * HOUR + 40 * MINUTE, "/pricing", visit("v3")),
    ],
    us,
  );
  await h.send([pageview("b1", TODAY + 10 * HOUR, "/?utm_source=news", visit("v2"))], {
    "cf-ipcountry": "EE",
  });
  await h.admin.mutation(api.analytics.createGoal, {
    siteId: h.siteId,
    name: "Signup",
    kind: "event",
    eventName: "Signup",
  });
  await h.admin.mutation(api.analytics.createGoal, {
    siteId: h.siteId,
    name: "Pricing",
    kind: "page",
    pathPattern: "/pricing",
  });
  await h.settle();
}

let h: Harness;
let key: string;
beforeEach(async () => {
  vi.useFakeTimers();
  vi.setSystemTime(OCT_30);
  h = await createHarness();
  await scenario(h);
  ({ key } = await h.admin.mutation(api.analytics.createStatsKey, {
    siteIds: [h.siteId],
    name: "dashboards",
  }));
  vi.setSystemTime(QUERY_NOW);
});
afterEach(() => vi.useRealTimers());

async function query(body: Record<string, unknown>, bearer: string | null = key) {
  const response = await h.t.fetch("/api/v2/query", {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      ...(bearer ? { Authorization: `Bearer ${bearer}` } : {}),
    },
    body: JSON.stringify({ site_id: "example.com", ...body }),
  });
  return { status: response.status, body: await response.json() };
}

const ALL_AGGREGATES = [
  "visitors",
  "visits",
  "pageviews",
  "views_per_visit",
  "bounce_rate",
  "visit_duration",
  "events",
];

/** [what the docs example shows, the query, the expected results (and meta)]. */
const TABLE: [string, Record<string, unknown>, unknown[], Record<string, unknown>?][] = [
  [
    "every aggregate metric over 7d",
    { metrics: ALL_AGGREGATES, date_range: "7d" },
    // 3 visitors, 4 visits, 6 pageviews; 6/4 views a visit; 2 of 4 bounced; (0+360+0+600)/4 s;
    // events are pageviews + the signup.
    [{ metrics: [3, 4, 6, 1.5, 50, 240, 7], dimensions: [] }],
  ],
  [
    "one day, as an ISO date pair",
    { metrics: ALL_AGGREGATES, date_range: ["2026-11-20", "2026-11-20"] },
    // 1 of 3 bounced: 33 %; (360+0+600)/3 = 320 s.
    [{ metrics: [3, 3, 5, 1.67, 33, 320, 6], dimensions: [] }],
  ],
  [
    "today (day), before anything happened today",
    { metrics: ["visitors", "pageviews"], date_range: "day" },
    [{ metrics: [0, 0], dimensions: [] }],
  ],
  [
    "visitors by source",
    { metrics: ["visitors"], date_range: "7d", dimensions: ["visit:source"] },
    [
      { metrics: [2], dimensions: ["Direct / None"] },
      { metrics: [1], dimensions: ["google.com"] },
      { metrics: [1], dimensions: ["news.ycombinator.com"] },
    ],
  ],
  [
    "top pages of one country",
    {
      metrics: ["visitors", "pageviews"],
      date_range: "7d",
      dimensions: ["event:page"],
      filters: [["is", "visit:country", ["US"]]],
    },
    [
      { metrics: [2, 2], dimensions: ["/blog"] },
      { metrics: [2, 2], dimensions: ["/pricing"] },
      { metrics: [1, 1], dimensions: ["/"] },
    ],
  ],
  [
    "daily visitors with time labels over an ISO date range",
    {
      metrics: ["visitors", "pageviews"],
      date_range: ["2026-11-18", "2026-11-20"],
      dimensions: ["time:day"],
      include: { time_labels: true },
    },
    [
      { metrics: [1, 1], dimensions: ["2026-11-19"] },
      { metrics: [3, 5], dimensions: ["2026-11-20"] },
    ],
    { time_labels: ["2026-11-18", "2026-11-19", "2026-11-20"] },
  ],
  [
    "hourly visitors of one day",
    { metrics: ["visitors"], date_range: ["2026-11-20", "2026-11-20"], dimensions: ["time:hour"] },
    [
      { metrics: [1], dimensions: ["2026-11-20 09:00:00"] },
      { metrics: [2], dimensions: ["2026-11-20 10:00:00"] },
    ],
  ],
  [
    "goal conversions",
    {
      metrics: ["visitors", "events", "conversion_rate"],
      date_range: "7d",
      dimensions: ["event:goal"],
    },
    // Pricing: v1 and v3 of 3 visitors, two views of /pricing; Signup: v1, once.
    [
      { metrics: [2, 2, 66.67], dimensions: ["Pricing"] },
      { metrics: [1, 1, 33.33], dimensions: ["Signup"] },
    ],
  ],
  [
    "conversion rate of one goal",
    {
      metrics: ["visitors", "conversion_rate"],
      date_range: "7d",
      filters: [["is", "event:goal", ["Signup"]]],
    },
    [{ metrics: [1, 33.33], dimensions: [] }],
  ],
  [
    "UTM sources with their share of visitors",
    {
      metrics: ["visitors", "percentage"],
      date_range: ["2026-11-20", "2026-11-20"],
      dimensions: ["visit:utm_source"],
    },
    [{ metrics: [1, 33.3], dimensions: ["news"] }],
  ],
  [
    "a page of pages by pageviews, with the total",
    {
      metrics: ["pageviews"],
      date_range: "7d",
      dimensions: ["event:page"],
      order_by: [["pageviews", "desc"]],
      pagination: { limit: 1, offset: 1 },
      include: { total_rows: true },
    },
    // Three pages of 2 views each, ties by path: "/", "/blog", "/pricing".
    [{ metrics: [2], dimensions: ["/blog"] }],
    { total_rows: 3 },
  ],
  [
    "visits excluding pages that contain a word, and a contains filter",
    {
      metrics: ["visits"],
      date_range: "7d",
      filters: [
        ["contains_not", "event:page", ["blog"]],
        ["and", [["is_not", "visit:country", ["EE"]]]],
      ],
    },
    // Visits that viewed no "blog" page and are not from EE: only v1's today.
    [{ metrics: [1], dimensions: [] }],
  ],
  [
    "weekly visitors over four weeks, with time labels",
    {
      metrics: ["visitors", "visits", "pageviews"],
      date_range: ["2026-10-28", "2026-11-20"],
      dimensions: ["time:week"],
      include: { time_labels: true },
    },
    // Weeks start on Monday; the first is labelled with the range's first day (a Wednesday).
    // Oct 28–Nov 1: v4. Nov 2–8: v1. Nov 9–15: nothing, no row. Nov 16–20: v1 (twice), v2,
    // v3: 4 visits, 1 + 2 + 1 + 2 pageviews.
    [
      { metrics: [1, 1, 1], dimensions: ["2026-10-28"] },
      { metrics: [1, 1, 1], dimensions: ["2026-11-02"] },
      { metrics: [3, 4, 6], dimensions: ["2026-11-16"] },
    ],
    { time_labels: ["2026-10-28", "2026-11-02", "2026-11-09", "2026-11-16"] },
  ],
  [
    "monthly visitors, each visitor once a month",
    {
      metrics: ["visitors", "visits", "pageviews", "bounce_rate"],
      date_range: ["2026-10-15", "2026-11-20"],
      dimensions: ["time:month"],
      include: { time_labels: true },
    },
    // November: v1, v2, v3 (v1 in two weeks, counted once); 5 visits, 7 pageviews; v1's
    // visits of Nov 2 and 19 and v2's bounced: 3 of 5.
    [
      { metrics: [1, 1, 1, 100], dimensions: ["2026-10-01"] },
      { metrics: [3, 5, 7, 60], dimensions: ["2026-11-01"] },
    ],
    { time_labels: ["2026-10-01", "2026-11-01"] },
  ],
  [
    "`time` over 91 days, by week as Plausible resolves it",
    { metrics: ["visitors"], date_range: "91d", dimensions: ["time"] },
    [
      { metrics: [1], dimensions: ["2026-10-26"] },
      { metrics: [1], dimensions: ["2026-11-02"] },
      { metrics: [3], dimensions: ["2026-11-16"] },
    ],
  ],
  [
    "time on page and scroll depth of each page (null where no visit sent engagement)",
    {
      metrics: ["visitors", "time_on_page", "scroll_depth"],
      date_range: "7d",
      dimensions: ["event:page"],
      order_by: [["event:page", "asc"]],
    },
    // One engaged visit a page today: its seconds and its deepest scroll.
    [
      { metrics: [2, 8, 30], dimensions: ["/"] },
      { metrics: [2, 20, 60], dimensions: ["/blog"] },
      { metrics: [2, 45, 90], dimensions: ["/pricing"] },
    ],
  ],
  [
    "engagement of the pages of one day before today: none sent",
    {
      metrics: ["visitors", "time_on_page", "scroll_depth"],
      date_range: ["2026-11-19", "2026-11-19"],
      dimensions: ["event:page"],
    },
    [{ metrics: [1, null, null], dimensions: ["/blog"] }],
  ],
  [
    "top pages of each day",
    {
      metrics: ["visitors", "pageviews"],
      date_range: ["2026-11-19", "2026-11-20"],
      dimensions: ["time:day", "event:page"],
    },
    // Day ascending, then visitors descending, ties by page.
    [
      { metrics: [1, 1], dimensions: ["2026-11-19", "/blog"] },
      { metrics: [2, 2], dimensions: ["2026-11-20", "/"] },
      { metrics: [2, 2], dimensions: ["2026-11-20", "/pricing"] },
      { metrics: [1, 1], dimensions: ["2026-11-20", "/blog"] },
    ],
  ],
  [
    "sources of each hour, with time labels",
    {
      metrics: ["visitors", "visits"],
      date_range: ["2026-11-20", "2026-11-20"],
      dimensions: ["time:hour", "visit:source"],
      include: { time_labels: true },
    },
    [
      { metrics: [1, 1], dimensions: ["2026-11-20 09:00:00", "google.com"] },
      { metrics: [1, 1], dimensions: ["2026-11-20 10:00:00", "Direct / None"] },
      { metrics: [1, 1], dimensions: ["2026-11-20 10:00:00", "news.ycombinator.com"] },
    ],
    {
      time_labels: Array.from(
        { length: 24 },
        (_, hour) => `2026-11-20 ${String(hour).padStart(2, "0")}:00:00`,
      ),
    },
  ],
  [
    "sources by country, with their share of all visitors",
    {
      metrics: ["visitors", "percentage"],
      date_range: "7d",
      dimensions: ["visit:country", "visit:source"],
    },
    // US visits: v1's direct (Nov 19) and from google (Nov 20), v3's from HN; EE: v2, direct.
    // Each 1 of the 3 visitors.
    [
      { metrics: [1, 33.3], dimensions: ["EE", "Direct / None"] },
      { metrics: [1, 33.3], dimensions: ["US", "Direct / None"] },
      { metrics: [1, 33.3], dimensions: ["US", "google.com"] },
      { metrics: [1, 33.3], dimensions: ["US", "news.ycombinator.com"] },
    ],
  ],
  [
    "pages by source, the page first",
    {
      metrics: ["visitors", "pageviews"],
      date_range: "7d",
      dimensions: ["event:page", "visit:source"],
    },
    // Direct: v1 viewed /blog (Nov 19), v2 "/"; google: v1 "/" and /pricing; HN: v3 /blog and
    // /pricing. One view each.
    [
      { metrics: [1, 1], dimensions: ["/", "Direct / None"] },
      { metrics: [1, 1], dimensions: ["/", "google.com"] },
      { metrics: [1, 1], dimensions: ["/blog", "Direct / None"] },
      { metrics: [1, 1], dimensions: ["/blog", "news.ycombinator.com"] },
      { metrics: [1, 1], dimensions: ["/pricing", "google.com"] },
      { metrics: [1, 1], dimensions: ["/pricing", "news.ycombinator.com"] },
    ],
  ],
  [
    "goal conversions by source",
    {
      metrics: ["visitors", "events", "conversion_rate"],
      date_range: "7d",
      dimensions: ["visit:source", "event:goal"],
    },
    // google's one visitor (v1) signed up and saw /pricing; HN's (v3) saw /pricing; the two
    // direct visitors converted nowhere. Rates are over the source's visitors.
    [
      { metrics: [1, 1, 100], dimensions: ["google.com", "Pricing"] },
      { metrics: [1, 1, 100], dimensions: ["google.com", "Signup"] },
      { metrics: [1, 1, 100], dimensions: ["news.ycombinator.com", "Pricing"] },
    ],
  ],
  [
    "goal conversions of each day",
    {
      metrics: ["visitors", "conversion_rate"],
      date_range: ["2026-11-19", "2026-11-20"],
      dimensions: ["time:day", "event:goal"],
    },
    // Nov 19: v1 converted nowhere. Nov 20: 3 visitors; Pricing v1 and v3, Signup v1.
    [
      { metrics: [2, 66.67], dimensions: ["2026-11-20", "Pricing"] },
      { metrics: [1, 33.33], dimensions: ["2026-11-20", "Signup"] },
    ],
  ],
];

describe("POST /api/v2/query", () => {
  it.each(TABLE)("%s", async (_what, body, results, meta = {}) => {
    const answer = await query(body);
    expect(answer.status).toBe(200);
    expect(answer.body.results).toEqual(results);
    expect(answer.body.meta).toEqual(meta);
    expect(answer.body.query.site_id).toBe("example.com");
    expect(answer.body.query.metrics).toEqual(body.metrics);
  });

  it("echoes the date range it used, in the site's time zone", async () => {
    const answer = await query({ metrics: ["visitors"], date_range: "7d" });
    expect(answer.body.query.date_range).toEqual([
      "2026-11-14T00:00:00+00:00",
      "2026-11-20T23:59:59+00:00",
    ]);
  });

  it.each([
    [
      { metrics: ["time_on_page"], date_range: "7d" },
      "Metric `time_on_page` can only be queried with event:page as a dimension in convex-analytics",
    ],
    [
      { metrics: ["scroll_depth"], date_range: "7d", dimensions: ["visit:source"] },
      "Metric `scroll_depth` can only be queried with event:page as a dimension in convex-analytics",
    ],
    [{ metrics: ["visitorz"], date_range: "7d" }, '#/metrics/0: Invalid metric "visitorz"'],
    [
      { metrics: ["visitors"], date_range: "yesterday" },
      '#/date_range: Invalid date_range "yesterday"',
    ],
    [
      { metrics: ["visitors"], date_range: "7d", dimensions: ["event:props:plan"] },
      "#/dimensions/0: Dimension `event:props:plan` is not supported",
    ],
    [
      { metrics: ["bounce_rate"], date_range: "7d", dimensions: ["visit:source"] },
      "Metric `bounce_rate` with dimension `visit:source` is not supported",
    ],
    [
      { metrics: ["visitors"], date_range: "7d", filters: [["matches", "event:page", ["^/b"]]] },
      "#/filters/0: Filter operator `matches` is not supported",
    ],
    [
      { metrics: ["conversion_rate"], date_range: "7d" },
      "Metric `conversion_rate` can only be queried with event:goal",
    ],
    [
      {
        metrics: ["visitors"],
        date_range: "7d",
        dimensions: ["time:day", "visit:source", "event:page"],
      },
      "#/dimensions: Querying `time:day`, `visit:source`, `event:page` together is not supported",
    ],
    [
      { metrics: ["events"], date_range: "7d", dimensions: ["time:day", "event:page"] },
      "Metric `events` with dimensions `time:day`, `event:page` is not supported",
    ],
    [
      { metrics: ["visitors"], date_range: "30d", dimensions: ["time:hour", "event:page"] },
      "supported for at most 200 time buckets",
    ],
  ])("refuses what it can't answer exactly, naming it: %j", async (body, message) => {
    const answer = await query(body);
    expect(answer.status).toBe(400);
    expect(answer.body.error).toContain(message);
  });

  it("reads only with a live key scoped to the site", async () => {
    const body = { metrics: ["visitors"], date_range: "7d" };
    expect((await query(body, null)).status).toBe(401);
    expect((await query(body, "sk_not-a-key")).status).toBe(401);
    const other = await h.admin.mutation(api.analytics.createSite, {
      slug: "other",
      name: "Other",
      domain: "other.example",
    });
    const { key: otherKey, keyId } = await h.admin.mutation(api.analytics.createStatsKey, {
      siteIds: [other.siteId],
      name: "other only",
    });
    expect((await query(body, otherKey)).status).toBe(401);
    expect(await h.admin.query(api.analytics.listStatsKeys, { siteId: other.siteId })).toEqual([
      { keyId, name: "other only", createdAt: expect.any(Number) },
    ]);
    const [mine] = await h.admin.query(api.analytics.listStatsKeys, { siteId: h.siteId });
    expect((await query(body)).status).toBe(200);
    await h.admin.mutation(api.analytics.revokeStatsKey, { keyId: mine.keyId });
    expect((await query(body)).status).toBe(401);
  });
});
