// @vitest-environment happy-dom
import { describe, expect, it } from "vitest";
import {
  dashboardParams,
  defaultDashboardState,
  readDashboardState,
  type DashboardState,
} from "./dashboardState.js";
import { withParams } from "./urlState.js";

const DEFAULTS = defaultDashboardState("7d");
const read = (search: string) => readDashboardState(new URLSearchParams(search), DEFAULTS);
const write = (state: DashboardState, search = "") =>
  withParams(search, dashboardParams(state, DEFAULTS));

describe("withParams", () => {
  it("sets and removes only the named parameters, keeping the others", () => {
    expect(withParams("?site=1&period=7d", { period: "30d", interval: null })).toBe(
      "?site=1&period=30d",
    );
    expect(withParams("?period=7d", { period: null })).toBe("");
  });
});

describe("the dashboard's URL state", () => {
  it("leaves defaults out: a fresh dashboard has a clean URL", () => {
    expect(write(DEFAULTS, "?site=abc")).toBe("?site=abc");
    expect(read("")).toEqual(DEFAULTS);
  });
  it("round-trips a range, interval, comparison, metric and tabs", () => {
    const state: DashboardState = {
      period: { from: "2025-01-01", to: "2025-01-31" },
      interval: "week",
      comparison: {
        mode: "custom",
        matchDayOfWeek: false,
        custom: { from: "2024-12-01", to: "2024-12-31" },
      },
      metric: "pageviews",
      filters: [],
      tabs: { sources: "utmCampaign" },
    };
    const search = write(state);
    expect(search).toBe(
      "?period=custom&from=2025-01-01&to=2025-01-31&interval=week&comparison=custom" +
        "&compare_from=2024-12-01&compare_to=2024-12-31&metric=pageviews&tab_sources=utmCampaign",
    );
    expect(read(search)).toEqual(state);
    expect(read("?period=realtime").period).toBe("realtime");
    expect(read("?comparison=year&match_day_of_week=true").comparison).toEqual({
      mode: "year",
      matchDayOfWeek: true,
    });
  });
  it("falls back to the defaults on anything malformed", () => {
    expect(read("?period=forever&interval=decade&metric=mood&comparison=maybe")).toEqual(DEFAULTS);
    expect(read("?period=custom&from=2025-02-31&to=2025-03-01").period).toBe("7d");
  });
});
