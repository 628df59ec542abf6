import { describe, expect, it } from "vitest";
import {
  DAY_MS,
  HOUR_MS,
  MAX_RANGE_MS,
  MINUTE_MS,
  floorHour,
  intervalFor,
  parseDateInput,
  rangeFor,
  shiftSelection,
  toDateInput,
} from "./range.js";

// Local-time constructors keep these tests true in any time zone the suite runs in.
const at = (y: number, m: number, d: number, h = 0, min = 0) =>
  new Date(y, m - 1, d, h, min).getTime();
const NOW = at(2025, 3, 10, 14, 20);
const NEXT_HOUR = at(2025, 3, 10, 15);
const isLocalWholeHour = (ms: number) => new Date(ms).getMinutes() === 0 && ms % MINUTE_MS === 0;

describe("rangeFor", () => {
  it("ends every preset at the next whole hour", () => {
    for (const preset of ["today", "24h", "7d", "30d", "12mo"] as const) {
      const range = rangeFor(preset, NOW);
      expect(range.to).toBe(NEXT_HOUR);
      expect(isLocalWholeHour(range.to)).toBe(true);
      expect(isLocalWholeHour(range.from)).toBe(true);
    }
  });

  it("is the same for every instant of an hour, and moves with the next one", () => {
    for (const preset of ["today", "24h", "7d", "30d", "12mo"] as const) {
      const first = rangeFor(preset, at(2025, 3, 10, 14, 0));
      expect(rangeFor(preset, at(2025, 3, 10, 14, 59))).toEqual(first);
      expect(rangeFor(preset, NOW)).toEqual(first);
      expect(rangeFor(preset, at(2025, 3, 10, 15, 1)).to).toBe(first.to + HOUR_MS);
    }
  });

  it("counts whole local days for today, 7 and 30 days", () => {
    expect(rangeFor("today", NOW)).toEqual({
      from: floorHour(at(2025, 3, 10)),
      to: NEXT_HOUR,
      interval: "hour",
    });
    expect(rangeFor("7d", NOW)).toEqual({
      from: floorHour(at(2025, 3, 4)),
      to: NEXT_HOUR,
      interval: "day",
    });
    expect(rangeFor("30d", NOW)).toEqual({
      from: floorHour(at(2025, 2, 9)),
      to: NEXT_HOUR,
      interval: "day",
    });
  });

  it("takes the last 24 hours literally, hourly", () => {
    expect(rangeFor("24h", NOW)).toEqual({
      from: NEXT_HOUR - DAY_MS,
      to: NEXT_HOUR,
      interval: "hour",
    });
  });

  it("starts 12 months at the first of the month eleven months back", () => {
    expect(rangeFor("12mo", NOW)).toEqual({
      from: floorHour(at(2024, 4, 1)),
      to: NEXT_HOUR,
      interval: "day",
    });
    // Crossing a year boundary from January.
    expect(rangeFor("12mo", at(2025, 1, 15, 9)).from).toBe(floorHour(at(2024, 2, 1)));
  });

  it("turns custom dates into [first midnight, midnight after the last)", () => {
    expect(rangeFor({ from: "2025-02-01", to: "2025-02-28" }, NOW)).toEqual({
      from: floorHour(at(2025, 2, 1)),
      to: floorHour(at(2025, 3, 1)),
      interval: "day",
    });
    // One or two days are charted by the hour.
    expect(rangeFor({ from: "2025-03-01", to: "2025-03-01" }, NOW).interval).toBe("hour");
    expect(rangeFor({ from: "2025-03-01", to: "2025-03-02" }, NOW).interval).toBe("hour");
    expect(rangeFor({ from: "2025-03-01", to: "2025-03-03" }, NOW).interval).toBe("day");
  });

  it("stops a custom range that includes today at the next whole hour", () => {
    expect(rangeFor({ from: "2025-03-08", to: "2025-03-10" }, NOW).to).toBe(NEXT_HOUR);
    expect(rangeFor({ from: "2025-03-08", to: "2025-03-20" }, NOW).to).toBe(NEXT_HOUR);
  });

  it("swaps reversed dates, falls back to 7 days on bad ones, and clamps to the server's maximum", () => {
    expect(rangeFor({ from: "2025-02-28", to: "2025-02-01" }, NOW)).toEqual(
      rangeFor({ from: "2025-02-01", to: "2025-02-28" }, NOW),
    );
    expect(rangeFor({ from: "2025-02-31", to: "2025-03-01" }, NOW)).toEqual(rangeFor("7d", NOW));
    expect(rangeFor({ from: "", to: "2025-03-01" }, NOW)).toEqual(rangeFor("7d", NOW));
    const long = rangeFor({ from: "2015-01-01", to: "2025-03-01" }, NOW);
    expect(long.to - long.from).toBeLessThanOrEqual(MAX_RANGE_MS);
    expect(long.to - long.from).toBeGreaterThan(MAX_RANGE_MS - DAY_MS - HOUR_MS);
    expect(new Date(long.from).getHours()).toBe(0);
    expect(long.clamped).toBe(true);
  });
});

describe("the presets Plausible has", () => {
  it("yesterday, month to date, last month, year to date", () => {
    expect(rangeFor("yesterday", NOW)).toEqual({
      from: at(2025, 3, 9),
      to: at(2025, 3, 10),
      interval: "hour",
    });
    expect(rangeFor("month", NOW)).toMatchObject({ from: at(2025, 3, 1), to: NEXT_HOUR });
    expect(rangeFor("lastMonth", NOW)).toMatchObject({ from: at(2025, 2, 1), to: at(2025, 3, 1) });
    expect(rangeFor("year", NOW)).toMatchObject({ from: at(2025, 1, 1), to: NEXT_HOUR });
  });

  it("all time: as far back as the read API allows, from a midnight, and says it was clamped", () => {
    const all = rangeFor("all", NOW);
    expect(all.to).toBe(NEXT_HOUR);
    expect(all.to - all.from).toBeLessThanOrEqual(MAX_RANGE_MS);
    expect(new Date(all.from).getHours()).toBe(0);
    expect(all.clamped).toBe(true);
  });
});

describe("previous and next period", () => {
  const shift = (selection: Parameters<typeof rangeFor>[0], direction: -1 | 1) =>
    shiftSelection(selection, rangeFor(selection, NOW), direction, NOW);

  it("moves day ranges by their number of days", () => {
    expect(shift("today", -1)).toEqual({ from: "2025-03-09", to: "2025-03-09" });
    expect(shift("7d", -1)).toEqual({ from: "2025-02-25", to: "2025-03-03" });
    expect(shift({ from: "2025-03-01", to: "2025-03-02" }, 1)).toEqual({
      from: "2025-03-03",
      to: "2025-03-04",
    });
  });

  it("moves month-shaped ranges by whole months", () => {
    expect(shift("month", -1)).toEqual({ from: "2025-02-01", to: "2025-02-28" });
    expect(shift("lastMonth", -1)).toEqual({ from: "2025-01-01", to: "2025-01-31" });
    expect(shift("lastMonth", 1)).toEqual({ from: "2025-03-01", to: "2025-03-31" });
    expect(shift({ from: "2024-01-01", to: "2024-03-31" }, 1)).toEqual({
      from: "2024-04-01",
      to: "2024-06-30",
    });
    expect(shift("year", -1)).toEqual({ from: "2024-01-01", to: "2024-12-31" });
  });

  it("has no next period in the future, and none at all for the last 24 hours or all time", () => {
    expect(shift("today", 1)).toBeNull();
    expect(shift("month", 1)).toBeNull();
    expect(shift("24h", -1)).toBeNull();
    expect(shift("all", -1)).toBeNull();
  });
});

describe("date inputs", () => {
  it("round-trips local dates", () => {
    expect(toDateInput(at(2025, 3, 4, 23, 59))).toBe("2025-03-04");
    expect(parseDateInput("2025-03-04")).toBe(at(2025, 3, 4));
    expect(parseDateInput("2025-13-01")).toBeUndefined();
    expect(parseDateInput("04/03/2025")).toBeUndefined();
  });

  it("charts up to two days hourly", () => {
    expect(intervalFor(0, 2 * DAY_MS)).toBe("hour");
    expect(intervalFor(0, 2 * DAY_MS + HOUR_MS)).toBe("day");
  });
});
