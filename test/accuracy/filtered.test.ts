// Accuracy of filtered reads (contract §7) end to end: the real 10,000-line log goes through the
// product's importer, the importEvents facade and the workers, then every filtered figure of
// the read API must equal the independent reference (reference.ts, referenceFiltered)
// exactly: the overview, the page and the source breakdowns, for a source filter, a page
// wildcard filter and the two together. The log has about a thousand sessions, so every
// filtered read is exact: its sample is the whole.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { api } from "../../example/convex/_generated/api.js";
import type { Harness } from "../../harness/host.js";
import { LOG, LOG_OPTIONS, siteWithRealLog } from "./realLog.js";
import {
  referenceFigures,
  referenceFiltered,
  type ReferenceFilter,
  type ReferenceRow,
} from "./reference.js";

type Filters = [operator: "is" | "isNot", dimension: string, values: string[]][];

const GOOGLE: Filters = [["is", "source", ["google.com"]]];
const ARTICLES: Filters = [["is", "page", ["/articles/*"]]];
const CASES: { name: string; filters: Filters; reference: ReferenceFilter }[] = [
  { name: "source is google.com", filters: GOOGLE, reference: { source: "google.com" } },
  { name: "page is /articles/*", filters: ARTICLES, reference: { pagePattern: "/articles/*" } },
];

type Row = Omit<ReferenceRow, "events"> & { events: number };

/** Key by key, so that a difference names its row. */
function byKey(rows: readonly Row[]): Record<string, Omit<Row, "key">> {
  return Object.fromEntries(rows.map(({ key, ...figures }) => [key, figures]));
}

describe("filtered reads of the real log", () => {
  const unfiltered = referenceFigures(LOG, LOG_OPTIONS);
  let h: Harness;
  let range: { siteId: string; from: number; to: number };

  beforeAll(async () => {
    vi.useFakeTimers();
    vi.setSystemTime(Date.UTC(2015, 4, 21));
    const site = await siteWithRealLog();
    h = site.h;
    expect(site.imported).toMatchObject({ accepted: unfiltered.counts.imported, duplicates: 0 });
    await h.settle();
    range = { siteId: h.siteId, ...unfiltered.range! };
  });
  afterAll(() => vi.useRealTimers());

  async function read(filters: Filters) {
    const overview = await h.admin.query(api.analytics.getOverview, { ...range, filters });
    const pages = await h.admin.query(api.analytics.getBreakdown, {
      ...range,
      dimension: "page",
      limit: 100,
      filters,
    });
    const sources = await h.admin.query(api.analytics.getBreakdown, {
      ...range,
      dimension: "source",
      limit: 100,
      filters,
    });
    return { overview, pages, sources };
  }

  function expectReference(got: Awaited<ReturnType<typeof read>>, expected: ReferenceFilter) {
    const reference = referenceFiltered(LOG, LOG_OPTIONS, expected);
    const { range: gotRange, sample, ...overview } = got.overview;
    expect(gotRange).toEqual(unfiltered.range);
    expect(sample).toEqual({ fraction: 1 });
    expect("identifiedUsers" in overview).toBe(false);
    expect(overview).toEqual(reference.overview);
    expect(got.pages.sample).toEqual({ fraction: 1 });
    expect(byKey(got.pages.rows)).toEqual(byKey(reference.pages.slice(0, 100)));
    expect(got.pages.rows).toEqual(reference.pages.slice(0, 100)); // and in the same order
    expect(got.sources.sample).toEqual({ fraction: 1 });
    expect(byKey(got.sources.rows)).toEqual(byKey(reference.sources.slice(0, 100)));
    expect(got.sources.rows).toEqual(reference.sources.slice(0, 100));
  }

  for (const { name, filters, reference } of CASES)
    it(`${name}: the overview, pages and sources equal the reference exactly, read whole`, async () => {
      expectReference(await read(filters), reference);
    });

  it("two filters AND: google.com sessions that viewed an article equal the reference", async () => {
    expectReference(await read([...GOOGLE, ...ARTICLES]), {
      source: "google.com",
      pagePattern: "/articles/*",
    });
  });

  it("source isNot google.com and source is google.com split the unfiltered sessions and pageviews", async () => {
    const all = await h.admin.query(api.analytics.getOverview, range);
    const google = await h.admin.query(api.analytics.getOverview, { ...range, filters: GOOGLE });
    const others = await h.admin.query(api.analytics.getOverview, {
      ...range,
      filters: [["isNot", "source", ["google.com"]]],
    });
    expect(all.sessions).toBe(unfiltered.overview.sessions);
    expect(google.sessions + others.sessions).toBe(all.sessions);
    expect(google.pageviews + others.pageviews).toBe(all.pageviews);
    expect(google.visitors + others.visitors).toBeGreaterThanOrEqual(all.visitors);
    expect(others.sample).toEqual({ fraction: 1 });
  });
});
