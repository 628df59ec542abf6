// @vitest-environment happy-dom
// The dashboard under filters: a click on a row filters every read, chips edit and remove,
// the editor checks what it sends, a refused filter is named, the sampled badge, the funnel.
import { act, cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import { usePaginatedQuery, useQueries, useQuery } from "convex/react";
import { ConvexError } from "convex/values";
import { getFunctionName, makeFunctionReference } from "convex/server";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Funnel, FunnelReport, GoalsReport, Overview } from "../client/types.js";
import type { AnalyticsApi } from "./api.js";
import { AnalyticsDashboard } from "./AnalyticsDashboard.js";

vi.mock("convex/react", () => ({
  useQuery: vi.fn(),
  useQueries: vi.fn(() => ({})),
  usePaginatedQuery: vi.fn(),
  useConvex: vi.fn(() => ({ url: "https://happy-otter-123.convex.cloud" })),
}));

const SITE = "site_1";
const ref = (name: string) => makeFunctionReference<"query">(`analytics:${name}`);
const api = {
  getOverview: ref("getOverview"),
  getTimeseries: ref("getTimeseries"),
  getBreakdown: ref("getBreakdown"),
  getEventProperties: ref("getEventProperties"),
  listEvents: ref("listEvents"),
  listSessions: ref("listSessions"),
  getGoals: ref("getGoals"),
  getFunnel: ref("getFunnel"),
  listFunnels: ref("listFunnels"),
} as unknown as AnalyticsApi;

const RANGE = { from: 0, to: 1 };
const OVERVIEW: Overview = {
  range: RANGE,
  visitors: 1234,
  pageviews: 5678,
  sessions: 321,
  bounceRate: 0.45,
  avgDurationMs: 192_000,
  viewsPerSession: 2.5,
  events: 40,
  identifiedUsers: 12,
};
const GOALS: GoalsReport = {
  range: RANGE,
  visitors: 400,
  goals: [{ goalId: "g1", name: "Signup", visitors: 50, events: 61, conversionRate: 0.125 }],
};
const FUNNELS: Funnel[] = [
  {
    funnelId: "fn1",
    siteId: SITE,
    name: "Signup to checkout",
    steps: [
      { goalId: "g2", name: "Read an article" },
      { goalId: "g1", name: "Signup" },
      { goalId: "g3", name: "Checkout" },
    ],
    createdAt: 0,
  },
  {
    funnelId: "fn2",
    siteId: SITE,
    name: "Docs",
    steps: [
      { goalId: "g2", name: "Read an article" },
      { goalId: "g1", name: "Signup" },
    ],
    createdAt: 0,
  },
];
const REPORT: FunnelReport = {
  range: RANGE,
  funnelId: "fn1",
  name: "Signup to checkout",
  visitors: 1000,
  steps: [
    { goalId: "g2", name: "Read an article", visitors: 400, dropOff: 0, conversionRate: 0.4 },
    { goalId: "g1", name: "Signup", visitors: 100, dropOff: 300, conversionRate: 0.25 },
    { goalId: "g3", name: "Checkout", visitors: 20, dropOff: 80, conversionRate: 0.05 },
  ],
  sample: { fraction: 1 },
};

type Args = Record<string, unknown>;
type Responder = (args: Args) => unknown;
let responders: Record<string, Responder>;

function defaultResponders(): Record<string, Responder> {
  const sampled = (args: Args) => (args.filters ? { sample: { fraction: 1 } } : {});
  return {
    getOverview: (args) =>
      args.filters
        ? { ...OVERVIEW, identifiedUsers: undefined, visitors: 99, ...sampled(args) }
        : OVERVIEW,
    getTimeseries: (args) => ({ range: RANGE, interval: args.interval, points: [] }),
    getBreakdown: (args) => ({
      range: RANGE,
      dimension: args.dimension,
      rows:
        args.dimension === "event"
          ? [{ key: "signup", visitors: 7, pageviews: 0, sessions: 7, events: 9 }]
          : [0, 1].map((i) => ({
              key: args.dimension === "country" ? ["FR", "DE"][i] : `${args.dimension}-${i}`,
              visitors: 100 - i,
              pageviews: 200 - i,
              sessions: 90,
              events: 0,
            })),
      ...sampled(args),
    }),
    getEventProperties: (args) => ({
      range: RANGE,
      rows: [{ key: "pro", events: 5, visitors: 4 }],
      ...sampled(args),
    }),
    listEvents: () => ({ page: [], isDone: true, continueCursor: "" }),
    getGoals: (args) => ({ ...GOALS, ...sampled(args) }),
    listFunnels: () => FUNNELS,
    getFunnel: (args) =>
      args.funnelId === "fn1"
        ? REPORT
        : { ...REPORT, funnelId: "fn2", name: "Docs", steps: REPORT.steps.slice(0, 2) },
  };
}

const useQueryMock = vi.mocked(useQuery);
const usePaginatedQueryMock = vi.mocked(usePaginatedQuery);

/** Arguments of every useQuery call for one function, in call order ("skip" calls left out). */
function callsTo(name: string): Args[] {
  return useQueryMock.mock.calls
    .filter(
      ([query, args]) => getFunctionName(query as never) === `analytics:${name}` && args !== "skip",
    )
    .map(([, args]) => args as Args);
}
const lastCallTo = (name: string) => callsTo(name).at(-1);

beforeEach(() => {
  window.history.replaceState(null, "", "/");
  responders = defaultResponders();
  useQueryMock.mockReset();
  useQueryMock.mockImplementation(((query: unknown, args: unknown) => {
    if (args === "skip") return undefined;
    const name = getFunctionName(query as never).replace(/^analytics:/, "");
    return responders[name]?.(args as Args);
  }) as never);
  usePaginatedQueryMock.mockReset();
  usePaginatedQueryMock.mockImplementation((() => ({
    results: [],
    status: "Exhausted",
    isLoading: false,
    loadMore: () => {},
  })) as never);
});

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

const region = (name: string) => screen.getByRole("region", { name });
const chips = () =>
  [...document.querySelectorAll(".cxa-filter-chip-label")].map((chip) =>
    chip.getAttribute("title"),
  );
const SOURCE_FILTER = [["is", "source", ["source-0"]]];

describe("a click on a row", () => {
  it("filters every read by it, shows a chip and puts it in the URL", () => {
    render(<AnalyticsDashboard api={api} siteId={SITE} />);
    expect(lastCallTo("getOverview")).not.toHaveProperty("filters");
    fireEvent.click(
      within(region("Sources")).getByRole("button", { name: "Filter: Source is source-0" }),
    );
    expect(window.location.search).toBe("?f=is,source,source-0");
    expect(chips()).toEqual(["Source is source-0"]);
    for (const name of ["getOverview", "getTimeseries", "getBreakdown", "getGoals", "getFunnel"])
      expect(lastCallTo(name), name).toMatchObject({ filters: SOURCE_FILTER });
    const dimensions = new Set(
      callsTo("getBreakdown")
        .filter((args) => args.filters)
        .map((args) => args.dimension),
    );
    expect([...dimensions].sort()).toEqual(["country", "device", "event", "page", "source"]);
    expect(usePaginatedQueryMock.mock.calls.at(-1)?.[1]).toMatchObject({ filters: SOURCE_FILTER });
    // Filtered figures: identified users aren't known per visit, so the card says so.
    expect(document.querySelector('[data-kpi="visitors"] .cxa-kpi-value')?.textContent).toBe("99");
    expect(document.querySelector('[data-kpi="identifiedUsers"] .cxa-kpi-value')?.textContent).toBe(
      "—",
    );
  });

  it("works in every panel: countries by code, events, event properties, goals", () => {
    render(<AnalyticsDashboard api={api} siteId={SITE} />);
    fireEvent.click(
      within(region("Countries")).getByRole("button", { name: /^Filter: Country is .* France$/ }),
    );
    fireEvent.click(
      within(region("Events")).getByRole("button", { name: "Filter: Event is signup" }),
    );
    fireEvent.click(
      within(region("Goal conversions")).getByRole("button", { name: "Filter: Goal is Signup" }),
    );
    // The properties of an event are one more button on its row.
    fireEvent.click(
      within(region("Events")).getByRole("button", { name: "signup: show properties" }),
    );
    fireEvent.change(within(region("Events")).getByLabelText("Property name"), {
      target: { value: "plan" },
    });
    fireEvent.click(within(region("Events")).getByRole("button", { name: "Show" }));
    expect(lastCallTo("getEventProperties")).toMatchObject({ property: "plan" });
    fireEvent.click(
      within(region("Events")).getByRole("button", { name: "Filter: Property plan is pro" }),
    );
    expect(new URLSearchParams(window.location.search).getAll("f")).toEqual([
      "is,country,FR",
      "is,event,signup",
      "is,goal,Signup",
      "is,prop:plan,pro",
    ]);
  });

  it("on the same dimension replaces its is filter: one entry per click, Back undoes it", async () => {
    window.history.replaceState(null, "", "/?f=is,source,source-1");
    render(<AnalyticsDashboard api={api} siteId={SITE} />);
    fireEvent.click(
      within(region("Sources")).getByRole("button", { name: "Filter: Source is source-0" }),
    );
    expect(chips()).toEqual(["Source is source-0"]);
    await act(async () => {
      window.history.back();
      await new Promise((resolve) => setTimeout(resolve, 50));
    });
    expect(window.location.search).toBe("?f=is,source,source-1");
    expect(chips()).toEqual(["Source is source-1"]);
    expect(lastCallTo("getOverview")).toMatchObject({ filters: [["is", "source", ["source-1"]]] });
  });
});

describe("chips", () => {
  it("remove one filter, or all of them; without filters the reads are unfiltered again", () => {
    window.history.replaceState(null, "", "/?f=is,source,a&f=isNot,device,mobile,tablet");
    render(<AnalyticsDashboard api={api} siteId={SITE} />);
    expect(chips()).toEqual(["Source is a", "Device is not mobile or tablet"]);
    fireEvent.click(screen.getByRole("button", { name: "Remove filter: Source is a" }));
    expect(window.location.search).toBe("?f=isNot,device,mobile,tablet");
    expect(document.activeElement?.textContent).toBe("+ Filter");
    fireEvent.click(screen.getByRole("button", { name: "Clear all" }));
    expect(window.location.search).toBe("");
    expect(chips()).toEqual([]);
    expect(Object.keys(lastCallTo("getOverview")!).sort()).toEqual(["from", "siteId", "to"]);
  });
});

describe("the filter editor", () => {
  const dialog = () => screen.getByRole("dialog", { name: /filter/i });

  it("adds a property filter with several values", () => {
    render(<AnalyticsDashboard api={api} siteId={SITE} />);
    fireEvent.click(screen.getByRole("button", { name: "+ Filter" }));
    expect(document.activeElement).toBe(within(dialog()).getByLabelText("Filter by"));
    fireEvent.change(within(dialog()).getByLabelText("Filter by"), { target: { value: "prop" } });
    fireEvent.change(within(dialog()).getByLabelText("Property name"), {
      target: { value: "plan" },
    });
    fireEvent.change(within(dialog()).getByLabelText("Operator"), {
      target: { value: "contains" },
    });
    fireEvent.change(within(dialog()).getByLabelText("Value 1"), { target: { value: "pro" } });
    fireEvent.click(within(dialog()).getByRole("button", { name: "+ Or another value" }));
    fireEvent.change(within(dialog()).getByLabelText("Value 2"), { target: { value: "team" } });
    fireEvent.click(within(dialog()).getByRole("button", { name: "Add filter" }));
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(chips()).toEqual(["Property plan contains pro or team"]);
    expect(lastCallTo("getOverview")).toMatchObject({
      filters: [["contains", "prop:plan", ["pro", "team"]]],
    });
  });

  it("suggests the range's values of the dimension, under the other filters", () => {
    window.history.replaceState(null, "", "/?f=is,device,mobile");
    render(<AnalyticsDashboard api={api} siteId={SITE} />);
    fireEvent.click(screen.getByRole("button", { name: "+ Filter" }));
    fireEvent.change(within(dialog()).getByLabelText("Filter by"), {
      target: { value: "browser" },
    });
    expect(lastCallTo("getBreakdown")).toMatchObject({
      dimension: "browser",
      limit: 100,
      filters: [["is", "device", ["mobile"]]],
    });
    const options = [...dialog().querySelectorAll("datalist option")].map((o) =>
      o.getAttribute("value"),
    );
    expect(options).toEqual(["browser-0", "browser-1"]);
  });

  it("explains what's missing instead of sending it, and Escape closes it", () => {
    render(<AnalyticsDashboard api={api} siteId={SITE} />);
    const opener = screen.getByRole("button", { name: "+ Filter" });
    fireEvent.click(opener);
    fireEvent.change(within(dialog()).getByLabelText("Filter by"), { target: { value: "prop" } });
    fireEvent.change(within(dialog()).getByLabelText("Value 1"), { target: { value: "x" } });
    fireEvent.click(within(dialog()).getByRole("button", { name: "Add filter" }));
    expect(within(dialog()).getByRole("alert").textContent).toBe(
      "Enter the property's name, e.g. plan.",
    );
    expect(within(dialog()).getByLabelText("Property name").getAttribute("aria-invalid")).toBe(
      "true",
    );
    expect(window.location.search).toBe("");
    fireEvent.keyDown(within(dialog()).getByLabelText("Value 1"), { key: "Escape" });
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(document.activeElement).toBe(opener);

    // Focus moving out of it (Tab past Cancel) closes it too; moving within it doesn't.
    fireEvent.click(opener);
    const cancel = within(dialog()).getByRole("button", { name: "Cancel" });
    fireEvent.focusOut(cancel, { relatedTarget: within(dialog()).getByLabelText("Operator") });
    expect(screen.queryByRole("dialog")).not.toBeNull();
    const kpi = document.querySelector<HTMLElement>('[data-kpi="visitors"]')!;
    fireEvent.focusOut(cancel, { relatedTarget: kpi });
    expect(screen.queryByRole("dialog")).toBeNull();
  });

  it("edits an existing chip in place", () => {
    window.history.replaceState(null, "", "/?f=is,source,a&f=is,page,/blog/*");
    render(<AnalyticsDashboard api={api} siteId={SITE} />);
    fireEvent.click(screen.getByRole("button", { name: "Edit filter: Page is /blog/*" }));
    expect(within(dialog()).getByRole("heading").textContent).toBe("Edit filter");
    expect((within(dialog()).getByLabelText("Value 1") as HTMLInputElement).value).toBe("/blog/*");
    expect(dialog().textContent).toContain("* stands for any characters");
    fireEvent.change(within(dialog()).getByLabelText("Operator"), { target: { value: "isNot" } });
    fireEvent.click(within(dialog()).getByRole("button", { name: "Apply" }));
    expect(chips()).toEqual(["Source is a", "Page is not /blog/*"]);
    expect(window.location.search).toBe("?f=is,source,a&f=isNot,page,/blog/*");
  });
});

describe("a filter the server refuses", () => {
  it("is named, with a way to edit or remove it; the filter bar stays usable", () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    window.history.replaceState(null, "", "/?f=is,source,a&f=is,prop:$x,1");
    responders.getOverview = (args) => {
      if (JSON.stringify(args.filters ?? []).includes("prop:$x"))
        throw new ConvexError({
          code: "invalid_argument",
          message:
            'filters[1] (prop:$x): the property of dimension "prop:$x" "$x" is not a property key ingest accepts',
        });
      return OVERVIEW;
    };
    render(<AnalyticsDashboard api={api} siteId={SITE} />);
    const alert = screen.getByRole("alert");
    expect(
      within(alert).getByText("The server refused the filter “Property $x is 1”"),
    ).toBeTruthy();
    expect(alert.textContent).toContain("is not a property key ingest accepts");
    fireEvent.click(within(alert).getByRole("button", { name: "Edit this filter" }));
    expect(screen.getByRole("dialog", { name: "Edit filter" })).toBeTruthy();
    fireEvent.click(within(screen.getByRole("alert")).getByRole("button", { name: "Remove it" }));
    expect(window.location.search).toBe("?f=is,source,a");
    // A new set of filters is a new question: the dashboard is back.
    expect(screen.queryByRole("alert")).toBeNull();
    expect(region("Key figures")).toBeTruthy();
  });
});

describe("the sampled badge", () => {
  it("shows the smallest fraction of any result on screen, only when below 1", () => {
    window.history.replaceState(null, "", "/?f=is,source,a");
    render(<AnalyticsDashboard api={api} siteId={SITE} />);
    expect(document.querySelector(".cxa-sampled")).toBeNull();
    cleanup();

    responders.getGoals = () => ({ ...GOALS, sample: { fraction: 0.2 } });
    responders.getBreakdown = (args) => ({
      ...(defaultResponders().getBreakdown!(args) as object),
      sample: { fraction: 0.5 },
    });
    render(<AnalyticsDashboard api={api} siteId={SITE} />);
    expect(screen.getByText("Sampled: 20% of visits")).toBeTruthy();
  });
});

describe("the funnel", () => {
  const panel = () => region("Funnel");
  const steps = () =>
    [...panel().querySelectorAll(".cxa-funnel-step")].map((step) => [
      step.querySelector(".cxa-funnel-name")?.textContent,
      step.querySelector(".cxa-funnel-visitors")?.getAttribute("title"),
      step.querySelector(".cxa-funnel-rate")?.textContent,
      step.querySelector(".cxa-funnel-drop-count")?.getAttribute("title") ?? null,
    ]);

  it("shows per step visitors, conversion from step 1 and drop-off, as bars", () => {
    render(<AnalyticsDashboard api={api} siteId={SITE} />);
    expect(lastCallTo("listFunnels")).toEqual({ siteId: SITE });
    expect(lastCallTo("getFunnel")).toEqual({
      siteId: SITE,
      funnelId: "fn1",
      from: lastCallTo("getOverview")!.from,
      to: lastCallTo("getOverview")!.to,
    });
    expect(steps()).toEqual([
      ["1Step 1: Read an article", "400", "40%", null],
      ["2Step 2: Signup", "100", "25%", "300"],
      ["3Step 3: Checkout", "20", "5%", "80"],
    ]);
    const bars = [...panel().querySelectorAll<HTMLElement>(".cxa-funnel-bar")].map(
      (bar) => bar.style.width,
    );
    expect(bars).toEqual(["100%", "25%", "5%"]);
    expect(panel().textContent).toContain("dropped off after step 1 (75%)");
  });

  it("picks another funnel, kept in the URL", () => {
    render(<AnalyticsDashboard api={api} siteId={SITE} />);
    fireEvent.change(within(panel()).getByLabelText("Funnel"), { target: { value: "fn2" } });
    expect(window.location.search).toBe("?funnel=fn2");
    expect(lastCallTo("getFunnel")).toMatchObject({ funnelId: "fn2" });
    expect(steps()).toHaveLength(2);
  });

  it("says how to create one when the site has none, and is left out without the functions", () => {
    responders.listFunnels = () => [];
    render(<AnalyticsDashboard api={api} siteId={SITE} />);
    expect(within(panel()).getByText(/No funnels yet/)).toBeTruthy();
    expect(callsTo("getFunnel")).toHaveLength(0);
    cleanup();

    const { getFunnel: _g, listFunnels: _l, ...withoutFunnels } = api;
    render(<AnalyticsDashboard api={withoutFunnels as AnalyticsApi} siteId={SITE} />);
    expect(screen.queryByRole("region", { name: "Funnel" })).toBeNull();
  });
});

describe("the chart under filters", () => {
  it("filters the week and month points too", () => {
    window.history.replaceState(null, "", "/?period=12mo&interval=month&f=is,os,Linux");
    render(<AnalyticsDashboard api={api} siteId={SITE} />);
    const all = vi
      .mocked(useQueries)
      .mock.calls.map(([requests]) => Object.values(requests as Record<string, { args: Args }>))
      .sort((a, b) => b.length - a.length)[0]!;
    expect(all.length).toBeGreaterThan(10);
    for (const request of all) expect(request.args.filters).toEqual([["is", "os", ["Linux"]]]);
  });
});
