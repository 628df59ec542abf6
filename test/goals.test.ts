// Goals (contract §7) through the example host's real facades and HTTP route: what a
// conversion is, the exact figures getGoals reports for hand-counted traffic, the limits and
// errors of createGoal, and that a goal id or site id never reaches another site's goals.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { api, components, internal } from "../example/convex/_generated/api.js";
import { exposeAdminApi, exposeAnalyticsApi, type AuthRequest } from "../src/client/index.js";
import { GOAL_PURGE_ROWS_PER_STEP, MAX_GOALS_PER_SITE } from "../src/component/lib/limits.js";
import { handlerOf } from "../harness/registered.js";
import {
  addSite,
  componentDocs,
  createHarness,
  HOUR,
  inComponent,
  MINUTE,
  pageview,
  type Harness,
} from "../harness/host.js";

const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);
const FROM = NOW - 3 * HOUR;

let h: Harness;
beforeEach(async () => {
  vi.useFakeTimers();
  vi.setSystemTime(NOW);
  h = await createHarness();
});
afterEach(() => vi.useRealTimers());

let clock = 0;
/** Activity of one visitor (one session each), a minute apart, inside [FROM, NOW). */
function view(visitor: string, path: string, ts = FROM + ++clock * MINUTE) {
  return pageview(`${visitor}-${clock}-${path}`, ts, path, {
    visitorId: visitor,
    sessionId: `${visitor}-s`,
  });
}
function signup(visitor: string, plan: string, ts?: number) {
  return {
    ...view(visitor, "/signup", ts),
    type: "event",
    id: `${visitor}-${clock}-signup`,
    name: "signup",
    props: { plan },
  };
}

const goals = (siteId: string = h.siteId) =>
  h.admin.query(api.analytics.getGoals, { siteId, from: FROM, to: NOW });
const create = (args: Record<string, unknown>, siteId: string = h.siteId) =>
  h.admin.mutation(api.analytics.createGoal, { siteId, ...args } as never);

/** Facades of a host whose auth approves only the main site (as in the hostile suite). */
function scoped() {
  const seen: AuthRequest[] = [];
  const auth = (_ctx: unknown, request: AuthRequest) => {
    seen.push(request);
    if (request.siteId !== h.siteId)
      throw new Error(`forbidden: ${request.fn} on ${request.siteId ?? "all sites"}`);
  };
  const handler = handlerOf;
  const reads = exposeAnalyticsApi(components.analytics, { auth });
  const admin = exposeAdminApi(components.analytics, { auth });
  return {
    seen,
    getGoals: (args: unknown) => h.t.query((ctx) => handler(reads.getGoals)(ctx, args)),
    listGoals: (args: unknown) => h.t.query((ctx) => handler(admin.listGoals)(ctx, args)),
    createGoal: (args: unknown) => h.t.mutation((ctx) => handler(admin.createGoal)(ctx, args)),
    deleteGoal: (args: unknown) => h.t.mutation((ctx) => handler(admin.deleteGoal)(ctx, args)),
  };
}

describe("goals", () => {
  it("count unique and total conversions and the conversion rate, exactly, from rollups", async () => {
    const signupGoal = await create({ name: "Signup", kind: "event", eventName: "signup" });
    const proGoal = await create({
      name: "Pro signup",
      kind: "event",
      eventName: "signup",
      property: "plan",
      value: "pro",
    });
    const blogGoal = await create({ name: "Blog", kind: "page", pathPattern: "/blog/*" });
    const neverGoal = await create({ name: "Never", kind: "event", eventName: "never" });
    await h.send([
      // Before the range: counts in no figure below.
      view("v6", "/blog/old", FROM - 2 * HOUR),
      signup("v6", "pro", FROM - 2 * HOUR + MINUTE),
    ]);
    await h.send([
      view("v1", "/"),
      view("v1", "/blog/a"),
      signup("v1", "pro"),
      view("v2", "/blog/b/c"),
      view("v2", "/blog/a"),
      signup("v2", "free"),
      view("v3", "/pricing"),
      signup("v3", "pro"),
      signup("v3", "pro"),
      view("v4", "/blog"), // not /blog/*: the pattern needs the slash
      view("v5", "/docs"),
    ]);
    await h.settle();
    // Hand count over [FROM, NOW): visitors v1…v5 = 5 (v6 came 2 h before FROM).
    // Signup: v1, v2, v3 (v3 twice) → 3 visitors, 4 events. Pro signup: v1, v3 → 2, 3.
    // Blog: v1 (/blog/a), v2 (/blog/b/c, /blog/a) → 2 visitors, 3 pageviews.
    expect(await goals()).toEqual({
      range: { from: FROM, to: NOW },
      visitors: 5,
      goals: [
        { goalId: signupGoal.goalId, name: "Signup", visitors: 3, events: 4, conversionRate: 0.6 },
        { goalId: blogGoal.goalId, name: "Blog", visitors: 2, events: 3, conversionRate: 0.4 },
        { goalId: proGoal.goalId, name: "Pro signup", visitors: 2, events: 3, conversionRate: 0.4 },
        { goalId: neverGoal.goalId, name: "Never", visitors: 0, events: 0, conversionRate: 0 },
      ],
    });
    // v6's visit alone: its range.
    const before = await h.admin.query(api.analytics.getGoals, {
      siteId: h.siteId,
      from: FROM - 3 * HOUR,
      to: FROM,
    });
    expect(before.visitors).toBe(1);
    expect(before.goals.map((g) => [g.name, g.visitors, g.events, g.conversionRate])).toEqual([
      ["Blog", 1, 1, 1],
      ["Pro signup", 1, 1, 1],
      ["Signup", 1, 1, 1],
      ["Never", 0, 0, 0],
    ]);
  });

  it("cost what the overview and the event and page breakdowns cost, plus the goals", async () => {
    await create({ name: "Signup", kind: "event", eventName: "signup" });
    await create({ name: "Blog", kind: "page", pathPattern: "/blog/*" });
    await create({ name: "Docs", kind: "page", pathPattern: "/docs*" });
    await h.send([view("v1", "/blog/a"), view("v2", "/docs"), signup("v1", "pro")]);
    await h.settle();
    const args = { siteId: h.siteId, from: FROM, to: NOW };
    const reports = components.analytics.reports;
    const documentsRead = (read: (ctx: any) => Promise<unknown>) =>
      h.t.run(async (ctx) => {
        const before = await ctx.meta.getTransactionMetrics();
        await read(ctx);
        const after = await ctx.meta.getTransactionMetrics();
        return after.documentsRead.used - before.documentsRead.used;
      });
    const goalsRead = await documentsRead((ctx) =>
      ctx.runQuery(components.analytics.goals.getGoals, args),
    );
    const overview = await documentsRead((ctx) => ctx.runQuery(reports.getOverview, args));
    const events = await documentsRead((ctx) =>
      ctx.runQuery(reports.getBreakdown, { ...args, dimension: "event" }),
    );
    const pages = await documentsRead((ctx) =>
      ctx.runQuery(reports.getBreakdown, { ...args, dimension: "page" }),
    );
    // Each read loads the site once; the two page goals share one read of the page rows.
    expect(goalsRead).toBe(overview + (events - 1) + (pages - 1) + 3);
  });

  it("are listed as created and deleted by id; a site without goals reports its visitors", async () => {
    await h.send([view("v1", "/")]);
    await h.settle();
    expect(await goals()).toEqual({ range: { from: FROM, to: NOW }, visitors: 1, goals: [] });
    const { goalId } = await create({
      name: "Free",
      kind: "event",
      eventName: "signup",
      property: "plan",
      value: null,
    });
    await create({ name: "Docs", kind: "page", pathPattern: "/docs*" });
    const listed = await h.admin.query(api.analytics.listGoals, { siteId: h.siteId });
    expect(listed.map(({ goalId: _id, createdAt: _at, ...goal }) => goal)).toEqual([
      {
        siteId: h.siteId,
        name: "Free",
        kind: "event",
        eventName: "signup",
        property: "plan",
        value: null,
      },
      { siteId: h.siteId, name: "Docs", kind: "page", pathPattern: "/docs*" },
    ]);
    expect(await h.admin.mutation(api.analytics.deleteGoal, { goalId })).toBeNull();
    expect(
      (await h.admin.query(api.analytics.listGoals, { siteId: h.siteId })).map((g) => g.name),
    ).toEqual(["Docs"]);
    await expect(h.admin.mutation(api.analytics.deleteGoal, { goalId })).rejects.toThrow(
      /goalId: no goal with id/,
    );
  });

  it("take a deleted wildcard goal's own rows with it, in bounded steps, and leave the others'", async () => {
    const blog = await create({ name: "Blog", kind: "page", pathPattern: "/blog/*" });
    const docs = await create({ name: "Docs", kind: "page", pathPattern: "/docs/*" });
    await h.send([view("v1", "/blog/a"), view("v2", "/blog/b"), view("v3", "/docs/x")]);
    await h.settle();
    // One compaction run merges the closed hours' page shards and walks each goal's history
    // into its own rows, one goal after the other.
    await h.t.action(internal.analytics.analyticsMaintenance, { task: "compact" });
    await h.settle();
    type Row = { _id: string; dimension: string; key: string; bucket: number };
    const goalRows = async (goalId: string) =>
      (await componentDocs<Row>(h, "rollups")).filter(
        (row) => row.dimension === "goal" && row.key === goalId,
      );
    const [mirror] = await goalRows(blog.goalId);
    expect(mirror).toBeDefined();
    expect(await goalRows(docs.goalId)).not.toHaveLength(0);
    // More rows than one purge step deletes: copies of the goal's row in earlier hours.
    const extra = GOAL_PURGE_ROWS_PER_STEP + 200;
    await inComponent(h, async ({ db }) => {
      const { _id: _, _creationTime: __, ...fields } = (await db.get(mirror!._id))!;
      for (let i = 1; i <= extra; i++)
        await db.insert("rollups", { ...fields, bucket: mirror!.bucket - i * HOUR });
    });
    const before = (await goalRows(blog.goalId)).length;
    // The purge has to take more than one step.
    expect(before).toBeGreaterThan(GOAL_PURGE_ROWS_PER_STEP);

    await h.admin.mutation(api.analytics.deleteGoal, { goalId: blog.goalId });
    // The deletion itself deletes none: the purge runs after it, a step at a time.
    expect(await goalRows(blog.goalId)).toHaveLength(before);
    await h.settle();
    expect(await goalRows(blog.goalId)).toEqual([]);
    expect(await goalRows(docs.goalId)).not.toHaveLength(0);
    expect((await goals()).goals.map((g) => [g.name, g.visitors])).toEqual([["Docs", 1]]);
  });

  it("refuse bad input with an error naming the field, and more than the per-site limit", async () => {
    await expect(create({ name: "", kind: "event", eventName: "x" })).rejects.toThrow(
      /name must not be empty/,
    );
    await expect(create({ name: "G", kind: "event" })).rejects.toThrow(
      /eventName is required for an event goal/,
    );
    await expect(create({ name: "G", kind: "page", pathPattern: "blog" })).rejects.toThrow(
      /pathPattern must start with/,
    );
    await expect(
      create({ name: "G", kind: "event", eventName: "x", property: "plan" }),
    ).rejects.toThrow(/value is required with property/);
    await expect(
      create({ name: "G", kind: "page", pathPattern: "/a", eventName: "x" }),
    ).rejects.toThrow(/eventName is not used by a page goal/);
    await expect(create({ name: "G", kind: "event", eventName: "x" }, "nope")).rejects.toThrow(
      /siteId: no site with id nope/,
    );
    await create({ name: "G", kind: "event", eventName: "x" });
    await expect(create({ name: "G", kind: "page", pathPattern: "/" })).rejects.toThrow(
      /name: this site already has a goal named/,
    );
    for (let i = 1; i < MAX_GOALS_PER_SITE; i++)
      await create({ name: `G${i}`, kind: "page", pathPattern: `/p${i}` });
    await expect(create({ name: "One more", kind: "page", pathPattern: "/" })).rejects.toThrow(
      /a site may have at most 100 goals/,
    );
    expect((await h.admin.query(api.analytics.listGoals, { siteId: h.siteId })).length).toBe(
      MAX_GOALS_PER_SITE,
    );
    await expect(
      h.admin.query(api.analytics.getGoals, { siteId: h.siteId, from: NOW, to: FROM }),
    ).rejects.toThrow(/from must be before to/);
  });

  it("never reach another site's goals: reads, creation and deletion are scoped by auth", async () => {
    const other = await addSite(h, "other");
    const theirs = await create({ name: "Theirs", kind: "event", eventName: "x" }, other.siteId);
    const ours = await create({ name: "Ours", kind: "event", eventName: "x" });
    const s = scoped();
    const range = { from: FROM, to: NOW };
    await expect(s.getGoals({ siteId: other.siteId, ...range })).rejects.toThrow(
      `forbidden: getGoals on ${other.siteId}`,
    );
    await expect(s.listGoals({ siteId: other.siteId })).rejects.toThrow(
      `forbidden: listGoals on ${other.siteId}`,
    );
    await expect(
      s.createGoal({ siteId: other.siteId, name: "Mine", kind: "event", eventName: "x" }),
    ).rejects.toThrow(`forbidden: createGoal on ${other.siteId}`);
    // A goal id is resolved to its site before auth: another site's id is refused like a
    // forged cursor, and an unknown one reaches auth as a spanning call (no existence oracle).
    await expect(s.deleteGoal({ goalId: theirs.goalId })).rejects.toThrow(
      `forbidden: deleteGoal on ${other.siteId}`,
    );
    await expect(s.deleteGoal({ goalId: other.siteId })).rejects.toThrow(
      "forbidden: deleteGoal on all sites",
    );
    // The component refuses a goal of another site than the one the call names, too.
    await expect(
      h.t.run((ctx) =>
        ctx.runMutation(components.analytics.goals.deleteGoal, {
          siteId: h.siteId,
          goalId: theirs.goalId,
        }),
      ),
    ).rejects.toThrow(/goalId: no goal with id .* on this site/);
    expect(
      (await h.admin.query(api.analytics.listGoals, { siteId: other.siteId })).map((g) => g.name),
    ).toEqual(["Theirs"]);
    // Each site's report holds its own goals only.
    expect(
      (await s.getGoals({ siteId: h.siteId, ...range })).goals.map((g: { name: string }) => g.name),
    ).toEqual(["Ours"]);
    expect(await s.deleteGoal({ goalId: ours.goalId })).toBeNull();
    expect(s.seen.map((r) => [r.kind, r.fn, r.siteId === h.siteId])).toContainEqual([
      "admin",
      "deleteGoal",
      true,
    ]);
    await expect(h.t.query(api.analytics.getGoals, { siteId: h.siteId, ...range })).rejects.toThrow(
      /Sign in to call getGoals/,
    );
    await expect(
      h.t.mutation(api.analytics.createGoal, {
        siteId: h.siteId,
        name: "x",
        kind: "event",
        eventName: "x",
      }),
    ).rejects.toThrow(/Sign in as an administrator to call createGoal/);
  });
});
