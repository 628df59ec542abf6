// Functions of the engine-test component "child": the same operations, on its own tables.
import { v } from "convex/values";
import { execOps, type Op, type Refs } from "../exec.js";
import { api } from "./_generated/api.js";
import { mutation, query } from "./_generated/server.js";

const refs: Refs = { query: api.ops.query, mutation: api.ops.mutation };
const args = { ops: v.any(), engine: v.string(), fail: v.optional(v.boolean()) };

const query_ = query({
  args,
  handler: async (ctx, { ops, engine }) =>
    await execOps(ctx as never, ops as Op[], engine, "child", refs),
});

const mutation_ = mutation({
  args,
  handler: async (ctx, { ops, engine, fail }) => {
    const result = await execOps(ctx as never, ops as Op[], engine, "child", refs);
    if (fail) throw new Error(`rolled back: ${JSON.stringify(result.metrics)}`);
    return result;
  },
});

export { query_ as query, mutation_ as mutation };
