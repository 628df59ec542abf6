import { describe, expect, it } from "vitest";
import { niceTicks } from "./ticks.js";

describe("niceTicks", () => {
  it("puts durations on round seconds and minutes", () => {
    expect(niceTicks(11_000, "duration")).toEqual([0, 5_000, 10_000, 15_000]);
    expect(niceTicks(200_000, "duration")).toEqual([0, 60_000, 120_000, 180_000, 240_000]);
  });
  it("puts counts on 1, 2, 5 × 10ⁿ and rates on round percentages", () => {
    expect(niceTicks(37, "count")).toEqual([0, 10, 20, 30, 40]);
    expect(niceTicks(3, "count")).toEqual([0, 1, 2, 3]);
    expect(niceTicks(0.78, "rate")).toEqual([0, 0.2, 0.4, 0.6, 0.8]);
  });
  it("gives an empty series an axis of one step", () => {
    expect(niceTicks(0, "count")).toEqual([0, 1]);
  });
});
