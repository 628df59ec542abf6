// Wildcard page goals on a long tail (docs/read-path.md, "Goals"): a goal such as /posts/1*
// matches many distinct paths, and is read from its own rows (src/component/maintenance/goalMirrorRows.ts).
// The goal is created after the site has history, late events arrive while compaction walks
// that history into the goal's rows, and at every stage getGoals must give exactly what the
// events say; once walked, what it reads must not grow with the number of distinct paths.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { api, components, internal } from "../../example/convex/_generated/api.js";
import {
  longTailEvents,
  pageOf,
  type LongTailEvent,
  type LongTailOptions,
} from "../../scripts/bench/longtailWorkload.js";
import { pathMatcher } from "../../src/component/read/goals.js";
import { componentDocs, createHarness, DAY, type Harness } from "../../harness/host.js";

const NOW = Date.UTC(2026, 0, 1, 12);
const TODAY = NOW - (NOW % DAY);
const FROM = TODAY - 90 * DAY;
const POSTS_1 = "/posts/1*";
const POST_3 = "/posts/3";

async function load(h: Harness, events: readonly LongTailEvent[]) {
  for (let i = 0; i < events.length; i += 500)
    await h.admin.mutation(api.analytics.importEvents, {
      siteId: h.siteId,
      events: events.slice(i, i + 500),
    });
  await h.settle();
}

/** What the `compact` cron does: a run reschedules itself until nothing is left. */
async function compact(h: Harness) {
  await h.t.action(internal.analytics.analyticsMaintenance, { task: "compact" });
  await h.settle();
}

/** A goal's figures from the events alone: matching pageviews, and their distinct visitors. */
function reference(events: readonly LongTailEvent[], pattern: string) {
  const matches = pathMatcher(pattern);
  const hits = events.filter((e) => e.ts >= FROM && e.ts < NOW && matches(pageOf(e)));
  return { events: hits.length, visitors: new Set(hits.map((e) => e.visitorId)).size };
}

async function goalsRead(h: Harness) {
  return await h.t.run(async (ctx) => {
    const before = await ctx.meta.getTransactionMetrics();
    const report = await ctx.runQuery(components.analytics.goals.getGoals, {
      siteId: h.siteId,
      from: FROM,
      to: NOW,
    });
    const after = await ctx.meta.getTransactionMetrics();
    const figures = Object.fromEntries(
      report.goals.map((g) => [g.name, { events: g.events, visitors: g.visitors }]),
    );
    return { figures, documentsRead: after.documentsRead.used - before.documentsRead.used };
  });
}

async function siteWithGoals(history: LongTailOptions) {
  const h = await createHarness();
  const events = longTailEvents(history);
  await load(h, events);
  await compact(h);
  for (const [name, pathPattern] of [
    ["Posts 1x", POSTS_1],
    ["Post 3", POST_3],
  ])
    await h.admin.mutation(api.analytics.createGoal, {
      siteId: h.siteId,
      name,
      kind: "page",
      pathPattern,
    });
  return { h, events };
}

const expected = (events: readonly LongTailEvent[]) => ({
  "Posts 1x": reference(events, POSTS_1),
  "Post 3": reference(events, POST_3),
});

describe("wildcard goals on a long tail", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(NOW);
  });
  afterEach(() => vi.useRealTimers());

  it("are exact before, during and after compaction walks their history, late events included", async () => {
    const history = { start: FROM, days: 89, events: 1_500, sources: 20, visitors: 700 };
    const { h, events } = await siteWithGoals({ ...history, pages: 600 });
    // Not walked yet: read from the page rows, as before goals had rows of their own.
    expect((await goalsRead(h)).figures).toEqual(expected(events));

    // Late events into the history the walk is about to cover, folded by the workers first:
    // compaction then merges their shards (ahead of, inside and behind the walk) as it walks.
    const late = longTailEvents({
      ...history,
      events: 400,
      pages: 600,
      seed: 7,
      idPrefix: "late",
    });
    await load(h, late);
    const all = [...events, ...late];
    expect((await goalsRead(h)).figures).toEqual(expected(all));
    await compact(h);
    const goals = await componentDocs<{ name: string; mirror?: unknown }>(h, "goals");
    expect(goals.find((g) => g.name === "Posts 1x")!.mirror).toBe("done");
    expect((await goalsRead(h)).figures).toEqual(expected(all));

    // Walked: a new event is read from the page shards until compaction merges it, then from
    // the goal's rows; both ways give the same figures.
    const today = longTailEvents({
      start: TODAY,
      days: 1,
      events: 60,
      pages: 600,
      sources: 5,
      visitors: 700,
      seed: 9,
      idPrefix: "today",
    }).filter((e) => e.ts < NOW);
    await load(h, today);
    expect((await goalsRead(h)).figures).toEqual(expected([...all, ...today]));
    vi.setSystemTime(NOW + 2 * 3_600_000);
    await compact(h);
    expect((await goalsRead(h)).figures).toEqual(expected([...all, ...today]));
  }, 600_000);

  it("read what a handful of paths reads, however many distinct paths match", async () => {
    const history = { start: FROM, days: 89, events: 1_200, sources: 20, visitors: 600 };
    const reads = [];
    for (const pages of [40, 1_200]) {
      const { h, events } = await siteWithGoals({ ...history, pages });
      await compact(h);
      const read = await goalsRead(h);
      expect(read.figures).toEqual(expected(events));
      const pageRows = (await componentDocs<{ dimension: string }>(h, "rollups")).filter(
        (row) => row.dimension === "page",
      ).length;
      reads.push({ pages, documentsRead: read.documentsRead, pageRows });
    }
    console.log(
      `90-day goals, documents read: ${reads.map((r) => `${r.documentsRead} at ${r.pages} paths (${r.pageRows} page rows)`).join(", ")}`,
    );
    expect(reads[1]!.documentsRead).toBeLessThanOrEqual(1.2 * reads[0]!.documentsRead);
    expect(reads[1]!.documentsRead).toBeLessThan(reads[1]!.pageRows / 10);
  }, 600_000);
});
