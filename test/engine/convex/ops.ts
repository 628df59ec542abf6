// Functions of the engine-test app: each runs a list of operations (see ../exec.ts).
import { v } from "convex/values";
import { execOps, normalizeError, type Op, type Refs } from "../exec.js";
import { api, components } from "./_generated/api.js";
import { action, mutation, query } from "./_generated/server.js";

const refs: Refs = {
  query: api.ops.query,
  mutation: api.ops.mutation,
  childQuery: components.child.ops.query,
  childMutation: components.child.ops.mutation,
};
const args = { ops: v.any(), engine: v.string(), fail: v.optional(v.boolean()) };

export const query_ = query({
  args,
  handler: async (ctx, { ops, engine }) =>
    await execOps(ctx as never, ops as Op[], engine, "app", refs),
});

export const mutation_ = mutation({
  args,
  handler: async (ctx, { ops, engine, fail }) => {
    const result = await execOps(ctx as never, ops as Op[], engine, "app", refs);
    if (fail) throw new Error(`rolled back: ${JSON.stringify(result.metrics)}`);
    return result;
  },
});

export { query_ as query, mutation_ as mutation };

/** Runs each step as its own top-level transaction, as an action's calls are. */
export const action_ = action({
  args: { steps: v.any(), engine: v.string() },
  handler: async (ctx, { steps, engine }) => {
    const out = [];
    for (const step of steps as (
      | { type: "query" | "mutation"; target: "self" | "child"; ops: Op[]; fail?: boolean }
      | { type: "vector"; vector: number[]; limit: number; g?: number }
    )[]) {
      if (step.type === "vector") {
        const { vector, limit, g } = step;
        out.push({
          ok: await ctx.vectorSearch("items", "by_vec", {
            vector,
            limit,
            filter: g === undefined ? undefined : (q) => q.eq("g", g),
          }),
        });
        continue;
      }
      const target =
        step.target === "child"
          ? { q: refs.childQuery!, m: refs.childMutation! }
          : { q: refs.query, m: refs.mutation };
      const stepArgs = { ops: step.ops as never, engine, fail: step.fail ?? false };
      try {
        out.push({
          ok:
            step.type === "query"
              ? await ctx.runQuery(target.q, stepArgs)
              : await ctx.runMutation(target.m, stepArgs),
        });
      } catch (e) {
        out.push({ err: normalizeError(e) });
      }
    }
    return out;
  },
});
export { action_ as action };

/** The benchmark's point lookup. */
export const lookup = query({
  args: { a: v.number() },
  handler: async (ctx, { a }) =>
    await ctx.db
      .query("items")
      .withIndex("by_a", (q) => q.eq("a", a))
      .unique(),
});

/** Inserts documents in bulk (benchmark setup). */
export const insertMany = mutation({
  args: { docs: v.array(v.object({ a: v.number(), b: v.string(), g: v.number() })) },
  handler: async (ctx, { docs }) => {
    for (const doc of docs) await ctx.db.insert("items", doc);
    return null;
  },
});
