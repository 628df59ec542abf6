// Filters, goals under filters and funnels (contract §7) through the example host's real
// facades and HTTP route: hand-counted traffic with the exact figures every filtered read must
// give, the errors a bad filter or funnel gets, and that funnel ids never cross sites.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { api, components } from "../example/convex/_generated/api.js";
import { exposeAdminApi, exposeAnalyticsApi, type AuthRequest } from "../src/client/index.js";
import { MAX_FUNNEL_STEPS } from "../src/component/lib/limits.js";
import { handlerOf } from "../harness/registered.js";
import { addSite, createHarness, HOUR, MINUTE, pageview, type Harness } from "../harness/host.js";

const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);
const FROM = NOW - 3 * HOUR;

let h: Harness;
beforeEach(async () => {
  vi.useFakeTimers();
  vi.setSystemTime(NOW);
  h = await createHarness();
});
afterEach(() => vi.useRealTimers());

type Step = { path: string; referrer?: string } | { signup: string };

/** One visit of `visitor`: its steps a minute apart from `start`, the first with the referrer. */
function visit(visitor: string, start: number, steps: Step[]) {
  return steps.map((step, i) => {
    const ts = start + i * MINUTE;
    const id = `${visitor}-${start}-${i}`;
    const base = { visitorId: visitor, sessionId: `${visitor}-${start}` };
    if ("signup" in step)
      return {
        ...pageview(id, ts, "/signup", base),
        type: "event",
        name: "signup",
        props: { plan: step.signup },
      };
    return pageview(id, ts, step.path, {
      ...base,
      ...(step.referrer ? { referrer: step.referrer } : {}),
    });
  });
}

const GOOGLE = "https://www.google.com/search?q=x";
const HN = "https://news.ycombinator.com/item?id=1";

/**
 * Six visits of five visitors. By source: google.com has v1 (twice), v2 and v5; HN has v3;
 * v4 came direct. v1's first visit and v3 reach the funnel's signup; only v1's first reaches
 * checkout after it. v4 checks out before reading an article (out of order for the funnel).
 */
async function sendTraffic() {
  const t0 = FROM + 10 * MINUTE;
  await h.send([
    ...visit("v1", t0, [
      { path: "/", referrer: GOOGLE },
      { path: "/articles/a" },
      { signup: "pro" },
      { path: "/checkout" },
    ]),
    ...visit("v2", t0, [{ path: "/articles/b", referrer: GOOGLE }, { path: "/pricing" }]),
    ...visit("v3", t0, [{ path: "/", referrer: HN }, { path: "/articles/a" }, { signup: "free" }]),
    ...visit("v4", t0, [{ path: "/checkout" }, { path: "/articles/a" }]),
    ...visit("v5", t0, [{ path: "/blog", referrer: GOOGLE }]),
    // v1 again, 2 hours later: a second visit from google.com that bounces on /.
    ...visit("v1", t0 + 2 * HOUR, [{ path: "/", referrer: GOOGLE }]),
  ]);
  await h.settle();
}

const range = () => ({ siteId: h.siteId, from: FROM, to: NOW });
const fromGoogle = ["is", "source", ["google.com"]];
const readArticles = ["is", "page", ["/articles/*"]];

async function createGoals() {
  const goal = async (args: Record<string, unknown>) =>
    (await h.admin.mutation(api.analytics.createGoal, { siteId: h.siteId, ...args } as never))
      .goalId;
  return {
    article: await goal({ name: "Read an article", kind: "page", pathPattern: "/articles/*" }),
    signup: await goal({ name: "Signup", kind: "event", eventName: "signup" }),
    pro: await goal({
      name: "Pro signup",
      kind: "event",
      eventName: "signup",
      property: "plan",
      value: "pro",
    }),
    checkout: await goal({ name: "Checkout", kind: "page", pathPattern: "/checkout" }),
  };
}

describe("filtered reads", () => {
  it("select visits by source, and the overview counts only theirs, exactly", async () => {
    await sendTraffic();
    const all = await h.admin.query(api.analytics.getOverview, range());
    expect(all).toMatchObject({ visitors: 5, sessions: 6, pageviews: 11, events: 2 });
    const google = await h.admin.query(api.analytics.getOverview, {
      ...range(),
      filters: [fromGoogle],
    });
    // v1's two visits (3 and 1 views, one signup), v2 (2 views), v5 (1 view, a bounce).
    expect(google).toEqual({
      range: { from: FROM, to: NOW },
      pageviews: 7,
      visitors: 3,
      sessions: 4,
      bounceRate: 0.5,
      avgDurationMs: (3 * MINUTE + MINUTE) / 4,
      viewsPerSession: 7 / 4,
      events: 1,
      sample: { fraction: 1 },
    });
    // isNot selects exactly the other visits: the two sides add up to the whole.
    const others = await h.admin.query(api.analytics.getOverview, {
      ...range(),
      filters: [["isNot", "source", ["google.com"]]],
    });
    expect([others.sessions, others.pageviews, others.visitors]).toEqual([2, 4, 2]);
  });

  it("count only matching views under a page filter, in the overview and the page breakdown", async () => {
    await sendTraffic();
    const articles = await h.admin.query(api.analytics.getOverview, {
      ...range(),
      filters: [readArticles],
    });
    // Visits that read an article: v1's first, v2, v3, v4; their views of /articles/*: 4.
    expect(articles).toMatchObject({ sessions: 4, visitors: 4, pageviews: 4, events: 2 });
    const pages = await h.admin.query(api.analytics.getBreakdown, {
      ...range(),
      dimension: "page",
      filters: [readArticles],
    });
    expect(pages.rows).toEqual([
      { key: "/articles/a", visitors: 3, pageviews: 3, sessions: 3, events: 0 },
      { key: "/articles/b", visitors: 1, pageviews: 1, sessions: 1, events: 0 },
    ]);
    // Filters are ANDed: article readers from google.com are v1 and v2.
    const sources = await h.admin.query(api.analytics.getBreakdown, {
      ...range(),
      dimension: "source",
      filters: [readArticles, fromGoogle],
    });
    expect(sources.rows).toEqual([
      { key: "google.com", visitors: 2, pageviews: 2, sessions: 2, events: 1 },
    ]);
  });

  it("break events and their properties down, and list the matching sessions and events", async () => {
    await sendTraffic();
    const events = await h.admin.query(api.analytics.getBreakdown, {
      ...range(),
      dimension: "event",
      filters: [["contains", "source", ["news"]]],
    });
    expect(events.rows).toEqual([
      { key: "signup", visitors: 1, pageviews: 0, sessions: 1, events: 1 },
    ]);
    const plans = await h.admin.query(api.analytics.getEventProperties, {
      ...range(),
      eventName: "signup",
      property: "plan",
      filters: [["is", "event", ["signup"]]],
    });
    expect(plans.rows).toEqual([
      { key: "free", events: 1, visitors: 1 },
      { key: "pro", events: 1, visitors: 1 },
    ]);
    const sessions = await h.admin.query(api.analytics.listSessions, {
      ...range(),
      paginationOpts: { numItems: 10, cursor: null },
      filters: [["is", "prop:plan", ["pro"]]],
    });
    expect(sessions.page.map((s) => [s.visitorId, s.pageviews])).toEqual([["v1", 3]]);
    expect(sessions.isDone).toBe(true);
    const listed = await h.admin.query(api.analytics.listEvents, {
      ...range(),
      paginationOpts: { numItems: 10, cursor: null },
      filters: [
        ["is", "source", ["news.ycombinator.com"]],
        ["is", "page", ["/articles/*"]],
      ],
    });
    // v3's visit; under the page filter its pageviews only on matching pages, its event kept.
    expect(listed.page.map((e) => [e.visitorId, e.type, e.path])).toEqual([
      ["v3", "event", "/signup"],
      ["v3", "pageview", "/articles/a"],
    ]);
  });

  it("page through filtered lists with cursors that resume where the last page stopped", async () => {
    await sendTraffic();
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const page: { page: { visitorId: string }[]; isDone: boolean; continueCursor: string } =
        await h.admin.query(api.analytics.listSessions, {
          ...range(),
          paginationOpts: { numItems: 1, cursor },
          filters: [fromGoogle],
        });
      seen.push(...page.page.map((s) => s.visitorId));
      if (page.isDone) break;
      cursor = page.continueCursor;
    }
    expect(seen.sort()).toEqual(["v1", "v1", "v2", "v5"]);
  });

  it("refuse a bad filter with an error that names it", async () => {
    const bad = [
      [[["is", "colour", ["red"]]], /filters\[0\]: dimension \\?"colour\\?" is not one of/],
      [
        [fromGoogle, ["matches", "page", ["/"]]],
        /filters\[1\]: operator \\?"matches\\?" is not one of is, isNot/,
      ],
      [[["is", "page", []]], /filters\[0\] \(page\): values must be a list of 1 to 20/],
      [
        [["is", "prop:__proto__", ["1"]]],
        /filters\[0\]: the property of dimension \\?"prop:__proto__\\?"/,
      ],
      [["source"], /filters\[0\] must be \[operator, dimension, values\]/],
    ] as const;
    for (const [filters, message] of bad) {
      await expect(
        h.admin.query(api.analytics.getOverview, { ...range(), filters: filters as never }),
      ).rejects.toThrow(message);
      await expect(
        h.admin.query(api.analytics.listEvents, {
          ...range(),
          paginationOpts: { numItems: 5, cursor: null },
          filters: filters as never,
        }),
      ).rejects.toThrow(message);
    }
  });
});

describe("goals under filters", () => {
  it("count conversions and the rate over the filtered visitors", async () => {
    const ids = await createGoals();
    await sendTraffic();
    const report = await h.admin.query(api.analytics.getGoals, {
      ...range(),
      filters: [fromGoogle],
    });
    expect(report.visitors).toBe(3);
    expect(report.sample).toEqual({ fraction: 1 });
    const byName = Object.fromEntries(report.goals.map((g) => [g.name, g]));
    expect(byName["Read an article"]).toMatchObject({
      goalId: ids.article,
      visitors: 2,
      events: 2,
      conversionRate: 2 / 3,
    });
    expect(byName["Pro signup"]).toMatchObject({ visitors: 1, events: 1, conversionRate: 1 / 3 });
    expect(byName["Checkout"]).toMatchObject({ visitors: 1, events: 1 });
    // A goal filter selects the visits that completed it, by the goal's name.
    const converted = await h.admin.query(api.analytics.getOverview, {
      ...range(),
      filters: [["is", "goal", ["Signup"]]],
    });
    expect(converted).toMatchObject({ visitors: 2, sessions: 2 });
  });
});

describe("funnels", () => {
  it("count visitors who reached each step in order within one visit", async () => {
    const ids = await createGoals();
    const { funnelId } = await h.admin.mutation(api.analytics.createFunnel, {
      siteId: h.siteId,
      name: "Article to checkout",
      steps: [ids.article, ids.signup, ids.checkout],
    });
    await sendTraffic();
    const listed = await h.admin.query(api.analytics.listFunnels, { siteId: h.siteId });
    expect(listed).toEqual([
      expect.objectContaining({
        funnelId,
        name: "Article to checkout",
        steps: [
          { goalId: ids.article, name: "Read an article" },
          { goalId: ids.signup, name: "Signup" },
          { goalId: ids.checkout, name: "Checkout" },
        ],
      }),
    ]);
    const report = await h.admin.query(api.analytics.getFunnel, { ...range(), funnelId });
    // Article readers: v1, v2, v3, v4. Then signup: v1, v3. Then checkout after it: v1. v4's
    // checkout came before its article, so it reached only step 1.
    expect(report).toEqual({
      range: { from: FROM, to: NOW },
      funnelId,
      name: "Article to checkout",
      visitors: 5,
      steps: [
        {
          goalId: ids.article,
          name: "Read an article",
          visitors: 4,
          dropOff: 0,
          conversionRate: 4 / 5,
        },
        { goalId: ids.signup, name: "Signup", visitors: 2, dropOff: 2, conversionRate: 2 / 4 },
        { goalId: ids.checkout, name: "Checkout", visitors: 1, dropOff: 1, conversionRate: 1 / 4 },
      ],
      sample: { fraction: 1 },
    });
    const google = await h.admin.query(api.analytics.getFunnel, {
      ...range(),
      funnelId,
      filters: [fromGoogle],
    });
    expect(google.steps.map((s) => s.visitors)).toEqual([2, 1, 1]);
  });

  it("refuse bad funnels, goals still in a funnel, and another site's funnel", async () => {
    const ids = await createGoals();
    const create = (steps: string[], name = "F") =>
      h.admin.mutation(api.analytics.createFunnel, { siteId: h.siteId, name, steps });
    await expect(create([ids.article])).rejects.toThrow(/steps: a funnel has 2 to 8 goal steps/);
    await expect(create(Array(MAX_FUNNEL_STEPS + 1).fill(ids.article))).rejects.toThrow(
      /2 to 8 goal steps, got 9/,
    );
    await expect(create([ids.article, ids.article])).rejects.toThrow(/only once/);
    await expect(create([ids.article, "nope"])).rejects.toThrow(/steps\[1\]: no goal with id nope/);
    const { funnelId } = await create([ids.article, ids.checkout]);
    await expect(create([ids.signup, ids.checkout])).rejects.toThrow(/already has a funnel named/);
    await expect(
      h.admin.mutation(api.analytics.deleteGoal, { goalId: ids.checkout }),
    ).rejects.toThrow(/is a step of funnel \\?"F\\?": delete the funnel first/);

    // A host whose auth approves only the main site: the other site's funnel can't be read or
    // deleted through it, and its id doesn't reach this site's funnel either.
    const other = await addSite(h, "other");
    const otherGoals = await Promise.all(
      ["/a", "/b"].map(async (path) => {
        const { goalId } = await h.admin.mutation(api.analytics.createGoal, {
          siteId: other.siteId,
          name: path,
          kind: "page",
          pathPattern: path,
        });
        return goalId;
      }),
    );
    const { funnelId: otherFunnel } = await h.admin.mutation(api.analytics.createFunnel, {
      siteId: other.siteId,
      name: "Other",
      steps: otherGoals,
    });
    await expect(create([ids.article, otherGoals[0]!], "Mixed")).rejects.toThrow(
      /steps\[1\]: no goal with id/,
    );
    await expect(
      h.admin.query(api.analytics.getFunnel, { ...range(), funnelId: otherFunnel }),
    ).rejects.toThrow(/funnelId: no funnel with id/);
    const seen: AuthRequest[] = [];
    const auth = (_ctx: unknown, request: AuthRequest) => {
      seen.push(request);
      if (request.siteId !== h.siteId) throw new Error(`forbidden: ${request.fn}`);
    };
    const handler = handlerOf;
    const admin = exposeAdminApi(components.analytics, { auth });
    const reads = exposeAnalyticsApi(components.analytics, { auth });
    await expect(
      h.t.mutation((ctx) => handler(admin.deleteFunnel)(ctx, { funnelId: otherFunnel })),
    ).rejects.toThrow(/forbidden: deleteFunnel/);
    await expect(
      h.t.query((ctx) => handler(reads.listFunnels)(ctx, { siteId: other.siteId })),
    ).rejects.toThrow(/forbidden: listFunnels/);
    expect(seen.map((r) => [r.fn, r.siteId])).toEqual([
      ["deleteFunnel", other.siteId],
      ["listFunnels", other.siteId],
    ]);
    await h.t.mutation((ctx) => handler(admin.deleteFunnel)(ctx, { funnelId }));
    expect(await h.admin.query(api.analytics.listFunnels, { siteId: h.siteId })).toEqual([]);
    await h.admin.mutation(api.analytics.deleteGoal, { goalId: ids.checkout });
  });
});
