// @vitest-environment node
// Engagement in a real browser (Debian Chromium through playwright-core): a reader scrolls a
// long article served with the script-tag tracker.js, switches to another tab and back, then
// follows an SPA link to a short page and leaves. The ingest server on another origin records
// what the tracker sent and hands it to the example app's real route (the embedded backend of
// `npm run demo`); the test checks each engagement against what the page did (scroll depth
// exactly, engaged time against the wall clock with hidden time left out), and the page
// breakdown against those engagements.
import { createServer, type Server } from "node:http";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTrackerScript } from "../../scripts/build-tracker.js";
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

type SentEvent = { type: string; url?: string; scrollDepth?: number; engagedMs?: number };

const VIEWPORT = { width: 1000, height: 800 };
/** The article is five viewports high: the first screen shows 20 % of it. */
const ARTICLE_HEIGHT = 5 * VIEWPORT.height;

let backend: EmbeddedBackend;
let siteId: string;
let browser: Browser;
let pageServer: Server;
let ingestServer: Server;
let pageOrigin: string;
const arrivals: { at: number; events: SentEvent[] }[] = [];

const articlePage = (ingestUrl: string, writeKey: string) => `<!doctype html>
<html><head><meta charset="utf-8" /><title>Article</title>
<style>body{margin:0} #article{height:${ARTICLE_HEIGHT}px} .short #article{height:200px}</style>
</head><body>
<a id="next" href="/blog/next">Next post</a>
<div id="article">A long read.</div>
<script defer src="/tracker.js" data-endpoint="${ingestUrl}" data-key="${writeKey}"></script>
<script>
  document.getElementById("next").addEventListener("click", (event) => {
    event.preventDefault();
    document.body.className = "short";
    scrollTo(0, 0);
    history.pushState(null, "", "/blog/next");
  });
</script>
</body></html>`;

beforeAll(async () => {
  backend = createEmbeddedBackend();
  const created = await backend.admin.mutation(backend.api.analytics.createSite, {
    slug: "blog",
    name: "Blog",
    domain: "127.0.0.1",
  });
  siteId = created.siteId;
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
    if (request.method === "POST")
      arrivals.push({ at: Date.now(), events: JSON.parse(body.toString("utf8")).events });
    response.writeHead(forwarded.status, Object.fromEntries(forwarded.headers.entries()));
    response.end(Buffer.from(await forwarded.arrayBuffer()));
  });
  const ingestOrigin = await listen(ingestServer);
  pageServer = createServer((request, response) => {
    const script = request.url === "/tracker.js";
    response.writeHead(200, {
      "Content-Type": script ? "text/javascript" : "text/html; charset=utf-8",
    });
    response.end(script ? code : articlePage(`${ingestOrigin}/analytics/ingest`, created.writeKey));
  });
  pageOrigin = (await listen(pageServer)).replace("127.0.0.1", "localhost");
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});

afterAll(async () => {
  await browser?.close();
  pageServer?.close();
  ingestServer?.close();
  await backend?.t.finishInProgressScheduledFunctions().catch(() => {});
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("engagement in Chromium", () => {
  it("measures a reader's scroll depth and engaged time per page, and the page breakdown agrees", async () => {
    const context = await humanContext(browser, { viewport: VIEWPORT });
    const page = await context.newPage();
    await page.goto(`${pageOrigin}/blog/long-read`);
    await page.waitForFunction(() => window.convexAnalytics !== undefined);
    const start = Date.now();
    expect(await page.evaluate(() => document.hasFocus())).toBe(true);

    // Reads for 4 s, scrolls half-way (the viewport's bottom at 50 %), reads 2 s more.
    await sleep(4_000);
    await page.evaluate((y) => scrollTo(0, y), ARTICLE_HEIGHT / 2 - VIEWPORT.height);
    await sleep(2_000);
    // Switches to another tab for 5 s: that time is not engaged.
    const hiddenAt = Date.now();
    await setVisibility(page, "hidden");
    await sleep(5_000);
    const shownAt = Date.now();
    await setVisibility(page, "visible");
    // Back: reads to the end (100 %) for 3 s, then follows the link to a short page.
    await page.evaluate(() => scrollTo(0, document.documentElement.scrollHeight));
    await sleep(3_000);
    const leftAt = Date.now();
    await page.click("#next");
    await sleep(4_000);
    const closedAt = Date.now();
    await setVisibility(page, "hidden");
    await sleep(500);

    const engagements = arrivals
      .flatMap((a) => a.events)
      .filter((e) => e.type === "engagement")
      .map((e) => ({ path: new URL(e.url!).pathname, sd: e.scrollDepth, ms: e.engagedMs! }));
    expect(engagements.map(({ path, sd }) => [path, sd])).toEqual([
      ["/blog/long-read", 50],
      ["/blog/long-read", 100],
      // The short page fits the viewport: all of it was seen.
      ["/blog/next", 100],
    ]);
    // Engaged time is the visible time, within the tracker's 1 s tick of the wall clock.
    const near = (ms: number, expected: number) =>
      expect(Math.abs(ms - expected)).toBeLessThan(1_200);
    near(engagements[0]!.ms, hiddenAt - start);
    near(engagements[1]!.ms, leftAt - shownAt);
    near(engagements[2]!.ms, closedAt - leftAt);

    await waitForAggregation(backend, siteId);
    const breakdown = await backend.admin.query(backend.api.analytics.getBreakdown, {
      siteId,
      from: Date.now() - 3_600_000,
      to: Date.now() + 3_600_000,
      dimension: "page",
    });
    const rows = Object.fromEntries(breakdown.rows.map((row) => [row.key, row]));
    // One visit: its deepest scroll on each page, and its engaged time there summed.
    expect(rows["/blog/long-read"]).toMatchObject({
      pageviews: 1,
      scrollDepth: 100,
      timeOnPageMs: engagements[0]!.ms + engagements[1]!.ms,
    });
    expect(rows["/blog/next"]).toMatchObject({
      pageviews: 1,
      scrollDepth: 100,
      timeOnPageMs: engagements[2]!.ms,
    });
    const overview = await backend.admin.query(backend.api.analytics.getOverview, {
      siteId,
      from: Date.now() - 3_600_000,
      to: Date.now() + 3_600_000,
    });
    // Engagement is neither a pageview nor an event.
    expect(overview).toMatchObject({ pageviews: 2, events: 0, sessions: 1 });
    await context.close();
  });
});
