// Plausible's Events API through the example host's real route (POST /api/event): what its
// tracker sends is counted as our own events are, visitors are the daily-salted hash of site,
// IP and User-Agent (the IP stored nowhere), and every answer is Plausible's.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { api } from "../../example/convex/_generated/api.js";
import {
  DAY,
  MINUTE,
  USER_AGENT,
  componentDocs,
  createHarness,
  type Harness,
} from "../../harness/host.js";

const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);
const IP_A = "203.0.113.7";
const IP_B = "198.51.100.23";

let h: Harness;
beforeEach(async () => {
  vi.useFakeTimers();
  vi.setSystemTime(NOW);
  h = await createHarness();
});
afterEach(() => vi.useRealTimers());

/** As the tracker posts: JSON as text/plain, from the page's origin. */
async function send(body: unknown, headers: Record<string, string> = {}) {
  const response = await h.t.fetch("/api/event", {
    method: "POST",
    headers: {
      "Content-Type": "text/plain",
      "User-Agent": USER_AGENT,
      Origin: "https://example.com",
      ...headers,
    },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return {
    status: response.status,
    dropped: response.headers.get("x-plausible-dropped"),
    cors: response.headers.get("Access-Control-Allow-Origin"),
    text: await response.text(),
  };
}
const from = (ip: string) => ({ "X-Forwarded-For": ip });
const at = (offset: number) => vi.setSystemTime(NOW + offset);
const events = async () =>
  (await componentDocs<{ visitorId: string; sessionId: string; type: string }>(h, "events")).sort(
    (a, b) => (a as never as { ts: number }).ts - (b as never as { ts: number }).ts,
  );

describe("POST /api/event", () => {
  it("counts a tracker's pageviews and custom event as our own: exact overview and sources", async () => {
    // Visitor A: two pageviews and a signup with a prop (long field names, props as JSON text).
    expect(
      await send({ n: "pageview", u: "https://example.com/", d: "example.com" }, from(IP_A)),
    ).toEqual({
      status: 202,
      dropped: null,
      cors: "https://example.com",
      text: "ok",
    });
    at(2 * MINUTE);
    await send(
      {
        name: "pageview",
        url: "https://example.com/pricing",
        domain: "example.com",
        referrer: "https://example.com/",
      },
      // Proxies append: the client is the first valid address.
      from(`unknown, ${IP_A}, 10.0.0.1`),
    );
    at(3 * MINUTE);
    await send(
      {
        n: "Signup",
        u: "https://example.com/pricing",
        d: "example.com",
        p: JSON.stringify({ plan: "pro" }),
      },
      from(IP_A),
    );
    // Visitor B: one pageview from a newsletter via Google, i.e. a bounce. The domain comes
    // from the URL when `d` is missing.
    at(4 * MINUTE);
    await send(
      { n: "pageview", u: "https://example.com/?utm_source=news", r: "https://www.google.com/" },
      from(IP_B),
    );
    await h.settle();

    const range = { siteId: h.siteId, from: NOW - DAY, to: NOW + DAY };
    const overview = await h.admin.query(api.analytics.getOverview, range);
    expect(overview).toMatchObject({
      pageviews: 3,
      visitors: 2,
      sessions: 2,
      bounceRate: 0.5,
      events: 1,
    });
    const sources = await h.admin.query(api.analytics.getBreakdown, {
      ...range,
      dimension: "source",
    });
    expect(sources.rows.map((r) => [r.key, r.visitors])).toEqual([
      ["Direct / None", 1],
      ["google.com", 1],
    ]);
    const utm = await h.admin.query(api.analytics.getBreakdown, {
      ...range,
      dimension: "utmSource",
    });
    expect(utm.rows.map((r) => [r.key, r.visitors])).toEqual([["news", 1]]);
    const plans = await h.admin.query(api.analytics.getEventProperties, {
      ...range,
      eventName: "Signup",
      property: "plan",
    });
    expect(plans.rows).toEqual([{ key: "pro", events: 1, visitors: 1 }]);

    // One id per visitor, the session id equal to it: no IP anywhere in what was stored.
    const stored = await events();
    expect(new Set(stored.map((e) => e.visitorId)).size).toBe(2);
    expect(stored.every((e) => e.sessionId === e.visitorId)).toBe(true);
    const everything = JSON.stringify([stored, await componentDocs(h, "sessions")]);
    expect(everything).not.toContain(IP_A);
    expect(everything).not.toContain(IP_B);
  });

  it("keeps the #fragment in the page path for hash-routed pages (`h`), drops it otherwise; ignores revenue", async () => {
    // A hash-routed app: the tracker sends `h: 1` and the page is in the fragment.
    await send({ n: "pageview", u: "https://example.com/app/#/pricing", h: 1 }, from(IP_A));
    at(MINUTE);
    await send({ n: "pageview", u: "https://example.com/app/#/docs/setup", h: 1 }, from(IP_A));
    // A history-routed page with an in-page anchor: the anchor is not a page.
    at(2 * MINUTE);
    await send({ n: "pageview", u: "https://example.com/guide#install" }, from(IP_B));
    // Revenue has no place in our events: the purchase is recorded, its revenue ignored.
    at(3 * MINUTE);
    const purchase = await send(
      {
        n: "Purchase",
        u: "https://example.com/app/#/checkout",
        h: 1,
        $: { amount: "19.90", currency: "EUR" },
        p: { plan: "pro" },
      },
      from(IP_A),
    );
    expect(purchase).toMatchObject({ status: 202, dropped: null });
    await h.settle();

    const range = { siteId: h.siteId, from: NOW - DAY, to: NOW + DAY };
    const pages = await h.admin.query(api.analytics.getBreakdown, { ...range, dimension: "page" });
    expect(pages.rows.map((r) => [r.key, r.pageviews])).toEqual([
      ["/app/#/docs/setup", 1],
      ["/app/#/pricing", 1],
      ["/guide", 1],
    ]);
    const stored = await componentDocs<{ type: string; path?: string; props?: object }>(
      h,
      "events",
    );
    const event = stored.find((e) => e.type === "event")!;
    expect(event).toMatchObject({ path: "/app/#/checkout", props: { plan: "pro" } });
    expect(JSON.stringify(stored)).not.toContain("19.90");
  });

  it("rotates the visitor hash daily and keeps only two days of salts", async () => {
    const page = { n: "pageview", u: "https://example.com/", d: "example.com" };
    await send(page, from(IP_A));
    at(MINUTE);
    await send(page, from(IP_A));
    at(DAY);
    await send(page, from(IP_A));
    at(2 * DAY);
    await send(page, from(IP_A));
    const ids = (await events()).map((e) => e.visitorId);
    expect(ids[0]).toBe(ids[1]);
    expect(new Set(ids).size).toBe(3);
    const salts = await componentDocs<{ day: string }>(h, "plausibleSalts");
    expect(salts.map((s) => s.day).sort()).toEqual(["2026-11-21", "2026-11-22"]);
  });

  it("counts engagement (sd, e) as time on page and scroll depth, and i:false events keep a bounce", async () => {
    const page = (path: string) => ({ n: "pageview", u: `https://example.com${path}` });
    const engagement = (path: string, sd: number, e: number) => ({
      n: "engagement",
      u: `https://example.com${path}`,
      sd,
      e,
    });
    // A reads /guide twice as far as B, for 40 s and 10 s; B's only other event is a
    // non-interactive one (a video autoplaying), so B still bounces.
    await send(page("/guide"), from(IP_A));
    at(40_000);
    await send(engagement("/guide", 80, 40_000), from(IP_A));
    at(MINUTE);
    await send(page("/guide"), from(IP_B));
    await send({ n: "Video Play", u: "https://example.com/guide", i: false }, from(IP_B));
    at(MINUTE + 10_000);
    expect(await send(engagement("/guide", 40, 10_000), from(IP_B))).toMatchObject({
      status: 202,
      dropped: null,
    });
    await h.t.finishAllScheduledFunctions(() => vi.runAllTimers());
    const range = { siteId: h.siteId, from: NOW - DAY, to: NOW + DAY };
    const pages = await h.admin.query(api.analytics.getBreakdown, { ...range, dimension: "page" });
    expect(pages.rows).toEqual([
      {
        key: "/guide",
        visitors: 2,
        pageviews: 2,
        sessions: 2,
        events: 0,
        scrollDepth: 60,
        timeOnPageMs: 25_000,
      },
    ]);
    const overview = await h.admin.query(api.analytics.getOverview, range);
    expect(overview).toMatchObject({ pageviews: 2, events: 1, bounceRate: 1 });
  });

  it("drops bots and unknown domains with 202 and the reason; a bad body is a 400", async () => {
    const page = { n: "pageview", u: "https://example.com/", d: "example.com" };
    expect(
      await send(page, { "User-Agent": "Googlebot/2.1 (+http://www.google.com/bot.html)" }),
    ).toMatchObject({
      status: 202,
      dropped: "bot",
    });
    expect(await send({ ...page, d: "nobody.example" })).toMatchObject({
      status: 202,
      dropped: "unknown_domain",
    });
    const bad = await send({ u: "https://example.com/" });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text)).toEqual({ errors: { event_name: ["can't be blank"] } });
    expect((await send("not json")).status).toBe(400);
    const badProps = await send({ ...page, n: "Signup", p: { "bad\u0001key": "x" } });
    expect(badProps.status).toBe(400);
    expect(JSON.parse(badProps.text).errors.event[0]).toMatch(/props/);
    expect(await componentDocs(h, "events")).toEqual([]);
  });

  it("records one event per site for comma-separated domains, and refuses origins a site does not allow", async () => {
    const other = await h.admin.mutation(api.analytics.createSite, {
      slug: "rollup",
      name: "Roll-up",
      domain: "rollup.example",
      allowedOrigins: ["https://rollup.example"],
    });
    const body = { n: "pageview", u: "https://example.com/", d: "example.com,nobody.example" };
    expect(await send(body, from(IP_A))).toMatchObject({ status: 202, dropped: "unknown_domain" });
    const both = { ...body, d: "example.com,rollup.example" };
    expect(await send(both, { ...from(IP_A), Origin: "https://rollup.example" })).toMatchObject({
      status: 202,
    });
    const refused = await send({ ...body, d: "rollup.example" });
    expect(refused.status).toBe(403);
    const perSite = (await componentDocs<{ siteId: string }>(h, "events")).map((e) => e.siteId);
    expect(perSite.filter((s) => s === h.siteId)).toHaveLength(2);
    expect(perSite.filter((s) => s === other.siteId)).toHaveLength(1);
  });

  it("shares the site's rate limit with our own route: 429 with Retry-After once it is used up", async () => {
    await h.admin.mutation(api.analytics.updateSite, {
      siteId: h.siteId,
      settings: { ingestRatePerMinute: 2 },
    });
    const page = { n: "pageview", u: "https://example.com/", d: "example.com" };
    await h.send([
      { type: "pageview", id: "own", visitorId: "v", sessionId: "s", url: "https://example.com/" },
    ]);
    expect((await send(page, from(IP_A))).status).toBe(202);
    const limited = await h.t.fetch("/api/event", {
      method: "POST",
      headers: { "Content-Type": "text/plain", "User-Agent": USER_AGENT, ...from(IP_B) },
      body: JSON.stringify(page),
    });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect(await componentDocs(h, "events")).toHaveLength(2);
  });

  it("answers the CORS preflight", async () => {
    const response = await h.t.fetch("/api/event", {
      method: "OPTIONS",
      headers: { Origin: "https://example.com" },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe("https://example.com");
  });
});
