// Schema of the tiny app the engine tests run (test/engine/README.md).
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
    .index("by_b_a", ["b", "a"])
    .index("by_g_b_a", ["g", "b", "a"])
    .index("by_c", ["c"])
    .index("by_tag", ["tag"])
    .index("by_nx", ["n.x"])
    .index("by_ts", ["ts"])
    .searchIndex("search_b", { searchField: "b", filterFields: ["g"] })
    .vectorIndex("by_vec", { vectorField: "vec", dimensions: 2, filterFields: ["g"] }),
  notes: defineTable({ k: v.number(), text: v.string() }).index("by_k", ["k"]),
});
