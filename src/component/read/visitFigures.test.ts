// The definition of filtered figures (contract §7): what a filtered read shows, computed from the
// range's stored sessions. One hand-built range with every number written out, then a
// property test tying the definition to the rollups': with no filter, the two agree.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { breakdownRows, overviewFigures, propertyRows, type RowLike } from "./figures.js";
import { parseFilters, type NamedGoal } from "./filters.js";
import type { GoalDefinition } from "./goals.js";
import { HOUR_MS, MAX_BREAKDOWN_LIMIT, MINUTE_MS } from "../lib/limits.js";
import {
  ALL,
  RollupDelta,
  parseRowId,
  propertyDimension,
  zeroCounters,
  type RowRef,
} from "../aggregate/rollup.js";
import {
  eventFigures,
  foldGroup,
  foldSessions,
  type Activity,
  type SessionState,
} from "../aggregate/session.js";
import { emptySketch, hashId, sketchAdd } from "../lib/sketch.js";
import { DIMENSIONS, type Dimension } from "../lib/types.js";
import type { Props } from "../ingest/validate.js";
import {
  funnelProgress,
  visitsBreakdown,
  visitsFunnel,
  visitsGoals,
  visitsOverview,
  visitsProperties,
  visitsTimeseries,
  type FilterContext,
  type ReportGoal,
  type VisitRecord,
} from "./visitFigures.js";

const MIN = MINUTE_MS;
/** 09:00 UTC: the scenario's minutes count from here. */
const T0 = Date.UTC(2026, 2, 2, 9, 0);
const DEDUP = 30 * MIN;
const TIMEOUT = 30 * MIN;

type Client = Pick<Activity, "device" | "browser" | "os" | "country">;
type Attribution = Pick<Activity, "source" | "utmSource" | "utmMedium" | "utmCampaign"> & {
  hostname?: string;
};
/** [minute after 09:00, type, path (pageview, heartbeat) or name (event), props] */
type Step = [minute: number, type: Activity["type"], what: string, props?: Props];

function activityOf(client: Client, attribution: Attribution, [minute, type, what, props]: Step) {
  const { hostname, ...source } = attribution;
  const activity: Activity = { ts: T0 + minute * MIN, type, ...source, ...client };
  if (type === "event") activity.name = what;
  else activity.path = what;
  if (type === "pageview" && hostname) activity.hostname = hostname;
  if (props) activity.props = props;
  return activity;
}

/** One stored session, folded from its activities as the worker folds them. */
function visit(visitorId: string, client: Client, attribution: Attribution, steps: Step[]) {
  const folded = foldSessions(
    [],
    steps.map((step) => activityOf(client, attribution, step)),
    TIMEOUT,
  );
  expect(folded).toHaveLength(1);
  return { visitorId, state: folded[0].state, pageviewDedupMs: DEDUP } satisfies VisitRecord;
}

const ALICE: Client = { device: "Desktop", browser: "Chrome", os: "macOS", country: "FR" };
const BOB: Client = { device: "Mobile", browser: "Safari", os: "iOS", country: "US" };
const CAROL: Client = { device: "Desktop", browser: "Firefox", os: "Windows", country: "DE" };
const DAVE: Client = { device: "Mobile", browser: "Chrome", os: "Android", country: "US" };
const ERIN: Client = { device: "Desktop", browser: "Safari", os: "macOS", country: "GB" };
const GOOGLE: Attribution = { source: "google.com", hostname: "example.com" };
const DIRECT: Attribution = { source: "Direct / None", hostname: "example.com" };

// The range, 09:00 to 16:00. Durations and counted pageviews (30-minute dedup) in comments.
const v1 = visit("alice", ALICE, GOOGLE, [
  [0, "pageview", "/"],
  [2, "pageview", "/articles/convex"],
  [5, "pageview", "/pricing"],
  [6, "event", "signup", { plan: "pro" }],
  [8, "pageview", "/checkout"],
]); // 8 min, 4 views: the whole funnel, in order
const v2 = visit("alice", ALICE, DIRECT, [
  [300, "pageview", "/articles/convex"],
  [301, "pageview", "/articles/convex"],
]); // 14:00, 1 min, 1 view (the repeat is within the dedup window): a bounce
const v3 = visit(
  "bob",
  BOB,
  { source: "twitter.com", utmSource: "social", utmCampaign: "launch", hostname: "example.com" },
  [
    [10, "pageview", "/articles/rollups"],
    [12, "pageview", "/pricing"],
    [13, "event", "signup", { plan: "free" }],
  ],
); // 3 min, 2 views
const v4 = visit("carol", CAROL, GOOGLE, [
  [60, "pageview", "/checkout"],
  [63, "pageview", "/articles/convex"],
  [65, "event", "signup", { plan: "pro" }],
]); // 10:00, 5 min, 2 views: every funnel goal, but checkout before the rest
const v5 = visit("dave", DAVE, { source: "Direct / None" }, [
  [120, "event", "download"],
  [121, "event", "download"],
]); // 11:00, events only: a visit with no pageview
const v6 = visit("dave", DAVE, DIRECT, [[180, "heartbeat", "/"]]); // 12:00, heartbeats only: no visit
const v7 = visit(
  "erin",
  ERIN,
  {
    source: "duckduckgo.com",
    utmSource: "newsletter",
    utmMedium: "email",
    hostname: "docs.example.com",
  },
  [
    [50, "pageview", "/"],
    [55, "pageview", "/"],
    [60, "pageview", "/docs/start"],
  ],
); // 09:50, 10 min, 2 views, the second in the 10:00 hour
const v8 = visit("bob", BOB, GOOGLE, [
  [360, "pageview", "/articles/rollups"],
  [362, "event", "signup", { plan: "pro" }],
  [364, "pageview", "/checkout"],
]); // 15:00, 4 min, 2 views: the whole funnel
const visits = [v1, v2, v3, v4, v5, v6, v7, v8];

const goal = (name: string, definition: GoalDefinition): ReportGoal => ({
  goalId: `g:${name}`,
  name,
  definition,
});
const SIGNUP = goal("Signup", { kind: "event", eventName: "signup" });
const PRO = goal("Pro signup", {
  kind: "event",
  eventName: "signup",
  property: "plan",
  value: "pro",
});
const FREE = goal("Free signup", {
  kind: "event",
  eventName: "signup",
  property: "plan",
  value: "free",
});
const CHECKOUT = goal("Checkout", { kind: "page", pathPattern: "/checkout" });
const DOCS = goal("Docs", { kind: "page", pathPattern: "/docs/*" });
const ARTICLE = goal("Read an article", { kind: "page", pathPattern: "/articles/*" });
const GOALS = [SIGNUP, PRO, FREE, CHECKOUT, DOCS, ARTICLE];

const ctx = (raw: unknown[] = []): FilterContext => ({
  filters: parseFilters(raw),
  goals: GOALS satisfies NamedGoal[],
});
const NONE = ctx();
const row = (
  key: string,
  visitors: number,
  pageviews: number,
  sessions: number,
  events: number,
) => ({
  key,
  visitors,
  pageviews,
  sessions,
  events,
});

describe("visitsOverview", () => {
  it("counts the visits, their visitors, counted pageviews and events; ratios over visits with a pageview", () => {
    // 7 visits (the heartbeat-only session is none) of 5 visitors. 6 have a pageview: one
    // bounce (v2), 8 + 1 + 3 + 5 + 10 + 4 = 31 minutes, 13 counted views.
    expect(visitsOverview(visits, NONE, 1)).toEqual({
      sessions: 7,
      visitors: 5,
      pageviews: 13,
      events: 6,
      bounceRate: 1 / 6,
      avgDurationMs: Math.round((31 * MIN) / 6),
      viewsPerSession: 13 / 6,
    });
  });

  it("under a page filter, selects the visits that viewed a matching page and counts only matching views", () => {
    // v1, v2, v3, v4, v8 viewed an article, once each (v2's repeat is not counted). Bounce and
    // duration stay the whole visit's: v2 bounced; 8 + 1 + 3 + 5 + 4 = 21 minutes.
    expect(visitsOverview(visits, ctx([["is", "page", ["/articles/*"]]]), 1)).toEqual({
      sessions: 5,
      visitors: 3,
      pageviews: 5,
      events: 4,
      bounceRate: 1 / 5,
      avgDurationMs: Math.round((21 * MIN) / 5),
      viewsPerSession: 1,
    });
  });

  it("under isNot, selects every visit the positive filter doesn't", () => {
    // Not from google.com: v2, v3, v5 (no pageview) and v7.
    expect(visitsOverview(visits, ctx([["isNot", "source", ["google.com"]]]), 1)).toEqual({
      sessions: 4,
      visitors: 4,
      pageviews: 5,
      events: 3,
      bounceRate: 1 / 3,
      avgDurationMs: Math.round((14 * MIN) / 3),
      viewsPerSession: 5 / 3,
    });
  });

  it("under contains page, counts only the views whose path contains the text", () => {
    expect(visitsOverview(visits, ctx([["contains", "page", ["pric"]]]), 1)).toEqual({
      sessions: 2,
      visitors: 2,
      pageviews: 2,
      events: 2,
      bounceRate: 0,
      avgDurationMs: Math.round((11 * MIN) / 2),
      viewsPerSession: 1,
    });
  });

  it("under notContains page, keeps a visit of events only: it viewed no such page", () => {
    expect(visitsOverview(visits, ctx([["notContains", "page", ["articles"]]]), 1)).toMatchObject({
      sessions: 2, // v5 and v7
      visitors: 2,
      pageviews: 2,
      events: 2,
      avgDurationMs: 10 * MIN, // v7 alone has a pageview
    });
  });

  it("matches a wildcard on a session dimension, and counts those visits' every view", () => {
    // Exit page /check*: v1 and v8, all 4 + 2 of their views (no page filter).
    expect(visitsOverview(visits, ctx([["is", "exitPage", ["/check*"]]]), 1)).toEqual({
      sessions: 2,
      visitors: 2,
      pageviews: 6,
      events: 2,
      bounceRate: 0,
      avgDurationMs: 6 * MIN,
      viewsPerSession: 3,
    });
  });

  it("selects by hostname, goal, event and property, ANDing filters", () => {
    const of = (raw: unknown[]) => visitsOverview(visits, ctx(raw), 1).sessions;
    expect(of([["is", "hostname", ["docs.example.com"]]])).toBe(1); // v7
    expect(of([["is", "goal", ["Pro signup"]]])).toBe(3); // v1, v4, v8
    expect(of([["is", "event", ["download"]]])).toBe(1); // v5
    expect(of([["is", "prop:plan", ["free"]]])).toBe(1); // v3
    expect(
      of([
        ["is", "goal", ["Pro signup"]],
        ["is", "device", ["Mobile"]],
      ]),
    ).toBe(1); // v8
  });

  it("scales counts by 1 / fraction and leaves ratios alone", () => {
    expect(visitsOverview(visits, NONE, 0.5)).toEqual({
      sessions: 14,
      visitors: 10,
      pageviews: 26,
      events: 12,
      bounceRate: 1 / 6,
      avgDurationMs: Math.round((31 * MIN) / 6),
      viewsPerSession: 13 / 6,
    });
    // Rounded to the nearest count: 5 / 0.3 = 16.7, 7 / 0.3 = 23.3, 13 / 0.3 = 43.3.
    expect(visitsOverview(visits, NONE, 0.3)).toMatchObject({
      visitors: 17,
      sessions: 23,
      pageviews: 43,
      events: 20,
    });
  });

  it("refuses a fraction outside (0, 1]", () => {
    for (const fraction of [0, -0.5, 1.5, Number.NaN])
      expect(() => visitsOverview(visits, NONE, fraction)).toThrow(RangeError);
  });
});

describe("visitsTimeseries", () => {
  const points = Array.from({ length: 7 }, (_, i) => T0 + i * HOUR_MS); // 09:00 … 15:00
  const pointOf = (ts: number) => T0 + Math.floor((ts - T0) / HOUR_MS) * HOUR_MS;
  const point = (h: number, pageviews: number, visitors: number, sessions: number) => ({
    t: T0 + h * HOUR_MS,
    pageviews,
    visitors,
    sessions,
  });

  it("puts each visit, with all its pageviews, in the point of its start", () => {
    // v7 starts at 09:50: its 10:00 view is in the 09:00 point, not in 10:00 as rollups put it.
    expect(visitsTimeseries(visits, NONE, 1, points, pointOf)).toEqual([
      { ...point(0, 8, 3, 3), bounceRate: 0, avgDurationMs: 7 * MIN }, // v1, v3, v7
      { ...point(1, 2, 1, 1), bounceRate: 0, avgDurationMs: 5 * MIN }, // v4
      { ...point(2, 0, 1, 1), bounceRate: 0, avgDurationMs: 0 }, // v5: no pageview
      { ...point(3, 0, 0, 0), bounceRate: 0, avgDurationMs: 0 }, // v6 is no visit
      { ...point(4, 0, 0, 0), bounceRate: 0, avgDurationMs: 0 },
      { ...point(5, 1, 1, 1), bounceRate: 1, avgDurationMs: 1 * MIN }, // v2
      { ...point(6, 2, 1, 1), bounceRate: 0, avgDurationMs: 4 * MIN }, // v8
    ]);
  });

  it("gives one point per requested start, in order, and leaves out visits of other points", () => {
    const some = [T0 + 6 * HOUR_MS, T0 + HOUR_MS];
    expect(
      visitsTimeseries(visits, ctx([["is", "page", ["/articles/*"]]]), 0.5, some, pointOf),
    ).toEqual([
      { ...point(6, 2, 2, 2), bounceRate: 0, avgDurationMs: 4 * MIN }, // v8's article view, ×2
      { ...point(1, 2, 2, 2), bounceRate: 0, avgDurationMs: 5 * MIN }, // v4's
    ]);
  });
});

describe("visitsBreakdown", () => {
  const breakdown = (dimension: Dimension, raw: unknown[] = [], fraction = 1) =>
    visitsBreakdown(visits, ctx(raw), fraction, dimension, MAX_BREAKDOWN_LIMIT);

  it("groups visits by a session dimension, most visitors first, ties by key", () => {
    expect(breakdown("source")).toEqual([
      row("google.com", 3, 8, 3, 3), // v1, v4, v8
      row("Direct / None", 2, 1, 2, 2), // v2, v5
      row("duckduckgo.com", 1, 2, 1, 0),
      row("twitter.com", 1, 2, 1, 1),
    ]);
  });

  it.each<[Dimension, ReturnType<typeof row>[]]>([
    [
      "entryPage", // v5 has no pageview, so no entry page
      [
        row("/", 2, 6, 2, 1),
        row("/articles/convex", 1, 1, 1, 0),
        row("/articles/rollups", 1, 4, 2, 2),
        row("/checkout", 1, 2, 1, 1),
      ],
    ],
    [
      "exitPage", // the last view, counted or not: v7 left from /docs/start
      [
        row("/articles/convex", 2, 3, 2, 1),
        row("/checkout", 2, 6, 2, 2),
        row("/docs/start", 1, 2, 1, 0),
        row("/pricing", 1, 2, 1, 1),
      ],
    ],
    ["utmSource", [row("newsletter", 1, 2, 1, 0), row("social", 1, 2, 1, 1)]],
    ["utmMedium", [row("email", 1, 2, 1, 0)]],
    ["utmCampaign", [row("launch", 1, 2, 1, 1)]],
    [
      "country",
      [row("US", 2, 4, 3, 4), row("DE", 1, 2, 1, 1), row("FR", 1, 5, 2, 1), row("GB", 1, 2, 1, 0)],
    ],
    ["device", [row("Desktop", 3, 9, 4, 2), row("Mobile", 2, 4, 3, 4)]],
    ["browser", [row("Chrome", 2, 5, 3, 3), row("Safari", 2, 6, 3, 2), row("Firefox", 1, 2, 1, 1)]],
    [
      "os", // ties by key in code-unit order: "Windows" before "iOS"
      [
        row("macOS", 2, 7, 3, 1),
        row("Android", 1, 0, 1, 2),
        row("Windows", 1, 2, 1, 1),
        row("iOS", 1, 4, 2, 2),
      ],
    ],
  ])("by %s: a visit without a value is in no row", (dimension, rows) => {
    expect(breakdown(dimension)).toEqual(rows);
  });

  it("by page: counted views per path; sessions and visitors of the visits that viewed it", () => {
    expect(breakdown("page")).toEqual([
      row("/checkout", 3, 3, 3, 0),
      row("/", 2, 2, 2, 0), // v7 viewed it twice within the dedup window: one view
      row("/articles/convex", 2, 3, 3, 0), // v2's repeat is no view, v2 still a session of it
      row("/pricing", 2, 2, 2, 0),
      row("/articles/rollups", 1, 2, 2, 0),
      row("/docs/start", 1, 1, 1, 0),
    ]);
  });

  it("by event: occurrences, sessions and visitors per name, most events first", () => {
    expect(breakdown("event")).toEqual([row("signup", 3, 0, 4, 4), row("download", 1, 0, 1, 2)]);
  });

  it("under a page filter, shows only matching pages, and counts only matching views elsewhere", () => {
    const filter = [["is", "page", ["/articles/*"]]];
    expect(breakdown("page", filter)).toEqual([
      row("/articles/convex", 2, 3, 3, 0),
      row("/articles/rollups", 1, 2, 2, 0),
    ]);
    expect(breakdown("source", filter)).toEqual([
      row("google.com", 3, 3, 3, 3),
      row("Direct / None", 1, 1, 1, 0),
      row("twitter.com", 1, 1, 1, 1),
    ]);
  });

  it("under isNot page, drops the pages it names from the page rows", () => {
    expect(breakdown("page", [["isNot", "page", ["/articles/*", "/checkout"]]])).toEqual([
      row("/", 1, 1, 1, 0), // v7 only: every other visit with a view saw an article or checkout
      row("/docs/start", 1, 1, 1, 0),
    ]);
  });

  it("cuts at the limit after sorting, and scales every count", () => {
    expect(visitsBreakdown(visits, NONE, 1, "page", 2).map((r) => r.key)).toEqual([
      "/checkout",
      "/",
    ]);
    expect(breakdown("source", [], 0.5)).toEqual([
      row("google.com", 6, 16, 6, 6),
      row("Direct / None", 4, 2, 4, 4),
      row("duckduckgo.com", 2, 4, 2, 0),
      row("twitter.com", 2, 4, 2, 2),
    ]);
  });

  it("by event, counts a session stored before custom events were kept under its names, with the events it kept", () => {
    const old: SessionState = {
      ...v1.state,
      eventCount: 2,
      eventNames: ["a"],
      customEvents: [],
    };
    const record = { visitorId: "old", state: old, pageviewDedupMs: DEDUP };
    expect(visitsBreakdown([record], NONE, 1, "event", 10)).toEqual([row("a", 1, 0, 1, 0)]);
    expect(visitsOverview([record], NONE, 1).events).toBe(2);
  });
});

describe("visitsProperties", () => {
  it("groups an event's occurrences by a property's value, most events first", () => {
    expect(visitsProperties(visits, NONE, 1, "signup", "plan", 10)).toEqual([
      { key: "pro", events: 3, visitors: 3 },
      { key: "free", events: 1, visitors: 1 },
    ]);
    expect(
      visitsProperties(visits, ctx([["is", "device", ["Mobile"]]]), 0.5, "signup", "plan", 10),
    ).toEqual([
      { key: "free", events: 2, visitors: 2 }, // v3 and v8, sampled at one half
      { key: "pro", events: 2, visitors: 2 },
    ]);
  });

  it("shows nothing for a property no event carried, or an event that carried none", () => {
    expect(visitsProperties(visits, NONE, 1, "signup", "coupon", 10)).toEqual([]);
    expect(visitsProperties(visits, NONE, 1, "download", "plan", 10)).toEqual([]);
    // An inherited name is no property of an event.
    expect(visitsProperties(visits, NONE, 1, "signup", "constructor", 10)).toEqual([]);
  });
});

describe("visitsGoals", () => {
  const entry = (g: ReportGoal, visitors: number, events: number, conversionRate: number) => ({
    goalId: g.goalId,
    name: g.name,
    visitors,
    events,
    conversionRate,
  });

  it("gives each goal its converting visitors, total conversions and rate, most converting first", () => {
    expect(visitsGoals(visits, NONE, 1, GOALS)).toEqual({
      visitors: 5,
      goals: [
        entry(CHECKOUT, 3, 3, 3 / 5),
        entry(PRO, 3, 3, 3 / 5),
        entry(ARTICLE, 3, 5, 3 / 5), // 5 counted article views
        entry(SIGNUP, 3, 4, 3 / 5), // bob converted twice, in two visits
        entry(DOCS, 1, 1, 1 / 5),
        entry(FREE, 1, 1, 1 / 5),
      ],
    });
  });

  it("under a filter, converts only in matching visits, over the matching visitors", () => {
    expect(visitsGoals(visits, ctx([["is", "source", ["google.com"]]]), 1, GOALS)).toEqual({
      visitors: 3,
      goals: [
        entry(CHECKOUT, 3, 3, 1),
        entry(PRO, 3, 3, 1),
        entry(ARTICLE, 3, 3, 1),
        entry(SIGNUP, 3, 3, 1),
        entry(DOCS, 0, 0, 0),
        entry(FREE, 0, 0, 0),
      ],
    });
  });

  it("counts a page goal's conversions whatever the page filter: the goal is its own definition", () => {
    const { goals } = visitsGoals(visits, ctx([["is", "page", ["/pricing"]]]), 1, [CHECKOUT]);
    expect(goals).toEqual([entry(CHECKOUT, 1, 1, 1 / 2)]); // v1 viewed /pricing and /checkout
  });

  it("scales visitors and conversions, not rates", () => {
    expect(visitsGoals(visits, NONE, 0.5, [SIGNUP, FREE])).toEqual({
      visitors: 10,
      goals: [entry(SIGNUP, 6, 8, 3 / 5), entry(FREE, 2, 2, 1 / 5)],
    });
  });
});

describe("visitsFunnel", () => {
  const step = (g: ReportGoal, visitors: number, dropOff: number, conversionRate: number) => ({
    goalId: g.goalId,
    name: g.name,
    visitors,
    dropOff,
    conversionRate,
  });
  const FUNNEL = [ARTICLE, SIGNUP, CHECKOUT];

  it("counts the visitors who reached each step in order within one visit", () => {
    // v1 and v8 go all the way; v3 stops after signing up; carol's v4 has every goal but
    // viewed checkout before the rest, so she stops at step 2; v2 reads and leaves.
    expect(visitsFunnel(visits, NONE, 1, FUNNEL)).toEqual({
      visitors: 5,
      steps: [step(ARTICLE, 3, 0, 3 / 5), step(SIGNUP, 3, 0, 1), step(CHECKOUT, 2, 1, 2 / 3)],
    });
    expect(funnelProgress(FUNNEL.map((s) => s.definition))(v4.state)).toBe(2);
  });

  it("never joins steps from two visits of one visitor", () => {
    // Bob signed up free in v3 and checked out in v8, a later visit.
    expect(visitsFunnel(visits, NONE, 1, [FREE, CHECKOUT]).steps).toEqual([
      step(FREE, 1, 0, 1 / 5),
      step(CHECKOUT, 0, 1, 0),
    ]);
  });

  it("counts only matching visits, the first step's rate over the matching visitors", () => {
    expect(visitsFunnel(visits, ctx([["is", "device", ["Mobile"]]]), 1, FUNNEL)).toEqual({
      visitors: 2, // bob and dave
      steps: [step(ARTICLE, 1, 0, 1 / 2), step(SIGNUP, 1, 0, 1), step(CHECKOUT, 1, 0, 1)],
    });
  });

  it("scales visitors and takes drop-off from the scaled visitors", () => {
    expect(visitsFunnel(visits, NONE, 0.5, FUNNEL)).toEqual({
      visitors: 10,
      steps: [step(ARTICLE, 6, 0, 3 / 5), step(SIGNUP, 6, 0, 1), step(CHECKOUT, 4, 2, 2 / 3)],
    });
    // 3 / 0.3 = 10 and 2 / 0.3 = 6.7: the drop-off is 10 − 7, not a rounded 1 / 0.3.
    expect(
      visitsFunnel(visits, NONE, 0.3, FUNNEL).steps.map((s) => [s.visitors, s.dropOff]),
    ).toEqual([
      [10, 0],
      [10, 0],
      [7, 3],
    ]);
  });

  it("rates 0 when nobody entered", () => {
    expect(visitsFunnel([], NONE, 1, [SIGNUP, CHECKOUT])).toEqual({
      visitors: 0,
      steps: [step(SIGNUP, 0, 0, 0), step(CHECKOUT, 0, 0, 0)],
    });
  });
});

describe("funnelProgress", () => {
  const page = (pathPattern: string): GoalDefinition => ({ kind: "page", pathPattern });
  const session = visit("x", ALICE, GOOGLE, [
    [0, "pageview", "/a"],
    [1, "pageview", "/b"],
    [2, "pageview", "/a"],
    [3, "event", "buy", { plan: "pro" }],
    [4, "pageview", "/c"],
  ]).state;
  const progress = (...steps: GoalDefinition[]) => funnelProgress(steps)(session);

  it("takes each step at its earliest occurrence after the previous one's", () => {
    expect(progress(page("/a"), page("/c"))).toBe(2);
    expect(progress(page("/b"), page("/a"), page("/c"))).toBe(3); // the second /a
    expect(progress(page("/c"), page("/a"))).toBe(1);
    expect(progress(page("/a"), { kind: "event", eventName: "buy" }, page("/a"))).toBe(2);
  });

  it("checks an event step's property value, and sees views the dedup window doesn't count", () => {
    const buy = (value: string): GoalDefinition => ({
      kind: "event",
      eventName: "buy",
      property: "plan",
      value,
    });
    expect(progress(buy("pro"), page("/c"))).toBe(2);
    expect(progress(buy("free"), page("/c"))).toBe(0);
    // The second /a (2 minutes after the first) is no counted pageview, but it is a step.
    expect(progress(page("/b"), page("/a"))).toBe(2);
  });

  it("lets an occurrence reach consecutive steps it satisfies (at a time ≥, not >)", () => {
    expect(progress(page("/a"), page("/*"), page("/b"))).toBe(3);
  });
});

describe("with no filter and every pageview in one hour, the rollups' figures (property test)", () => {
  const HOUR0 = T0;
  const arbActivity = fc.record({
    visitor: fc.constantFrom("u1", "u2", "u3", "u4"),
    session: fc.constantFrom("s1", "s2"),
    second: fc.integer({ min: 0, max: 3599 }),
    type: fc.constantFrom<Activity["type"]>("pageview", "pageview", "event", "heartbeat"),
    path: fc.constantFrom("/", "/a", "/a/b", "/c"),
    name: fc.constantFrom("signup", "download"),
    plan: fc.option(fc.constantFrom<Props[string]>("pro", "free", 3, true, null), {
      nil: undefined,
    }),
    source: fc.constantFrom("google.com", "Direct / None"),
    utmSource: fc.option(fc.constantFrom("newsletter", "ads"), { nil: undefined }),
    device: fc.constantFrom("Desktop", "Mobile"),
  });
  const arbParams = fc.record({
    sessionTimeoutMs: fc.constantFrom(MIN, 10 * MIN, 30 * MIN),
    pageviewDedupMs: fc.constantFrom(0, 5 * MIN, 30 * MIN),
  });
  type Generated = typeof arbActivity extends fc.Arbitrary<infer T> ? T : never;
  type Params = { sessionTimeoutMs: number; pageviewDedupMs: number };

  function toActivity(a: Generated): Activity {
    const activity: Activity = {
      ts: HOUR0 + a.second * 1000,
      type: a.type,
      source: a.source,
      device: a.device,
      browser: "Firefox",
      os: "Linux",
      country: "FR",
    };
    if (a.utmSource) activity.utmSource = a.utmSource;
    if (a.type === "event") {
      activity.name = a.name;
      if (a.plan !== undefined) activity.props = { plan: a.plan };
    } else activity.path = a.path;
    return activity;
  }

  /** What the worker writes for these activities, and the sessions it stores. */
  function rollupAndVisits(generated: Generated[], params: Params) {
    const timezone = "UTC";
    const delta = new RollupDelta();
    const records: VisitRecord[] = [];
    const groups = new Map<string, Generated[]>();
    for (const a of generated) {
      const key = JSON.stringify([a.visitor, a.session]);
      (groups.get(key) ?? groups.set(key, []).get(key)!).push(a);
    }
    for (const group of groups.values()) {
      const visitorId = group[0].visitor;
      const activities = group.map(toActivity);
      const { folded, delta: sessionDelta } = foldGroup([], activities, hashId(visitorId), {
        ...params,
        timezone,
      });
      delta.merge(sessionDelta);
      for (const { state } of folded)
        records.push({ visitorId, state, pageviewDedupMs: params.pageviewDedupMs });
      for (const activity of activities)
        delta.merge(eventFigures({ ...activity, visitorId }, timezone));
    }
    const rows = new Map<string, RowLike[]>();
    for (const id of new Set([...delta.counters.keys(), ...delta.visitors.keys()])) {
      const ref: RowRef = parseRowId(id);
      if (ref.granularity !== "hour") continue;
      expect(ref.bucket).toBe(HOUR0);
      const list = rows.get(ref.dimension) ?? rows.set(ref.dimension, []).get(ref.dimension)!;
      list.push({
        ...(delta.counters.get(id) ?? zeroCounters()),
        bucket: ref.bucket,
        key: ref.key,
        visitors: sketchAdd(emptySketch(), [...(delta.visitors.get(id) ?? [])]),
      });
    }
    return { rowsOf: (dimension: string) => rows.get(dimension) ?? [], records };
  }

  it("overview, every breakdown and the property breakdown equal the rollup rows' figures", () => {
    fc.assert(
      fc.property(
        fc.array(arbActivity, { minLength: 1, maxLength: 30 }),
        arbParams,
        (generated, params) => {
          const { rowsOf, records } = rollupAndVisits(generated, params);
          const { identifiedUsers, ...overview } = overviewFigures(rowsOf(ALL));
          expect(identifiedUsers).toBe(0);
          expect(visitsOverview(records, NONE, 1)).toEqual(overview);
          const [point] = visitsTimeseries(records, NONE, 1, [HOUR0], () => HOUR0);
          expect(point).toEqual({
            t: HOUR0,
            pageviews: overview.pageviews,
            visitors: overview.visitors,
            sessions: overview.sessions,
            bounceRate: overview.bounceRate,
            avgDurationMs: overview.avgDurationMs,
          });
          for (const dimension of DIMENSIONS)
            expect(visitsBreakdown(records, NONE, 1, dimension, MAX_BREAKDOWN_LIMIT)).toEqual(
              breakdownRows(
                rowsOf(dimension),
                dimension === "event" ? "events" : "visitors",
                MAX_BREAKDOWN_LIMIT,
              ),
            );
          expect(visitsProperties(records, NONE, 1, "signup", "plan", MAX_BREAKDOWN_LIMIT)).toEqual(
            propertyRows(rowsOf(propertyDimension("signup", "plan")), MAX_BREAKDOWN_LIMIT),
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});
