// Property and trait keys Convex can't take as field names: PostHog's
// "$browser" and keys in Cyrillic arrive through importEvents and the HTTP route, are stored in
// their escaped form (src/component/ingest/propKeys.ts), and every read that takes or returns a key
// speaks the key as sent. Keys that were valid before are stored exactly as before.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { api } from "../example/convex/_generated/api.js";
import { decodePropKeys, encodePropKeys } from "../src/client/index.js";
import {
  componentDocs,
  createHarness,
  HOUR,
  MINUTE,
  pageview,
  type Harness,
} from "../harness/host.js";

const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);
const RANGE = { from: NOW - 3 * HOUR, to: NOW + HOUR };

let h: Harness;
beforeEach(async () => {
  vi.useFakeTimers();
  vi.setSystemTime(NOW);
  h = await createHarness();
});
afterEach(() => vi.useRealTimers());

function purchase(id: string, visitorId: string, props: Record<string, unknown>) {
  return {
    ...pageview(id, NOW - 20 * MINUTE, "/checkout", { visitorId, sessionId: `${visitorId}-s` }),
    type: "event",
    name: "purchase",
    props,
  };
}

const browsers = () =>
  h.admin.query(api.analytics.getEventProperties, {
    siteId: h.siteId,
    ...RANGE,
    eventName: "purchase",
    property: "$browser",
  });

describe("keys Convex can't take as field names", () => {
  it("importEvents stores them (as JSON text or already encoded) and every read speaks them as sent", async () => {
    const posthog = purchase("i1", "a", { $browser: "Chrome", город: "Москва", plan: "pro" });
    const identify = {
      type: "identify",
      id: "i2",
      visitorId: "a",
      sessionId: "a-s",
      userId: "u1",
      ts: NOW - 19 * MINUTE,
      traits: { $email: "a@example.com", имя: "Аня" },
    };
    // An object can carry such keys across Convex's wire only in stored form.
    const encoded = purchase("i3", "b", encodePropKeys({ $browser: "Firefox", город: "Казань" }));
    const result = await h.admin.mutation(api.analytics.importEvents, {
      siteId: h.siteId,
      events: [JSON.stringify(posthog), JSON.stringify(identify), encoded],
    });
    expect(result).toEqual({ accepted: 3, duplicates: 0, filtered: 0, rejected: [] });
    await h.settle();

    const { page } = await h.admin.query(api.analytics.listEvents, {
      siteId: h.siteId,
      paginationOpts: { numItems: 10, cursor: null },
    });
    const props = Object.fromEntries(
      page.filter((e) => e.props).map((e) => [e.eventId, decodePropKeys(e.props!)]),
    );
    expect(props).toEqual({
      i1: { $browser: "Chrome", город: "Москва", plan: "pro" },
      i3: { $browser: "Firefox", город: "Казань" },
    });
    const traits = (
      await componentDocs<{ eventId: string; traits?: Record<string, unknown> }>(h, "events")
    ).find((e) => e.eventId === "i2")!.traits!;
    expect(decodePropKeys(traits)).toEqual({ $email: "a@example.com", имя: "Аня" });

    expect((await browsers()).rows).toEqual([
      { key: "Chrome", events: 1, visitors: 1 },
      { key: "Firefox", events: 1, visitors: 1 },
    ]);
    const inMoscow = await h.admin.query(api.analytics.getOverview, {
      siteId: h.siteId,
      ...RANGE,
      filters: [["is", "prop:город", ["Москва"]]],
    });
    expect(inMoscow).toMatchObject({ visitors: 1, events: 1 });
    const filteredBrowsers = await h.admin.query(api.analytics.getEventProperties, {
      siteId: h.siteId,
      ...RANGE,
      eventName: "purchase",
      property: "$browser",
      filters: [["is", "prop:город", ["Казань"]]],
    });
    expect(filteredBrowsers.rows).toEqual([{ key: "Firefox", events: 1, visitors: 1 }]);

    const { goalId } = await h.admin.mutation(api.analytics.createGoal, {
      siteId: h.siteId,
      name: "Chrome purchase",
      kind: "event",
      eventName: "purchase",
      property: "$browser",
      value: "Chrome",
    });
    const [goal] = await h.admin.query(api.analytics.listGoals, { siteId: h.siteId });
    expect(goal).toMatchObject({ goalId, property: "$browser", value: "Chrome" });
    const report = await h.admin.query(api.analytics.getGoals, { siteId: h.siteId, ...RANGE });
    expect(report.goals[0]).toMatchObject({ visitors: 1, events: 1 });
  });

  it("the HTTP route stores them; a key that was valid before is stored as it was", async () => {
    const response = await h.send([
      purchase("h1", "a", { $browser: "Safari", страна: "RU", plan: "pro" }),
      purchase("h2", "b", { "a\u0001": 1 }),
    ]);
    expect(response.status).toBe(202);
    expect(response.body).toEqual({
      accepted: 1,
      duplicates: 0,
      filtered: 0,
      rejected: [
        {
          index: 1,
          reason: 'props.a\u0001: property key "a\\u0001" must not contain control characters',
        },
      ],
    });
    await h.settle();
    const [stored] = await componentDocs<{ props: Record<string, unknown> }>(h, "events");
    // The plain key is the field it always was: nothing stored before needs migrating.
    expect(stored!.props.plan).toBe("pro");
    expect(decodePropKeys(stored!.props)).toEqual({
      $browser: "Safari",
      страна: "RU",
      plan: "pro",
    });
    expect((await browsers()).rows).toEqual([{ key: "Safari", events: 1, visitors: 1 }]);
  });
});
