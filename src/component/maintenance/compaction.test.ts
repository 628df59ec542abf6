import { describe, expect, it } from "vitest";
import { COMPACTION_GRACE_MS, HOUR_MS } from "../lib/limits.js";
import { firstOpenBucket, mergeRows } from "./compaction.js";
import { countUnion, emptySketch, hashId, sketchAdd } from "../lib/sketch.js";

const row = (pageviews: number, visitors: string[], users?: string[]) => ({
  pageviews,
  events: 1,
  sessions: 1,
  bounces: 0,
  pvSessions: 1,
  durationMs: 1_000,
  visitors: sketchAdd(emptySketch(), visitors.map(hashId)),
  ...(users ? { users: sketchAdd(emptySketch(), users.map(hashId)) } : {}),
});

describe("mergeRows", () => {
  it("adds counters and unions sketches, counting a visitor seen in two partitions once", () => {
    const merged = mergeRows([
      row(2, ["a", "b"]),
      row(3, ["b", "c"], ["u1"]),
      { ...row(-1, []), sessions: -1 },
    ]);
    expect(merged.pageviews).toBe(4);
    expect(merged.sessions).toBe(1);
    expect(merged.durationMs).toBe(3_000);
    expect(countUnion([merged.visitors])).toBe(3);
    expect(countUnion([merged.users!])).toBe(1);
  });

  it("is idempotent on sketches: merging a merged row with its inputs changes no visitor count", () => {
    const inputs = [row(1, ["a"]), row(1, ["b"])];
    const once = mergeRows(inputs);
    expect(countUnion([mergeAll2(once.visitors, inputs[0]!.visitors)])).toBe(2);
  });
});

function mergeAll2(a: ArrayBuffer, b: ArrayBuffer) {
  return mergeRows([
    { ...row(0, []), visitors: a },
    { ...row(0, []), visitors: b },
  ]).visitors;
}

describe("firstOpenBucket", () => {
  const now = Date.UTC(2026, 10, 20, 12, 30);
  it("closes an hour once it ended the grace period ago", () => {
    // 12:30 − 1 h grace = 11:30: the 10:00 hour ended at 11:00, the 11:00 hour has not ended.
    expect(COMPACTION_GRACE_MS).toBe(HOUR_MS);
    expect(firstOpenBucket("hour", now, "UTC")).toBe(Date.UTC(2026, 10, 20, 11));
  });
  it("closes days and months in the site's timezone", () => {
    expect(firstOpenBucket("day", now, "UTC")).toBe(Date.UTC(2026, 10, 20));
    expect(firstOpenBucket("month", now, "UTC")).toBe(Date.UTC(2026, 10, 1));
    // 00:30 UTC on the 20th is 19:30 on the 19th in New York: the 19th (local) is still open.
    expect(firstOpenBucket("day", Date.UTC(2026, 10, 20, 1, 30), "America/New_York")).toBe(
      Date.UTC(2026, 10, 19, 5),
    );
  });
});
