// @vitest-environment happy-dom
// @vitest-environment-options { "url": "https://example.com/" }
// The tracker in a DOM: what it sends, when, and what it never sends. fetch and sendBeacon are
// replaced by recorders; time is fake, so "15 s later" is exact.
import { StrictMode, useEffect } from "react";
import { cleanup, render } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type * as TrackerModule from "./index.js";

const ENDPOINT = "https://deployment.convex.site/analytics/ingest";
const KEY = "wk_test_key";
const START = Date.UTC(2026, 10, 30, 9, 0, 0);

type SentEvent = {
  type: string;
  id: string;
  ts: number;
  visitorId: string;
  sessionId: string;
  url?: string;
  referrer?: string;
  name?: string;
  props?: unknown;
  userId?: string;
};
type Sent = { via: "fetch" | "beacon"; key: string; events: SentEvent[] };

let sent: Sent[];
let respond: (attempt: number) => Promise<Response>;
let beaconAccepts: boolean;
let tracker: typeof TrackerModule;
const originalHistory = { pushState: history.pushState, replaceState: history.replaceState };

function setVisibility(state: "visible" | "hidden") {
  Object.defineProperty(document, "visibilityState", { configurable: true, get: () => state });
  document.dispatchEvent(new Event("visibilitychange"));
}

const events = () => sent.flatMap((s) => s.events);
const paths = (type = "pageview") =>
  events()
    .filter((e) => e.type === type)
    .map((e) => new URL(e.url!).pathname + new URL(e.url!).search);

beforeEach(async () => {
  vi.useFakeTimers({
    now: START,
    toFake: ["Date", "setTimeout", "clearTimeout", "setInterval", "clearInterval"],
  });
  history.pushState = originalHistory.pushState;
  history.replaceState = originalHistory.replaceState;
  history.replaceState(null, "", "/");
  localStorage.clear();
  setVisibility("visible");
  Object.defineProperty(document, "referrer", {
    configurable: true,
    get: () => "https://news.ycombinator.com/",
  });
  sent = [];
  beaconAccepts = true;
  respond = async () =>
    new Response(JSON.stringify({ accepted: 1, duplicates: 0, filtered: 0, rejected: [] }), {
      status: 202,
    });
  let attempt = 0;
  vi.stubGlobal(
    "fetch",
    vi.fn(async (url: string, init: RequestInit) => {
      expect(url).toBe(ENDPOINT);
      sent.push({ via: "fetch", ...JSON.parse(init.body as string) });
      return respond(attempt++);
    }),
  );
  Object.defineProperty(navigator, "sendBeacon", {
    configurable: true,
    value: vi.fn((url: string, body: string) => {
      if (!beaconAccepts) return false;
      expect(url).toBe(ENDPOINT);
      sent.push({ via: "beacon", ...JSON.parse(body) });
      return true;
    }),
  });
  Object.defineProperty(navigator, "webdriver", { configurable: true, get: () => false });
  // Page-wide state (last pageview, history wrapper) belongs to one page load: a fresh module
  // per test is a fresh page.
  vi.resetModules();
  tracker = await import("./index.js");
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe("options", () => {
  it("refuses options that could never send, naming the option", () => {
    const create = (options: object) => () =>
      tracker.createTracker({ endpoint: ENDPOINT, key: KEY, ...options } as never);
    expect(create({ endpoint: "/analytics/ingest" })).toThrow(
      /endpoint must be the absolute http\(s\) URL/,
    );
    expect(create({ key: "" })).toThrow(/key must be the site's write key/);
    expect(create({ maxBatchSize: 500 })).toThrow(
      "createTracker: maxBatchSize must be a number from 1 to 100, got 500",
    );
    expect(create({ heartbeatMs: -1 })).toThrow(/heartbeatMs must be a number from 0/);
    expect(create({ sessionTimeoutMs: Number.NaN })).toThrow(/sessionTimeoutMs/);
    expect(create({ fileDownloads: "pdf" })).toThrow(/fileDownloads must be true, false or a list/);
    expect(sent).toEqual([]);
  });
});

describe("batching", () => {
  it("sends the first pageview and custom events together after flushIntervalMs, with the key in the body", async () => {
    history.replaceState(null, "", "/pricing?utm_source=newsletter");
    const t = tracker.createTracker({ endpoint: ENDPOINT, key: KEY });
    t.track("signup", { plan: "pro" });
    t.identify("user_42", { team: "acme" });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(sent).toHaveLength(1);
    const [request] = sent;
    expect(request!.key).toBe(KEY);
    expect(request!.events.map((e) => e.type)).toEqual(["pageview", "event", "identify"]);
    const [pageview, event, identify] = request!.events;
    expect(pageview).toMatchObject({
      url: "https://example.com/pricing?utm_source=newsletter",
      referrer: "https://news.ycombinator.com/",
      ts: START,
    });
    expect(event).toMatchObject({ name: "signup", props: { plan: "pro" } });
    expect(identify).toMatchObject({ userId: "user_42", traits: { team: "acme" } });
    expect(new Set(request!.events.map((e) => e.id)).size).toBe(3);
    expect(new Set(request!.events.map((e) => e.visitorId))).toEqual(
      new Set([localStorage.getItem(tracker.VISITOR_STORAGE_KEY)]),
    );
    expect(new Set(request!.events.map((e) => e.sessionId)).size).toBe(1);
    t.stop();
  });

  it("sends at once when a batch is full, and splits bodies that would exceed the request size", async () => {
    const t = tracker.createTracker({
      endpoint: ENDPOINT,
      key: KEY,
      autoPageviews: false,
      maxBatchSize: 4,
    });
    t.track("a");
    t.track("b");
    t.track("c");
    expect(sent).toHaveLength(0);
    t.track("d");
    await vi.advanceTimersByTimeAsync(0);
    expect(sent.map((s) => s.events.map((e) => e.name))).toEqual([["a", "b", "c", "d"]]);

    // Events with the most props contract §2 allows are ~18 KB: four in one body would be ~74 KB,
    // over the route's 64 KiB limit, so the batch is halved.
    const props = Object.fromEntries(
      Array.from({ length: 32 }, (_, i) => [`key_${i}_${"k".repeat(55)}`, "x".repeat(512)]),
    );
    for (const name of ["e", "f", "g", "h"]) t.track(name, props);
    await vi.advanceTimersByTimeAsync(0);
    const bodies = sent.slice(1);
    expect(bodies.map((s) => s.events.map((e) => e.name))).toEqual([
      ["e", "f"],
      ["g", "h"],
    ]);
    for (const body of bodies)
      expect(JSON.stringify(body).length).toBeLessThanOrEqual(tracker.MAX_REQUEST_BYTES);
    t.stop();
  });

  it("hands queued events to sendBeacon when the page is hidden or left, falling back to fetch keepalive", async () => {
    const t = tracker.createTracker({ endpoint: ENDPOINT, key: KEY });
    t.track("cta");
    setVisibility("hidden");
    expect(sent).toEqual([
      {
        via: "beacon",
        key: KEY,
        events: [
          expect.objectContaining({ type: "pageview" }),
          expect.objectContaining({ name: "cta" }),
        ],
      },
    ]);
    beaconAccepts = false;
    t.track("leaving");
    window.dispatchEvent(new Event("pagehide"));
    expect(sent[1]).toMatchObject({ via: "fetch", events: [{ name: "leaving" }] });
    expect(vi.mocked(fetch).mock.calls[0]![1]).toMatchObject({ method: "POST", keepalive: true });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(sent).toHaveLength(2);
    t.stop();
  });
});

describe("single-page apps", () => {
  it("counts pushState and popstate navigations once each, and ignores same-URL replaces and hash changes", async () => {
    const t = tracker.createTracker({ endpoint: ENDPOINT, key: KEY });
    history.pushState(null, "", "/docs");
    history.replaceState({ scroll: 120 }, "", "/docs");
    history.pushState(null, "", "/docs#install");
    history.pushState(null, "", "/blog?page=2");
    history.replaceState(null, "", "/docs");
    window.dispatchEvent(new PopStateEvent("popstate"));
    await t.flush();
    expect(paths()).toEqual(["/", "/docs", "/blog?page=2", "/docs"]);
    const [first, ...later] = events();
    expect(first!.referrer).toBe("https://news.ycombinator.com/");
    for (const e of later) expect(e.referrer).toBeUndefined();
    t.stop();
  });

  it("reports hash routes as paths with hashRouting", async () => {
    history.replaceState(null, "", "/app/#/settings");
    const t = tracker.createTracker({ endpoint: ENDPOINT, key: KEY, hashRouting: true });
    location.hash = "#/billing?tab=invoices";
    window.dispatchEvent(new HashChangeEvent("hashchange"));
    await t.flush();
    expect(paths()).toEqual(["/app/settings", "/app/billing?tab=invoices"]);
    t.stop();
  });

  it("sends one pageview and runs one heartbeat clock under React StrictMode's double effects", async () => {
    function Analytics() {
      useEffect(() => {
        const t = tracker.createTracker({ endpoint: ENDPOINT, key: KEY });
        return () => t.stop();
      }, []);
      return null;
    }
    const view = render(
      <StrictMode>
        <Analytics />
      </StrictMode>,
    );
    await vi.advanceTimersByTimeAsync(15_000 + 1_000);
    expect(events().map((e) => e.type)).toEqual(["pageview", "heartbeat"]);
    view.unmount();
  });
});

describe("delivery", () => {
  it("retries 5xx and network errors with backoff, resending the same event ids", async () => {
    respond = async (attempt) => {
      if (attempt === 0) return new Response("", { status: 503 });
      if (attempt === 1) throw new TypeError("Failed to fetch");
      return new Response("{}", { status: 202 });
    };
    const t = tracker.createTracker({ endpoint: ENDPOINT, key: KEY, heartbeatMs: 0 });
    t.track("signup");
    await t.flush();
    expect(sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(tracker.RETRY_BASE_MS * 2 - 1);
    expect(sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(tracker.TICK_MS);
    expect(sent).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(tracker.RETRY_BASE_MS * 4 + tracker.TICK_MS);
    expect(sent).toHaveLength(3);
    const ids = sent.map((s) => s.events.map((e) => e.id));
    expect(ids[1]).toEqual(ids[0]);
    expect(ids[2]).toEqual(ids[0]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sent).toHaveLength(3);
    t.stop();
  });

  it("waits as long as a 429's Retry-After asks, and drops a batch the server refused with another 4xx", async () => {
    respond = async (attempt) =>
      attempt === 0
        ? new Response("{}", { status: 429, headers: { "Retry-After": "30" } })
        : attempt === 1
          ? new Response("{}", { status: 202 })
          : new Response("{}", { status: 400 });
    const t = tracker.createTracker({ endpoint: ENDPOINT, key: KEY, heartbeatMs: 0 });
    await t.flush();
    await vi.advanceTimersByTimeAsync(29_000);
    expect(sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(sent).toHaveLength(2);
    expect(sent[1]!.events.map((e) => e.id)).toEqual(sent[0]!.events.map((e) => e.id));
    t.track("bad");
    await t.flush();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(sent.map((s) => s.events.map((e) => e.type))).toEqual([
      ["pageview"],
      ["pageview"],
      ["event"],
    ]);
    t.stop();
  });

  it("sends nothing when the user opted out or the browser is automated", async () => {
    localStorage.setItem(tracker.OPT_OUT_STORAGE_KEY, "true");
    const optedOut = tracker.createTracker({ endpoint: ENDPOINT, key: KEY });
    optedOut.track("x");
    await vi.advanceTimersByTimeAsync(60_000);
    optedOut.stop();
    localStorage.removeItem(tracker.OPT_OUT_STORAGE_KEY);
    Object.defineProperty(navigator, "webdriver", { configurable: true, get: () => true });
    const automated = tracker.createTracker({ endpoint: ENDPOINT, key: KEY });
    automated.track("y");
    history.pushState(null, "", "/other");
    await vi.advanceTimersByTimeAsync(60_000);
    automated.stop();
    expect(sent).toEqual([]);
    expect(navigator.sendBeacon).not.toHaveBeenCalled();
  });
});

describe("identity", () => {
  it("keeps the visitor across trackers and starts a new session after 30 idle minutes", async () => {
    const first = tracker.createTracker({
      endpoint: ENDPOINT,
      key: KEY,
      heartbeatMs: 0,
      autoPageviews: false,
    });
    first.track("a");
    await vi.advanceTimersByTimeAsync(29 * 60_000);
    first.track("b");
    await vi.advanceTimersByTimeAsync(30 * 60_000 + 1);
    first.track("c");
    first.stop();
    const second = tracker.createTracker({
      endpoint: ENDPOINT,
      key: KEY,
      heartbeatMs: 0,
      autoPageviews: false,
    });
    second.track("d");
    second.stop();
    const [a, b, c, d] = events();
    expect(new Set([a, b, c, d].map((e) => e!.visitorId)).size).toBe(1);
    expect(b!.sessionId).toBe(a!.sessionId);
    expect(c!.sessionId).not.toBe(a!.sessionId);
    expect(d!.sessionId).toBe(c!.sessionId);
  });

  it("keeps one visitor and session in memory when storage is blocked", async () => {
    const blocked = () => {
      throw new DOMException("denied", "SecurityError");
    };
    vi.spyOn(Storage.prototype, "getItem").mockImplementation(blocked);
    vi.spyOn(Storage.prototype, "setItem").mockImplementation(blocked);
    const t = tracker.createTracker({ endpoint: ENDPOINT, key: KEY, heartbeatMs: 0 });
    t.track("a");
    t.track("b");
    await t.flush();
    t.stop();
    vi.restoreAllMocks();
    expect(events()).toHaveLength(3);
    expect(new Set(events().map((e) => e.visitorId)).size).toBe(1);
    expect(new Set(events().map((e) => e.sessionId)).size).toBe(1);
  });
});

describe("heartbeats", () => {
  it("beats every heartbeatMs while visible, never while hidden, and one at a time", async () => {
    let release: (() => void) | undefined;
    respond = async () => {
      await new Promise<void>((resolve) => (release = resolve));
      return new Response("{}", { status: 202 });
    };
    const t = tracker.createTracker({ endpoint: ENDPOINT, key: KEY });
    await vi.advanceTimersByTimeAsync(2_000); // the pageview goes out, and hangs
    release!();
    await vi.advanceTimersByTimeAsync(0);
    // The pageview at START is activity: beats come a full period after it.
    await vi.advanceTimersByTimeAsync(12_000);
    expect(events().filter((e) => e.type === "heartbeat")).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(events().filter((e) => e.type === "heartbeat")).toHaveLength(1);
    // That heartbeat's request hangs for 40 s: no second heartbeat stacks behind it.
    await vi.advanceTimersByTimeAsync(40_000);
    expect(events().filter((e) => e.type === "heartbeat")).toHaveLength(1);
    release!();
    await vi.advanceTimersByTimeAsync(tracker.TICK_MS);
    expect(events().filter((e) => e.type === "heartbeat")).toHaveLength(2);
    release!();
    await vi.advanceTimersByTimeAsync(0);
    setVisibility("hidden");
    await vi.advanceTimersByTimeAsync(120_000);
    expect(events().filter((e) => e.type === "heartbeat")).toHaveLength(2);
    setVisibility("visible");
    await vi.advanceTimersByTimeAsync(tracker.TICK_MS);
    release!();
    expect(events().filter((e) => e.type === "heartbeat")).toHaveLength(3);
    const beats = events().filter((e) => e.type === "heartbeat");
    expect(beats.map((e) => e.ts - START)).toEqual([15_000, 56_000, 177_000]);
    expect(beats.every((e) => e.url === "https://example.com/")).toBe(true);
    t.stop();
  });

  it("does not beat within a period of a route change", async () => {
    const t = tracker.createTracker({ endpoint: ENDPOINT, key: KEY });
    await vi.advanceTimersByTimeAsync(10_000);
    history.pushState(null, "", "/next");
    await vi.advanceTimersByTimeAsync(14_000);
    // Leaving "/" after 10 engaged seconds sends its engagement first.
    expect(events().map((e) => e.type)).toEqual(["pageview", "engagement", "pageview"]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(events().map((e) => e.type)).toEqual([
      "pageview",
      "engagement",
      "pageview",
      "heartbeat",
    ]);
    t.stop();
  });
});

describe("engagement", () => {
  let focused: boolean;
  let scrollTop: number;
  beforeEach(() => {
    focused = true;
    scrollTop = 0;
    vi.spyOn(document, "hasFocus").mockImplementation(() => focused);
    // A page four screens high, seen through a 1,000 px viewport.
    Object.defineProperty(document.documentElement, "scrollHeight", {
      configurable: true,
      get: () => 4_000,
    });
    Object.defineProperty(window, "innerHeight", { configurable: true, get: () => 1_000 });
    Object.defineProperty(window, "scrollY", { configurable: true, get: () => scrollTop });
  });
  const scrollTo = (top: number) => {
    scrollTop = top;
    window.dispatchEvent(new Event("scroll"));
  };
  const engagements = () =>
    events()
      .filter((e) => e.type === "engagement")
      .map((e) => {
        const { url, scrollDepth, engagedMs } = e as SentEvent & Record<string, unknown>;
        return { path: new URL(url!).pathname, scrollDepth, engagedMs };
      });

  it("sends the engaged time and deepest scroll of a page before navigating, on blur and when hidden", async () => {
    const t = tracker.createTracker({ endpoint: ENDPOINT, key: KEY, heartbeatMs: 0 });
    await vi.advanceTimersByTimeAsync(5_000);
    scrollTo(2_000); // the bottom of the viewport at 75 %
    await vi.advanceTimersByTimeAsync(2_000);
    scrollTo(0);
    history.pushState(null, "", "/next");
    await vi.advanceTimersByTimeAsync(4_000);
    expect(engagements()).toEqual([{ path: "/", scrollDepth: 75, engagedMs: 7_000 }]);

    // Another window takes the focus: /next's 4 s so far go out; the 10 s away don't count.
    focused = false;
    window.dispatchEvent(new Event("blur"));
    await vi.advanceTimersByTimeAsync(10_000);
    focused = true;
    window.dispatchEvent(new Event("focus"));
    await vi.advanceTimersByTimeAsync(1_000);
    // Hidden after 1 s, with no deeper scroll: too little to send.
    setVisibility("hidden");
    setVisibility("visible");
    await vi.advanceTimersByTimeAsync(3_000);
    setVisibility("hidden");
    expect(engagements()).toEqual([
      { path: "/", scrollDepth: 75, engagedMs: 7_000 },
      { path: "/next", scrollDepth: 25, engagedMs: 4_000 },
      // 1 s + 3 s: enough once summed, handed to sendBeacon as the tab hides.
      { path: "/next", scrollDepth: 25, engagedMs: 4_000 },
    ]);
    expect(sent.at(-1)!.via).toBe("beacon");
    t.stop();
  });

  it("sends none when turned off", async () => {
    const t = tracker.createTracker({ endpoint: ENDPOINT, key: KEY, engagement: false });
    await vi.advanceTimersByTimeAsync(20_000);
    scrollTo(3_000);
    history.pushState(null, "", "/next");
    setVisibility("hidden");
    expect(engagements()).toEqual([]);
    expect(paths()).toEqual(["/", "/next"]);
    t.stop();
  });
});

describe("opt-in automatic events", () => {
  function click(href: string, init: MouseEventInit = {}) {
    const link = document.createElement("a");
    link.href = href;
    link.innerHTML = "<span>go</span>";
    // happy-dom follows clicked links; the page must stay where it is for the next click.
    link.addEventListener("click", (event) => event.preventDefault());
    document.body.append(link);
    link.firstElementChild!.dispatchEvent(
      new MouseEvent(init.button === 1 ? "auxclick" : "click", {
        bubbles: true,
        cancelable: true,
        ...init,
      }),
    );
    link.remove();
  }

  it("tracks outbound links and downloads only when asked", async () => {
    const plain = tracker.createTracker({
      endpoint: ENDPOINT,
      key: KEY,
      heartbeatMs: 0,
      autoPageviews: false,
    });
    click("https://github.com/get-convex");
    click("https://example.com/files/report.pdf");
    plain.stop();
    const t = tracker.createTracker({
      endpoint: ENDPOINT,
      key: KEY,
      heartbeatMs: 0,
      autoPageviews: false,
      outboundLinks: true,
      fileDownloads: true,
    });
    click("https://github.com/get-convex");
    click("https://github.com/get-convex", { button: 1 });
    click("https://example.com/files/report.PDF");
    click("https://example.com/pricing");
    click("mailto:hi@example.com");
    await t.flush();
    t.stop();
    expect(events().map((e) => [e.name, e.props])).toEqual([
      [tracker.OUTBOUND_LINK_EVENT, { url: "https://github.com/get-convex" }],
      [tracker.OUTBOUND_LINK_EVENT, { url: "https://github.com/get-convex" }],
      [tracker.FILE_DOWNLOAD_EVENT, { url: "https://example.com/files/report.PDF" }],
    ]);
  });

  it("reports a 404 page once, also across a StrictMode remount", async () => {
    history.replaceState(null, "", "/missing");
    const notFound = () => location.pathname === "/missing";
    tracker.createTracker({ endpoint: ENDPOINT, key: KEY, heartbeatMs: 0, notFound }).stop();
    const t = tracker.createTracker({ endpoint: ENDPOINT, key: KEY, heartbeatMs: 0, notFound });
    history.pushState(null, "", "/found");
    await t.flush();
    t.stop();
    expect(events().map((e) => e.name ?? e.type)).toEqual([
      "pageview",
      tracker.NOT_FOUND_EVENT,
      "pageview",
    ]);
    expect(events()[1]!.props).toEqual({ path: "/missing" });
  });
});
