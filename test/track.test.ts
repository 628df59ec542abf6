// Events from host code (contract §8) through the example app's own mutation
// (example/convex/orders.ts placeOrder, which identifies and tracks with `Analytics`): the event
// exists if and only if the host's mutation commits, counts exactly once whatever the retries,
// joins the browser visit it names, and a bad call throws naming the field with nothing written.
import type { GenericActionCtx, GenericDataModel } from "convex/server";
import { ConvexError } from "convex/values";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { api, components } from "../example/convex/_generated/api.js";
import { Analytics, decodePropKeys } from "../src/client/index.js";
import {
  componentDocs,
  createHarness,
  HOUR,
  MINUTE,
  pageview,
  type Harness,
} from "../harness/host.js";

const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);
const RANGE = { from: NOW - 3 * HOUR, to: NOW + HOUR };

let h: Harness;
beforeEach(async () => {
  vi.useFakeTimers();
  vi.setSystemTime(NOW);
  h = await createHarness();
});
afterEach(() => vi.useRealTimers());

type Order = {
  orderId: string;
  plan: string;
  coupon?: string;
  visitorId?: string;
  sessionId?: string;
  userId?: string;
};
const placeOrder = (order: Order) =>
  h.t.mutation(api.orders.placeOrder, { siteId: h.siteId, ...order });

async function errorOf(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ConvexError);
    return (error as ConvexError<{ code: string; message: string }>).data;
  }
  throw new Error("did not throw");
}

const read = {
  overview: () => h.admin.query(api.analytics.getOverview, { siteId: h.siteId, ...RANGE }),
  events: () =>
    h.admin.query(api.analytics.getBreakdown, {
      siteId: h.siteId,
      ...RANGE,
      dimension: "event",
    }),
  plans: () =>
    h.admin.query(api.analytics.getEventProperties, {
      siteId: h.siteId,
      ...RANGE,
      eventName: "order_placed",
      property: "plan",
    }),
  goals: () => h.admin.query(api.analytics.getGoals, { siteId: h.siteId, ...RANGE }),
};

describe("track from a host mutation", () => {
  it("counts a committed order once, never a rolled-back one, and joins the visit it names", async () => {
    await h.admin.mutation(api.analytics.createGoal, {
      siteId: h.siteId,
      name: "Order",
      kind: "event",
      eventName: "order_placed",
    });
    await h.admin.mutation(api.analytics.createGoal, {
      siteId: h.siteId,
      name: "Pro order",
      kind: "event",
      eventName: "order_placed",
      property: "plan",
      value: "pro",
    });
    // Alice browses (the tracker's ids v1/s1), then orders from that visit, signed in.
    expect((await h.send([pageview("pv1", NOW - 30 * MINUTE, "/pricing")])).status).toBe(202);
    const alice = { plan: "pro", visitorId: "v1", sessionId: "s1", userId: "alice" };
    expect(await placeOrder({ orderId: "o1", ...alice })).toEqual({ eventId: "order:o1" });
    // The client retries (say, after a network error): same order id, nothing more counted.
    expect(await placeOrder({ orderId: "o1", ...alice })).toEqual({ eventId: "order:o1" });
    // A coupon check fails after track ran: the whole mutation, event included, rolls back.
    expect(await errorOf(placeOrder({ orderId: "o2", plan: "pro", coupon: "BOGUS" }))).toEqual({
      code: "unknown_coupon",
      message: "unknown coupon BOGUS",
    });
    // An order from a backend job (no visit) and one from Bob without a browser visit.
    await placeOrder({ orderId: "o3", plan: "team" });
    await placeOrder({ orderId: "o4", plan: "pro", userId: "bob" });
    await h.settle();

    const stored = await componentDocs<{ eventId: string; type: string }>(h, "events");
    expect(stored.map((e) => `${e.type}:${e.eventId}`).sort()).toEqual([
      "event:order:o1",
      "event:order:o3",
      "event:order:o4",
      "identify:order:o1:identify",
      "pageview:pv1",
    ]);
    const overview = await read.overview();
    expect(overview).toMatchObject({
      pageviews: 1,
      events: 3,
      // Alice's visit, the backend job's own visitor, Bob's (derived from his userId).
      visitors: 3,
      sessions: 3,
      identifiedUsers: 1,
      // Alice's one-pageview visit sent an event: no bounce. The other two have no pageview.
      bounceRate: 0,
    });
    expect((await read.events()).rows).toEqual([
      { key: "order_placed", visitors: 3, pageviews: 0, sessions: 3, events: 3 },
    ]);
    expect((await read.plans()).rows).toEqual([
      { key: "pro", events: 2, visitors: 2 },
      { key: "team", events: 1, visitors: 1 },
    ]);
    const goals = (await read.goals()).goals.map(({ name, visitors, events }) => ({
      name,
      visitors,
      events,
    }));
    expect(goals).toEqual([
      { name: "Order", visitors: 3, events: 3 },
      { name: "Pro order", visitors: 2, events: 2 },
    ]);
    // The order counts in Alice's visit: its source, and a filter on its page, find it.
    const fromPricing = await h.admin.query(api.analytics.getOverview, {
      siteId: h.siteId,
      ...RANGE,
      filters: [["is", "page", ["/pricing"]]],
    });
    expect(fromPricing).toMatchObject({ visitors: 1, sessions: 1, events: 1 });
  });

  it("throws naming the field on a bad call, with nothing written", async () => {
    const before = await componentDocs(h, "events");
    const error = await errorOf(placeOrder({ orderId: "o1", plan: "p".repeat(513) }));
    expect(error).toEqual({
      code: "invalid_argument",
      message: "track: props.plan: property values must be at most 512 characters",
    });
    expect(
      await errorOf(placeOrder({ orderId: "x".repeat(80), plan: "pro", visitorId: "v1" })),
    ).toEqual({ code: "invalid_argument", message: "track: id must be at most 64 characters" });
    expect(
      await errorOf(placeOrder({ orderId: "o1", plan: "pro", visitorId: "v1", userId: "" })),
    ).toEqual({ code: "invalid_argument", message: "identify: userId must not be empty" });
    expect(await componentDocs(h, "events")).toEqual(before);
  });

  it("stores props keys Convex can't take as field names, read back as sent", async () => {
    const analytics = new Analytics(components.analytics);
    await h.t.mutation(async (ctx) => {
      await analytics.track(ctx, {
        siteId: h.siteId,
        name: "imported",
        props: { $browser: "Chrome", город: "Москва" },
        visitorId: "v9",
      });
      await analytics.identify(ctx, {
        siteId: h.siteId,
        visitorId: "v9",
        userId: "u9",
        traits: { $email: "a@example.com" },
      });
    });
    await h.settle();
    const { page } = await h.admin.query(api.analytics.listEvents, {
      siteId: h.siteId,
      paginationOpts: { numItems: 10, cursor: null },
    });
    const tracked = page.find((e) => e.type === "event")!;
    expect(decodePropKeys(tracked.props!)).toEqual({ $browser: "Chrome", город: "Москва" });
    const stored = await componentDocs<{ type: string; traits?: Record<string, unknown> }>(
      h,
      "events",
    );
    expect(decodePropKeys(stored.find((e) => e.type === "identify")!.traits!)).toEqual({
      $email: "a@example.com",
    });
    const browsers = await h.admin.query(api.analytics.getEventProperties, {
      siteId: h.siteId,
      ...RANGE,
      eventName: "imported",
      property: "$browser",
    });
    expect(browsers.rows).toEqual([{ key: "Chrome", events: 1, visitors: 1 }]);
  });

  it("narrows name and props to the events an app declares", () => {
    const typed = new Analytics<{ signup: { plan: string }; ping: { n?: number } }>(
      components.analytics,
    );
    // Type checks only (npm run typecheck); never run.
    const calls = (ctx: Parameters<typeof typed.track>[0]) => [
      typed.track(ctx, { siteId: "s", name: "signup", props: { plan: "pro" } }),
      typed.track(ctx, { siteId: "s", name: "ping" }),
      // @ts-expect-error an event the app didn't declare
      typed.track(ctx, { siteId: "s", name: "signin" }),
      // @ts-expect-error signup's props are required
      typed.track(ctx, { siteId: "s", name: "signup" }),
      // @ts-expect-error plan is a string
      typed.track(ctx, { siteId: "s", name: "signup", props: { plan: 1 } }),
    ];
    const fromAction = (ctx: GenericActionCtx<GenericDataModel>) =>
      // @ts-expect-error an action's runMutation commits on its own: call a mutation that tracks
      typed.track(ctx, { siteId: "s", name: "ping" });
    expect([typeof calls, typeof fromAction]).toEqual(["function", "function"]);
  });
});
