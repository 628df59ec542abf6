// @vitest-environment happy-dom
import { act, cleanup, render, screen } from "@testing-library/react";
import { ConvexError } from "convex/values";
import { afterEach, describe, expect, it, vi } from "vitest";
import { errorMessage, isTransientError } from "../model/errors.js";
import { DashboardErrorBoundary } from "./ErrorBoundary.js";

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe("errors", () => {
  it("says in words that the site doesn't exist, from a ConvexError or its JSON", () => {
    const data = { code: "invalid_argument", message: "siteId: no site with id abc" };
    expect(errorMessage(new ConvexError(data))).toMatch(/^There is no site with the id "abc"/);
    expect(errorMessage(new Error(JSON.stringify(data)))).toMatch(/^There is no site/);
  });
  it("tells a network failure (worth retrying) from a server's refusal", () => {
    expect(isTransientError(new TypeError("Failed to fetch"))).toBe(true);
    expect(isTransientError(new Error("[CONVEX Q(x)] Server Error Uncaught Error: Sign in"))).toBe(
      false,
    );
    expect(isTransientError(new ConvexError({ code: "invalid_argument", message: "x" }))).toBe(
      false,
    );
  });
});

describe("DashboardErrorBoundary", () => {
  it("retries a network failure by itself, with backoff, and when the browser is back online", () => {
    vi.useFakeTimers();
    let failing = true;
    const Flaky = () => {
      if (failing) throw new TypeError("Failed to fetch");
      return <p>figures</p>;
    };
    vi.spyOn(console, "error").mockImplementation(() => {});
    render(
      <DashboardErrorBoundary resetKey="k">
        <Flaky />
      </DashboardErrorBoundary>,
    );
    expect(screen.getByRole("alert").textContent).toMatch(/connection/);
    act(() => vi.advanceTimersByTime(1_000)); // first retry: still failing
    expect(screen.queryByRole("alert")).not.toBeNull();
    failing = false;
    act(() => vi.advanceTimersByTime(1_999)); // the second waits 2 s
    expect(screen.queryByRole("alert")).not.toBeNull();
    act(() => vi.advanceTimersByTime(1));
    expect(screen.getByText("figures")).toBeTruthy();

    failing = true;
    cleanup();
    render(
      <DashboardErrorBoundary resetKey="k">
        <Flaky />
      </DashboardErrorBoundary>,
    );
    failing = false;
    act(() => {
      window.dispatchEvent(new Event("online"));
    });
    expect(screen.getByText("figures")).toBeTruthy();
  });

  it("waits for a click after a refusal: retrying can't change the answer", () => {
    vi.useFakeTimers();
    vi.spyOn(console, "error").mockImplementation(() => {});
    const Refused = () => {
      throw new ConvexError({ code: "unauthorized", message: "Sign in to see analytics" });
    };
    render(
      <DashboardErrorBoundary resetKey="k">
        <Refused />
      </DashboardErrorBoundary>,
    );
    act(() => vi.advanceTimersByTime(60_000));
    expect(screen.getByRole("alert").textContent).toContain("Sign in to see analytics");
  });
});
