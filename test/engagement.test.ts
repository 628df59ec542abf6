// Engagement (time on page, scroll depth) end to end: a hand-counted scenario sent through the
// HTTP route as the tracker sends it, folded by the worker, read by getBreakdown (unfiltered,
// filtered, and merged from getRangePart's parts as the dashboard does), and the same after
// compaction. The figures are those of lib/engagement.ts: per page, scroll depth = the average of
// each visit's maximum scroll depth there; time on page = engaged time there ÷ those visits.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { api } from "../example/convex/_generated/api.js";
import { breakdownFromParts } from "../src/component/read/rangePart.js";
import type { Dimension, Filter } from "../src/client/index.js";
import {
  componentDocs,
  createHarness,
  DAY,
  HOUR,
  MINUTE,
  pageview,
  type Harness,
} from "../harness/host.js";

const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);
const T0 = NOW - 30 * MINUTE;
const RANGE = { from: NOW - 3 * HOUR, to: NOW + HOUR };
const SECOND = 1_000;

let h: Harness;
beforeEach(async () => {
  vi.useFakeTimers();
  vi.setSystemTime(NOW);
  h = await createHarness();
});
afterEach(() => vi.useRealTimers());

const visit = (visitor: string) => ({ visitorId: visitor, sessionId: `${visitor}-s` });
const engagement = (
  id: string,
  visitor: string,
  ts: number,
  path: string,
  scrollDepth: number,
  engagedMs: number,
) => ({
  type: "engagement",
  id,
  ts,
  ...visit(visitor),
  url: `https://example.com${path}`,
  scrollDepth,
  engagedMs,
});
const event = (id: string, visitor: string, ts: number, name: string, extra = {}) => ({
  type: "event",
  id,
  ts,
  ...visit(visitor),
  url: "https://example.com/c",
  name,
  ...extra,
});

/**
 * Six browsers:
 * - A reads /a (scrolls to 40 %, then 70 %: 20 s + 5 s engaged), then /b (100 %, 30 s);
 * - B reads /a (20 %, 10 s); its engagement arrives before its pageview;
 * - C opens /a and sends no engagement;
 * - D sends an engagement and nothing else: no visit;
 * - E reads /c (50 %) for two hours in one go (cut to 30 minutes), and sends a
 *   non-interactive event: still a bounce;
 * - F opens /c and clicks a call to action: no bounce.
 */
async function sendScenario() {
  const a = visit("A");
  expect(
    (
      await h.send([
        pageview("a1", T0, "/a", a),
        engagement("a2", "A", T0 + 20 * SECOND, "/a", 40, 20 * SECOND),
        engagement("a3", "A", T0 + 50 * SECOND, "/a", 70, 5 * SECOND),
        pageview("a4", T0 + 60 * SECOND, "/b", a),
        engagement("a5", "A", T0 + 95 * SECOND, "/b", 100, 30 * SECOND),
      ])
    ).body,
  ).toMatchObject({ accepted: 5, duplicates: 0 });
  // B's engagement is folded before its pageview arrives: it joins the visit all the same.
  await h.send([engagement("b2", "B", T0 + 75 * SECOND, "/a", 20, 10 * SECOND)]);
  await h.settle();
  await h.send([pageview("b1", T0 + 60 * SECOND, "/a", visit("B"))]);
  await h.send([
    pageview("c1", T0 + 2 * MINUTE, "/a", visit("C")),
    engagement("d1", "D", T0 + 2 * MINUTE, "/a", 90, 40 * SECOND),
    pageview("e1", T0 + 3 * MINUTE, "/c", visit("E")),
    event("e2", "E", T0 + 3 * MINUTE + 5 * SECOND, "newsletter_shown", { interactive: false }),
    engagement("e3", "E", T0 + 3 * MINUTE + 10 * SECOND, "/c", 50, 2 * HOUR),
    pageview("f1", T0 + 4 * MINUTE, "/c", visit("F")),
    event("f2", "F", T0 + 4 * MINUTE + 20 * SECOND, "cta"),
  ]);
  // The tracker retries a request whose answer it lost: nothing counts twice.
  const retry = await h.send([engagement("a3", "A", T0 + 50 * SECOND, "/a", 70, 5 * SECOND)]);
  expect(retry.body).toMatchObject({ accepted: 0, duplicates: 1 });
  await h.settle();
}

const breakdown = (dimension: Dimension, filters?: Filter[]) =>
  h.admin.query(api.analytics.getBreakdown, {
    siteId: h.siteId,
    ...RANGE,
    dimension,
    ...(filters ? { filters } : {}),
  });

const engagementOf = (rows: { key: string; scrollDepth?: number; timeOnPageMs?: number }[]) =>
  Object.fromEntries(rows.map((row) => [row.key, [row.scrollDepth, row.timeOnPageMs]]));

const EXPECTED = {
  page: {
    "/a": [Math.round((70 + 20) / 2), (25_000 + 10_000) / 2],
    "/b": [100, 30_000],
    "/c": [50, 30 * MINUTE],
  },
  entryPage: { "/a": [45, 17_500], "/c": [50, 30 * MINUTE] },
  // C left from /a without engagement: /a's exit row is B's alone.
  exitPage: { "/b": [100, 30_000], "/a": [20, 10_000], "/c": [50, 30 * MINUTE] },
};

describe("engagement", () => {
  it("gives each page, entry page and exit page its scroll depth and time on page, exactly", async () => {
    await sendScenario();
    for (const dimension of ["page", "entryPage", "exitPage"] as const)
      expect(engagementOf((await breakdown(dimension)).rows)).toEqual(EXPECTED[dimension]);
    expect((await breakdown("page")).rows.find((row) => row.key === "/a")).toEqual({
      key: "/a",
      visitors: 3,
      pageviews: 3,
      sessions: 3,
      events: 0,
      scrollDepth: 45,
      timeOnPageMs: 17_500,
    });
    // Other dimensions carry no engagement figures.
    expect((await breakdown("source")).rows[0]).not.toHaveProperty("scrollDepth");
  });

  it("never makes a visit, a pageview or an event, and a non-interactive event keeps a bounce", async () => {
    await sendScenario();
    const overview = await h.admin.query(api.analytics.getOverview, { siteId: h.siteId, ...RANGE });
    expect(overview).toMatchObject({
      pageviews: 6,
      events: 2,
      // D's engagement alone is no visit.
      visitors: 5,
      sessions: 5,
      // B, C and E (its event was non-interactive) bounced; A and F did not.
      bounceRate: 3 / 5,
      // Engagement extends a visit as a heartbeat does: A 95 s, B 15 s, C 0, E 10 s, F 20 s.
      avgDurationMs: (95_000 + 15_000 + 0 + 10_000 + 20_000) / 5,
    });
    const events = await h.admin.query(api.analytics.getBreakdown, {
      siteId: h.siteId,
      ...RANGE,
      dimension: "event",
    });
    expect(events.rows.map((row) => [row.key, row.events])).toEqual([
      ["cta", 1],
      ["newsletter_shown", 1],
    ]);
  });

  it("follows filters: only the matching visits' engagement counts", async () => {
    await sendScenario();
    // Visits that left from /b: A's alone.
    const fromB = await breakdown("page", [["is", "exitPage", ["/b"]]]);
    expect(engagementOf(fromB.rows)).toEqual({ "/a": [70, 25_000], "/b": [100, 30_000] });
    // A page filter keeps that page's engagement of every matching visit.
    const onA = await breakdown("page", [["is", "page", ["/a"]]]);
    expect(engagementOf(onA.rows)).toEqual({ "/a": EXPECTED.page["/a"] });
    const entries = await breakdown("entryPage", [["is", "entryPage", ["/c"]]]);
    expect(engagementOf(entries.rows)).toEqual({ "/c": [50, 30 * MINUTE] });
  });

  it("merges a range's closed and open parts into the same figures, and keeps them through compaction", async () => {
    await sendScenario();
    const split = NOW - HOUR;
    const part = (from: number, to: number) =>
      h.admin.query(api.analytics.getRangePart, {
        siteId: h.siteId,
        from,
        to,
        dimension: "page",
      });
    const parts = [await part(RANGE.from, split), await part(split, RANGE.to)];
    const merged = breakdownFromParts(parts, "visitors", 10, true);
    expect(merged.rows).toEqual((await breakdown("page")).rows);

    // Two days on, compaction has merged the hour rows into day and month rows.
    vi.setSystemTime(NOW + 2 * DAY);
    await h.admin.mutation(api.analytics.runMaintenance, { siteId: h.siteId });
    await h.settle();
    // A whole-day range reads the day rows compaction built.
    const day = { from: Date.UTC(2026, 10, 20), to: Date.UTC(2026, 10, 21) };
    const rows = await componentDocs<{ dimension: string; granularity: string }>(h, "rollups");
    expect(rows.some((row) => row.dimension === "page" && row.granularity === "day")).toBe(true);
    for (const dimension of ["page", "entryPage", "exitPage"] as const) {
      const read = await h.admin.query(api.analytics.getBreakdown, {
        siteId: h.siteId,
        ...day,
        dimension,
      });
      expect(engagementOf(read.rows)).toEqual(EXPECTED[dimension]);
    }
  });
});
