// Plausible's Stats API v2 queries as our reads see them (stats.ts): date ranges in the site's
// zone, what is refused and why, and how results are shaped, sorted and paged.
import { describe, expect, it } from "vitest";
import { MAX_BREAKDOWN_LIMIT } from "../../component/lib/limits.js";
import {
  answerStatsQuery,
  parseStatsQuery,
  resolveDateRange,
  StatsQueryError,
  timeBuckets,
  type StatsReads,
} from "./stats.js";

const HOUR = 3_600_000;
const NY = { siteId: "s", timezone: "America/New_York", createdAt: Date.UTC(2026, 5, 10, 15) };
// Friday 2026-11-20 08:00 in New York (UTC−5, DST ended on 2026-11-01).
const NOW = Date.UTC(2026, 10, 20, 13);
const nyMidnight = (y: number, m: number, d: number, offsetHours = 5) =>
  Date.UTC(y, m - 1, d) + offsetHours * HOUR;

describe("resolveDateRange (site in New York)", () => {
  const range = (raw: unknown) => resolveDateRange(raw, NY, NOW);

  it("takes today for `day`, and the whole days before today for `7d` … `91d`", () => {
    expect(range("day")).toEqual({ from: nyMidnight(2026, 11, 20), to: nyMidnight(2026, 11, 21) });
    expect(range("7d")).toEqual({ from: nyMidnight(2026, 11, 13), to: nyMidnight(2026, 11, 20) });
    // 30 days back crosses the end of DST: that midnight is at UTC−4.
    expect(range("30d")).toEqual({
      from: nyMidnight(2026, 10, 21, 4),
      to: nyMidnight(2026, 11, 20),
    });
    expect(range("91d").from).toBe(nyMidnight(2026, 8, 21, 4));
  });

  it("takes calendar months and years, and `all` from the site's first day", () => {
    expect(range("month")).toEqual({
      from: nyMidnight(2026, 11, 1, 4),
      to: nyMidnight(2026, 12, 1),
    });
    expect(range("6mo")).toEqual({ from: nyMidnight(2026, 6, 1, 4), to: nyMidnight(2026, 12, 1) });
    expect(range("12mo")).toEqual({ from: nyMidnight(2025, 12, 1), to: nyMidnight(2026, 12, 1) });
    expect(range("year")).toEqual({ from: nyMidnight(2026, 1, 1), to: nyMidnight(2027, 1, 1) });
    expect(range("all")).toEqual({
      from: nyMidnight(2026, 6, 10, 4),
      to: nyMidnight(2026, 11, 21),
    });
  });

  it("reads ISO dates as whole local days, datetimes to the second", () => {
    expect(range(["2026-11-01", "2026-11-02"])).toEqual({
      from: nyMidnight(2026, 11, 1, 4),
      to: nyMidnight(2026, 11, 3),
    });
    expect(range(["2026-11-20T09:00:00-05:00", "2026-11-20T09:59:59-05:00"])).toEqual({
      from: Date.UTC(2026, 10, 20, 14),
      to: Date.UTC(2026, 10, 20, 15),
    });
  });

  it.each([["yesterday"], ["8d"], [["2026-11-02", "2026-11-01"]], [["2026-11-01"]], [42]])(
    "refuses %j",
    (raw) => {
      expect(() => range(raw)).toThrow(/#\/date_range: Invalid date_range/);
    },
  );
});

describe("timeBuckets (site in New York)", () => {
  const buckets = (from: number, to: number, interval: "week" | "month") =>
    timeBuckets(from, to, interval, NY.timezone);

  it("cuts weeks at Mondays, the first labelled with the range's first date", () => {
    // Wednesday 2026-10-28 to Friday 2026-11-20; DST ends on Sunday 2026-11-01.
    expect(buckets(nyMidnight(2026, 10, 28, 4), nyMidnight(2026, 11, 21), "week")).toEqual([
      { from: nyMidnight(2026, 10, 28, 4), to: nyMidnight(2026, 11, 2), label: "2026-10-28" },
      { from: nyMidnight(2026, 11, 2), to: nyMidnight(2026, 11, 9), label: "2026-11-02" },
      { from: nyMidnight(2026, 11, 9), to: nyMidnight(2026, 11, 16), label: "2026-11-09" },
      { from: nyMidnight(2026, 11, 16), to: nyMidnight(2026, 11, 21), label: "2026-11-16" },
    ]);
  });

  it("cuts months at their first day, each labelled with it", () => {
    expect(buckets(nyMidnight(2026, 10, 15, 4), nyMidnight(2026, 11, 21), "month")).toEqual([
      { from: nyMidnight(2026, 10, 15, 4), to: nyMidnight(2026, 11, 1, 4), label: "2026-10-01" },
      { from: nyMidnight(2026, 11, 1, 4), to: nyMidnight(2026, 11, 21), label: "2026-11-01" },
    ]);
  });
});

describe("parseStatsQuery", () => {
  const parse = (body: Record<string, unknown>) =>
    parseStatsQuery({ site_id: "a.com", date_range: "7d", ...body }, NY, NOW);

  it("plans a breakdown onto getBreakdown, filters onto ours", () => {
    const plan = parse({
      metrics: ["visitors"],
      dimensions: ["visit:utm_campaign"],
      filters: [
        ["is_not", "event:page", ["/x"]],
        ["and", [["contains", "event:props:plan", ["pro"]]]],
      ],
    });
    expect(plan).toMatchObject({
      read: "breakdown",
      breakdown: "utmCampaign",
      filters: [
        ["isNot", "page", ["/x"]],
        ["contains", "prop:plan", ["pro"]],
      ],
      orderBy: [["visitors", "desc"]],
      limit: 10_000,
      offset: 0,
    });
  });

  it("plans two dimensions: a time one splits by bucket, two others on the exactly matched one", () => {
    const plan = (dimensions: string[], metrics = ["visitors"]) => {
      const { read, time, by, breakdown, split } = parse({ metrics, dimensions });
      return { read, time, by, breakdown, split };
    };
    expect(plan(["time:day", "event:page"])).toEqual({
      read: "breakdown",
      time: { dimension: "time:day", interval: "day" },
      by: "event:page",
      breakdown: "page",
      split: undefined,
    });
    // A path value may hold `*`, a wildcard to filters: the source is the one filtered on.
    expect(plan(["event:page", "visit:source"])).toMatchObject({
      by: "event:page",
      split: { dimension: "visit:source", ours: "source" },
    });
    expect(plan(["event:goal", "visit:country"], ["conversion_rate"])).toMatchObject({
      read: "goals",
      by: "event:goal",
      split: { dimension: "visit:country", ours: "country" },
    });
    expect(plan(["visit:entry_page", "event:page"])).toMatchObject({
      by: "event:page",
      split: { dimension: "visit:entry_page", ours: "entryPage" },
    });
  });

  it("resolves `time` as Plausible does: hours up to 48 h, days up to 40, weeks up to 52", () => {
    const interval = (date_range: unknown) =>
      parse({ metrics: ["visitors"], dimensions: ["time"], date_range }).time?.interval;
    expect(interval("day")).toBe("hour");
    expect(interval(["2026-11-18", "2026-11-19"])).toBe("hour");
    expect(interval(["2026-11-17", "2026-11-19"])).toBe("day");
    expect(interval("7d")).toBe("day");
    expect(interval("91d")).toBe("week");
    expect(interval("12mo")).toBe("week");
    expect(interval("all")).toBe("week");
    expect(interval(["2024-01-01", "2026-11-19"])).toBe("month");
  });

  it.each([
    [{ metrics: [] }, "#/metrics"],
    [{ metrics: ["visitors", "visitors"] }, "multiple times"],
    [
      { metrics: ["visitors"], dimensions: ["time:day", "visit:source", "event:page"] },
      "Querying `time:day`, `visit:source`, `event:page` together is not supported",
    ],
    [
      { metrics: ["visitors"], dimensions: ["time:day", "time:week"] },
      "Querying `time:day`, `time:week` together is not supported",
    ],
    [{ metrics: ["visitors"], dimensions: ["event:page", "event:page"] }, "listed multiple times"],
    [
      { metrics: ["visitors"], dimensions: ["time:hour", "event:page"], date_range: "30d" },
      "at most 200 time buckets",
    ],
    [
      { metrics: ["bounce_rate"], dimensions: ["time:day", "visit:source"] },
      "`bounce_rate` with dimensions `time:day`, `visit:source`",
    ],
    [{ metrics: ["percentage"], dimensions: ["time:week"] }, "non-time dimensions"],
    [{ metrics: ["visitors"], dimensions: ["visit:city"] }, "`visit:city` is not supported"],
    [{ metrics: ["visitors"], dimensions: ["nope"] }, 'Invalid dimension "nope"'],
    [{ metrics: ["percentage"] }, "`percentage` can only be queried with non-time dimensions"],
    [{ metrics: ["events"], dimensions: ["time:day"] }, "`events` with dimension `time:day`"],
    [{ metrics: ["visitors"], include: { comparisons: {} } }, "#/include/comparisons"],
    [{ metrics: ["visitors"], include: { time_labels: true } }, "requires a time dimension"],
    [
      { metrics: ["visitors"], order_by: [["pageviews", "desc"]] },
      "Entry is not a queried metric or dimension",
    ],
    [{ metrics: ["visitors"], pagination: { limit: 0 } }, "#/pagination/limit"],
    [{ metrics: ["visitors"], filters: [["or", []]] }, "operator `or` is not supported"],
    [{ metrics: ["visitors"], filters: [["is", "visit:city", ["x"]]] }, "filter dimension"],
    [
      { metrics: ["visitors"], filters: [["is", "event:page", ["/"], { case_sensitive: false }]] },
      "modifiers",
    ],
    [{ metrics: ["visitors"], dimensions: ["time:hour"], date_range: "91d" }, "at most 62 days"],
    [{ metrics: ["visitors"], extra: 1 }, "Unknown property `extra`"],
  ])("refuses %j", (body, message) => {
    expect(() => parse(body)).toThrow(StatsQueryError);
    expect(() => parse(body)).toThrow(message);
  });
});

describe("answerStatsQuery", () => {
  const overview = {
    pageviews: 10,
    visitors: 4,
    sessions: 5,
    bounceRate: 0.4,
    avgDurationMs: 61_500,
    viewsPerSession: 2,
    events: 3,
  };
  const reads = (rows: number, sample?: number): StatsReads => ({
    overview: async () => ({ ...overview, ...(sample ? { sample: { fraction: sample } } : {}) }),
    timeseries: async () => ({ points: [] }),
    breakdown: async () => ({
      rows: Array.from({ length: rows }, (_, i) => ({
        key: `/p${i}`,
        visitors: rows - i,
        pageviews: i,
        sessions: rows - i,
        events: 0,
      })),
    }),
    goals: async () => ({ visitors: 4, goals: [] }),
  });
  const run = (body: Record<string, unknown>, rows = 3, sample?: number) =>
    answerStatsQuery(
      parseStatsQuery({ site_id: "a.com", date_range: "7d", ...body }, NY, NOW),
      reads(rows, sample),
    );

  it("puts figures in Plausible's units, and says when they come from a sample", async () => {
    const answer = await run(
      { metrics: ["bounce_rate", "visit_duration", "views_per_visit", "events"] },
      3,
      0.25,
    );
    expect(answer.results).toEqual([{ metrics: [40, 62, 2, 13], dimensions: [] }]);
    expect(answer.meta).toEqual({ sample_fraction: 0.25 });
  });

  it("sorts by order_by and pages the sorted rows", async () => {
    const answer = await run({
      metrics: ["visitors", "pageviews"],
      dimensions: ["event:page"],
      order_by: [["pageviews", "desc"]],
      pagination: { limit: 2, offset: 0 },
    });
    expect(answer.results.map((r) => r.dimensions[0])).toEqual(["/p2", "/p1"]);
  });

  it("splits a query with two dimensions into one read per bucket or per value, filtered to it", async () => {
    const calls: unknown[] = [];
    const recording: StatsReads = {
      ...reads(0),
      breakdown: async (args) => {
        calls.push(args);
        const source = args.filters?.find(([, d]) => d === "source")?.[2][0];
        const rows =
          args.dimension === "source"
            ? ["google.com", "Direct / None"]
            : source === "google.com"
              ? ["/a"]
              : ["/a", "/b"];
        return {
          rows: rows.map((key, i) => ({
            key,
            visitors: 2 - i,
            pageviews: 3,
            sessions: 2,
            events: 0,
          })),
        };
      },
    };
    const answer = await answerStatsQuery(
      parseStatsQuery(
        {
          site_id: "a.com",
          date_range: "7d",
          metrics: ["visitors"],
          dimensions: ["event:page", "visit:source"],
          filters: [["is", "visit:country", ["US"]]],
        },
        NY,
        NOW,
      ),
      recording,
    );
    expect(calls).toMatchObject([
      { dimension: "source", filters: [["is", "country", ["US"]]], limit: MAX_BREAKDOWN_LIMIT },
      {
        dimension: "page",
        filters: [
          ["is", "country", ["US"]],
          ["is", "source", ["google.com"]],
        ],
      },
      {
        dimension: "page",
        filters: [
          ["is", "country", ["US"]],
          ["is", "source", ["Direct / None"]],
        ],
      },
    ]);
    // Visitors descending, ties by the dimensions in their order.
    expect(answer.results).toEqual([
      { metrics: [2], dimensions: ["/a", "Direct / None"] },
      { metrics: [2], dimensions: ["/a", "google.com"] },
      { metrics: [1], dimensions: ["/b", "Direct / None"] },
    ]);
  });

  it("answers a breakdown past the read's 100 rows only in the read's own order", async () => {
    const top = await run(
      { metrics: ["visitors"], dimensions: ["event:page"], pagination: { limit: 5 } },
      MAX_BREAKDOWN_LIMIT,
    );
    expect(top.results).toHaveLength(5);
    await expect(
      run(
        { metrics: ["visitors"], dimensions: ["event:page"], order_by: [["visitors", "asc"]] },
        MAX_BREAKDOWN_LIMIT,
      ),
    ).rejects.toThrow(/more than 100 values/);
    await expect(
      run(
        {
          metrics: ["visitors"],
          dimensions: ["event:page"],
          pagination: { limit: 50, offset: 60 },
        },
        MAX_BREAKDOWN_LIMIT,
      ),
    ).rejects.toThrow(/offset \+ limit/);
    // Asked for no order, page or total: the top rows, and a warning that there are more.
    const plain = await run(
      { metrics: ["visitors"], dimensions: ["event:page"] },
      MAX_BREAKDOWN_LIMIT,
    );
    expect(plain.results).toHaveLength(MAX_BREAKDOWN_LIMIT);
    expect(plain.meta.warning).toMatch(/top 100 values of `event:page`/);
  });
});
