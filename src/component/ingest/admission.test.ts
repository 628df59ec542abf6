import { describe, expect, it } from "vitest";
import { RATE_LIMITED_REASON, admitEvents, eventsInWindow } from "./admission.js";
import { MINUTE_MS } from "../lib/limits.js";
import { estimatedEntropyBits } from "./validate.js";

const NOW = 100 * MINUTE_MS + 30_000;

describe("rate limit", () => {
  it("counts the events admitted in the sliding minute from the running totals", () => {
    // Marks: 10 events 90 s ago (total 10), 40 at −50 s (total 50), 25 at −5 s (total 75).
    const before = { at: NOW - 90_000, events: 10, cumulative: 10 };
    const oldest = { at: NOW - 50_000, events: 40, cumulative: 50 };
    const newest = { at: NOW - 5_000, events: 25, cumulative: 75 };
    expect(eventsInWindow(NOW, newest, before, oldest)).toBe(65);
    // The mark before the window was pruned: the oldest mark inside gives the base.
    expect(eventsInWindow(NOW, newest, null, oldest)).toBe(65);
    // Nothing in the window: nothing counts.
    expect(eventsInWindow(NOW, before, before, null)).toBe(0);
    expect(eventsInWindow(NOW, null, null, null)).toBe(0);
    // A 0.1.x mark (no running total) counts its own events.
    expect(eventsInWindow(NOW, { at: NOW - 1_000, events: 7 }, null, null)).toBe(7);
  });

  it("admits only the events that fit, and refuses a request when none does, with Retry-After", () => {
    expect(admitEvents(100, 0, 3, NOW, null)).toEqual({ admitted: 3, refusal: null });
    expect(admitEvents(10, 5, 20, NOW, null)).toEqual({ admitted: 10, refusal: null });
    const oldest = { at: NOW - 45_000, events: 3, cumulative: 3 };
    const full = admitEvents(1, 3, 3, NOW, oldest);
    expect(full.admitted).toBe(0);
    // The oldest admitted event leaves the window 15 s from now.
    expect(full.refusal).toMatchObject({ status: 429, code: "rate_limited", retryAfterSec: 15 });
    expect(RATE_LIMITED_REASON).toMatch(/^rate_limited/);
  });
});

describe("write key strength", () => {
  it("scores random keys high and repetitive ones low", () => {
    expect(estimatedEntropyBits("a".repeat(40))).toBe(0);
    expect(estimatedEntropyBits("ab".repeat(20))).toBe(40);
    expect(estimatedEntropyBits("0123456789abcdef".repeat(2))).toBe(128);
  });
});
