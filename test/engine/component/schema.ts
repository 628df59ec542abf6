// Schema of the component the engine tests register as "child": its own `items`.
import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";

export default defineSchema({
  items: defineTable({
    a: v.number(),
    b: v.string(),
    g: v.number(),
    c: v.optional(v.any()),
    tag: v.optional(v.string()),
    n: v.optional(v.object({ x: v.number() })),
    ts: v.optional(v.commitTs()),
    vec: v.optional(v.array(v.float64())),
  })
    .index("by_a", ["a"])
    .index("by_g_b_a", ["g", "b", "a"])
    .index("by_c", ["c"]),
  notes: defineTable({ k: v.number(), text: v.string() }),
});
