// contract §2 over the real HTTP route: every status, CORS on every answer, bots, per-event
// rejections, clamping, and "a rejected request stores nothing".
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { api } from "../example/convex/_generated/api.js";
import { MAX_BODY_BYTES, MAX_EVENT_AGE_MS } from "../src/component/lib/limits.js";
import { createHarness, HOUR, MINUTE, pageview, type Harness } from "../harness/host.js";

const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);

async function storedEvents(h: Harness) {
  const { page } = await h.admin.query(api.analytics.listEvents, {
    siteId: h.siteId,
    paginationOpts: { numItems: 100, cursor: null },
  });
  return page;
}

describe("POST /analytics/ingest", () => {
  let h: Harness;
  beforeEach(async () => {
    vi.useFakeTimers();
    vi.setSystemTime(NOW);
    h = await createHarness({ allowedOrigins: ["https://example.com"] });
  });
  afterEach(() => vi.useRealTimers());

  const refusals: [
    string,
    (h: Harness) => Promise<{ status: number; headers: Headers; body: any }>,
    number,
    string,
  ][] = [
    ["a body that is not JSON", (h) => h.post(null, { raw: "{nope" }), 400, "invalid_json"],
    [
      "events that are not an array",
      (h) => h.post({ key: h.writeKey, events: "x" }),
      400,
      "invalid_body",
    ],
    [
      "more than 100 events",
      (h) => h.send(Array.from({ length: 101 }, (_, i) => pageview(`e${i}`, NOW, "/"))),
      400,
      "too_many_events",
    ],
    ["no key", (h) => h.post({ events: [pageview("e1", NOW, "/")] }), 401, "missing_key"],
    [
      "an unknown key",
      (h) => h.post({ key: "wk_unknown-key-000000", events: [pageview("e1", NOW, "/")] }),
      401,
      "unknown_key",
    ],
    [
      "an Origin outside allowedOrigins",
      (h) => h.send([pageview("e1", NOW, "/")], { Origin: "https://evil.example" }),
      403,
      "origin_not_allowed",
    ],
    [
      "a body over 64 KiB",
      (h) =>
        h.post(null, {
          raw: JSON.stringify({ key: h.writeKey, events: [], pad: "x".repeat(MAX_BODY_BYTES) }),
        }),
      413,
      "body_too_large",
    ],
  ];

  for (const [what, send, status, code] of refusals) {
    it(`answers ${status} ${code} for ${what}, with CORS headers, and stores nothing`, async () => {
      const response = await send(h);
      expect(response.status).toBe(status);
      expect(response.body.error.code).toBe(code);
      expect(response.body.error.message).toEqual(expect.any(String));
      expect(response.headers.get("Access-Control-Allow-Origin")).toBeTruthy();
      await h.settle();
      expect(await storedEvents(h)).toEqual([]);
    });
  }

  it("answers 403 for a disabled site and stores nothing", async () => {
    await h.admin.mutation(api.analytics.updateSite, { siteId: h.siteId, status: "disabled" });
    const response = await h.send([pageview("e1", NOW, "/")]);
    expect([response.status, response.body.error.code]).toEqual([403, "site_disabled"]);
    expect(await storedEvents(h)).toEqual([]);
  });

  it("answers 405 to other methods and 204 to the CORS preflight", async () => {
    const get = await h.t.fetch("/analytics/ingest", { method: "GET" });
    expect(get.status).toBe(405);
    expect(get.headers.get("Allow")).toBe("POST, OPTIONS");
    const preflight = await h.t.fetch("/analytics/ingest", {
      method: "OPTIONS",
      headers: { Origin: "https://example.com", "Access-Control-Request-Method": "POST" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("Access-Control-Allow-Origin")).toBe("https://example.com");
    expect(preflight.headers.get("Access-Control-Allow-Headers")).toContain("X-Analytics-Key");
  });

  it("accepts the key in the X-Analytics-Key header", async () => {
    const response = await h.post(
      { events: [pageview("e1", NOW, "/")] },
      { headers: { "X-Analytics-Key": h.writeKey } },
    );
    expect(response.status).toBe(202);
    expect(response.body.accepted).toBe(1);
  });

  it("answers 429 with Retry-After once the site's rate is used up", async () => {
    await h.admin.mutation(api.analytics.updateSite, {
      siteId: h.siteId,
      settings: { ingestRatePerMinute: 3 },
    });
    expect((await h.send([1, 2, 3].map((i) => pageview(`e${i}`, NOW, "/")))).status).toBe(202);
    // Counted at once (the request's reservation), not once a worker has folded the events.
    vi.setSystemTime(NOW + 10_000);
    const limited = await h.send([pageview("e4", NOW, "/")]);
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe("rate_limited");
    expect(Number(limited.headers.get("Retry-After"))).toBeGreaterThan(0);
    vi.setSystemTime(NOW + 3 * MINUTE);
    expect((await h.send([pageview("e5", NOW + 3 * MINUTE, "/")])).status).toBe(202);
  });

  it("admits only the events that fit under the rate limit and refuses the rest one by one", async () => {
    await h.admin.mutation(api.analytics.updateSite, {
      siteId: h.siteId,
      settings: { ingestRatePerMinute: 3 },
    });
    const events = Array.from({ length: 100 }, (_, i) => pageview(`burst${i}`, NOW, `/p${i}`));
    const first = await h.send(events);
    expect(first.status).toBe(202);
    expect(first.body.accepted).toBe(3);
    expect(first.body.rejected).toHaveLength(97);
    expect(first.body.rejected[0]).toEqual({
      index: 3,
      reason: expect.stringMatching(/^rate_limited/),
    });
    // The window is full: the next request is refused whole, and nothing past the limit counts.
    vi.setSystemTime(NOW + 10_000);
    expect((await h.send([pageview("late", NOW, "/")])).status).toBe(429);
    await h.settle();
    const overview = await h.admin.query(api.analytics.getOverview, {
      siteId: h.siteId,
      from: NOW - 60 * 60_000,
      to: NOW + 60 * 60_000,
    });
    expect(overview.pageviews).toBe(3);
  });

  it("stores the valid events of a batch and lists each invalid one with its index and reason", async () => {
    const response = await h.send([
      pageview("ok1", NOW, "/a"),
      { type: "pageview", id: "bad1", visitorId: "v1", sessionId: "s1" },
      { ...pageview("bad2", NOW, "/b"), props: { "a\u0000": 1 } },
      { type: "event", id: "bad3", visitorId: "v1", sessionId: "s1", url: "https://example.com/" },
      { ...pageview("bad4", NOW, "/c"), url: "not a url" },
      pageview("ok2", NOW, "/d"),
    ]);
    expect(response.status).toBe(202);
    expect(response.body.accepted).toBe(2);
    expect(response.body.rejected).toEqual([
      { index: 1, reason: "url is required for pageview" },
      { index: 2, reason: expect.stringContaining("must not contain control characters") },
      { index: 3, reason: "name is required for type event" },
      { index: 4, reason: "url must be an absolute http(s) URL" },
    ]);
    expect((await storedEvents(h)).map((e) => e.eventId).sort()).toEqual(["ok1", "ok2"]);
  });

  it("answers bots 202 with everything filtered and stores nothing", async () => {
    for (const userAgent of [
      "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
      "",
    ]) {
      const response = await h.send([pageview("e1", NOW, "/")], { "User-Agent": userAgent });
      expect([response.status, response.body]).toEqual([
        202,
        { accepted: 0, duplicates: 0, filtered: 1, rejected: [] },
      ]);
    }
    expect(await storedEvents(h)).toEqual([]);
  });

  it("clamps live timestamps to [now − 24 h, now + 5 min] and enriches from URL, referrer and headers", async () => {
    await h.send(
      [
        pageview("old", NOW - 3 * 24 * HOUR, "/old"),
        pageview("future", NOW + 2 * HOUR, "/future?utm_source=x&utm_campaign=y", {
          referrer: "https://www.news.example/a",
        }),
      ],
      { "CF-IPCountry": "de" },
    );
    const events = await storedEvents(h);
    expect(events.find((e) => e.eventId === "old")).toMatchObject({
      ts: NOW - MAX_EVENT_AGE_MS,
      path: "/old",
    });
    expect(events.find((e) => e.eventId === "future")).toMatchObject({
      ts: NOW + 5 * MINUTE,
      path: "/future",
      hostname: "example.com",
      referrerHost: "news.example",
      utmSource: "x",
      utmCampaign: "y",
      country: "DE",
      device: "Desktop",
      browser: "Chrome",
      os: "macOS",
    });
  });

  it("makes exactly one session of a burst of concurrent batches of one new session", async () => {
    const batches = Array.from({ length: 10 }, (_, b) =>
      [0, 1, 2].map((i) =>
        pageview(`b${b}-${i}`, NOW - 10 * MINUTE + b * 20_000 + i * 1000, `/p${i}`),
      ),
    );
    const responses = await Promise.all(batches.map((events) => h.send(events)));
    expect(responses.map((r) => r.body.accepted)).toEqual(Array(10).fill(3));
    await h.settle();
    const { page } = await h.admin.query(api.analytics.listSessions, {
      siteId: h.siteId,
      paginationOpts: { numItems: 10, cursor: null },
    });
    expect(page).toHaveLength(1);
    expect(page[0]).toMatchObject({
      visitorId: "v1",
      sessionId: "s1",
      pageviews: 3,
      bounce: false,
    });
  });
});
