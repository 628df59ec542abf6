import { describe, expect, it } from "vitest";
import {
  currentMinute,
  latestTouches,
  mergeMinute,
  minuteSeries,
  presenceUpdate,
  REALTIME_MINUTES,
  summarizePresence,
  topSources,
} from "./presence.js";

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

describe("visitors per minute", () => {
  const MIN = 60_000;
  const now = 100 * MIN + 42_000;
  it("counts the distinct visitors seen since the current minute began", () => {
    const rows = [
      { visitorId: "a", lastSeen: 100 * MIN + 1_000 },
      { visitorId: "a", lastSeen: 100 * MIN + 30_000 }, // a second tab
      { visitorId: "b", lastSeen: 100 * MIN },
      { visitorId: "c", lastSeen: 100 * MIN - 1 }, // last seen in the minute before
    ];
    expect(currentMinute(rows, now)).toEqual({ t: 100 * MIN, visitors: 2 });
  });
  it("replaces a minute's value on a later refresh and keeps 30 minutes", () => {
    const stored = [
      { t: 60 * MIN, visitors: 9 }, // older than 30 minutes: dropped
      { t: 71 * MIN, visitors: 4 },
      { t: 100 * MIN, visitors: 1 },
    ];
    expect(mergeMinute(stored, { t: 100 * MIN, visitors: 3 })).toEqual([
      { t: 71 * MIN, visitors: 4 },
      { t: 100 * MIN, visitors: 3 },
    ]);
  });
  it("lists 30 minutes ending with the current one, zero where nobody was live", () => {
    const series = minuteSeries([{ t: 99 * MIN, visitors: 5 }], now);
    expect(series).toHaveLength(REALTIME_MINUTES);
    expect(series[0]).toEqual({ t: 71 * MIN, visitors: 0 });
    expect(series.at(-2)).toEqual({ t: 99 * MIN, visitors: 5 });
    expect(series.at(-1)).toEqual({ t: 100 * MIN, visitors: 0 });
  });
});

describe("live sources", () => {
  it("ranks sources by distinct visitors", () => {
    expect(
      topSources([
        { visitorId: "a", source: "google.com" },
        { visitorId: "a", source: "google.com" }, // a second session of the same visitor
        { visitorId: "b", source: "Direct / None" },
        { visitorId: "c", source: "google.com" },
      ]),
    ).toEqual([
      { source: "google.com", visitors: 2 },
      { source: "Direct / None", visitors: 1 },
    ]);
  });
});
