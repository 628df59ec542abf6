import { describe, expect, it } from "vitest";
import { rateLimitDecision, reservedPerMinute } from "./admission.js";
import { MINUTE_MS } from "./limits.js";
import { estimatedEntropyBits } from "./validate.js";

const M = 100 * MINUTE_MS; // a minute boundary

describe("rate limit", () => {
  it("counts every reservation but the caller's own", () => {
    const rows = [
      { id: "a", at: M + 1_000, events: 40 },
      { id: "b", at: M + 2_000, events: 60 },
    ];
    expect(reservedPerMinute([{ minute: M, newestFirst: rows }], 10, M + 3_000, "b")).toEqual([
      { minute: M, count: 40 },
    ]);
  });

  it("extrapolates a minute with more rows than it reads from the part they cover", () => {
    // 10 rows in the last 6 s of a 30 s-old minute: 5 × the events read.
    const rows = Array.from({ length: 10 }, (_, i) => ({
      id: `r${i}`,
      at: M + 30_000 - i * 600,
      events: 2,
    }));
    const [counted] = reservedPerMinute([{ minute: M, newestFirst: rows }], 10, M + 30_000);
    expect(counted!.count).toBeGreaterThanOrEqual(90);
  });

  it("admits below the limit, refuses at it with Retry-After, weighs the previous minute", () => {
    expect(rateLimitDecision([{ minute: M, count: 2 }], 3, M + 1_000)).toBeNull();
    expect(rateLimitDecision([{ minute: M, count: 3 }], 3, M + 1_000)).toMatchObject({
      status: 429,
      retryAfterSec: 59,
    });
    // Half-way through the minute, half of the previous minute still counts.
    expect(rateLimitDecision([{ minute: M - MINUTE_MS, count: 10 }], 6, M + 30_000)).toBeNull();
    expect(rateLimitDecision([{ minute: M - MINUTE_MS, count: 10 }], 5, M + 30_000)).not.toBeNull();
  });
});

describe("write key strength", () => {
  it("scores random keys high and repetitive ones low", () => {
    expect(estimatedEntropyBits("a".repeat(40))).toBe(0);
    expect(estimatedEntropyBits("ab".repeat(20))).toBe(40);
    expect(estimatedEntropyBits("0123456789abcdef".repeat(2))).toBe(128);
  });
});
