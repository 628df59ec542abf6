import { describe, expect, it } from "vitest";
import { chartData, formatTick, hourTicks, valueTicks, type SeriesPoint } from "./chartData.js";
import { HOUR_MS } from "./range.js";

const at = (d: number, h: number) => new Date(2025, 2, d, h).getTime();
const point = (t: number, sessions: number, end = t + HOUR_MS): SeriesPoint => ({
  t,
  end,
  visitors: sessions,
  pageviews: sessions,
  sessions,
  bounceRate: sessions ? 0.5 : 0,
  avgDurationMs: sessions ? 7_000 : 0,
});

describe("chartData", () => {
  it("leaves a gap for the bounce rate and duration of a bucket without visits", () => {
    const data = chartData(
      "avgDurationMs",
      [point(at(1, 0), 2), point(at(1, 1), 0)],
      undefined,
      at(9, 0),
    );
    expect(data.map((d) => d.value)).toEqual([7_000, null]);
    expect(chartData("visitors", [point(at(1, 1), 0)], undefined, at(9, 0))[0].value).toBe(0);
  });
  it("draws the running bucket as a dashed continuation, not as a complete point", () => {
    const now = at(1, 2) + 10 * 60_000;
    const data = chartData(
      "visitors",
      [point(at(1, 0), 3), point(at(1, 1), 4), point(at(1, 2), 1)],
      undefined,
      now,
    );
    expect(data.map((d) => d.value)).toEqual([3, 4, null]);
    expect(data.map((d) => d.partial)).toEqual([null, 4, 1]);
    expect(data.map((d) => d.incomplete)).toEqual([false, false, true]);
  });
  it("puts y ticks on round values", () => {
    const data = chartData("avgDurationMs", [point(at(1, 0), 1)], undefined, at(9, 0));
    expect(valueTicks("avgDurationMs", data)).toEqual([0, 2_000, 4_000, 6_000, 8_000]);
  });
});

describe("hourly axis", () => {
  const twoDays = Array.from({ length: 48 }, (_, i) => at(1, 0) + i * HOUR_MS);
  it("ticks on round local hours, midnight included", () => {
    const ticks = hourTicks(twoDays, 8);
    expect(ticks.length).toBeLessThanOrEqual(8);
    expect(ticks).toContain(at(2, 0));
    expect(ticks.every((t) => new Date(t).getHours() % 6 === 0)).toBe(true);
  });
  it("labels midnight with its date when the chart spans days", () => {
    expect(formatTick(at(2, 0), "hour", true)).toMatch(/2/);
    expect(formatTick(at(2, 0), "hour", true)).not.toEqual(formatTick(at(1, 0), "hour", false));
  });
});
