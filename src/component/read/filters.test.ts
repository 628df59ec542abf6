// The definition of filters (contract §7): the grammar, its errors, and which visits a filter
// selects, down to the laws (isNot is the complement of is, values OR, filters AND).
import type { ConvexError } from "convex/values";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  FILTER_DIMENSIONS,
  FILTER_OPERATORS,
  parseFilters,
  viewFilter,
  visitMatches,
  type NamedGoal,
} from "./filters.js";
import { MAX_FILTER_VALUES, MAX_FILTERS } from "../lib/limits.js";
import { encodePropKey } from "../ingest/propKeys.js";
import { foldSessions, type Activity } from "../aggregate/session.js";
import { visitFactOf, type VisitFact, type VisitProp } from "./visitFact.js";

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return (error as ConvexError<{ message: string }>).data.message;
  }
  throw new Error("did not throw");
}

describe("parseFilters", () => {
  it("normalizes tuples: values deduplicated, prop:<key> split", () => {
    expect(
      parseFilters([
        ["is", "page", ["/blog/*", "/blog/*", "/"]],
        ["notContains", "prop:plan", ["free"]],
        ["isNot", "goal", ["Signup"]],
      ]),
    ).toEqual([
      { operator: "is", dimension: "page", values: ["/blog/*", "/"] },
      { operator: "notContains", dimension: "prop", property: "plan", values: ["free"] },
      { operator: "isNot", dimension: "goal", values: ["Signup"] },
    ]);
    expect(parseFilters([])).toEqual([]);
  });

  it("matches a prop key Convex can't take as a field name by its stored form", () => {
    for (const key of ["$os", "город"])
      expect(parseFilters([["is", `prop:${key}`, ["x"]]])[0]!.property).toBe(encodePropKey(key));
    expect(parseFilters([["is", "prop:plan", ["x"]]])[0]!.property).toBe("plan");
  });

  it("accepts every operator with every dimension", () => {
    for (const operator of FILTER_OPERATORS)
      for (const dimension of [...FILTER_DIMENSIONS, "prop:plan"])
        expect(parseFilters([[operator, dimension, ["x"]]])).toHaveLength(1);
  });

  it.each([
    [{ page: "/" }, /^filters must be a list of \[operator, dimension, values\]$/],
    [
      Array.from({ length: MAX_FILTERS + 1 }, () => ["is", "page", ["/"]]),
      /^filters: at most 10 filters, got 11$/,
    ],
    [[["is", "page"]], /^filters\[0\] must be \[operator, dimension, values\]$/],
    [[{ operator: "is" }], /^filters\[0\] must be/],
    [
      [
        ["is", "page", ["/"]],
        ["equals", "page", ["/"]],
      ],
      /^filters\[1\]: operator "equals" is not one of is, isNot, contains, notContains$/,
    ],
    [[["is", "pages", ["/"]]], /^filters\[0\]: dimension "pages" is not one of page/],
    [[["is", 3, ["/"]]], /^filters\[0\]: dimension 3 is not one of/],
    [[["is", "prop:", ["x"]]], /^filters\[0\]: the property of dimension "prop:" must be 1 to 64/],
    [
      [["is", "prop:__proto__", ["x"]]],
      /^filters\[0\]: the property of dimension "prop:__proto__" "__proto__" is not a property key/,
    ],
    [[["is", "country", []]], /^filters\[0\] \(country\): values must be a list of 1 to 20/],
    [[["is", "country", "FR"]], /^filters\[0\] \(country\): values must be a list/],
    [
      [["is", "country", Array.from({ length: MAX_FILTER_VALUES + 1 }, (_, i) => `${i}`)]],
      /^filters\[0\] \(country\): values must be a list of 1 to 20 strings$/,
    ],
    [[["is", "country", ["FR", 1]]], /^filters\[0\] \(country\): values\[1\] must be a string$/],
    [[["is", "country", [""]]], /^filters\[0\] \(country\): values\[0\] must not be empty$/],
    [
      [["contains", "page", ["x".repeat(301)]]],
      /^filters\[0\] \(page\): values\[0\] must be at most 300 characters$/,
    ],
    [[["is", "event", ["a\u0000"]]], /^filters\[0\] \(event\): values\[0\] must be printable/],
  ])("refuses %j, naming the filter", (raw, message) => {
    expect(messageOf(() => parseFilters(raw))).toMatch(message);
  });
});

const T0 = Date.UTC(2026, 2, 2, 9, 0);
const visitor = { device: "Desktop", browser: "Chrome", os: "macOS", country: "FR" };

/** The fact of the one session these activities make, a minute apart. */
function factOf(activities: Partial<Activity>[]): VisitFact {
  const folded = foldSessions(
    [],
    activities.map((a, i) => ({
      ts: T0 + i * 60_000,
      type: "pageview" as const,
      source: "google.com",
      ...visitor,
      ...a,
    })),
    30 * 60_000,
  );
  return visitFactOf(folded[0].state);
}

const visit: VisitFact = factOf([
  { path: "/", hostname: "example.com", utmSource: "newsletter" },
  { path: "/blog/hello" },
  { path: "/pricing" },
  { type: "event", name: "signup", props: { plan: "pro", seats: 3 } },
]);
const goals: NamedGoal[] = [
  { name: "Signup", definition: { kind: "event", eventName: "signup" } },
  {
    name: "Free signup",
    definition: { kind: "event", eventName: "signup", property: "plan", value: "free" },
  },
  {
    name: "Pro signup",
    definition: { kind: "event", eventName: "signup", property: "plan", value: "pro" },
  },
  { name: "Read blog", definition: { kind: "page", pathPattern: "/blog/*" } },
  { name: "Docs", definition: { kind: "page", pathPattern: "/docs*" } },
];
const matches = (raw: unknown[], fact = visit) => visitMatches(fact, parseFilters(raw), goals);

describe("visitMatches", () => {
  it("compares a session-level dimension with the visit's one value", () => {
    expect(matches([["is", "country", ["FR"]]])).toBe(true);
    expect(matches([["is", "country", ["DE", "FR"]]])).toBe(true);
    expect(matches([["is", "country", ["fr"]]])).toBe(false); // case-sensitive
    expect(matches([["isNot", "country", ["FR"]]])).toBe(false);
    expect(matches([["contains", "source", ["google"]]])).toBe(true);
    expect(matches([["is", "entryPage", ["/"]]])).toBe(true);
    expect(matches([["is", "exitPage", ["/pri*"]]])).toBe(true);
    expect(matches([["is", "entryPage", ["/pricing"]]])).toBe(false);
    expect(matches([["is", "hostname", ["example.com"]]])).toBe(true);
    expect(matches([["is", "utmSource", ["newsletter"]]])).toBe(true);
  });

  it("treats a missing value as matching no value: isNot and notContains select the visit", () => {
    expect(matches([["is", "utmCampaign", ["spring"]]])).toBe(false);
    expect(matches([["contains", "utmCampaign", ["s"]]])).toBe(false);
    expect(matches([["isNot", "utmCampaign", ["spring"]]])).toBe(true);
    expect(matches([["notContains", "utmMedium", ["email"]]])).toBe(true);
  });

  it("matches `page` when any viewed page matches, `*` as in page goals; isNot when none does", () => {
    expect(matches([["is", "page", ["/blog/*"]]])).toBe(true);
    expect(matches([["is", "page", ["/blog"]]])).toBe(false);
    expect(matches([["isNot", "page", ["/pricing"]]])).toBe(false);
    expect(matches([["isNot", "page", ["/docs*"]]])).toBe(true);
    expect(matches([["contains", "page", ["hell"]]])).toBe(true);
    // `*` is a wildcard only for is/isNot: contains looks for the characters.
    expect(matches([["contains", "page", ["/blog/*"]]])).toBe(false);
  });

  it("matches `event`, `prop:<key>` and `goal` by what the visit sent", () => {
    expect(matches([["is", "event", ["signup"]]])).toBe(true);
    expect(matches([["is", "event", ["download"]]])).toBe(false);
    expect(matches([["is", "prop:plan", ["pro"]]])).toBe(true);
    expect(matches([["is", "prop:seats", ["3"]]])).toBe(true);
    expect(matches([["is", "prop:plan", ["free"]]])).toBe(false);
    expect(matches([["isNot", "prop:coupon", ["X"]]])).toBe(true);
    expect(matches([["is", "goal", ["Signup"]]])).toBe(true);
    expect(matches([["is", "goal", ["Pro signup"]]])).toBe(true);
    expect(matches([["is", "goal", ["Free signup"]]])).toBe(false);
    expect(matches([["is", "goal", ["Read blog"]]])).toBe(true);
    expect(matches([["is", "goal", ["Docs"]]])).toBe(false);
    expect(matches([["contains", "goal", ["signup"]]])).toBe(true);
    // A name that is no goal's: no visit completed it.
    expect(matches([["is", "goal", ["Nobody"]]])).toBe(false);
    expect(matches([["isNot", "goal", ["Nobody"]]])).toBe(true);
  });

  it("needs the property value on an event of the goal's name", () => {
    const other = factOf([
      { type: "event", name: "signup" },
      { type: "event", name: "upgrade", props: { plan: "pro" } },
    ]);
    expect(matches([["is", "goal", ["Signup"]]], other)).toBe(true);
    expect(matches([["is", "goal", ["Pro signup"]]], other)).toBe(false);
    expect(matches([["is", "prop:plan", ["pro"]]], other)).toBe(true);
  });

  it("ANDs filters", () => {
    expect(
      matches([
        ["is", "country", ["FR"]],
        ["is", "page", ["/blog/*"]],
      ]),
    ).toBe(true);
    expect(
      matches([
        ["is", "country", ["FR"]],
        ["is", "device", ["Mobile"]],
      ]),
    ).toBe(false);
  });
});

describe("viewFilter", () => {
  const passing = (raw: unknown[], paths: string[]) => paths.filter(viewFilter(parseFilters(raw)));
  const paths = ["/", "/articles/a", "/articles/b/c", "/articles", "/pricing"];

  it("passes every view without a page filter, whatever the other filters", () => {
    expect(passing([], paths)).toEqual(paths);
    expect(passing([["is", "entryPage", ["/pricing"]]], paths)).toEqual(paths);
  });

  it("passes the views a page filter names: is / isNot with `*` wildcards", () => {
    expect(passing([["is", "page", ["/articles/*"]]], paths)).toEqual([
      "/articles/a",
      "/articles/b/c",
    ]);
    expect(passing([["is", "page", ["/", "/pricing"]]], paths)).toEqual(["/", "/pricing"]);
    expect(passing([["isNot", "page", ["/articles/*", "/"]]], paths)).toEqual([
      "/articles",
      "/pricing",
    ]);
  });

  it("passes the views containing (or not) any value, `*` being a character there", () => {
    expect(passing([["contains", "page", ["artic", "pri"]]], paths)).toEqual([
      "/articles/a",
      "/articles/b/c",
      "/articles",
      "/pricing",
    ]);
    expect(passing([["notContains", "page", ["articles"]]], paths)).toEqual(["/", "/pricing"]);
    expect(passing([["contains", "page", ["/articles/*"]]], paths)).toEqual([]);
  });

  it("passes only views that satisfy every page filter", () => {
    expect(
      passing(
        [
          ["is", "page", ["/articles*"]],
          ["notContains", "page", ["/b/"]],
        ],
        paths,
      ),
    ).toEqual(["/articles/a", "/articles"]);
  });
});

describe("filter laws (property test)", () => {
  const word = fc.constantFrom("/", "/a", "/a/b", "/b", "a", "b", "FR", "pro", "x");
  const fact = fc
    .record({
      entryPage: fc.option(word, { nil: null }),
      exitPage: fc.option(word, { nil: null }),
      source: word,
      utmSource: fc.option(word, { nil: undefined }),
      country: word,
      device: word,
      browser: word,
      os: word,
      hostname: fc.option(word, { nil: undefined }),
      pages: fc.array(word, { maxLength: 4 }),
      events: fc.array(fc.record({ name: word, plan: fc.option(word, { nil: undefined }) }), {
        maxLength: 3,
      }),
    })
    // Any fact, not only one a session makes (entry and exit independent of pages): the laws
    // are about the matcher.
    .map(({ pages, events, utmSource, hostname, ...attributes }): VisitFact => {
      const props = new Map<string, VisitProp>();
      for (const { name, plan } of events)
        if (plan !== undefined)
          props.set(JSON.stringify([name, plan]), { event: name, key: "plan", value: plan });
      return {
        ...attributes,
        ...(utmSource !== undefined ? { utmSource } : {}),
        ...(hostname !== undefined ? { hostname } : {}),
        pages: [...new Set(pages)],
        events: [...new Set(events.map((event) => event.name))],
        props: [...props.values()],
        truncated: false,
      };
    });
  const dimension = fc.constantFrom(...FILTER_DIMENSIONS, "prop:plan");
  const pattern = fc.constantFrom("/", "/a", "/a/*", "/*", "a", "pro", "FR", "Signup", "Blog");
  const values = fc.array(pattern, { minLength: 1, maxLength: 3 });
  const lawGoals: NamedGoal[] = [
    { name: "Signup", definition: { kind: "event", eventName: "a" } },
    { name: "Blog", definition: { kind: "page", pathPattern: "/a/*" } },
  ];
  const m = (f: VisitFact, raw: unknown[]) => visitMatches(f, parseFilters(raw), lawGoals);

  it("isNot is the complement of is, notContains of contains", () => {
    fc.assert(
      fc.property(fact, dimension, values, (f, d, vs) => {
        expect(m(f, [["isNot", d, vs]])).toBe(!m(f, [["is", d, vs]]));
        expect(m(f, [["notContains", d, vs]])).toBe(!m(f, [["contains", d, vs]]));
      }),
      { numRuns: 2_000 },
    );
  });

  it("values of one filter are OR", () => {
    fc.assert(
      fc.property(fact, dimension, fc.constantFrom("is", "contains"), values, (f, d, op, vs) => {
        expect(m(f, [[op, d, vs]])).toBe(vs.some((v) => m(f, [[op, d, [v]]])));
      }),
      { numRuns: 2_000 },
    );
  });

  it("a visit matches one page filter exactly when some of its pages passes it (isNot: all do)", () => {
    const operator = fc.constantFrom(...FILTER_OPERATORS);
    fc.assert(
      fc.property(fact, operator, values, (f, op, vs) => {
        const filters = parseFilters([[op, "page", vs]]);
        const passes = viewFilter(filters);
        const negated = op === "isNot" || op === "notContains";
        expect(visitMatches(f, filters, lawGoals)).toBe(
          negated ? f.pages.every(passes) : f.pages.some(passes),
        );
      }),
      { numRuns: 2_000 },
    );
  });

  it("filters are AND", () => {
    const filter = fc.tuple(fc.constantFrom(...FILTER_OPERATORS), dimension, values);
    fc.assert(
      fc.property(fact, fc.array(filter, { maxLength: 4 }), (f, filters) => {
        expect(m(f, filters)).toBe(filters.every((one) => m(f, [one])));
      }),
      { numRuns: 2_000 },
    );
  });
});
