// Accuracy end to end: the real 10,000-line log goes through the product's importer, the
// importEvents facade, the workers and the read API, and every figure must equal the
// independent reference counter (reference.ts) exactly: overview, top pages, sources and
// the daily series.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { api } from "../../example/convex/_generated/api.js";
import { importAccessLog } from "../../src/client/importLog.js";
import { DOMAIN, LOG, LOG_OPTIONS, siteWithRealLog } from "./realLog.js";
import { referenceFigures } from "./reference.js";

describe("the real log through the whole pipeline", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(Date.UTC(2015, 4, 21));
  });
  afterEach(() => vi.useRealTimers());

  it("gives exactly the reference figures", async () => {
    const reference = referenceFigures(LOG, LOG_OPTIONS);
    const { h, imported } = await siteWithRealLog();
    expect(imported).toMatchObject({
      counts: reference.counts,
      accepted: reference.counts.imported,
      duplicates: 0,
    });
    // Running the same import again (an interrupted import, retried) counts nothing twice.
    const again = await importAccessLog(h.admin, api.analytics.importEvents, h.siteId, LOG, {
      domain: DOMAIN,
    });
    expect(again).toMatchObject({ accepted: 0, duplicates: reference.counts.imported });
    await h.settle();
    const range = { siteId: h.siteId, ...reference.range! };
    const overview = await h.admin.query(api.analytics.getOverview, range);
    expect({ ...overview, range: undefined }).toEqual({ ...reference.overview, range: undefined });
    const pages = await h.admin.query(api.analytics.getBreakdown, {
      ...range,
      dimension: "page",
      limit: 100,
    });
    expect(pages.rows).toEqual(reference.pages.slice(0, 100));
    const sources = await h.admin.query(api.analytics.getBreakdown, {
      ...range,
      dimension: "source",
      limit: 100,
    });
    expect(sources.rows).toEqual(reference.sources.slice(0, 100));
    const daily = await h.admin.query(api.analytics.getTimeseries, { ...range, interval: "day" });
    expect(daily.points).toEqual(reference.daily);
    const health = await h.admin.query(api.analytics.getHealth, {
      siteId: h.siteId,
      now: Date.now(),
    });
    expect(health).toMatchObject({ pendingEvents: 0, failedEvents: 0, duplicateSessions: 0 });
  });
});
