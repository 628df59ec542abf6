import { Analytics } from "convex-analytics";
import { ConvexError, v } from "convex/values";
import { components } from "./_generated/api.js";
import { mutation } from "./_generated/server.js";

// Typed events: `name` and `props` of every track call are checked against this map.
const analytics = new Analytics<{ order_placed: { plan: string } }>(components.analytics);

const COUPONS = new Set(["WELCOME10"]);

// A host mutation that records a conversion. The event is part of this mutation's
// transaction: if anything below throws (an unknown coupon here), the order and its
// `order_placed` event are both rolled back, and the dashboard never counts it.
export const placeOrder = mutation({
  args: {
    siteId: v.string(),
    orderId: v.string(),
    plan: v.string(),
    coupon: v.optional(v.string()),
    // The page's tracker ids, when the order comes from a browser visit: the event then
    // counts in that visit (sources, funnels, goals) instead of as a visitor of its own.
    visitorId: v.optional(v.string()),
    sessionId: v.optional(v.string()),
    userId: v.optional(v.string()),
  },
  returns: v.object({ eventId: v.string() }),
  handler: async (ctx, args) => {
    if (args.userId !== undefined && args.visitorId !== undefined)
      await analytics.identify(ctx, {
        siteId: args.siteId,
        visitorId: args.visitorId,
        userId: args.userId,
        id: `order:${args.orderId}:identify`,
      });
    const { eventId } = await analytics.track(ctx, {
      siteId: args.siteId,
      name: "order_placed",
      props: { plan: args.plan },
      // The order id makes a retried placeOrder count once.
      id: `order:${args.orderId}`,
      visitorId: args.visitorId,
      sessionId: args.sessionId,
      userId: args.userId,
    });
    if (args.coupon !== undefined && !COUPONS.has(args.coupon))
      throw new ConvexError({ code: "unknown_coupon", message: `unknown coupon ${args.coupon}` });
    return { eventId };
  },
});
