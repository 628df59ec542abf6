// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import { usePaginatedQuery, useQuery } from "convex/react";
import { getFunctionName, makeFunctionReference } from "convex/server";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { EventItem, GoalsReport, Overview, SessionItem } from "../client/types.js";
import type { AnalyticsApi } from "./api.js";
import { AnalyticsDashboard } from "./AnalyticsDashboard.js";
import { emptySketch, sketchAdd } from "../component/lib/sketch.js";
import { HOUR_MS, MINUTE_MS, rangeFor } from "./model/range.js";

vi.mock("convex/react", () => ({
  useQuery: vi.fn(),
  useQueries: vi.fn(() => ({})),
  usePaginatedQuery: vi.fn(),
  useConvex: vi.fn(() => ({ url: "https://happy-otter-123.convex.cloud" })),
}));

const SITE = "site_1";
const ref = (name: string) => makeFunctionReference<"query">(`analytics:${name}`);
const baseApi = {
  getOverview: ref("getOverview"),
  getTimeseries: ref("getTimeseries"),
  getBreakdown: ref("getBreakdown"),
  getEventProperties: ref("getEventProperties"),
  listEvents: ref("listEvents"),
  listSessions: ref("listSessions"),
} as unknown as AnalyticsApi;
const apiWithRealtime = { ...baseApi, getRealtime: ref("getRealtime") } as unknown as AnalyticsApi;
const apiWithGoals = { ...baseApi, getGoals: ref("getGoals") } as unknown as AnalyticsApi;

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
  previous: {
    range: RANGE,
    visitors: 1100,
    pageviews: 6000,
    sessions: 321,
    bounceRate: 0.42,
    avgDurationMs: 160_000,
    viewsPerSession: 2,
    events: 30,
    identifiedUsers: 0,
  },
};

const session = (i: number): SessionItem => ({
  _id: `s${i}`,
  visitorId: `visitor${i}`,
  sessionId: `session${i}`,
  startTs: Date.UTC(2025, 2, 10, 12, i),
  endTs: Date.UTC(2025, 2, 10, 12, i + 3),
  durationMs: 180_000,
  pageviews: 3,
  events: 1,
  bounce: false,
  entryPage: "/",
  exitPage: "/pricing",
  source: "google.com",
  country: "FR",
  device: "desktop",
  browser: "Firefox",
  os: "Linux",
});

const event = (i: number, overrides: Partial<EventItem> = {}): EventItem => ({
  _id: `e${i}`,
  eventId: `id${i}`,
  type: "event",
  ts: Date.UTC(2025, 2, 10, 12, i),
  visitorId: `visitor${i}`,
  sessionId: `session${i}`,
  name: "signup",
  props: { plan: "pro" },
  device: "mobile",
  browser: "Safari",
  os: "iOS",
  ...overrides,
});

type Args = Record<string, unknown>;
type Responder = (args: Args) => unknown;

/** What each read returns, by function name; replaced per test. */
let responders: Record<string, Responder>;
const loadMore = vi.fn();

function defaultResponders(): Record<string, Responder> {
  return {
    getOverview: () => OVERVIEW,
    getTimeseries: (args) => ({
      range: RANGE,
      interval: args.interval,
      points: [0, 1, 2].map((i) => ({
        t: (args.from as number) + i * HOUR_MS,
        visitors: 10 + i,
        pageviews: 20 + i,
        sessions: 12,
        bounceRate: 0.5,
        avgDurationMs: 60_000,
      })),
    }),
    getBreakdown: (args) => ({
      range: RANGE,
      dimension: args.dimension,
      rows:
        args.dimension === "event"
          ? [{ key: "signup", visitors: 7, pageviews: 0, sessions: 7, events: 9 }]
          : Array.from({ length: 10 }, (_, i) => ({
              key: `/${args.dimension}-${i}`,
              visitors: 100 - i,
              pageviews: 200 - i,
              sessions: 90,
              events: 0,
            })),
    }),
    getEventProperties: (args) => ({
      range: RANGE,
      rows: [{ key: `${args.property}-value`, events: 5, visitors: 4 }],
    }),
    listEvents: () => ({
      page: [
        event(1),
        event(2, { props: { plan: "free", coupon: "X1" } }),
        event(3, { type: "pageview", name: undefined, path: "/" }),
      ],
      isDone: true,
      continueCursor: "",
    }),
    getRealtime: () => ({ activeVisitors: 3, pages: [{ path: "/", visitors: 3 }], updatedAt: 0 }),
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

function lastCallTo(name: string): Args | undefined {
  return callsTo(name).at(-1);
}

beforeEach(() => {
  // The dashboard keeps its state in the query string: each test starts from a clean one.
  window.history.replaceState(null, "", "/");
  responders = defaultResponders();
  loadMore.mockReset();
  useQueryMock.mockReset();
  useQueryMock.mockImplementation(((query: unknown, args: unknown) => {
    if (args === "skip") return undefined;
    const name = getFunctionName(query as never).replace(/^analytics:/, "");
    return responders[name]?.(args as Args);
  }) as never);
  usePaginatedQueryMock.mockReset();
  usePaginatedQueryMock.mockImplementation(((query: unknown) => {
    const name = getFunctionName(query as never);
    const results =
      name === "analytics:listSessions" ? [session(1), session(2)] : [event(1), event(2)];
    return { results, status: "CanLoadMore", isLoading: false, loadMore };
  }) as never);
});

afterEach(() => {
  cleanup();
  vi.useRealTimers();
  vi.restoreAllMocks();
});

function kpi(key: string) {
  const card = document.querySelector(`[data-kpi="${key}"]`);
  if (!card) throw new Error(`no KPI card ${key}`);
  return card as HTMLElement;
}

function chartCaption() {
  return document.querySelector(".cxa-chart figcaption")?.textContent;
}

function kpiText(key: string) {
  const card = kpi(key);
  return {
    value: card.querySelector(".cxa-kpi-value")?.textContent,
    delta: card.querySelector(".cxa-delta")?.textContent,
  };
}

describe("KPI row", () => {
  it("shows each figure of getOverview, formatted, with its change from the compared period", () => {
    window.history.replaceState(null, "", "/?comparison=previous");
    const current = rangeFor("7d", Date.now());
    responders.getOverview = (args) =>
      args.from === current.from ? OVERVIEW : { ...OVERVIEW.previous!, range: RANGE };
    render(<AnalyticsDashboard api={baseApi} siteId={SITE} />);
    expect(kpiText("visitors")).toEqual({ value: "1.2k", delta: "+12%" });
    expect(kpiText("pageviews")).toEqual({ value: "5.7k", delta: "-5%" });
    expect(kpiText("sessions")).toEqual({ value: "321", delta: "0%" });
    expect(kpiText("bounceRate")).toEqual({ value: "45%", delta: "+3 pp" });
    expect(kpiText("avgDurationMs")).toEqual({ value: "3m 12s", delta: "+20%" });
    expect(kpiText("viewsPerSession")).toEqual({ value: "2.5", delta: "+25%" });
    expect(kpiText("identifiedUsers")).toEqual({ value: "12", delta: "new" });
    // A higher bounce rate is bad news, fewer pageviews too; longer visits are good.
    expect(kpi("bounceRate").querySelector(".cxa-delta")?.className).toContain("cxa-delta-bad");
    expect(kpi("pageviews").querySelector(".cxa-delta")?.className).toContain("cxa-delta-bad");
    expect(kpi("avgDurationMs").querySelector(".cxa-delta")?.className).toContain("cxa-delta-good");
  });

  it("shows a dash, not 'new' or '+78 pp', against a period without visits", () => {
    window.history.replaceState(null, "", "/?comparison=previous");
    const current = rangeFor("7d", Date.now());
    const empty = { ...OVERVIEW.previous!, pageviews: 0, visitors: 0, sessions: 0, events: 0 };
    responders.getOverview = (args) => (args.from === current.from ? OVERVIEW : empty);
    render(<AnalyticsDashboard api={baseApi} siteId={SITE} />);
    expect(kpiText("visitors").delta).toBe("—");
    expect(kpiText("bounceRate").delta).toBe("—");
  });

  it("shows no deltas when the result has no previous period", () => {
    responders.getOverview = () => ({ ...OVERVIEW, previous: undefined });
    render(<AnalyticsDashboard api={baseApi} siteId={SITE} />);
    expect(kpiText("visitors")).toEqual({ value: "1.2k", delta: undefined });
  });

  it("shows skeletons while getOverview loads", () => {
    responders.getOverview = () => undefined;
    render(<AnalyticsDashboard api={baseApi} siteId={SITE} />);
    const row = screen.getByRole("region", { name: "Key figures" });
    expect(row.getAttribute("aria-busy")).toBe("true");
    expect(row.querySelectorAll(".cxa-skeleton").length).toBeGreaterThan(0);
  });

  it("shows visitors now only when the host exposes getRealtime", () => {
    render(<AnalyticsDashboard api={baseApi} siteId={SITE} />);
    expect(screen.queryByText("Visitors now")).toBeNull();
    expect(callsTo("getRealtime")).toHaveLength(0);
    cleanup();

    render(<AnalyticsDashboard api={apiWithRealtime} siteId={SITE} />);
    expect(screen.getByText("Visitors now")).toBeTruthy();
    expect(kpiText("realtime").value).toBe("3");
    expect(lastCallTo("getRealtime")).toEqual({ siteId: SITE });
  });

  it("picks the chart's metric from a KPI card", () => {
    render(<AnalyticsDashboard api={baseApi} siteId={SITE} />);
    expect(kpi("visitors").getAttribute("aria-pressed")).toBe("true");
    expect(chartCaption()).toMatch(/^Unique visitors per day/);
    fireEvent.click(kpi("pageviews"));
    expect(kpi("pageviews").getAttribute("aria-pressed")).toBe("true");
    expect(kpi("visitors").getAttribute("aria-pressed")).toBe("false");
    expect(chartCaption()).toMatch(/^Total pageviews per day, 3 points; highest 22/);
  });
});

describe("the split read path (a host that exports getRangePart)", () => {
  const NOW = new Date(2025, 2, 10, 14, 20).getTime();
  const apiWithParts = { ...baseApi, getRangePart: ref("getRangePart") } as unknown as AnalyticsApi;
  const partRow = (key: string, visitors: number[], pageviews: number) => ({
    key,
    pageviews,
    events: 0,
    sessions: visitors.length,
    bounces: 0,
    pvSessions: visitors.length,
    durationMs: 0,
    visitors: sketchAdd(emptySketch(), visitors),
  });

  beforeEach(() => {
    vi.useFakeTimers({ now: NOW });
  });

  it("reads the closed days and today apart, and merges them: a visitor of both counts once", () => {
    const today = new Date(2025, 2, 10).getTime();
    const tomorrow = new Date(2025, 2, 11).getTime();
    const seven = rangeFor("7d", NOW);
    responders.getRangePart = (args) => {
      const closed = args.to === today;
      const rows =
        args.dimension === "all"
          ? [partRow("", closed ? [1, 2, 3] : [3, 4], closed ? 30 : 5)]
          : [partRow("/", closed ? [1, 2] : [2, 4], closed ? 20 : 4)];
      return { range: { from: args.from, to: args.to }, truncated: false, rows };
    };
    render(<AnalyticsDashboard api={apiWithParts} siteId={SITE} />);
    // The whole-range reads are not subscribed to; the parts are, split at today's start.
    expect(callsTo("getOverview")).toEqual([]);
    expect(callsTo("getBreakdown")).toEqual([]);
    const parts = callsTo("getRangePart").filter((a) => a.dimension === "all");
    expect(parts).toContainEqual({ siteId: SITE, from: seven.from, to: today, dimension: "all" });
    expect(parts).toContainEqual({ siteId: SITE, from: today, to: tomorrow, dimension: "all" });
    // Daily points: the closed days and today, side by side.
    expect(callsTo("getTimeseries")).toContainEqual({
      siteId: SITE,
      from: today,
      to: tomorrow,
      interval: "day",
    });
    // Visitors 1, 2, 3 before today and 3, 4 today: 4 visitors, 35 pageviews.
    expect(kpiText("visitors").value).toBe("4");
    expect(kpiText("pageviews").value).toBe("35");
  });
});

describe("range and subscriptions", () => {
  const NOW = new Date(2025, 2, 10, 14, 20).getTime();

  beforeEach(() => {
    vi.useFakeTimers({ now: NOW });
  });

  it("asks for rounded ranges and keeps the same arguments within the hour", () => {
    const { rerender } = render(<AnalyticsDashboard api={baseApi} siteId={SITE} />);
    const seven = rangeFor("7d", NOW);
    expect(lastCallTo("getOverview")).toEqual({ siteId: SITE, from: seven.from, to: seven.to });
    expect(lastCallTo("getTimeseries")).toEqual({
      siteId: SITE,
      from: seven.from,
      to: seven.to,
      interval: "day",
    });

    // Twenty minutes and a few re-renders later: still the very same arguments.
    act(() => vi.advanceTimersByTime(20 * MINUTE_MS));
    rerender(<AnalyticsDashboard api={baseApi} siteId={SITE} />);
    rerender(<AnalyticsDashboard api={baseApi} siteId={SITE} />);
    const distinct = new Set(callsTo("getOverview").map((args) => JSON.stringify(args)));
    expect(distinct.size).toBe(1);

    // A new preset: new rounded arguments, hourly for a short range.
    fireEvent.change(screen.getByLabelText("Range"), { target: { value: "24h" } });
    const day = rangeFor("24h", NOW);
    expect(new Date(day.to).getMinutes()).toBe(0);
    expect(lastCallTo("getOverview")).toEqual({ siteId: SITE, from: day.from, to: day.to });
    expect(lastCallTo("getTimeseries")).toEqual({
      siteId: SITE,
      from: day.from,
      to: day.to,
      interval: "hour",
    });
    expect(lastCallTo("getBreakdown")).toMatchObject({ from: day.from, to: day.to });
    expect(usePaginatedQueryMock.mock.calls.at(-1)?.[1]).toEqual({
      siteId: SITE,
      from: day.from,
      to: day.to,
    });

    // Once the hour turns, the range moves forward by an hour.
    act(() => vi.advanceTimersByTime(30 * MINUTE_MS));
    expect(lastCallTo("getOverview")).toEqual({
      siteId: SITE,
      from: day.from + HOUR_MS,
      to: day.to + HOUR_MS,
    });
  });

  it("switches to two date inputs for a custom range", () => {
    render(<AnalyticsDashboard api={baseApi} siteId={SITE} defaultRange="30d" />);
    fireEvent.change(screen.getByLabelText("Range"), { target: { value: "custom" } });
    const from = screen.getByLabelText("From") as HTMLInputElement;
    const to = screen.getByLabelText("To") as HTMLInputElement;
    expect(from.value).toBe("2025-02-09");
    expect(to.value).toBe("2025-03-10");
    fireEvent.change(from, { target: { value: "2025-03-01" } });
    fireEvent.change(to, { target: { value: "2025-03-02" } });
    const custom = rangeFor({ from: "2025-03-01", to: "2025-03-02" }, NOW);
    expect(lastCallTo("getOverview")).toEqual({ siteId: SITE, from: custom.from, to: custom.to });
    expect(lastCallTo("getTimeseries")).toMatchObject({ interval: "hour" });
  });

  it("compares with a second getOverview of the previous period, and charts it", () => {
    render(<AnalyticsDashboard api={baseApi} siteId={SITE} />);
    const seven = rangeFor("7d", NOW);
    const length = seven.to - seven.from;
    fireEvent.change(screen.getByLabelText("Compare"), { target: { value: "previous" } });
    expect(callsTo("getOverview")).toContainEqual({
      siteId: SITE,
      from: seven.from - length,
      to: seven.from,
    });
    expect(callsTo("getTimeseries")).toContainEqual({
      siteId: SITE,
      from: seven.from - length,
      to: seven.from,
      interval: "day",
    });
    expect(window.location.search).toBe("?comparison=previous");
  });

  it("compares year over year, by date or by day of the week", () => {
    render(<AnalyticsDashboard api={baseApi} siteId={SITE} />);
    const seven = rangeFor("7d", NOW);
    fireEvent.change(screen.getByLabelText("Compare"), { target: { value: "year" } });
    const yearAgo = (ms: number) => {
      const d = new Date(ms);
      d.setFullYear(d.getFullYear() - 1);
      return d.getTime();
    };
    expect(lastCallTo("getOverview")).toEqual({
      siteId: SITE,
      from: yearAgo(seven.from),
      to: yearAgo(seven.to),
    });
    fireEvent.click(screen.getByLabelText("Match day of week"));
    const weeksAgo = (ms: number) => {
      const d = new Date(ms);
      d.setDate(d.getDate() - 364);
      return d.getTime();
    };
    expect(lastCallTo("getOverview")).toEqual({
      siteId: SITE,
      from: weeksAgo(seven.from),
      to: weeksAgo(seven.to),
    });
  });

  it("changes the range with Plausible's keys, not while typing, and keeps it in the URL", () => {
    render(<AnalyticsDashboard api={baseApi} siteId={SITE} />);
    fireEvent.keyDown(document.body, { key: "m" });
    const month = rangeFor("month", NOW);
    expect(lastCallTo("getOverview")).toEqual({ siteId: SITE, from: month.from, to: month.to });
    expect(window.location.search).toBe("?period=month");
    fireEvent.keyDown(document.body, { key: "ArrowLeft" });
    expect(window.location.search).toBe("?period=custom&from=2025-02-01&to=2025-02-28");
    // Keys pressed in a form control are not shortcuts.
    fireEvent.keyDown(screen.getByLabelText("Range"), { key: "w" });
    expect(window.location.search).toContain("period=custom");
  });
});

describe("breakdown panels", () => {
  it("requests the dimension of the selected tab, 10 rows, then 100 on show more", () => {
    render(<AnalyticsDashboard api={baseApi} siteId={SITE} />);
    const panel = screen.getByRole("region", { name: "Pages" });
    const dimensions = () =>
      callsTo("getBreakdown").map((args) => `${args.dimension}:${args.limit}`);
    expect(dimensions()).toContain("page:10");
    expect(within(panel).getByText("/page-0")).toBeTruthy();

    fireEvent.click(within(panel).getByRole("tab", { name: "Entry pages" }));
    expect(
      within(panel).getByRole("tab", { name: "Entry pages" }).getAttribute("aria-selected"),
    ).toBe("true");
    expect(dimensions()).toContain("entryPage:10");
    expect(within(panel).getByText("/entryPage-0")).toBeTruthy();

    // Arrow keys move along the tab list.
    fireEvent.keyDown(within(panel).getByRole("tablist"), { key: "ArrowRight" });
    expect(dimensions()).toContain("exitPage:10");

    fireEvent.click(within(panel).getByRole("button", { name: "Show more" }));
    expect(dimensions()).toContain("exitPage:100");
  });

  it("requests each panel's dimensions", () => {
    render(<AnalyticsDashboard api={baseApi} siteId={SITE} />);
    const requested = () => new Set(callsTo("getBreakdown").map((args) => args.dimension));
    expect([...requested()].sort()).toEqual(["country", "device", "event", "page", "source"]);
    fireEvent.click(screen.getByRole("tab", { name: "Campaign" }));
    fireEvent.click(screen.getByRole("tab", { name: "OS" }));
    expect(requested()).toContain("utmCampaign");
    expect(requested()).toContain("os");
  });

  it("marks a long tail's list whose order is not certain, and explains the bound", () => {
    const whole = responders.getBreakdown!;
    responders.getBreakdown = (args) => ({
      ...(whole(args) as object),
      ...(args.dimension === "page" ? { approximate: true } : {}),
    });
    render(<AnalyticsDashboard api={baseApi} siteId={SITE} />);
    const mark = within(screen.getByRole("region", { name: "Pages" })).getByText(/Approximate/);
    expect(mark.getAttribute("title")).toMatch(/could rank above the last rows/);
    expect(mark.getAttribute("title")).toMatch(/Pageviews and events of the rows shown are exact/);
    expect(
      within(screen.getByRole("region", { name: "Sources" })).queryByText(/Approximate/),
    ).toBeNull();
  });

  it("draws bars proportional to visitors", () => {
    render(<AnalyticsDashboard api={baseApi} siteId={SITE} />);
    const panel = screen.getByRole("region", { name: "Pages" });
    const bars = [...panel.querySelectorAll<HTMLElement>(".cxa-bar")].map((bar) => bar.style.width);
    expect(bars[0]).toBe("100%");
    expect(bars[9]).toBe("91%");
  });
});

describe("goal conversions", () => {
  const GOALS: GoalsReport = {
    range: RANGE,
    visitors: 400,
    goals: [
      { goalId: "g1", name: "Signup", visitors: 50, events: 61, conversionRate: 0.125 },
      { goalId: "g2", name: "Read an article", visitors: 10, events: 1234, conversionRate: 0.025 },
      { goalId: "g3", name: "Checkout", visitors: 0, events: 0, conversionRate: 0 },
    ],
  };
  const panel = () => screen.getByRole("region", { name: "Goal conversions" });
  const rowsShown = () =>
    [...panel().querySelectorAll("tbody tr")].map((row) =>
      [...row.querySelectorAll("td")].map((cell) => cell.textContent),
    );

  beforeEach(() => {
    responders.getGoals = () => GOALS;
  });

  it("shows each goal of getGoals for the dashboard's range, the rate to a tenth of a percent", () => {
    render(<AnalyticsDashboard api={apiWithGoals} siteId={SITE} />);
    expect(lastCallTo("getGoals")).toEqual(lastCallTo("getOverview"));
    expect(rowsShown()).toEqual([
      ["Signup", "50", "61", "12.5%"],
      ["Read an article", "10", "1.2k", "2.5%"],
      ["Checkout", "0", "0", "0%"],
    ]);
    expect(within(panel()).getByTitle("1,234")).toBeTruthy();
    // Short headers for the eye, full names for screen readers.
    expect(within(panel()).getByRole("columnheader", { name: "Conversion rate" })).toBeTruthy();
    expect(
      within(panel()).getByRole("button", { name: "Export goal conversions as CSV" }),
    ).toBeTruthy();
    // Beside the events panel, each in one column.
    const events = screen.getByRole("region", { name: "Events" });
    expect(events.parentElement?.className).toBe("cxa-grid");
  });

  it("shows a skeleton while getGoals loads", () => {
    responders.getGoals = () => undefined;
    render(<AnalyticsDashboard api={apiWithGoals} siteId={SITE} />);
    const body = panel().querySelector("[aria-busy]")!;
    expect(body.getAttribute("aria-busy")).toBe("true");
    expect(body.querySelectorAll(".cxa-skeleton").length).toBeGreaterThan(0);
  });

  it("says how to create a goal when the site has none", () => {
    responders.getGoals = () => ({ ...GOALS, goals: [] });
    render(<AnalyticsDashboard api={apiWithGoals} siteId={SITE} />);
    expect(within(panel()).getByText(/No goals yet/)).toBeTruthy();
    expect(panel().querySelector("pre")?.textContent).toContain(
      'createGoal({ siteId: "site_1", name: "Signup", kind: "event", eventName: "signup" })',
    );
    expect(within(panel()).queryByRole("button", { name: /Export/ })).toBeNull();
  });

  it("compares each conversion rate in points with a second getGoals; a period without visits reads —", () => {
    window.history.replaceState(null, "", "/?comparison=previous");
    const current = rangeFor("7d", Date.now());
    const previous: GoalsReport = {
      ...GOALS,
      goals: [
        { ...GOALS.goals[0]!, conversionRate: 0.1 },
        { ...GOALS.goals[1]!, conversionRate: 0.029 },
        GOALS.goals[2]!,
      ],
    };
    responders.getGoals = (args) => (args.from === current.from ? GOALS : previous);
    render(<AnalyticsDashboard api={apiWithGoals} siteId={SITE} />);
    expect(callsTo("getGoals")).toContainEqual({
      siteId: SITE,
      from: current.from - (current.to - current.from),
      to: current.from,
    });
    const deltas = () =>
      [...panel().querySelectorAll(".cxa-rate-delta .cxa-delta")].map((d) => [
        d.textContent,
        d.className.replace("cxa-delta ", ""),
      ]);
    expect(deltas()).toEqual([
      ["+2.5 pp", "cxa-delta-good"],
      ["-0.4 pp", "cxa-delta-bad"],
      ["0 pp", "cxa-delta-flat"],
    ]);
    cleanup();

    responders.getGoals = (args) =>
      args.from === current.from ? GOALS : { ...GOALS, visitors: 0, goals: GOALS.goals };
    render(<AnalyticsDashboard api={apiWithGoals} siteId={SITE} />);
    expect(deltas().map(([text]) => text)).toEqual(["—", "—", "—"]);
    expect(panel().textContent).toContain("no visits to compare with in the previous period");
  });

  it("is left out when the host doesn't expose getGoals", () => {
    render(<AnalyticsDashboard api={baseApi} siteId={SITE} />);
    expect(screen.queryByRole("region", { name: "Goal conversions" })).toBeNull();
    expect(callsTo("getGoals")).toHaveLength(0);
    // The events panel takes the whole row instead.
    const events = screen.getByRole("region", { name: "Events" });
    expect(events.parentElement?.className).toBe("cxa-span-2");
  });
});

describe("event property drill-down", () => {
  it("lists property names from recent events and requests getEventProperties for the one chosen", () => {
    render(<AnalyticsDashboard api={baseApi} siteId={SITE} />);
    const panel = screen.getByRole("region", { name: "Events" });
    fireEvent.click(within(panel).getByRole("button", { name: "signup: show properties" }));

    // Names come from recent signup events, most frequent first.
    const chips = within(panel).getByRole("group", { name: "Properties seen on recent events" });
    expect(
      within(chips)
        .getAllByRole("button")
        .map((b) => b.textContent),
    ).toEqual(["plan", "coupon"]);
    expect(callsTo("getEventProperties")).toHaveLength(0);

    fireEvent.click(within(chips).getByRole("button", { name: "plan" }));
    expect(lastCallTo("getEventProperties")).toMatchObject({
      siteId: SITE,
      eventName: "signup",
      property: "plan",
      limit: 10,
    });
    expect(within(panel).getByText("plan-value")).toBeTruthy();

    // Or typed by hand.
    fireEvent.change(within(panel).getByLabelText("Property name"), {
      target: { value: "referrer" },
    });
    fireEvent.click(within(panel).getByRole("button", { name: "Show" }));
    expect(lastCallTo("getEventProperties")).toMatchObject({
      eventName: "signup",
      property: "referrer",
    });

    fireEvent.click(within(panel).getByRole("button", { name: "← All events" }));
    expect(within(panel).getByRole("button", { name: "signup: show properties" })).toBeTruthy();
  });
});

describe("recent activity lists", () => {
  it("pages visits and events with usePaginatedQuery and loads more on demand", () => {
    render(<AnalyticsDashboard api={baseApi} siteId={SITE} />);
    const panel = screen.getByRole("region", { name: "Recent activity" });
    const [query, args, options] = usePaginatedQueryMock.mock.calls.at(-1)!;
    expect(getFunctionName(query as never)).toBe("analytics:listSessions");
    expect(args).toMatchObject({ siteId: SITE });
    expect(options).toEqual({ initialNumItems: 10 });
    expect(within(panel).getAllByText("google.com")).toHaveLength(2);

    fireEvent.click(within(panel).getByRole("button", { name: "Load more" }));
    expect(loadMore).toHaveBeenCalledWith(10);

    fireEvent.click(within(panel).getByRole("tab", { name: "Events" }));
    expect(getFunctionName(usePaginatedQueryMock.mock.calls.at(-1)![0] as never)).toBe(
      "analytics:listEvents",
    );
    expect(within(panel).getAllByText("signup")).toHaveLength(2);
    // Fewer than a page of events besides heartbeats: the list loads one more page by itself.
    expect(loadMore).toHaveBeenCalledTimes(2);
    fireEvent.click(within(panel).getByRole("button", { name: "Load more" }));
    expect(loadMore).toHaveBeenCalledTimes(3);
  });

  it("hides heartbeats unless asked, shows seconds and the whole visitor id on hover", () => {
    usePaginatedQueryMock.mockImplementation(((query: unknown) => ({
      results:
        getFunctionName(query as never) === "analytics:listEvents"
          ? [
              event(1, { visitorId: "synthetic-visitor-42" }),
              event(2, { type: "heartbeat", name: undefined, path: "/" }),
            ]
          : [session(1)],
      status: "Exhausted",
      isLoading: false,
      loadMore,
    })) as never);
    render(<AnalyticsDashboard api={baseApi} siteId={SITE} />);
    const panel = screen.getByRole("region", { name: "Recent activity" });
    fireEvent.click(within(panel).getByRole("tab", { name: "Events" }));
    expect(within(panel).queryByText("heartbeat")).toBeNull();
    expect(within(panel).getByText("1 heartbeat hidden")).toBeTruthy();
    const id = within(panel).getByText("synthetic-visitor-42");
    expect(id.getAttribute("title")).toBe("synthetic-visitor-42");
    expect(panel.querySelector("tbody td")?.textContent).toMatch(/\d{2}:\d{2}:\d{2}|:\d{2}:\d{2}/);
    fireEvent.click(within(panel).getByLabelText("Show heartbeats"));
    expect(within(panel).getByText("heartbeat")).toBeTruthy();
  });

  it("hides load more once the list is exhausted", () => {
    usePaginatedQueryMock.mockImplementation((() => ({
      results: [session(1)],
      status: "Exhausted",
      isLoading: false,
      loadMore,
    })) as never);
    render(<AnalyticsDashboard api={baseApi} siteId={SITE} />);
    expect(screen.queryByRole("button", { name: "Load more" })).toBeNull();
  });
});

describe("empty and error states", () => {
  const EMPTY = { ...OVERVIEW, pageviews: 0, visitors: 0, sessions: 0, previous: undefined };

  it("shows how to send a first event when the site has never had one", () => {
    responders.getOverview = () => EMPTY;
    responders.listEvents = () => ({ page: [], isDone: true, continueCursor: "" });
    render(<AnalyticsDashboard api={baseApi} siteId={SITE} />);
    // Whether there was ever an event is asked without a range.
    expect(lastCallTo("listEvents")).toEqual({
      siteId: SITE,
      paginationOpts: { numItems: 1, cursor: null },
    });
    expect(screen.getByText("Waiting for the first event")).toBeTruthy();
    const code = [...document.querySelectorAll("pre")].map((pre) => pre.textContent).join("\n");
    expect(code).toContain('<script defer src="https://<your-site>/tracker.js"');
    expect(code).toContain('data-endpoint="https://happy-otter-123.convex.site/analytics/ingest"');
    expect(code).toContain('data-key="wk_..."');
    expect(code).toContain('import { createTracker } from "convex-analytics/tracker";');
    expect(screen.queryByRole("region", { name: "Key figures" })).toBeNull();
  });

  it("shows the normal dashboard for an empty range of a site that has had events", () => {
    responders.getOverview = () => EMPTY;
    render(<AnalyticsDashboard api={baseApi} siteId={SITE} />);
    expect(screen.queryByText("Waiting for the first event")).toBeNull();
    expect(kpiText("pageviews").value).toBe("0");
  });

  it("shows the message of a query that throws, e.g. auth refusing", () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    useQueryMock.mockImplementation(() => {
      throw new Error(
        "[CONVEX Q(analytics:getOverview)] [Request ID: 1b2c] Server Error\nUncaught Error: Sign in to call getOverview\n    at handler (../convex/analytics.ts:9:20)",
      );
    });
    render(<AnalyticsDashboard api={baseApi} siteId={SITE} />);
    const alert = screen.getByRole("alert");
    expect(within(alert).getByText("Couldn't load analytics")).toBeTruthy();
    expect(within(alert).getByText("Sign in to call getOverview")).toBeTruthy();
    // One message for the whole dashboard, and the range picker stays usable.
    expect(screen.getAllByRole("alert")).toHaveLength(1);
    expect(screen.getByLabelText("Range")).toBeTruthy();
  });

  it("shows a ConvexError's message from its data", () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    responders.getBreakdown = (args) => {
      if (args.dimension === "country") {
        throw Object.assign(new Error("ConvexError"), {
          data: { code: "invalid_argument", message: "narrow the range" },
        });
      }
      return defaultResponders().getBreakdown(args);
    };
    render(<AnalyticsDashboard api={baseApi} siteId={SITE} />);
    // Only the failing panel is replaced.
    const alert = screen.getByRole("alert");
    expect(within(alert).getByText("Couldn't load countries")).toBeTruthy();
    expect(within(alert).getByText("narrow the range")).toBeTruthy();
    expect(screen.getByRole("region", { name: "Pages" })).toBeTruthy();
  });
});

describe("theme and accessibility", () => {
  it("follows the theme prop and accepts known CSS variable overrides only", () => {
    const { container } = render(
      <AnalyticsDashboard
        api={baseApi}
        siteId={SITE}
        className="mine"
        theme={{ mode: "dark", vars: { "--cxa-accent": "#ff0066", color: "red" } as never }}
      />,
    );
    const root = container.firstElementChild as HTMLElement;
    expect(root.className).toBe("cxa-root mine");
    expect(root.getAttribute("data-theme")).toBe("dark");
    expect(root.style.getPropertyValue("--cxa-accent")).toBe("#ff0066");
    expect(root.style.getPropertyValue("color")).toBe("");
  });

  it("defaults to auto, and labels the dashboard and its regions", () => {
    const { container } = render(
      <AnalyticsDashboard api={baseApi} siteId={SITE} title="Marketing site" />,
    );
    expect((container.firstElementChild as HTMLElement).getAttribute("data-theme")).toBe("auto");
    expect(screen.getByRole("region", { name: "Marketing site" })).toBeTruthy();
    for (const name of [
      "Key figures",
      "Pages",
      "Sources",
      "Countries",
      "Devices",
      "Events",
      "Recent activity",
    ]) {
      expect(screen.getByRole("region", { name })).toBeTruthy();
    }
    // Tab panels are linked to their tabs.
    const tab = within(screen.getByRole("region", { name: "Sources" })).getByRole("tab", {
      name: "Sources",
    });
    const panel = document.getElementById(tab.getAttribute("aria-controls")!);
    expect(panel?.getAttribute("role")).toBe("tabpanel");
    expect(panel?.getAttribute("aria-labelledby")).toBe(tab.id);
  });
});
