// Events the worker set aside (invariant 9), put back once their cause is fixed: getHealth
// lists them by reason; an admin calls requeueFailed after a fix (a bigger budget, a repaired
// record) and the worker folds them like any pending event, exactly once.
import { internal } from "./_generated/api.js";
import { mutation } from "./_generated/server.js";
import * as signatures from "./lib/signatures.js";
import { PARTITIONS, REQUEUE_PER_CALL } from "./lib/limits.js";
import { loadSite } from "./sites.js";

/**
 * Puts up to `limit` (at most REQUEUE_PER_CALL) set-aside events of a site back to pending
 * with their attempts cleared, and kicks the workers of their partitions. `more` says that
 * set-aside events remain: call again.
 */
export const requeueFailed = mutation({
  args: signatures.requeueFailed.args,
  returns: signatures.requeueFailed.returns,
  handler: async (ctx, { siteId, limit }) => {
    const site = await loadSite(ctx, siteId);
    let room = Math.max(0, Math.min(limit ?? REQUEUE_PER_CALL, REQUEUE_PER_CALL));
    let requeued = 0;
    let more = false;
    for (let partition = 0; partition < PARTITIONS; partition++) {
      const failed = await ctx.db
        .query("events")
        .withIndex("by_status", (q) =>
          q.eq("siteId", site._id).eq("partition", partition).eq("status", "failed"),
        )
        .take(room + 1);
      if (failed.length > room) more = true;
      const batch = failed.slice(0, room);
      // receivedAt is kept: the events are older than the settle window, so the worker sees them.
      for (const event of batch)
        await ctx.db.patch("events", event._id, {
          status: "pending",
          attempts: undefined,
          failure: undefined,
        });
      if (batch.length)
        await ctx.scheduler.runAfter(0, internal.worker.aggregate, {
          siteId: site._id,
          partition,
        });
      requeued += batch.length;
      room -= batch.length;
    }
    return { requeued, more };
  },
});
