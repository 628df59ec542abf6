import { describe, expect, it } from "vitest";
import {
  formatCount,
  formatCountry,
  formatDuration,
  formatConversionRate,
  formatPercent,
  formatRatio,
  pointsDelta,
  relativeDelta,
} from "./format.js";

describe("formatCount", () => {
  it.each([
    [0, "0"],
    [999, "999"],
    [1000, "1k"],
    [1234, "1.2k"],
    [12_345, "12.3k"],
    [99_960, "100k"],
    [123_456, "123k"],
    [999_960, "1M"],
    [1_500_000, "1.5M"],
    [2_000_000_000, "2B"],
  ])("%d → %s", (value, text) => expect(formatCount(value)).toBe(text));
});

describe("formatDuration", () => {
  it.each([
    [0, "0s"],
    [400, "0s"],
    [45_000, "45s"],
    [60_000, "1m"],
    [192_000, "3m 12s"],
    [3_600_000, "1h"],
    [3_900_000, "1h 5m"],
  ])("%d ms → %s", (ms, text) => expect(formatDuration(ms)).toBe(text));
});

describe("rates and ratios", () => {
  it("formats a rate as a whole percentage", () => {
    expect(formatPercent(0.453)).toBe("45%");
    expect(formatPercent(0)).toBe("0%");
    expect(formatPercent(1)).toBe("100%");
  });

  it("formats a conversion rate to a tenth of a percent, never a converting goal as 0%", () => {
    expect(formatConversionRate(0.125)).toBe("12.5%");
    expect(formatConversionRate(0.1)).toBe("10%");
    expect(formatConversionRate(0.0456)).toBe("4.6%");
    expect(formatConversionRate(1)).toBe("100%");
    expect(formatConversionRate(0)).toBe("0%");
    expect(formatConversionRate(0.0004)).toBe("<0.1%");
  });
  it("formats views per visit with at most two decimals", () => {
    expect(formatRatio(2.5)).toBe("2.5");
    expect(formatRatio(2.3456)).toBe("2.35");
    expect(formatRatio(3)).toBe("3");
  });
});

describe("deltas", () => {
  it("gives relative change, and 'new' from nothing", () => {
    expect(relativeDelta(1234, 1100)).toEqual({ text: "+12%", direction: "up" });
    expect(relativeDelta(5678, 6000)).toEqual({ text: "-5%", direction: "down" });
    expect(relativeDelta(100, 100)).toEqual({ text: "0%", direction: "flat" });
    expect(relativeDelta(0, 0)).toEqual({ text: "0%", direction: "flat" });
    expect(relativeDelta(5, 0)).toEqual({ text: "new", direction: "up" });
  });

  it("gives rate changes in percentage points", () => {
    expect(pointsDelta(0.45, 0.42)).toEqual({ text: "+3 pp", direction: "up" });
    expect(pointsDelta(0.4, 0.5)).toEqual({ text: "-10 pp", direction: "down" });
    // With a decimal, for conversion rates.
    expect(pointsDelta(0.025, 0.021, 1)).toEqual({ text: "+0.4 pp", direction: "up" });
    expect(pointsDelta(0.1, 0.125, 1)).toEqual({ text: "-2.5 pp", direction: "down" });
    expect(pointsDelta(0.1, 0.1004, 1)).toEqual({ text: "0 pp", direction: "flat" });
  });
});

describe("formatCountry", () => {
  it("shows a flag and a name for ISO codes, anything else as is", () => {
    expect(formatCountry("FR")).toMatch(/^🇫🇷 /);
    expect(formatCountry("Unknown")).toBe("Unknown");
  });
});
