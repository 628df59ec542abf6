/// <reference types="vite/client" />
// Runs inside the fresh host app the package gate builds (copied there as tests/smoke.test.ts):
// the installed package's `convex-analytics/test` mounts the component in convex-test, and the
// README's host files do the rest, as in a user's own test suite.
import { convexTest } from "convex-test";
import { register } from "convex-analytics/test";
import { expect, test, vi } from "vitest";
import { api } from "../convex/_generated/api.js";

const modules = import.meta.glob("../convex/**/*.ts");
const NOW = Date.UTC(2026, 0, 15, 12, 30);
const HOUR_MS = 3_600_000;

test("a site, two pageviews through the HTTP route, and the overview that counts them", async () => {
  vi.useFakeTimers();
  vi.setSystemTime(NOW);
  const t = convexTest(undefined, modules);
  register(t);
  const user = t.withIdentity({ subject: "smoke", tokenIdentifier: "smoke|user" });
  const { siteId, writeKey } = await user.mutation(api.analytics.createSite, {
    slug: "smoke",
    name: "Smoke test",
    domain: "example.com",
  });
  const pageview = (id: string, path: string, ts: number) => ({
    type: "pageview",
    id,
    ts,
    visitorId: "visitor-1",
    sessionId: "session-1",
    url: `https://example.com${path}`,
  });
  const response = await t.fetch("/analytics/ingest", {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "User-Agent":
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
    },
    body: JSON.stringify({
      key: writeKey,
      events: [pageview("e1", "/", NOW - 60_000), pageview("e2", "/pricing", NOW - 30_000)],
    }),
  });
  expect(response.status).toBe(202);
  expect(await response.json()).toMatchObject({ accepted: 2, duplicates: 0, rejected: [] });
  await t.finishAllScheduledFunctions(() => vi.runAllTimers());

  const overview = await user.query(api.analytics.getOverview, {
    siteId,
    from: NOW - 24 * HOUR_MS,
    to: NOW + HOUR_MS,
  });
  expect(overview).toMatchObject({ pageviews: 2, visitors: 1, sessions: 1, bounceRate: 0 });
  await expect(
    t.query(api.analytics.getOverview, { siteId, from: NOW - HOUR_MS, to: NOW }),
  ).rejects.toThrow(/Sign in/);
  vi.useRealTimers();
});
