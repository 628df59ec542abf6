// A visit's fact is derived from its stored session: entry and exit, attributes, distinct
// pages, event names and property values, and whether the session left events out.
import { describe, expect, it } from "vitest";
import { MAX_VISIT_EVENTS } from "../lib/limits.js";
import { foldSessions, type Activity, type SessionState } from "../aggregate/session.js";
import { visitFactOf } from "./visitFact.js";

const MIN = 60_000;
const T0 = Date.UTC(2026, 2, 2, 9, 0);
const client = {
  source: "google.com",
  device: "Desktop",
  browser: "Chrome",
  os: "macOS",
  country: "FR",
};

function act(minute: number, type: Activity["type"], extra: Partial<Activity> = {}): Activity {
  return { ts: T0 + minute * MIN, type, ...client, ...extra };
}

function sessionOf(activities: Activity[]): SessionState {
  const folded = foldSessions([], activities, 30 * MIN);
  expect(folded).toHaveLength(1);
  return folded[0].state;
}

describe("visitFactOf", () => {
  it("takes entry and exit from the first and last pageview, pages distinct in first-view order", () => {
    const state = sessionOf([
      act(0, "pageview", { path: "/", hostname: "example.com", utmSource: "newsletter" }),
      act(1, "pageview", { path: "/pricing" }),
      act(2, "pageview", { path: "/" }),
      act(3, "event", { name: "signup", props: { plan: "pro", seats: 3, trial: true, ref: null } }),
      act(4, "event", { name: "signup", props: { plan: "pro" } }),
      act(5, "event", { name: "download" }),
      act(6, "heartbeat", { path: "/" }),
    ]);
    expect(visitFactOf(state)).toEqual({
      entryPage: "/",
      // The last view, counted or not (as sessionFigures): "/" again was within the dedup window.
      exitPage: "/",
      source: "google.com",
      utmSource: "newsletter",
      country: "FR",
      device: "Desktop",
      browser: "Chrome",
      os: "macOS",
      hostname: "example.com",
      pages: ["/", "/pricing"],
      events: ["signup", "download"],
      props: [
        { event: "signup", key: "plan", value: "pro" },
        { event: "signup", key: "seats", value: "3" },
        { event: "signup", key: "trial", value: "true" },
        { event: "signup", key: "ref", value: "(null)" },
      ],
      truncated: false,
    });
  });

  it("has no entry, exit, pages or hostname for a visit of events only", () => {
    const fact = visitFactOf(sessionOf([act(0, "event", { name: "download", hostname: "a.com" })]));
    expect(fact).toMatchObject({
      entryPage: null,
      exitPage: null,
      pages: [],
      events: ["download"],
    });
    expect("hostname" in fact || "utmSource" in fact).toBe(false);
  });

  it("keeps a property value per event name: the same value on two events is two triples", () => {
    const fact = visitFactOf(
      sessionOf([
        act(0, "event", { name: "signup", props: { plan: "pro" } }),
        act(1, "event", { name: "upgrade", props: { plan: "pro" } }),
      ]),
    );
    expect(fact.props).toEqual([
      { event: "signup", key: "plan", value: "pro" },
      { event: "upgrade", key: "plan", value: "pro" },
    ]);
  });

  it("on a session stored before custom events were kept, names its events and says it is truncated", () => {
    const state: SessionState = {
      startTs: T0,
      endTs: T0 + MIN,
      pageviews: [{ ts: T0, path: "/" }],
      eventCount: 2,
      eventNames: ["a"],
      entry: { ts: T0, path: "/", isPageview: true, source: "Direct / None" },
      client: { ts: T0, device: "Desktop", browser: "Chrome", os: "macOS", country: "FR" },
      customEvents: [],
    };
    expect(visitFactOf(state)).toMatchObject({ events: ["a"], props: [], truncated: true });
  });

  it("is truncated once the session kept fewer events than it counted, and still names them all", () => {
    const activities = Array.from({ length: MAX_VISIT_EVENTS + 1 }, (_, i) =>
      act(i / 10, "event", { name: i === MAX_VISIT_EVENTS ? "last" : "e" }),
    );
    const fact = visitFactOf(sessionOf(activities));
    expect(fact.truncated).toBe(true);
    // The dropped event's name is still known from eventNames.
    expect(fact.events).toEqual(["e", "last"]);
    expect(visitFactOf(sessionOf(activities.slice(0, MAX_VISIT_EVENTS))).truncated).toBe(false);
  });
});
