// The reference counter itself: a hand-worked log with figures derived on paper, then the
// real-traffic fixture, where the reference must be internally consistent and where the
// product's access-log importer must classify every line exactly as the reference does.
import { describe, expect, it } from "vitest";
import { readLogFile, SAMPLE_LOG_PATH } from "../../scripts/sample-log.js";
import { accessLogBatches, accessLogToEvents } from "../../src/client/accessLog.js";
import {
  DIRECT,
  referenceFigures,
  referenceFiltered,
  referencePageviews,
  referenceSessions,
} from "./reference.js";

const HOUR = 3_600_000;
const MIN = 60_000;
const DAY1 = Date.UTC(2024, 2, 1);
const DAY2 = Date.UTC(2024, 2, 2);
const at = (day: number, h: number, m: number) => day + h * HOUR + m * MIN;

const UA_A = "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0";
const UA_B =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36";
const GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";

// Visitors: A = 1.1.1.1 + UA_A, B = 2.2.2.2 + UA_B, D = 4.4.4.4 (a common-log line, no UA).
// Lines are deliberately not in time order.
const TINY = [
  `1.1.1.1 - - [01/Mar/2024:10:00:00 +0000] "GET / HTTP/1.1" 200 900 "https://www.google.com/search?q=x" "${UA_A}"`, // A s1, google.com, counted
  `1.1.1.1 - - [01/Mar/2024:10:20:00 +0000] "GET /?ref=nav HTTP/1.1" 200 900 "https://www.example.com/pricing" "${UA_A}"`, // A s1, "/" again 20 min after its counted view: not counted
  `1.1.1.1 - - [01/Mar/2024:10:10:00 +0000] "GET /pricing HTTP/1.1" 200 900 "https://example.com/" "${UA_A}"`, // A s1, counted
  `1.1.1.1 - - [01/Mar/2024:10:05:00 +0000] "GET /logo.png HTTP/1.1" 200 50 "https://example.com/" "${UA_A}"`, // image: notPages
  `1.1.1.1 - - [01/Mar/2024:10:51:00 +0000] "GET /pricing HTTP/1.1" 200 900 "-" "${UA_A}"`, // 31 min after 10:20: A s2, Direct
  `1.1.1.1 - - [01/Mar/2024:11:21:00 +0000] "GET /pricing HTTP/1.1" 304 - "-" "${UA_A}"`, // exactly 30 min later: same session, counted again
  `2.2.2.2 - - [01/Mar/2024:10:00:00 +0000] "GET /pricing HTTP/1.1" 200 900 "http://www.example.com/" "${UA_B}"`, // B s1, same-site: Direct, bounce
  `66.249.66.1 - - [01/Mar/2024:10:02:00 +0000] "GET / HTTP/1.1" 200 900 "-" "${GOOGLEBOT}"`, // bots
  "",
  `2.2.2.2 - - [01/Mar/2024:23:50:00 +0000] "GET /blog/ HTTP/1.1" 200 900 "https://news.ycombinator.com/item?id=1" "${UA_B}"`, // B s2, starts on day 1
  `2.2.2.2 - - [02/Mar/2024:00:10:00 +0000] "GET /blog/post.html HTTP/1.1" 200 900 "https://example.com/blog/" "${UA_B}"`, // B s2, on day 2
  `4.4.4.4 - - [02/Mar/2024:09:00:00 +0100] "GET /index.php HTTP/1.0" 304 -`, // D s1 at 08:00 UTC, Direct, bounce
  `1.1.1.1 - - [01/Mar/2024:10:12:00 +0000] "POST /login HTTP/1.1" 302 0 "https://example.com/pricing" "${UA_A}"`, // notPages
  `this is not a log line`, // unparsed
  "",
].join("\n");

describe("referenceFigures on a hand-worked log", () => {
  const figures = referenceFigures(TINY, { domain: "example.com", timezone: "UTC" });

  it("classifies every non-empty line", () => {
    expect(figures.counts).toEqual({ lines: 13, imported: 9, bots: 1, notPages: 2, unparsed: 1 });
  });

  it("builds the sessions by hand", () => {
    const sessions = referenceSessions(TINY, { domain: "example.com", timezone: "UTC" }).map(
      (s) => ({
        start: s.start,
        end: s.end,
        counted: s.counted,
        source: s.source,
        paths: s.views.map((v) => `${v.path}${v.counted ? "" : " (dup)"}`),
      }),
    );
    expect(sessions).toEqual([
      {
        start: at(DAY1, 10, 0),
        end: at(DAY1, 10, 20),
        counted: 2,
        source: "google.com",
        paths: ["/", "/pricing", "/ (dup)"],
      },
      {
        start: at(DAY1, 10, 51),
        end: at(DAY1, 11, 21),
        counted: 2,
        source: DIRECT,
        paths: ["/pricing", "/pricing"],
      },
      {
        start: at(DAY1, 10, 0),
        end: at(DAY1, 10, 0),
        counted: 1,
        source: DIRECT,
        paths: ["/pricing"],
      },
      {
        start: at(DAY1, 23, 50),
        end: at(DAY2, 0, 10),
        counted: 2,
        source: "news.ycombinator.com",
        paths: ["/blog/", "/blog/post.html"],
      },
      {
        start: at(DAY2, 8, 0),
        end: at(DAY2, 8, 0),
        counted: 1,
        source: DIRECT,
        paths: ["/index.php"],
      },
    ]);
  });

  it("computes the overview", () => {
    // 5 sessions, 8 counted views, bounces: B s1 and D s1; durations 20 + 30 + 0 + 20 + 0 min.
    expect(figures.range).toEqual({ from: at(DAY1, 10, 0), to: at(DAY2, 9, 0) });
    expect(figures.overview).toEqual({
      pageviews: 8,
      visitors: 3,
      sessions: 5,
      bounceRate: 2 / 5,
      avgDurationMs: (70 * MIN) / 5,
      viewsPerSession: 8 / 5,
      events: 0,
      identifiedUsers: 0,
    });
  });

  it("computes the page and source breakdowns, sorted by visitors then key", () => {
    expect(figures.pages).toEqual([
      { key: "/pricing", visitors: 2, pageviews: 4, sessions: 3, events: 0 },
      { key: "/", visitors: 1, pageviews: 1, sessions: 1, events: 0 },
      { key: "/blog/", visitors: 1, pageviews: 1, sessions: 1, events: 0 },
      { key: "/blog/post.html", visitors: 1, pageviews: 1, sessions: 1, events: 0 },
      { key: "/index.php", visitors: 1, pageviews: 1, sessions: 1, events: 0 },
    ]);
    expect(figures.sources).toEqual([
      { key: DIRECT, visitors: 3, pageviews: 4, sessions: 3, events: 0 },
      { key: "google.com", visitors: 1, pageviews: 2, sessions: 1, events: 0 },
      { key: "news.ycombinator.com", visitors: 1, pageviews: 2, sessions: 1, events: 0 },
    ]);
  });

  it("computes daily points; a session belongs to the day it starts", () => {
    expect(figures.daily).toEqual([
      {
        t: DAY1,
        pageviews: 6,
        visitors: 2,
        sessions: 4,
        bounceRate: 1 / 4,
        avgDurationMs: (70 * MIN) / 4,
      },
      { t: DAY2, pageviews: 2, visitors: 2, sessions: 1, bounceRate: 1, avgDurationMs: 0 },
    ]);
  });

  it("agrees with the importer on the counts and the kept lines", async () => {
    const { events, counts } = await accessLogToEvents(TINY, { domain: "example.com" });
    expect(counts).toEqual(figures.counts);
    expect(events.map((e) => [e.ts, e.visitorId])).toEqual(
      referencePageviews(TINY).views.map((v) => [v.ts, v.visitorId]),
    );
  });

  it("returns empty figures for a log without pageviews, and only does UTC", () => {
    expect(referenceFigures("", { domain: "example.com", timezone: "UTC" })).toMatchObject({
      range: null,
      overview: {
        pageviews: 0,
        visitors: 0,
        sessions: 0,
        bounceRate: 0,
        avgDurationMs: 0,
        viewsPerSession: 0,
      },
      pages: [],
      sources: [],
      daily: [],
      counts: { lines: 0, imported: 0, bots: 0, notPages: 0, unparsed: 0 },
    });
    expect(() =>
      referenceFigures(TINY, { domain: "example.com", timezone: "Europe/Paris" as "UTC" }),
    ).toThrow(/UTC/);
  });
});

describe("referenceFiltered on the hand-worked log", () => {
  const opts = { domain: "example.com", timezone: "UTC" as const };
  const row = (key: string, visitors: number, pageviews: number, sessions: number) => ({
    key,
    visitors,
    pageviews,
    sessions,
    events: 0,
  });

  it("selects the sessions of a source with all their pages", () => {
    // A s1 only: "/" and "/pricing" counted, the "/?ref=nav" repeat not; 10:00 → 10:20.
    expect(referenceFiltered(TINY, opts, { source: "google.com" })).toEqual({
      overview: {
        pageviews: 2,
        visitors: 1,
        sessions: 1,
        bounceRate: 0,
        avgDurationMs: 20 * MIN,
        viewsPerSession: 2,
        events: 0,
      },
      pages: [row("/", 1, 1, 1), row("/pricing", 1, 1, 1)],
      sources: [row("google.com", 1, 2, 1)],
    });
  });

  it("under a page filter counts only the matching views, but bounce and duration stay the session's", () => {
    // A s1 (one /pricing of two counted views), A s2 (two /pricing), B s1 (a bounce).
    expect(referenceFiltered(TINY, opts, { pagePattern: "/pricing" })).toEqual({
      overview: {
        pageviews: 4,
        visitors: 2,
        sessions: 3,
        bounceRate: 1 / 3,
        avgDurationMs: (50 * MIN) / 3,
        viewsPerSession: 4 / 3,
        events: 0,
      },
      pages: [row("/pricing", 2, 4, 3)],
      sources: [row(DIRECT, 2, 3, 2), row("google.com", 1, 1, 1)],
    });
  });

  it("reads * as any run of characters, / included, over the whole path", () => {
    const pagesOf = (pagePattern: string) =>
      referenceFiltered(TINY, opts, { pagePattern }).pages.map((p) => p.key);
    expect(pagesOf("/blog/*")).toEqual(["/blog/", "/blog/post.html"]);
    expect(pagesOf("*post*")).toEqual(["/blog/post.html"]);
    expect(pagesOf("/b*.html")).toEqual(["/blog/post.html"]);
    expect(pagesOf("*.php")).toEqual(["/index.php"]);
    expect(pagesOf("/*")).toEqual(figures().pages.map((p) => p.key));
    expect(pagesOf("/blog")).toEqual([]);
    expect(pagesOf("/blog/.")).toEqual([]); // a dot is a dot
  });

  it("ANDs a source and a page pattern; no filter gives the unfiltered figures", () => {
    expect(
      referenceFiltered(TINY, opts, { source: "google.com", pagePattern: "/pricing" }),
    ).toEqual({
      overview: {
        pageviews: 1,
        visitors: 1,
        sessions: 1,
        bounceRate: 0,
        avgDurationMs: 20 * MIN,
        viewsPerSession: 1,
        events: 0,
      },
      pages: [row("/pricing", 1, 1, 1)],
      sources: [row("google.com", 1, 1, 1)],
    });
    const { overview, pages, sources } = figures();
    expect(referenceFiltered(TINY, opts, {})).toEqual({
      overview: { ...overview, identifiedUsers: undefined },
      pages,
      sources,
    });
  });

  function figures() {
    return referenceFigures(TINY, opts);
  }
});

describe("the real-traffic fixture (semicomplete.com, May 2015)", () => {
  const log = readLogFile(SAMPLE_LOG_PATH);
  const opts = { domain: "semicomplete.com", timezone: "UTC" as const };
  const figures = referenceFigures(log, opts);
  const sum = (rows: { pageviews?: number; sessions?: number }[], key: "pageviews" | "sessions") =>
    rows.reduce((total, row) => total + (row[key] ?? 0), 0);

  it("is internally consistent", () => {
    const { overview, pages, sources, daily, counts, range } = figures;
    expect(counts.lines).toBe(10_000);
    expect(counts.imported + counts.bots + counts.notPages + counts.unparsed).toBe(counts.lines);
    expect(sum(pages, "pageviews")).toBe(overview.pageviews);
    expect(sum(sources, "pageviews")).toBe(overview.pageviews);
    expect(sum(daily, "pageviews")).toBe(overview.pageviews);
    expect(sum(sources, "sessions")).toBe(overview.sessions);
    expect(sum(daily, "sessions")).toBe(overview.sessions);
    expect(sum(pages, "sessions")).toBeGreaterThanOrEqual(overview.sessions);
    expect(overview.pageviews).toBeLessThanOrEqual(counts.imported);
    expect(overview.visitors).toBeLessThanOrEqual(overview.sessions);
    expect(overview.viewsPerSession).toBeCloseTo(overview.pageviews / overview.sessions, 12);
    // Daily bounce and duration figures add back up to the overview's.
    const bounces = daily.reduce((n, p) => n + p.bounceRate * p.sessions, 0);
    expect(bounces).toBeCloseTo(overview.bounceRate * overview.sessions, 6);
    expect(Math.max(...pages.map((p) => p.visitors))).toBeLessThanOrEqual(overview.visitors);
    for (const rows of [pages, sources]) {
      for (let i = 1; i < rows.length; i++) {
        const [a, b] = [rows[i - 1], rows[i]];
        expect(a.visitors > b.visitors || (a.visitors === b.visitors && a.key < b.key)).toBe(true);
      }
    }
    expect(range!.from % HOUR).toBe(0);
    expect(range!.to % HOUR).toBe(0);
    expect(daily.map((p) => p.t)).toEqual([0, 1, 2, 3].map((d) => Date.UTC(2015, 4, 17 + d)));
    // The site's own host, with or without www., is never a source.
    expect(sources.some((s) => /(^|\.)semicomplete\.com$/.test(s.key))).toBe(false);
  });

  it("keeps its figures (pinned so the reference cannot drift unnoticed)", () => {
    expect(figures.counts).toEqual({
      lines: 10_000,
      imported: 1495,
      bots: 2275,
      notPages: 6229,
      unparsed: 1,
    });
    expect(figures.range).toEqual({
      from: Date.UTC(2015, 4, 17, 10),
      to: Date.UTC(2015, 4, 20, 22),
    });
    expect(figures.overview).toMatchObject({
      pageviews: 1389,
      visitors: 911,
      sessions: 1043,
      avgDurationMs: 5639,
    });
    expect(figures.overview.bounceRate).toBeCloseTo(858 / 1043, 12);
  });

  it("keeps its filtered figures, which add up like the unfiltered ones", () => {
    const google = referenceFiltered(log, opts, { source: "google.com" });
    const articles = referenceFiltered(log, opts, { pagePattern: "/articles/*" });
    const both = referenceFiltered(log, opts, { source: "google.com", pagePattern: "/articles/*" });
    expect(google.overview).toMatchObject({ pageviews: 164, visitors: 145, sessions: 155 });
    expect(articles.overview).toMatchObject({ pageviews: 203, visitors: 166, sessions: 179 });
    expect(both.overview).toMatchObject({ pageviews: 47, visitors: 44, sessions: 47 });
    // A source filter keeps the source's row of the unfiltered breakdown whole.
    expect(google.sources).toEqual(figures.sources.filter((s) => s.key === "google.com"));
    expect(articles.pages).toEqual(figures.pages.filter((p) => p.key.startsWith("/articles/")));
    expect(both.sources).toEqual(articles.sources.filter((s) => s.key === "google.com"));
    for (const f of [google, articles, both]) {
      expect(sum(f.pages, "pageviews")).toBe(f.overview.pageviews);
      expect(sum(f.sources, "pageviews")).toBe(f.overview.pageviews);
      expect(sum(f.sources, "sessions")).toBe(f.overview.sessions);
    }
  });

  it("classifies every line exactly as the product's importer does", async () => {
    const { events, counts } = await accessLogToEvents(log, { domain: opts.domain });
    expect(counts).toEqual(figures.counts);
    // Line by line: same kept lines, times, visitors, urls and referrers.
    const views = referencePageviews(log).views;
    expect(events.map((e) => [e.ts, e.visitorId, e.url, e.referrer ?? null])).toEqual(
      views.map((v) => [v.ts, v.visitorId, `https://${opts.domain}${v.target}`, v.referrer]),
    );
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    // Streaming gives the same events in batches the importEvents mutation accepts.
    const sizes: number[] = [];
    for await (const batch of accessLogBatches(log.split("\n"), { domain: opts.domain }))
      sizes.push(batch.events.length);
    expect(sizes).toEqual([500, 500, 495]);
  });
});
