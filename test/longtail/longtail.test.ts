// Long tails (docs/read-path.md): a year of a blog whose posts have Zipf popularity, imported through the
// example app and compacted as the crons would. The year's and the last 30 days' top pages must
// be exactly what the events say, read through the leaderboards (docs/read-path.md), and what
// a breakdown reads must not grow with the number of distinct pages.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { api, components, internal } from "../../example/convex/_generated/api.js";
import {
  longTailEvents,
  pageOf,
  referenceTop,
  type LongTailOptions,
} from "../../scripts/bench/longtailWorkload.js";
import { LEADERBOARD_SIZE } from "../../src/component/lib/limits.js";
import { componentDocs, createHarness, DAY, type Harness } from "../../harness/host.js";

const NOW = Date.UTC(2026, 0, 1, 12);
const TODAY = NOW - (NOW % DAY);

async function siteWith(...logs: LongTailOptions[]) {
  const h = await createHarness();
  const events = logs.flatMap((options) => longTailEvents(options));
  for (let i = 0; i < events.length; i += 500) {
    await h.admin.mutation(api.analytics.importEvents, {
      siteId: h.siteId,
      events: events.slice(i, i + 500),
    });
  }
  await h.settle();
  // What the `compact` cron does; a run reschedules itself until every closed bucket is merged.
  await h.t.action(internal.analytics.analyticsMaintenance, { task: "compact" });
  await h.settle();
  return { h, events };
}

async function pagesRead(h: Harness, from: number, limit = 10) {
  return await h.t.run(async (ctx) => {
    const before = await ctx.meta.getTransactionMetrics();
    const result = await ctx.runQuery(components.analytics.reports.getBreakdown, {
      siteId: h.siteId,
      from,
      to: NOW,
      dimension: "page",
      limit,
    });
    const after = await ctx.meta.getTransactionMetrics();
    return { result, documentsRead: after.documentsRead.used - before.documentsRead.used };
  });
}

const shown = (rows: { key: string; visitors: number; pageviews: number }[]) =>
  rows.map(({ key, visitors, pageviews }) => ({ key, visitors, pageviews }));

describe("long tails", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(NOW);
  });
  afterEach(() => vi.useRealTimers());

  it("a year of Zipf-popular posts: the year's and 30 days' top pages are the events' own", async () => {
    const yearStart = TODAY - 365 * DAY;
    // A quiet year, then two busy months of a long tail: more distinct posts a month than a
    // board keeps (convex-test runs ~100 events a second through worker and compaction, so the
    // tail is made long where it is read rather than all year).
    const { h, events } = await siteWith(
      { start: yearStart, days: 300, events: 400, pages: 1_000, sources: 50, visitors: 800 },
      {
        start: TODAY - 62 * DAY,
        days: 62,
        events: 1_400,
        pages: 1_500,
        sources: 200,
        visitors: 1_000,
        idPrefix: "busy",
      },
    );
    const boards = await componentDocs<{ dimension: string; granularity: string; floor: number }>(
      h,
      "leaderboards",
    );
    // More distinct posts a month than a board keeps: the months' boards are bounded, not whole.
    const monthPages = boards.filter((b) => b.dimension === "page" && b.granularity === "month");
    expect(monthPages.length).toBeGreaterThanOrEqual(11);
    expect(monthPages.filter((b) => b.floor > 0).length).toBeGreaterThanOrEqual(2);
    const distinctPages = new Set(events.map(pageOf)).size;
    expect(distinctPages).toBeGreaterThan(4 * LEADERBOARD_SIZE);

    for (const [from, limit] of [
      [yearStart, 10],
      [yearStart, 25],
      [TODAY - 30 * DAY, 10],
    ] as const) {
      const { result } = await pagesRead(h, from, limit);
      const reference = referenceTop(events, from, NOW, pageOf);
      expect(shown(result.rows)).toEqual(reference.slice(0, limit));
      // Every row shown is exact and no other post could rank above them.
      expect("approximate" in result).toBe(false);
    }
  }, 600_000);

  it("reads what a handful of pages reads, however many distinct pages there are", async () => {
    const common = { start: TODAY - 60 * DAY, days: 60, events: 700, sources: 20, visitors: 400 };
    const few = await siteWith({ ...common, pages: 40 });
    const many = await siteWith({ ...common, pages: 700 });
    const from = TODAY - 60 * DAY;
    const fewRead = await pagesRead(few.h, from);
    const manyRead = await pagesRead(many.h, from);
    for (const site of [
      { read: fewRead, events: few.events },
      { read: manyRead, events: many.events },
    ]) {
      const reference = referenceTop(site.events, from, NOW, pageOf);
      expect(shown(site.read.result.rows)).toEqual(reference.slice(0, 10));
    }
    const pageRows = (await componentDocs<{ dimension: string }>(many.h, "rollups")).filter(
      (row) => row.dimension === "page",
    ).length;
    console.log(
      `60-day top pages, documents read: ${fewRead.documentsRead} at 40 pages, ${manyRead.documentsRead} at 700 (${pageRows} page rows stored)`,
    );
    expect(manyRead.documentsRead).toBeLessThanOrEqual(1.2 * fewRead.documentsRead);
    expect(manyRead.documentsRead).toBeLessThan(pageRows / 4);
  }, 600_000);

  it("a property with more values a day than a board keeps: the top values are exact", async () => {
    // One busy day of downloads over 400 files (Zipf), each event in a session of its own.
    const views = longTailEvents({
      start: TODAY - 2 * DAY,
      days: 1,
      events: 600,
      pages: 400,
      sources: 1,
      visitors: 300,
    });
    const downloads = views.map((view) => ({
      ...view,
      type: "event" as const,
      name: "download",
      props: { file: pageOf(view) },
    }));
    const { h } = await siteWith();
    for (let i = 0; i < downloads.length; i += 500) {
      await h.admin.mutation(api.analytics.importEvents, {
        siteId: h.siteId,
        events: downloads.slice(i, i + 500),
      });
    }
    await h.settle();
    await h.t.action(internal.analytics.analyticsMaintenance, { task: "compact" });
    await h.settle();
    const boards = await componentDocs<{ dimension: string; floor: number; granularity: string }>(
      h,
      "leaderboards",
    );
    expect(boards.some((b) => b.dimension.startsWith("prop") && b.floor > 0)).toBe(true);
    const range = { siteId: h.siteId, from: TODAY - 30 * DAY, to: NOW };
    const files = await h.admin.query(api.analytics.getEventProperties, {
      ...range,
      eventName: "download",
      property: "file",
      limit: 10,
    });
    const byFile = new Map<string, { events: number; visitors: Set<string> }>();
    for (const event of downloads) {
      const file = event.props.file;
      const row =
        byFile.get(file) ?? byFile.set(file, { events: 0, visitors: new Set() }).get(file)!;
      row.events++;
      row.visitors.add(event.visitorId);
    }
    const reference = [...byFile]
      .map(([key, row]) => ({ key, events: row.events, visitors: row.visitors.size }))
      .sort((a, b) => b.events - a.events || (a.key < b.key ? -1 : 1))
      .slice(0, 10);
    expect(files.rows).toEqual(reference);
    expect("approximate" in files).toBe(false);
    const names = await h.admin.query(api.analytics.getBreakdown, { ...range, dimension: "event" });
    expect(names.rows).toMatchObject([{ key: "download", events: 600 }]);
  }, 600_000);
});
