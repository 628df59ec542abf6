// The benchmark's baseline: the analytics design this product replaces, kept deliberately
// naive. Raw events are the only source of truth for ranges, and running totals live in one
// counter document per site and metric that every ingested event reads, modifies and writes.
import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";

export default defineSchema({
  events: defineTable({
    site: v.string(),
    ts: v.number(),
    visitorId: v.string(),
    sessionId: v.string(),
    path: v.string(),
    source: v.string(),
    browser: v.string(),
    country: v.string(),
  })
    .index("by_ts", ["site", "ts"])
    /** "Have we seen this visitor / session before?" before bumping the visitors / sessions counters. */
    .index("by_visitor", ["site", "visitorId"])
    .index("by_session", ["site", "sessionId"]),

  /** One document per (site, metric): pageviews, visitors, sessions. The hot documents. */
  counters: defineTable({
    site: v.string(),
    metric: v.string(),
    value: v.number(),
  }).index("by_metric", ["site", "metric"]),
});
