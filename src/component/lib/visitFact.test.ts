// A visit's fact: distinct pages, event names and property values, bounded.
import { describe, expect, it } from "vitest";
import { MAX_VISIT_EVENT_NAMES, MAX_VISIT_PAGES, MAX_VISIT_PROPS } from "./limits.js";
import { visitFact, withActivity, type VisitAttributes } from "./visitFact.js";

const attributes: VisitAttributes = {
  entryPage: "/",
  exitPage: "/pricing",
  source: "google.com",
  country: "FR",
  device: "Desktop",
  browser: "Chrome",
  os: "macOS",
  hostname: "example.com",
};

describe("visitFact", () => {
  it("keeps distinct paths in first-view order, event names, and (event, key, value) spellings", () => {
    const fact = visitFact(attributes, [
      { type: "pageview", path: "/" },
      { type: "pageview", path: "/pricing" },
      { type: "pageview", path: "/" },
      { type: "event", name: "signup", props: { plan: "pro", seats: 3, trial: true, ref: null } },
      { type: "event", name: "signup", props: { plan: "pro" } },
      { type: "event", name: "download" },
    ]);
    expect(fact).toEqual({
      ...attributes,
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

  it("stops each list at its bound and says it was truncated", () => {
    const pages = Array.from({ length: MAX_VISIT_PAGES + 5 }, (_, i) => ({
      type: "pageview" as const,
      path: `/p${i}`,
    }));
    const fact = visitFact(attributes, pages);
    expect([fact.pages.length, fact.pages.at(-1), fact.truncated]).toEqual([
      MAX_VISIT_PAGES,
      `/p${MAX_VISIT_PAGES - 1}`,
      true,
    ]);
    const names = visitFact(
      attributes,
      Array.from({ length: MAX_VISIT_EVENT_NAMES + 1 }, (_, i) => ({
        type: "event" as const,
        name: `e${i}`,
      })),
    );
    expect([names.events.length, names.truncated]).toEqual([MAX_VISIT_EVENT_NAMES, true]);
    const props = visitFact(attributes, [
      {
        type: "event",
        name: "e",
        props: Object.fromEntries(
          Array.from({ length: MAX_VISIT_PROPS + 1 }, (_, i) => [`k${i}`, i]),
        ),
      },
    ]);
    expect([props.props.length, props.truncated]).toEqual([MAX_VISIT_PROPS, true]);
    // A repeat of something already kept is no loss.
    const full = visitFact(attributes, pages.slice(0, MAX_VISIT_PAGES));
    expect(withActivity(full, { type: "pageview", path: "/p0" }).truncated).toBe(false);
  });

  it("never changes the fact it folds into", () => {
    const fact = visitFact(attributes, []);
    const next = withActivity(fact, { type: "pageview", path: "/a" });
    expect([fact.pages, next.pages]).toEqual([[], ["/a"]]);
  });
});
