// @vitest-environment happy-dom
import { describe, expect, it } from "vitest";
import type { Filter } from "../../client/types.js";
import {
  dashboardParams,
  defaultDashboardState,
  readDashboardState,
} from "../hooks/dashboardState.js";
import {
  addRowFilter,
  checkDraft,
  decodeFilter,
  draftOf,
  emptyDraft,
  encodeFilter,
  filterErrorIndex,
  filterLabel,
  isFilterError,
  MAX_FILTERS,
  putFilter,
  readFilters,
  removeFilter,
  withFilters,
} from "./filters.js";
import { withParams } from "../hooks/urlState.js";

const DEFAULTS = defaultDashboardState("7d");
const read = (search: string) => readDashboardState(new URLSearchParams(search), DEFAULTS);
const write = (filters: Filter[], search = "") =>
  withParams(search, dashboardParams({ ...DEFAULTS, filters }, DEFAULTS));

describe("filters in the URL", () => {
  it("are one readable f parameter each, in order, and read back the same", () => {
    const filters: Filter[] = [
      ["is", "source", ["google.com"]],
      ["isNot", "page", ["/blog/*", "/docs/*"]],
      ["contains", "prop:plan", ["pro"]],
    ];
    const search = write(filters, "?site=abc");
    expect(search).toBe(
      "?site=abc&f=is,source,google.com&f=isNot,page,/blog/*,/docs/*&f=contains,prop:plan,pro",
    );
    expect(read(search).filters).toEqual(filters);
  });

  it("escape commas and backslashes inside values, and survive spaces and unicode", () => {
    const filters: Filter[] = [
      ["is", "utmCampaign", ["spring, 2025", "a\\b", "Été à Paris", "x&y=z"]],
      ["notContains", "prop:na,me", ["100%"]],
    ];
    expect(read(write(filters)).filters).toEqual(filters);
    expect(encodeFilter(filters[0]!)).toBe(
      "is,utmCampaign,spring\\, 2025,a\\\\b,Été à Paris,x&y=z",
    );
  });

  it("drop a malformed parameter (a hand-edited link) and keep the rest", () => {
    expect(
      readFilters(
        new URLSearchParams(
          "f=is,source,google.com&f=equals,source,x&f=is,mood,happy&f=is,page&f=is,page,&f=is,prop:,x",
        ),
      ),
    ).toEqual([["is", "source", ["google.com"]]]);
    expect(decodeFilter("contains,goal,Sign")).toEqual(["contains", "goal", ["Sign"]]);
  });

  it("leave the URL when none are set, and Back-able changes replace all of them", () => {
    expect(write([], "?site=1&f=is,os,Linux")).toBe("?site=1");
    expect(read("?period=30d").filters).toEqual([]);
    const two = write([
      ["is", "country", ["FR"]],
      ["is", "device", ["mobile"]],
    ]);
    expect(withParams(two, dashboardParams({ ...DEFAULTS, filters: [] }, DEFAULTS))).toBe("");
  });

  it("carry the chosen funnel too", () => {
    const search = withParams("", dashboardParams({ ...DEFAULTS, funnel: "fn_1" }, DEFAULTS));
    expect(search).toBe("?funnel=fn_1");
    expect(read(search).funnel).toBe("fn_1");
    expect(read("").funnel).toBeUndefined();
  });
});

describe("filter chips", () => {
  it("read as Plausible's: dimension, operator, values joined by or", () => {
    expect(filterLabel(["is", "source", ["google.com"]])).toBe("Source is google.com");
    expect(filterLabel(["isNot", "page", ["/a", "/b"]])).toBe("Page is not /a or /b");
    expect(filterLabel(["notContains", "prop:plan", ["pro"]])).toBe(
      "Property plan does not contain pro",
    );
    expect(filterLabel(["is", "country", ["FR"]])).toMatch(/^Country is 🇫🇷 /);
    expect(filterLabel(["is", "os", ["a", "b", "c", "d"]], 2)).toBe(
      "Operating system is a or b or 2 more",
    );
  });
});

describe("what a click on a row does", () => {
  const source: Filter = ["is", "source", ["google.com"]];

  it("adds dimension is value", () => {
    expect(addRowFilter([], "page", "/pricing")).toEqual([["is", "page", ["/pricing"]]]);
    expect(addRowFilter([source], "country", "FR")).toEqual([source, ["is", "country", ["FR"]]]);
  });

  it("replaces an is filter on the same dimension, and adds nothing twice", () => {
    expect(addRowFilter([source], "source", "bing.com")).toEqual([["is", "source", ["bing.com"]]]);
    expect(addRowFilter([source], "source", "google.com")).toEqual([source]);
    // A negative filter on the dimension stays: the click narrows further.
    const not: Filter = ["isNot", "source", ["x"]];
    expect(addRowFilter([not], "source", "y")).toEqual([not, ["is", "source", ["y"]]]);
  });

  it("adds nothing past the server's maximum of filters", () => {
    const full = Array.from({ length: MAX_FILTERS }, (_, i): Filter => ["is", "page", [`/${i}`]]);
    const many = full.map((f, i): Filter => (i === 0 ? f : ["is", "prop:k" + i, ["v"]]));
    expect(addRowFilter(many, "country", "FR")).toEqual(many);
  });

  it("edits and removes by index", () => {
    const list: Filter[] = [source, ["is", "device", ["mobile"]]];
    expect(putFilter(list, 1, ["isNot", "device", ["mobile"]])[1]).toEqual([
      "isNot",
      "device",
      ["mobile"],
    ]);
    expect(putFilter(list, null, ["is", "os", ["Linux"]])).toHaveLength(3);
    expect(removeFilter(list, 0)).toEqual([["is", "device", ["mobile"]]]);
  });
});

describe("the editor's checks", () => {
  it("builds the filter: blank values dropped, duplicates once, prop:<key> from the key field", () => {
    expect(
      checkDraft({
        dimension: "prop",
        property: " plan ",
        operator: "is",
        values: ["pro", "", "pro", " team "],
      }),
    ).toEqual({ filter: ["is", "prop:plan", ["pro", "team"]] });
    expect(draftOf(["contains", "prop:plan", ["pr"]])).toEqual({
      dimension: "prop",
      property: "plan",
      operator: "contains",
      values: ["pr"],
    });
    expect(checkDraft(draftOf(["isNot", "goal", ["Signup"]]))).toEqual({
      filter: ["isNot", "goal", ["Signup"]],
    });
  });

  it("says what is wrong, by field, before the server does", () => {
    expect(checkDraft(emptyDraft()).problems).toEqual({ values: "Enter at least one value." });
    expect(
      checkDraft({ ...emptyDraft(), dimension: "prop", values: ["x"] }).problems?.property,
    ).toBe("Enter the property's name, e.g. plan.");
    expect(
      checkDraft({ ...emptyDraft(), dimension: "prop", property: "a\u0001", values: ["x"] })
        .problems?.property,
    ).toBe("A property name has no control characters.");
    // "$" and non-ASCII keys are stored (escaped) like any other.
    expect(
      checkDraft({ ...emptyDraft(), dimension: "prop", property: "$browser", values: ["x"] })
        .filter,
    ).toEqual(["is", "prop:$browser", ["x"]]);
    expect(checkDraft({ ...emptyDraft(), values: ["/ok", "x".repeat(301)] }).problems).toEqual({
      values: "A value has at most 300 characters.",
      valueIndex: 1,
    });
    const many = Array.from({ length: 21 }, (_, i) => `/${i}`);
    expect(checkDraft({ ...emptyDraft(), values: many }).problems?.values).toBe(
      "A filter has at most 20 values.",
    );
  });
});

describe("server refusals", () => {
  it("name the filter by index", () => {
    const message =
      'filters[1] (prop:): the property of dimension "prop:" must be 1 to 64 characters';
    expect(isFilterError(message)).toBe(true);
    expect(filterErrorIndex(message)).toBe(1);
    expect(isFilterError("filters: at most 10 filters, got 11")).toBe(true);
    expect(filterErrorIndex("filters: at most 10 filters, got 11")).toBeNull();
    expect(isFilterError("Sign in to call getOverview")).toBe(false);
  });
});

describe("read arguments", () => {
  it("carry filters only when there are some: unfiltered reads are exactly today's", () => {
    const args = { siteId: "s", from: 0, to: 1 };
    expect(withFilters(args, [])).toEqual(args);
    expect(withFilters(args, undefined)).toEqual(args);
    expect(withFilters(args, [["is", "os", ["Linux"]]])).toEqual({
      ...args,
      filters: [["is", "os", ["Linux"]]],
    });
  });
});
