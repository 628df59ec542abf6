import { describe, expect, it } from "vitest";
import { latestTouches, presenceUpdate, summarizePresence } from "./presence.js";

const DEDUP = 10_000;
const touch = (ts: number, path = "/", visitorId = "v1", sessionId = "s1") => ({
  visitorId,
  sessionId,
  path,
  ts,
});

describe("presenceUpdate", () => {
  it("writes nothing for a heartbeat on the same path inside the dedup window", () => {
    expect(presenceUpdate({ path: "/", lastSeen: 1_000 }, touch(10_999), DEDUP)).toBeNull();
  });
  it("writes once the window has passed, and creates the row of a page the session had no row for", () => {
    expect(presenceUpdate({ path: "/", lastSeen: 1_000 }, touch(11_000), DEDUP)).toEqual({
      path: "/",
      lastSeen: 11_000,
    });
    expect(presenceUpdate(null, touch(2_000, "/b"), DEDUP)).toEqual({
      path: "/b",
      lastSeen: 2_000,
    });
  });
  it("ignores a touch older than what the row already has", () => {
    expect(presenceUpdate({ path: "/", lastSeen: 50_000 }, touch(20_000), DEDUP)).toBeNull();
  });
});

describe("latestTouches", () => {
  it("keeps the latest touch per session and page", () => {
    expect(
      latestTouches([touch(3, "/c"), touch(1, "/a"), touch(4, "/a"), touch(2, "/x", "v2", "s9")]),
    ).toEqual([touch(3, "/c"), touch(4, "/a"), touch(2, "/x", "v2", "s9")]);
  });
});

describe("summarizePresence", () => {
  it("counts live visitors once across tabs and ranks pages by visitors", () => {
    const now = 1_000_000;
    const rows = [
      { visitorId: "a", path: "/", lastSeen: now - 1_000 },
      { visitorId: "a", path: "/docs", lastSeen: now - 5_000 }, // a second tab
      { visitorId: "b", path: "/docs", lastSeen: now - 119_000 },
      { visitorId: "c", path: "/", lastSeen: now - 121_000 }, // gone: past the 2-minute timeout
    ];
    expect(summarizePresence(rows, now, 120_000)).toEqual({
      activeVisitors: 2,
      pages: [
        { path: "/docs", visitors: 2 },
        { path: "/", visitors: 1 },
      ],
    });
  });
});
