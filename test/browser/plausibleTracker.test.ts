// @vitest-environment node
// Plausible's own tracker (the published @plausible-analytics/tracker, unmodified) in Chromium,
// its endpoint set to our POST /api/event: a page on one origin sends to a server on another,
// which adds the X-Forwarded-For a proxy would and hands each request to the example app's
// real route (the embedded backend of `npm run demo`). The test asserts what arrived, how it
// was answered, and that getOverview and the Stats API v2 agree with what the page did.
import { createServer, type Server } from "node:http";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createEmbeddedBackend,
  waitForAggregation,
  type EmbeddedBackend,
} from "../../harness/embedded.js";
import {
  CHROMIUM,
  CHROMIUM_ARGS,
  humanContext,
  listen,
  readBody,
  setVisibility,
} from "./chromium.js";

type Arrival = {
  body: {
    n: string;
    u: string;
    d: string;
    h?: number;
    $?: unknown;
    p?: Record<string, string>;
    sd?: number;
    e?: number;
  };
  status: number;
  dropped: string | null;
};

let backend: EmbeddedBackend;
let siteId: string;
let browser: Browser;
let pageServer: Server;
let eventServer: Server;
let pageOrigin: string;
let endpoint: string;
const arrivals: Arrival[] = [];

/** The npm package as a page loads it from a bundler: `init` and `track` on window. */
async function trackerBundle() {
  const result = await build({
    stdin: {
      contents: `import { init, track } from "@plausible-analytics/tracker"; window.PlausibleTracker = { init, track };`,
      resolveDir: fileURLToPath(new URL("../../", import.meta.url)),
      loader: "js",
    },
    bundle: true,
    format: "iife",
    write: false,
  });
  return result.outputFiles[0].text;
}

/** A single-page site: two routes reached by pushState, and a signup button. */
const page = (endpointUrl: string) => `<!doctype html><html><body>
<nav><a href="/pricing" data-route>pricing</a> <a href="/docs" data-route>docs</a></nav>
<button id="signup">sign up</button>
<script src="/tracker.js"></script>
<script>
  PlausibleTracker.init({ domain: "shop.example", endpoint: ${JSON.stringify(endpointUrl)}, captureOnLocalhost: true });
  for (const link of document.querySelectorAll("[data-route]"))
    link.addEventListener("click", (e) => { e.preventDefault(); history.pushState({}, "", link.getAttribute("href")); });
  document.getElementById("signup").addEventListener("click", () =>
    PlausibleTracker.track("Signup", { props: { plan: "pro" } }));
</script></body></html>`;

/** A hash-routed app: its pages live in the fragment, and a purchase carries revenue. */
const hashPage = (endpointUrl: string) => `<!doctype html><html><body>
<a href="#/pricing">pricing</a>
<button id="buy">buy</button>
<script src="/tracker.js"></script>
<script>
  PlausibleTracker.init({ domain: "app.example", endpoint: ${JSON.stringify(endpointUrl)}, captureOnLocalhost: true, hashBasedRouting: true });
  document.getElementById("buy").addEventListener("click", () =>
    PlausibleTracker.track("Purchase", { revenue: { amount: 19.9, currency: "EUR" } }));
</script></body></html>`;

beforeAll(async () => {
  backend = createEmbeddedBackend();
  ({ siteId } = await backend.admin.mutation(backend.api.analytics.createSite, {
    slug: "shop",
    name: "Shop",
    domain: "shop.example",
  }));
  const code = await trackerBundle();

  eventServer = createServer(async (request, response) => {
    const body = await readBody(request);
    const headers: Record<string, string> = { "x-forwarded-for": "203.0.113.9" };
    for (const [name, value] of Object.entries(request.headers))
      if (typeof value === "string") headers[name] = value;
    const forwarded = await backend.t.fetch(new URL(request.url!, "http://x").pathname, {
      method: request.method!,
      headers,
      ...(body.length ? { body: new Uint8Array(body) } : {}),
    });
    if (request.method === "POST")
      arrivals.push({
        body: JSON.parse(body.toString("utf8")),
        status: forwarded.status,
        dropped: forwarded.headers.get("x-plausible-dropped"),
      });
    response.writeHead(forwarded.status, Object.fromEntries(forwarded.headers.entries()));
    response.end(Buffer.from(await forwarded.arrayBuffer()));
  });
  endpoint = `${await listen(eventServer)}/api/event`;

  pageServer = createServer((request, response) => {
    const script = request.url === "/tracker.js";
    response.writeHead(200, {
      "Content-Type": script ? "text/javascript" : "text/html; charset=utf-8",
    });
    const app = request.url?.startsWith("/app/");
    response.end(script ? code : app ? hashPage(endpoint) : page(endpoint));
  });
  pageOrigin = (await listen(pageServer)).replace("127.0.0.1", "localhost");
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});

afterAll(async () => {
  await browser?.close();
  pageServer?.close();
  eventServer?.close();
  await backend?.t.finishInProgressScheduledFunctions().catch(() => {});
});

const humanPage = async () => (await humanContext(browser)).newPage();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const hide = (p: Page) => setVisibility(p, "hidden");

describe("Plausible's tracker from npm, sending to our /api/event", () => {
  it("counts its pageviews, an SPA navigation, a custom event and its engagement", async () => {
    const counted = () =>
      arrivals
        .filter((a) => a.body.n !== "engagement")
        .map((a) => `${a.body.n} ${new URL(a.body.u).pathname}`);
    // Each step waits for its request to be answered, so arrivals come in the page's order.
    const until = async (done: () => boolean) => {
      for (let i = 0; i < 80 && !done(); i++) await sleep(100);
    };
    const tab = await humanPage();
    await tab.goto(`${pageOrigin}/`);
    await until(() => counted().length === 1);
    await tab.click("text=pricing");
    await until(() => counted().length === 2);
    await tab.click("text=docs");
    await until(() => counted().length === 3);
    await tab.click("#signup");
    await until(() => counted().length === 4);
    // Engaged for over 3 s, then hidden: the tracker sends an engagement event.
    await sleep(3_500);
    await hide(tab);
    await until(() => arrivals.at(-1)?.body.n === "engagement");
    const expected = ["pageview /", "pageview /pricing", "pageview /docs", "Signup /docs"];
    expect(counted()).toEqual(expected);
    expect(arrivals.find((a) => a.body.n === "Signup")!.body.p).toEqual({ plan: "pro" });
    for (const arrival of arrivals) {
      expect(arrival.status).toBe(202);
      expect(arrival.dropped).toBeNull();
    }
    const engagements = arrivals.filter((a) => a.body.n === "engagement");
    expect(engagements.length).toBeGreaterThan(0);

    await waitForAggregation(backend, siteId);
    const now = Date.now();
    const overview = await backend.admin.query(backend.api.analytics.getOverview, {
      siteId,
      from: now - 3_600_000,
      to: now + 3_600_000,
    });
    expect(overview).toMatchObject({
      pageviews: 3,
      visitors: 1,
      sessions: 1,
      events: 1,
      bounceRate: 0,
    });

    // Its engagement is each page's time on page and scroll depth: one visit, so the deepest
    // scroll it sent for the page and the sum of its engaged time there.
    const expectedPages = new Map<string, { scrollDepth: number; timeOnPageMs: number }>();
    for (const { body } of engagements) {
      const path = new URL(body.u).pathname;
      const seen = expectedPages.get(path) ?? { scrollDepth: 0, timeOnPageMs: 0 };
      expectedPages.set(path, {
        scrollDepth: Math.max(seen.scrollDepth, body.sd!),
        timeOnPageMs: seen.timeOnPageMs + body.e!,
      });
    }
    const pages = await backend.admin.query(backend.api.analytics.getBreakdown, {
      siteId,
      from: now - 3_600_000,
      to: now + 3_600_000,
      dimension: "page",
    });
    for (const [path, figures] of expectedPages)
      expect(pages.rows.find((row) => row.key === path)).toMatchObject(figures);

    const { key } = await backend.admin.mutation(backend.api.analytics.createStatsKey, {
      siteIds: [siteId],
      name: "test",
    });
    const stats = await backend.t.fetch("/api/v2/query", {
      method: "POST",
      headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
      body: JSON.stringify({
        site_id: "shop.example",
        metrics: ["visitors", "visits", "pageviews", "events", "bounce_rate"],
        date_range: "day",
      }),
    });
    expect((await stats.json()).results).toEqual([{ metrics: [1, 1, 3, 4, 0], dimensions: [] }]);
  });

  it("keeps a hash router's pages apart (`h`) and records a purchase without its revenue", async () => {
    const { siteId: appId } = await backend.admin.mutation(backend.api.analytics.createSite, {
      slug: "app",
      name: "App",
      domain: "app.example",
    });
    const sent = () =>
      arrivals.filter((a) => a.body.d === "app.example" && a.body.n !== "engagement");
    const until = async (done: () => boolean) => {
      for (let i = 0; i < 80 && !done(); i++) await sleep(100);
    };
    const tab = await humanPage();
    await tab.goto(`${pageOrigin}/app/`);
    await until(() => sent().length === 1);
    await tab.click("text=pricing");
    await until(() => sent().length === 2);
    await tab.click("#buy");
    await until(() => sent().length === 3);
    expect(sent().map((a) => [a.body.n, a.body.h, a.status])).toEqual([
      ["pageview", 1, 202],
      ["pageview", 1, 202],
      ["Purchase", 1, 202],
    ]);
    // The tracker sent the revenue; our events have no place for it, so it is ignored.
    expect(sent()[2].body.$).toEqual({ amount: 19.9, currency: "EUR" });

    await waitForAggregation(backend, appId);
    const now = Date.now();
    const pages = await backend.admin.query(backend.api.analytics.getBreakdown, {
      siteId: appId,
      from: now - 3_600_000,
      to: now + 3_600_000,
      dimension: "page",
    });
    expect(pages.rows.map((r) => [r.key, r.pageviews])).toEqual([
      ["/app/", 1],
      ["/app/#/pricing", 1],
    ]);
  });
});
