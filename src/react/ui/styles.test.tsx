// @vitest-environment happy-dom
import { cleanup, render } from "@testing-library/react";
import { makeFunctionReference } from "convex/server";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { AnalyticsApi } from "../api.js";
import { AnalyticsDashboard } from "../AnalyticsDashboard.js";
import { DASHBOARD_CSS, ROOT_CLASS } from "./styles.js";

// Every query still loading: the dashboard renders its skeletons and its stylesheet.
vi.mock("convex/react", () => ({
  useQuery: () => undefined,
  useQueries: () => ({}),
  usePaginatedQuery: () => ({
    results: [],
    status: "LoadingFirstPage",
    isLoading: true,
    loadMore: () => {},
  }),
  useConvex: () => undefined,
}));

const ref = (name: string) => makeFunctionReference<"query">(`analytics:${name}`);
const api = {
  getOverview: ref("getOverview"),
  getTimeseries: ref("getTimeseries"),
  getBreakdown: ref("getBreakdown"),
  getEventProperties: ref("getEventProperties"),
  listEvents: ref("listEvents"),
  listSessions: ref("listSessions"),
} as unknown as AnalyticsApi;

afterEach(cleanup);

/**
 * Every style rule's selectors and every @keyframes name in a stylesheet, recursing into
 * conditional at-rules (@media, @container, @supports). Small on purpose: enough for the
 * CSS this package writes, and strict (it throws on anything it doesn't understand).
 */
function cssSelectors(css: string): { selectors: string[]; keyframes: string[] } {
  const selectors: string[] = [];
  const keyframes: string[] = [];
  const text = css.replace(/\/\*[\s\S]*?\*\//g, "");
  let i = 0;

  const blockEnd = (open: number) => {
    let depth = 0;
    for (let j = open; j < text.length; j++) {
      if (text[j] === "{") depth++;
      else if (text[j] === "}" && --depth === 0) return j;
    }
    throw new Error("unbalanced braces");
  };

  const walk = (end: number) => {
    while (i < end) {
      const open = text.indexOf("{", i);
      const close = text.indexOf("}", i);
      if (open === -1 || open >= end || (close !== -1 && close < open)) {
        if (text.slice(i, end).trim() !== "") throw new Error(`stray text: ${text.slice(i, end)}`);
        i = end;
        return;
      }
      const prelude = text.slice(i, open).trim();
      const endOfBlock = blockEnd(open);
      if (prelude.startsWith("@keyframes")) {
        keyframes.push(prelude.slice("@keyframes".length).trim());
      } else if (/^@(media|container|supports)\b/.test(prelude)) {
        i = open + 1;
        walk(endOfBlock);
      } else if (prelude.startsWith("@")) {
        throw new Error(`unexpected at-rule ${prelude}`);
      } else {
        selectors.push(...prelude.split(",").map((s) => s.trim()));
      }
      i = endOfBlock + 1;
    }
  };
  walk(text.length);
  return { selectors, keyframes };
}

function injectedCss(theme?: "light" | "dark" | "auto") {
  const { container } = render(<AnalyticsDashboard api={api} siteId="site1" theme={theme} />);
  const styles = container.querySelectorAll("style");
  expect(styles).toHaveLength(1);
  // Injected inside the dashboard's root, not into the host's <head>.
  expect(styles[0].parentElement?.classList.contains(ROOT_CLASS)).toBe(true);
  return styles[0].textContent ?? "";
}

describe("dashboard styles", () => {
  const { selectors, keyframes } = cssSelectors(injectedCss());

  it("injects the package stylesheet once, unchanged by the theme", () => {
    expect(injectedCss()).toBe(DASHBOARD_CSS);
    cleanup();
    expect(injectedCss("dark")).toBe(DASHBOARD_CSS);
  });

  it("scopes every selector under the root class", () => {
    expect(selectors.length).toBeGreaterThan(50);
    for (const selector of selectors) {
      // The root itself, an attribute of it, or a descendant: never a bare element or class.
      expect(selector, selector).toMatch(new RegExp(`^\\.${ROOT_CLASS}(?![\\w-])`));
    }
  });

  it("prefixes animation names, which are global", () => {
    expect(keyframes.length).toBeGreaterThan(0);
    for (const name of keyframes) expect(name).toMatch(/^cxa-/);
  });

  it("has a dark palette for prefers-color-scheme and for a forced dark theme", () => {
    expect(DASHBOARD_CSS).toMatch(
      /@media \(prefers-color-scheme: dark\)\s*\{\s*\.cxa-root\[data-theme="auto"\]/,
    );
    expect(selectors).toContain('.cxa-root[data-theme="dark"]');
  });
});
