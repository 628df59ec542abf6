// The definition of a session, a counted pageview, a bounce and a duration (contract §5).
import { describe, expect, it } from "vitest";
import { MAX_SESSION_PAGEVIEWS } from "../lib/limits.js";
import { parseRowId } from "./rollup.js";
import {
  countedPageviews,
  eventFigures,
  foldGroup,
  foldSessions,
  sessionContribution,
  sessionFigures,
  type Activity,
} from "./session.js";

const MIN = 60_000;
const TIMEOUT = 30 * MIN;
const T0 = Date.UTC(2026, 0, 5, 9, 0);

function activity(
  minute: number,
  type: Activity["type"],
  path?: string,
  extra: Partial<Activity> = {},
): Activity {
  return {
    ts: T0 + minute * MIN,
    type,
    ...(path ? { path } : {}),
    source: "Direct / None",
    device: "Desktop",
    browser: "Firefox",
    os: "Linux",
    country: "FR",
    ...extra,
  };
}

describe("countedPageviews", () => {
  it("skips a repeat of a path within the dedup window of the previous counted view", () => {
    const views = [0, 10, 29, 31, 45, 70].map((m) => ({ ts: T0 + m * MIN, path: "/a" }));
    // counted at 0; 10 and 29 are within 30 min of 0; 31 counts; 45 is within 30 of 31; 70 counts
    expect(countedPageviews(views, 30 * MIN).map((v) => (v.ts - T0) / MIN)).toEqual([0, 31, 70]);
    expect(countedPageviews(views, 0)).toHaveLength(6);
  });
});

describe("foldSessions", () => {
  it("splits on a gap longer than the timeout and keeps a gap of exactly the timeout", () => {
    const folded = foldSessions(
      [],
      [
        activity(0, "pageview", "/"),
        activity(30, "pageview", "/b"),
        activity(61, "pageview", "/c"),
      ],
      TIMEOUT,
    );
    expect(folded.map((f) => [(f.state.startTs - T0) / MIN, (f.state.endTs - T0) / MIN])).toEqual([
      [0, 30],
      [61, 61],
    ]);
  });

  it("merges two stored sessions that a late event bridges, and reports both for retraction", () => {
    const [first] = foldSessions([], [activity(0, "pageview", "/")], TIMEOUT);
    const [second] = foldSessions([], [activity(50, "pageview", "/x")], TIMEOUT);
    const stored = [
      { id: "s1", state: first.state },
      { id: "s2", state: second.state },
    ];
    const [merged, ...rest] = foldSessions(stored, [activity(25, "heartbeat", "/")], TIMEOUT);
    expect(rest).toEqual([]);
    expect(merged.storedIds).toEqual(["s1", "s2"]);
    expect(merged.previous).toEqual([first.state, second.state]);
    expect(sessionFigures(merged.state, 30 * MIN)).toMatchObject({
      pageviews: 2,
      bounce: false,
      durationMs: 50 * MIN,
      entryPage: "/",
      exitPage: "/x",
    });
  });

  it("returns the same state whatever order the activities arrive in", () => {
    const all = [
      activity(3, "pageview", "/b", { source: "news.ycombinator.com" }),
      activity(0, "pageview", "/a", { source: "google.com", utmSource: "g" }),
      activity(7, "event", "/b", { name: "signup" }),
      activity(9, "heartbeat", "/b"),
    ];
    const inOne = foldSessions([], all, TIMEOUT)[0].state;
    let stored: { id: number; state: typeof inOne }[] = [];
    for (const a of [all[2], all[0], all[3], all[1]]) {
      const [result] = foldSessions(stored, [a], TIMEOUT);
      stored = [{ id: 1, state: result.state }];
    }
    expect(stored[0].state).toEqual(inOne);
    expect(inOne.entry).toMatchObject({ path: "/a", source: "google.com", utmSource: "g" });
  });

  it(`continues a visit past ${MAX_SESSION_PAGEVIEWS} pageviews as a new one`, () => {
    const views = Array.from({ length: MAX_SESSION_PAGEVIEWS + 1 }, (_, i) =>
      activity(i / 100, "pageview", `/p${i}`),
    );
    expect(foldSessions([], views, TIMEOUT).map((f) => f.state.pageviews.length)).toEqual([
      MAX_SESSION_PAGEVIEWS,
      1,
    ]);
  });
});

describe("sessionContribution", () => {
  it("puts session figures in the start bucket and each counted pageview in its own hour", () => {
    const [session] = foldSessions(
      [],
      [
        activity(50, "pageview", "/a"),
        activity(70, "pageview", "/a"),
        activity(85, "pageview", "/b"),
      ],
      TIMEOUT,
    );
    const rows = [
      ...sessionContribution(session.state, { timezone: "UTC", pageviewDedupMs: 30 * MIN }),
    ].map(([id, c]) => ({
      ...parseRowId(id),
      ...c,
    }));
    const all = (granularity: string) =>
      rows.filter((r) => r.dimension === "all" && r.granularity === granularity);
    expect(
      all("hour").map((r) => [(r.bucket - T0) / MIN, r.pageviews, r.sessions, r.durationMs]),
    ).toEqual([
      [0, 1, 1, 35 * MIN], // starts at 9:50 with /a; the 10:10 /a is a repeat within 30 min
      [60, 1, 0, 0], // 10:25 /b
    ]);
    // Hour rows only: day and month rows are folded from them by compaction.
    expect(all("day")).toHaveLength(0);
    expect(new Set(rows.map((r) => r.granularity))).toEqual(new Set(["hour"]));
    expect(rows.find((r) => r.dimension === "entryPage")).toMatchObject({
      key: "/a",
      bucket: T0,
      sessions: 1,
      pageviews: 2,
      bounces: 0,
    });
    expect(rows.find((r) => r.dimension === "exitPage")).toMatchObject({ key: "/b", bucket: T0 });
  });

  it("contributes nothing for a session of heartbeats alone", () => {
    const [session] = foldSessions([], [activity(0, "heartbeat", "/a")], TIMEOUT);
    expect(sessionContribution(session.state, { timezone: "UTC", pageviewDedupMs: 0 }).size).toBe(
      0,
    );
  });

  it("counts a bounce only for one counted pageview and no event", () => {
    const one = foldSessions(
      [],
      [activity(0, "pageview", "/a"), activity(5, "pageview", "/a")],
      TIMEOUT,
    )[0].state;
    expect(sessionFigures(one, 30 * MIN).bounce).toBe(true);
    expect(sessionFigures(one, 0).bounce).toBe(false);
    const withEvent = foldSessions(
      [],
      [activity(0, "pageview", "/a"), activity(1, "event", "/a", { name: "x" })],
      TIMEOUT,
    )[0].state;
    expect(sessionFigures(withEvent, 30 * MIN).bounce).toBe(false);
  });
});

describe("foldGroup and eventFigures: a batch's deltas, computed before anything is written", () => {
  const params = { timezone: "UTC", pageviewDedupMs: 0, sessionTimeoutMs: 30 * 60_000 };
  const view = (ts: number, path: string): Activity => ({
    ts,
    type: "pageview",
    path,
    source: "Direct / None",
    device: "desktop",
    browser: "Chrome",
    os: "macOS",
    country: "DE",
  });

  it("a view extending a stored session retracts its old contribution and adds the new one", () => {
    const stored = foldGroup([], [view(0, "/")], 1, params).folded[0]!.state;
    const { folded, delta, stale } = foldGroup(
      [{ id: "s1", state: stored, timezone: "UTC", pageviewDedupMs: 0 }],
      [view(60_000, "/next")],
      1,
      params,
    );
    expect(folded.map((f) => f.storedIds)).toEqual([["s1"]]);
    const all = [...delta.counters].filter(([id]) => parseRowId(id).dimension === "all");
    // One more view, no more sessions; the session stopped bouncing.
    expect(all.map(([, c]) => [c.pageviews, c.sessions, c.bounces])).toEqual([[1, 0, -1]]);
    expect([...stale].map((id) => parseRowId(id).key)).toEqual(["/"]);
  });

  it("an event's own figures: its counts under its name and each prop value", () => {
    const delta = eventFigures(
      { type: "event", ts: 0, visitorId: "v", name: "signup", props: { plan: "pro" } },
      "UTC",
    );
    expect(new Set(delta.touchedRows().map((id) => parseRowId(id).dimension))).toEqual(
      new Set(["all", "event", "prop\u001fsignup\u001fplan"]),
    );
  });

  it("a ts that is not a time throws where buckets follow a timezone (the worker retries, then sets it aside)", () => {
    expect(() =>
      eventFigures({ type: "pageview", ts: NaN, visitorId: "v", path: "/" }, "America/New_York"),
    ).toThrow(/invalid time value/i);
  });
});
