import { describe, expect, it } from "vitest";
import { comparisonRange } from "./comparison.js";
import { DAY_MS } from "./range.js";

const at = (y: number, m: number, d: number) => new Date(y, m - 1, d).getTime();
// Mon 10 – Sun 16 March 2025 (whole days).
const WEEK = { from: at(2025, 3, 10), to: at(2025, 3, 17), interval: "day" as const };
const THIRTY = { from: at(2025, 2, 15), to: at(2025, 3, 17), interval: "day" as const };

describe("comparisonRange", () => {
  it("previous period: the same length just before; matching weekdays, whole weeks back", () => {
    expect(comparisonRange(WEEK, { mode: "previous", matchDayOfWeek: false })).toEqual({
      from: at(2025, 3, 3),
      to: at(2025, 3, 10),
      interval: "day",
    });
    const matched = comparisonRange(THIRTY, { mode: "previous", matchDayOfWeek: true })!;
    expect(matched.from).toBe(at(2025, 1, 11)); // 35 days back: a Saturday, like Feb 15
    expect(new Date(matched.from).getDay()).toBe(new Date(THIRTY.from).getDay());
  });
  it("year over year: the same dates, or 52 weeks back to match weekdays", () => {
    expect(comparisonRange(WEEK, { mode: "year", matchDayOfWeek: false })).toMatchObject({
      from: at(2024, 3, 10),
      to: at(2024, 3, 17),
    });
    const matched = comparisonRange(WEEK, { mode: "year", matchDayOfWeek: true })!;
    expect(matched).toMatchObject({ from: at(2024, 3, 11), to: at(2024, 3, 18) });
    expect(new Date(matched.from).getDay()).toBe(1);
  });
  it("custom: the chosen dates, whole days; none without dates or when off", () => {
    expect(
      comparisonRange(WEEK, {
        mode: "custom",
        matchDayOfWeek: false,
        custom: { from: "2025-01-05", to: "2025-01-01" },
      }),
    ).toEqual({ from: at(2025, 1, 1), to: at(2025, 1, 5) + DAY_MS, interval: "day" });
    expect(comparisonRange(WEEK, { mode: "custom", matchDayOfWeek: false })).toBeNull();
    expect(comparisonRange(WEEK, { mode: "off", matchDayOfWeek: false })).toBeNull();
  });
});
