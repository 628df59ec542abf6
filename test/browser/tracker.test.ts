// @vitest-environment node
// The script-tag tracker in a real browser (Debian Chromium through playwright-core): the demo's
// sample single-page site (three routes, a history router) loads tracker.js from its own origin and sends to an ingest server on another
// origin, which records every request and hands it to the real ingest route of the embedded
// backend (the example app, as in `npm run demo`). The test asserts the exact events that
// arrived, that nothing was sent while the tab was hidden, and what the dashboard then shows.
import { createServer, type Server } from "node:http";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTrackerScript } from "../../scripts/build-tracker.js";
import {
  createEmbeddedBackend,
  waitForAggregation,
  type EmbeddedBackend,
} from "../../harness/embedded.js";
import { sitePage } from "../../scripts/demo/server.js";
import {
  CHROMIUM,
  CHROMIUM_ARGS,
  humanContext,
  listen,
  readBody,
  setVisibility,
} from "./chromium.js";

const HEARTBEAT_MS = 15_000;
const VISIBLE_MS = 40_000;
const HIDDEN_MS = 20_000;

type SentEvent = {
  type: string;
  id: string;
  ts: number;
  visitorId: string;
  sessionId: string;
  url?: string;
  name?: string;
  props?: Record<string, unknown>;
};
type Arrival = { at: number; mode: string; status: number; accepted: number; events: SentEvent[] };

let backend: EmbeddedBackend;
let siteId: string;
let writeKey: string;
let browser: Browser;
let pageServer: Server;
let ingestServer: Server;
let pageOrigin: string;
const arrivals: Arrival[] = [];

beforeAll(async () => {
  backend = createEmbeddedBackend();
  ({ siteId, writeKey } = await backend.admin.mutation(backend.api.analytics.createSite, {
    slug: "shop",
    name: "Shop",
    domain: "127.0.0.1",
  }));
  const { code } = await buildTrackerScript();

  ingestServer = createServer(async (request, response) => {
    const body = await readBody(request);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers))
      if (typeof value === "string") headers[name] = value;
    const forwarded = await backend.t.fetch(new URL(request.url!, "http://x").pathname, {
      method: request.method!,
      headers,
      ...(body.length ? { body: new Uint8Array(body) } : {}),
    });
    const answer = Buffer.from(await forwarded.arrayBuffer());
    if (request.method === "POST") {
      const { accepted = 0 } = JSON.parse(answer.toString("utf8")) as { accepted?: number };
      arrivals.push({
        at: Date.now(),
        mode: headers["sec-fetch-mode"] ?? "",
        status: forwarded.status,
        accepted,
        events: JSON.parse(body.toString("utf8")).events,
      });
    }
    response.writeHead(forwarded.status, Object.fromEntries(forwarded.headers.entries()));
    response.end(answer);
  });
  const ingestOrigin = await listen(ingestServer);

  pageServer = createServer((request, response) => {
    const script = request.url === "/tracker.js";
    response.writeHead(200, {
      "Content-Type": script ? "text/javascript" : "text/html; charset=utf-8",
    });
    response.end(script ? code : sitePage(`${ingestOrigin}/analytics/ingest`, writeKey));
  });
  // "localhost", not 127.0.0.1: the page and the ingest route are on different origins.
  pageOrigin = (await listen(pageServer)).replace("127.0.0.1", "localhost");
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});

afterAll(async () => {
  await browser?.close();
  pageServer?.close();
  ingestServer?.close();
  await backend?.t.finishInProgressScheduledFunctions().catch(() => {});
});

const humanPage = async () => (await humanContext(browser)).newPage();

const hide = (page: Page) => setVisibility(page, "hidden");

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const described = (e: SentEvent) =>
  e.type === "event" ? `event ${e.name}` : `${e.type} ${new URL(e.url!).pathname}`;

describe("the script-tag tracker in Chromium", () => {
  it("sends each SPA route once, heartbeats only while visible, and the queue by beacon on hide", async () => {
    const page = await humanPage();
    await page.goto(`${pageOrigin}/site/`);
    await page.waitForFunction(() => window.convexAnalytics !== undefined);
    await page.click("text=pricing");
    await page.click("text=docs");
    await page.goBack();
    await page.evaluate(() => window.convexAnalytics!.track("signup", { plan: "pro" }));
    const lastActivity = Date.now();
    await sleep(VISIBLE_MS);
    await page.evaluate(() => window.convexAnalytics!.track("newsletter"));
    const hiddenAt = Date.now();
    await hide(page);
    await sleep(HIDDEN_MS);

    const events = arrivals.flatMap((a) => a.events);
    expect(events.map(described)).toEqual([
      "pageview /site/",
      "pageview /site/pricing",
      "pageview /site/docs",
      "pageview /site/pricing",
      "event signup",
      "heartbeat /site/pricing",
      "heartbeat /site/pricing",
      "event newsletter",
      // What the visit did on the page it hid: 40 s engaged (the quick route changes before
      // were under the 3 s an engagement needs).
      "engagement /site/pricing",
    ]);
    expect(arrivals.every((a) => a.status === 202)).toBe(true);
    expect(arrivals.reduce((n, a) => n + a.accepted, 0)).toBe(events.length);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    expect(new Set(events.map((e) => e.visitorId)).size).toBe(1);
    expect(new Set(events.map((e) => e.sessionId)).size).toBe(1);
    const heartbeats = events.filter((e) => e.type === "heartbeat");
    expect(heartbeats[0]!.ts - lastActivity).toBeGreaterThanOrEqual(HEARTBEAT_MS - 1_000);
    expect(heartbeats[1]!.ts - heartbeats[0]!.ts).toBeGreaterThanOrEqual(HEARTBEAT_MS);
    // Nothing was sent while hidden but the beacon the hiding itself triggered.
    const afterHide = arrivals.filter((a) => a.at >= hiddenAt);
    expect(afterHide).toHaveLength(1);
    expect(afterHide[0]).toMatchObject({
      mode: "no-cors",
      events: [{ type: "event", name: "newsletter" }, { type: "engagement" }],
    });
    // The fetches before were CORS requests from the page's origin to the ingest origin.
    expect(arrivals.slice(0, -1).every((a) => a.mode === "cors")).toBe(true);

    await waitForAggregation(backend, siteId);
    const overview = await backend.admin.query(backend.api.analytics.getOverview, {
      siteId,
      from: Date.now() - 3_600_000,
      to: Date.now() + 3_600_000,
    });
    // Four pageviews arrived; the return to /site/pricing is the same path in the same session
    // within pageviewDedupMs, which contract §5 counts once.
    expect(overview).toMatchObject({
      pageviews: 3,
      visitors: 1,
      sessions: 1,
      events: 2,
      bounceRate: 0,
    });
    // Duration runs from the first pageview to the last event, heartbeats and engagement
    // included (contract §5).
    expect(overview.avgDurationMs).toBe(events.at(-1)!.ts - events[0]!.ts);
    await page.context().close();
  });

  it("sends nothing from a browser that reports navigator.webdriver", async () => {
    const before = arrivals.length;
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${pageOrigin}/site/`);
    await page.waitForFunction(() => window.convexAnalytics !== undefined);
    expect(await page.evaluate(() => navigator.webdriver)).toBe(true);
    await page.click("text=pricing");
    await page.evaluate(() => window.convexAnalytics!.track("signup"));
    await sleep(3_000);
    await page.close({ runBeforeUnload: true });
    await sleep(500);
    expect(arrivals.length).toBe(before);
    await context.close();
  });
});
