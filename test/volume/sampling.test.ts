// Filtered reads past their budget (visits.ts): the sample is whole visitor strata, the first
// ones, as many as fit; it is complete within them, the same for every read, and scaled.
// Real traffic through the route, read with a small budget so the test stays fast; the bench
// measures the real budget at 100,000 visits.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { api } from "../../example/convex/_generated/api.js";
import type { Doc } from "../../src/component/_generated/dataModel.js";
import type { QueryCtx } from "../../src/component/_generated/server.js";
import { parseFilters } from "../../src/component/read/filters.js";
import { QUERY_READ_DOCUMENTS, SAMPLE_STRATA } from "../../src/component/lib/limits.js";
import { sampleOf } from "../../src/component/read/sample.js";
import { visitsOverview } from "../../src/component/read/visitFigures.js";
import { QueryReads, readVisits } from "../../src/component/read/visits.js";
import {
  createHarness,
  HOUR,
  inComponent,
  MINUTE,
  pageview,
  type Harness,
} from "../../harness/host.js";

const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);
const FROM = NOW - 6 * HOUR;
const VISITORS = 600;

let h: Harness;
beforeEach(async () => {
  vi.useFakeTimers();
  vi.setSystemTime(NOW);
  h = await createHarness();
});
afterEach(() => vi.useRealTimers());

const inQuery = <T>(fn: (ctx: QueryCtx) => Promise<T>) => inComponent<T, QueryCtx>(h, fn);

/** 600 visitors, one visit of 1–3 pageviews each, half of them from google.com. */
async function seed() {
  const events = Array.from({ length: VISITORS }, (_, i) => {
    const visitorId = `visitor-${i}`;
    const start = FROM + (i % 300) * MINUTE;
    return Array.from({ length: 1 + (i % 3) }, (_, j) =>
      pageview(`${visitorId}-${j}`, start + j * MINUTE, `/p${j}`, {
        visitorId,
        sessionId: `${visitorId}-s`,
        ...(i % 2 === 0 ? { referrer: "https://google.com/" } : {}),
      }),
    );
  }).flat();
  for (let i = 0; i < events.length; i += 100) await h.send(events.slice(i, i + 100));
  await h.settle();
}

describe("sampled filtered reads", () => {
  it("take the first whole strata that fit the budget, every visit of them, and scale", async () => {
    await seed();
    const range = { from: FROM, to: NOW };
    const strataOf = new Map<number, number>();
    for (let i = 0; i < VISITORS; i++) {
      const stratum = sampleOf(`visitor-${i}`);
      strataOf.set(stratum, (strataOf.get(stratum) ?? 0) + 1);
    }
    const budget = { visits: 150, bytes: 2 ** 20 };
    const read = await inQuery(async (ctx) => {
      const site = (await ctx.db.get("sites", h.siteId as Doc<"sites">["_id"]))!;
      return readVisits(ctx, site, range, budget);
    });
    expect(read.fraction).toBeLessThan(1);
    const taken = read.fraction * SAMPLE_STRATA;
    expect(Number.isInteger(taken)).toBe(true);
    // Every visitor of strata 0..taken−1 is in, nobody else, and one more stratum wouldn't fit.
    const expected = [...Array(VISITORS).keys()]
      .map((i) => `visitor-${i}`)
      .filter((id) => sampleOf(id) < taken);
    expect(read.visits.map((v) => v.visitorId).sort()).toEqual(expected.sort());
    expect(read.visits.length).toBeLessThanOrEqual(budget.visits);
    expect(read.visits.length + (strataOf.get(taken) ?? 0)).toBeGreaterThan(budget.visits);
    // The same read gives the same sample.
    const again = await inQuery(async (ctx) => {
      const site = (await ctx.db.get("sites", h.siteId as Doc<"sites">["_id"]))!;
      return readVisits(ctx, site, range, budget);
    });
    expect(again.visits.map((v) => v.visitorId)).toEqual(read.visits.map((v) => v.visitorId));
    // Scaled figures estimate the exact ones: 300 google.com visitors.
    const filters = { filters: parseFilters([["is", "source", ["google.com"]]]), goals: [] };
    const estimate = visitsOverview(read.visits, filters, read.fraction);
    expect(estimate.visitors).toBeGreaterThan(200);
    expect(estimate.visitors).toBeLessThan(400);
  });

  it("share one query's read limits between two reads (a comparison), whatever each one's budget", async () => {
    await seed();
    const read = await inQuery(async (ctx) => {
      const site = (await ctx.db.get("sites", h.siteId as Doc<"sites">["_id"]))!;
      // The first side of a comparison read all but 100 of the documents a query may read.
      const reads = new QueryReads();
      reads.add(QUERY_READ_DOCUMENTS - 100, 0);
      const second = await readVisits(ctx, site, { from: FROM, to: NOW }, undefined, reads);
      return { second, documents: reads.documents };
    });
    // 600 visits don't fit in the 100 left: the second side is a sample, and the query as a
    // whole read at most its limit, plus one session per pass (the one that told it a pass
    // didn't fit: the exact one, then a stratum).
    expect(read.second.fraction).toBeLessThan(1);
    expect(read.second.visits.length).toBeLessThanOrEqual(100);
    expect(read.documents).toBeLessThanOrEqual(QUERY_READ_DOCUMENTS + 2);
  });

  it("are exact within the budget, and say so", async () => {
    await seed();
    const overview = await h.admin.query(api.analytics.getOverview, {
      siteId: h.siteId,
      from: FROM,
      to: NOW,
      filters: [["is", "source", ["google.com"]]],
    });
    expect(overview).toMatchObject({
      visitors: 300,
      sessions: 300,
      pageviews: 600,
      sample: { fraction: 1 },
    });
  });
});
