import { describe, expect, it } from "vitest";
import { VISITOR_SEEN_RESOLUTION_MS } from "./limits.js";
import { visitorChange } from "./visitor.js";

const stored = { firstSeen: 1_000, lastSeen: 5_000 };

describe("visitorChange", () => {
  it("writes nothing for a returning visitor within the lastSeen resolution", () => {
    expect(visitorChange(stored, { firstSeen: 6_000, lastSeen: 9_000 })).toBeNull();
  });
  it("moves lastSeen once it is a resolution behind", () => {
    const later = 5_000 + VISITOR_SEEN_RESOLUTION_MS;
    expect(visitorChange(stored, { firstSeen: later, lastSeen: later })).toEqual({
      lastSeen: later,
    });
  });
  it("records a backfilled earlier visit and a new userId, with lastSeen brought up to date", () => {
    expect(visitorChange(stored, { firstSeen: 500, lastSeen: 600 })).toEqual({ firstSeen: 500 });
    expect(visitorChange(stored, { firstSeen: 6_000, lastSeen: 7_000, userId: "u1" })).toEqual({
      userId: "u1",
      lastSeen: 7_000,
    });
    expect(
      visitorChange(
        { ...stored, userId: "u1" },
        { firstSeen: 6_000, lastSeen: 7_000, userId: "u1" },
      ),
    ).toBeNull();
  });
});
