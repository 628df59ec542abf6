import { describe, expect, it } from "vitest";
import { allowedIntervals, defaultInterval, groupedBuckets, resolveInterval } from "./intervals.js";
import { rangeFor } from "./range.js";

const at = (y: number, m: number, d: number, h = 0) => new Date(y, m - 1, d, h).getTime();
const NOW = at(2025, 3, 12, 14); // a Wednesday

describe("chart intervals", () => {
  it("defaults to hours up to two days, days up to about three months, then months", () => {
    expect(defaultInterval(rangeFor("today", NOW))).toBe("hour");
    expect(defaultInterval(rangeFor("7d", NOW))).toBe("day");
    expect(defaultInterval(rangeFor("30d", NOW))).toBe("day");
    expect(defaultInterval(rangeFor("12mo", NOW))).toBe("month");
    expect(defaultInterval(rangeFor("all", NOW))).toBe("month");
  });
  it("offers what gives more than one point and not too many", () => {
    expect(allowedIntervals(rangeFor("today", NOW))).toEqual(["hour"]);
    expect(allowedIntervals(rangeFor("7d", NOW))).toEqual(["hour", "day", "week"]);
    expect(allowedIntervals(rangeFor("12mo", NOW))).toEqual(["day", "week", "month"]);
    // 157 weeks would be 157 subscriptions.
    expect(allowedIntervals(rangeFor("all", NOW))).toEqual(["day", "month"]);
    expect(resolveInterval(rangeFor("today", NOW), "month")).toBe("hour");
  });
  it("cuts weeks at Mondays and months at the 1st, the ends to the range", () => {
    const weeks = groupedBuckets(rangeFor("7d", NOW), "week");
    expect(weeks).toEqual([
      { from: at(2025, 3, 6), to: at(2025, 3, 10) },
      { from: at(2025, 3, 10), to: at(2025, 3, 12, 15) },
    ]);
    const months = groupedBuckets(rangeFor("12mo", NOW), "month");
    expect(months).toHaveLength(12);
    expect(months[0]).toEqual({ from: at(2024, 4, 1), to: at(2024, 5, 1) });
    expect(months[11].to).toBe(at(2025, 3, 12, 15));
  });
});
