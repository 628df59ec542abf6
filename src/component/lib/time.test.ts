import { describe, expect, it } from "vitest";
import {
  bucketsIn,
  coverRange,
  dayBucket,
  hourBucket,
  monthBucket,
  nextDay,
  snapRange,
  utcOffsetMs,
} from "./time.js";

const H = 3_600_000;

describe("time buckets in a site's timezone", () => {
  it("starts New York days at local midnight, across the November DST change", () => {
    const sunday = dayBucket(Date.UTC(2026, 10, 1, 12), "America/New_York"); // DST ends 2026-11-01 06:00 UTC
    expect(sunday).toBe(Date.UTC(2026, 10, 1, 4)); // midnight EDT
    expect(nextDay(sunday, "America/New_York")).toBe(Date.UTC(2026, 10, 2, 5)); // midnight EST: a 25-hour day
    expect(utcOffsetMs(Date.UTC(2026, 10, 2), "America/New_York")).toBe(-5 * H);
  });

  it("puts an event at 02:30 UTC on the previous local day in New York", () => {
    const ts = Date.UTC(2026, 0, 10, 2, 30);
    expect(dayBucket(ts, "America/New_York")).toBe(Date.UTC(2026, 0, 9, 5));
    expect(dayBucket(ts, "UTC")).toBe(Date.UTC(2026, 0, 10));
  });

  it("aligns hour buckets to local hours in half-hour zones", () => {
    expect(hourBucket(Date.UTC(2026, 0, 10, 10, 10), "Asia/Kolkata")).toBe(
      Date.UTC(2026, 0, 10, 9, 30),
    );
    expect(monthBucket(Date.UTC(2026, 1, 14), "Asia/Kolkata")).toBe(Date.UTC(2026, 0, 31, 18, 30));
  });

  it("snaps a range outward to whole hours", () => {
    expect(snapRange(Date.UTC(2026, 0, 1, 10, 20), Date.UTC(2026, 0, 1, 12, 5), "UTC")).toEqual({
      from: Date.UTC(2026, 0, 1, 10),
      to: Date.UTC(2026, 0, 1, 13),
    });
  });

  it("covers a range with whole days and ragged hours", () => {
    const from = Date.UTC(2026, 0, 1, 20);
    const to = Date.UTC(2026, 0, 4, 3);
    expect(coverRange(from, to, "UTC", false)).toEqual([
      { granularity: "hour", from, to: Date.UTC(2026, 0, 2) },
      { granularity: "day", from: Date.UTC(2026, 0, 2), to: Date.UTC(2026, 0, 4) },
      { granularity: "hour", from: Date.UTC(2026, 0, 4), to },
    ]);
    expect(
      coverRange(Date.UTC(2026, 0, 1), Date.UTC(2026, 2, 3), "UTC", true).map((s) => s.granularity),
    ).toEqual(["month", "day"]);
    expect(bucketsIn(from, to, "day", "UTC")).toEqual(
      [0, 1, 2, 3].map((d) => Date.UTC(2026, 0, 1 + d)),
    );
  });
});
