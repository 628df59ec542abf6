// The definition of goals: which paths a pattern matches, what a valid goal is, and how a
// goal's conversions are read off rollup rows.
import type { ConvexError } from "convex/values";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { RowLike } from "./figures.js";
import {
  checkGoal,
  conversionRate,
  goalDimension,
  goalFigures,
  goalRows,
  pathMatcher,
  type GoalDefinition,
} from "./goals.js";
import { MAX_GOAL_NAME_LENGTH, MAX_PATH_PATTERN_LENGTH } from "../lib/limits.js";
import { encodePropKey } from "../ingest/propKeys.js";
import { propertyDimension } from "../aggregate/rollup.js";
import { emptySketch, hashId, sketchAdd } from "../lib/sketch.js";

describe("path patterns", () => {
  const matches = (pattern: string, path: string) => pathMatcher(pattern)(path);

  it("match the whole path, `*` standing for any characters across segments (Plausible's rule)", () => {
    expect(matches("/pricing", "/pricing")).toBe(true);
    expect(matches("/pricing", "/pricing/")).toBe(false);
    expect(matches("/pricing", "/pricing/eu")).toBe(false);
    expect(matches("/blog/*", "/blog/a")).toBe(true);
    expect(matches("/blog/*", "/blog/a/b")).toBe(true);
    expect(matches("/blog/*", "/blog/")).toBe(true);
    expect(matches("/blog/*", "/blog")).toBe(false);
    expect(matches("/blog*", "/blog")).toBe(true);
    expect(matches("/blog*", "/blogroll")).toBe(true);
    expect(matches("/*", "/")).toBe(true);
    expect(matches("/*/checkout", "/eu/checkout")).toBe(true);
    expect(matches("/*/checkout", "/eu/de/checkout")).toBe(true);
    expect(matches("/*/checkout", "/checkout")).toBe(false);
    expect(matches("/docs/*/intro*", "/docs/v2/intro")).toBe(true);
    expect(matches("/docs/*/intro*", "/docs/v2/introduction/more")).toBe(true);
    expect(matches("/docs/*/intro*", "/docs/intro")).toBe(false);
    expect(matches("/**", "/a/b")).toBe(true);
  });

  it("treat every other character literally (no regex syntax)", () => {
    expect(matches("/a.b", "/a.b")).toBe(true);
    expect(matches("/a.b", "/axb")).toBe(false);
    expect(matches("/(x)|y", "/(x)|y")).toBe(true);
    expect(matches("/a?", "/a")).toBe(false);
    expect(matches("/[ab]", "/a")).toBe(false);
  });

  it("don't let the prefix and suffix overlap", () => {
    expect(matches("/ab*ba", "/aba")).toBe(false);
    expect(matches("/ab*ba", "/abba")).toBe(true);
    expect(matches("/ab*b", "/ab")).toBe(false);
    expect(matches("/ab*b", "/abb")).toBe(true);
  });

  it("agree with the regex `^literal(.*)literal$` on any input", () => {
    const char = fc.constantFrom("/", "a", "b", "*", ".");
    const text = fc.array(char, { maxLength: 10 }).map((c) => c.join(""));
    fc.assert(
      fc.property(text, text, (pattern, rawPath) => {
        const path = rawPath.replace(/\*/g, "");
        const escaped = pattern
          .split("*")
          .map((part) => part.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&"))
          .join(".*");
        expect(matches(pattern, path)).toBe(new RegExp(`^${escaped}$`, "s").test(path));
      }),
      { numRuns: 3_000 },
    );
  });

  it("stay fast on patterns of many stars (no backtracking blow-up)", () => {
    const pattern = "/" + "a*".repeat(149);
    const path = "/" + "a".repeat(298) + "b";
    const started = performance.now();
    expect(matches(pattern + "c", path)).toBe(false);
    expect(performance.now() - started).toBeLessThan(50);
  });
});

/** The message of the invalidArgument error `fn` throws (ConvexError keeps it in `data`). */
function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return (error as ConvexError<{ message: string }>).data.message;
  }
  throw new Error("did not throw");
}

describe("checkGoal", () => {
  it("accepts an event goal, one with a property value (null included), and a page goal", () => {
    expect(checkGoal({ name: " Signup ", kind: "event", eventName: "signup" })).toEqual({
      name: "Signup",
      definition: { kind: "event", eventName: "signup" },
    });
    expect(
      checkGoal({ name: "Pro", kind: "event", eventName: "signup", property: "plan", value: "pro" })
        .definition,
    ).toEqual({ kind: "event", eventName: "signup", property: "plan", value: "pro" });
    expect(
      checkGoal({ name: "N", kind: "event", eventName: "e", property: "p", value: null })
        .definition,
    ).toEqual({ kind: "event", eventName: "e", property: "p", value: null });
    // Stored as events store the key (ingest/propKeys.ts), so that the goal's rows match.
    expect(
      checkGoal({ name: "B", kind: "event", eventName: "e", property: "$browser", value: "x" })
        .definition,
    ).toEqual({ kind: "event", eventName: "e", property: encodePropKey("$browser"), value: "x" });
    expect(checkGoal({ name: "Blog", kind: "page", pathPattern: "/blog/*" }).definition).toEqual({
      kind: "page",
      pathPattern: "/blog/*",
    });
  });

  it.each([
    [{ name: "", kind: "event", eventName: "x" }, /name must not be empty/],
    [
      { name: "n".repeat(MAX_GOAL_NAME_LENGTH + 1), kind: "event", eventName: "x" },
      /name must be at most 120 characters/,
    ],
    [{ name: "a\u0000b", kind: "event", eventName: "x" }, /name must be printable text/],
    [{ name: "G", kind: "event" }, /eventName is required for an event goal/],
    [{ name: "G", kind: "event", eventName: "" }, /eventName must not be empty/],
    [{ name: "G", kind: "event", eventName: "e".repeat(121) }, /eventName must be at most 120/],
    [
      { name: "G", kind: "event", eventName: "x", property: "plan" },
      /value is required with property "plan"/,
    ],
    [{ name: "G", kind: "event", eventName: "x", value: "pro" }, /value needs a property/],
    [
      { name: "G", kind: "event", eventName: "x", property: "a\u0001", value: 1 },
      /property "a\\u0001" is not a property key/,
    ],
    [
      { name: "G", kind: "event", eventName: "x", property: "", value: 1 },
      /property must be 1 to 64/,
    ],
    [
      { name: "G", kind: "event", eventName: "x", property: "p", value: "v".repeat(513) },
      /value must be at most 512/,
    ],
    [
      { name: "G", kind: "event", eventName: "x", property: "p", value: Infinity },
      /value must be a finite number/,
    ],
    [
      { name: "G", kind: "event", eventName: "x", pathPattern: "/a" },
      /pathPattern is not used by an event goal/,
    ],
    [{ name: "G", kind: "page" }, /pathPattern is required for a page goal/],
    [{ name: "G", kind: "page", pathPattern: "blog/*" }, /pathPattern must start with "\/"/],
    [
      { name: "G", kind: "page", pathPattern: "/" + "a".repeat(MAX_PATH_PATTERN_LENGTH) },
      /pathPattern must be at most 300 characters/,
    ],
    [
      { name: "G", kind: "page", pathPattern: "/a", eventName: "x" },
      /eventName is not used by a page goal/,
    ],
    [{ name: "G", kind: "funnel" }, /kind must be "event" or "page"/],
  ] as const)("refuses %j, naming the field", (input, message) => {
    expect(messageOf(() => checkGoal(input as never))).toMatch(message);
  });
});

/** A rollup row of `key` whose sketch holds `visitors` and whose counters are the rest. */
function row(
  key: string,
  visitors: string[],
  counters: { events?: number; pageviews?: number },
): RowLike {
  return {
    bucket: 0,
    key,
    visitors: sketchAdd(emptySketch(), visitors.map(hashId)),
    pageviews: counters.pageviews ?? 0,
    events: counters.events ?? 0,
    sessions: 0,
    bounces: 0,
    pvSessions: 0,
    durationMs: 0,
  };
}

describe("goal figures from rollup rows", () => {
  const signup: GoalDefinition = { kind: "event", eventName: "signup" };
  const pro: GoalDefinition = {
    kind: "event",
    eventName: "signup",
    property: "plan",
    value: "pro",
  };
  const blog: GoalDefinition = { kind: "page", pathPattern: "/blog/*" };

  it("read an event goal off the event rows of its name, a property goal off its value's rows", () => {
    expect(goalDimension(signup)).toBe("event");
    expect(goalDimension(pro)).toBe(propertyDimension("signup", "plan"));
    expect(goalDimension(blog)).toBe("page");
    const eventRows = [
      row("signup", ["a", "b"], { events: 3 }), // one bucket
      row("signup", ["b", "c"], { events: 2 }), // another: b counts once
      row("signupx", ["d"], { events: 9 }),
    ];
    expect(goalFigures(signup, eventRows)).toEqual({ visitors: 3, events: 5 });
    const planRows = [row("pro", ["a"], { events: 2 }), row("free", ["b"], { events: 1 })];
    expect(goalFigures(pro, planRows)).toEqual({ visitors: 1, events: 2 });
  });

  it("match null, boolean and number values by the spelling the property rows use", () => {
    const rows = [
      row("(null)", ["a"], { events: 1 }),
      row("true", ["b"], { events: 1 }),
      row("1", ["c"], { events: 4 }),
    ];
    const goal = (value: null | boolean | number): GoalDefinition => ({
      kind: "event",
      eventName: "e",
      property: "p",
      value,
    });
    expect(goalFigures(goal(null), rows)).toEqual({ visitors: 1, events: 1 });
    expect(goalFigures(goal(true), rows)).toEqual({ visitors: 1, events: 1 });
    expect(goalFigures(goal(1), rows)).toEqual({ visitors: 1, events: 4 });
  });

  it("union a page goal's matching paths: a visitor on two blog posts converts once, every view counts", () => {
    const pageRows = [
      row("/blog/a", ["a", "b"], { pageviews: 4 }),
      row("/blog/b/c", ["b"], { pageviews: 1 }),
      row("/blog", ["c"], { pageviews: 7 }),
      row("/pricing", ["d"], { pageviews: 2 }),
    ];
    expect(goalFigures(blog, pageRows)).toEqual({ visitors: 2, events: 5 });
  });

  it("rate conversions against the range's visitors, sorted by converting visitors then name", () => {
    expect(conversionRate(1, 4)).toBe(0.25);
    expect(conversionRate(0, 0)).toBe(0);
    expect(conversionRate(5, 4)).toBe(1);
    const rows = new Map<string, RowLike[]>([
      ["g1", [row("signup", ["a"], { events: 1 })]],
      ["g2", [row("/blog/x", ["a", "b"], { pageviews: 2 })]],
    ]);
    expect(
      goalRows(
        [
          { goalId: "g1", name: "Signup", definition: signup },
          { goalId: "g2", name: "Blog", definition: blog },
          { goalId: "g3", name: "Another", definition: { kind: "event", eventName: "never" } },
        ],
        (goalId) => rows.get(goalId) ?? [],
        4,
      ),
    ).toEqual([
      { goalId: "g2", name: "Blog", visitors: 2, events: 2, conversionRate: 0.5 },
      { goalId: "g1", name: "Signup", visitors: 1, events: 1, conversionRate: 0.25 },
      { goalId: "g3", name: "Another", visitors: 0, events: 0, conversionRate: 0 },
    ]);
  });
});
