// @vitest-environment node
// The demo in a real browser: `npm run demo` on a free port, Debian Chromium through
// playwright-core. Behaviour, checked against the read API: the KPIs shown equal getOverview
// for the range a keyboard shortcut picked, comparison deltas equal two getOverview calls, the
// realtime view shows a visit to the sample site within 10 s, a 3 s network outage heals
// without a click, the exported CSV equals getBreakdown, the goals panel equals getGoals (its
// CSV and its compared rates too), the back button restores the range, hidden views stop
// polling; and layout: no KPI row with an empty cell, no clipped tab, 44 px touch targets and
// the chart above the fold on a phone. Screenshots go to docs/.
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { chromium, type Browser, type Page, type Request } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GoalsReport, Overview } from "../../src/client/types.js";
import { breakdownCsv, goalsCsv } from "../../src/react/model/csv.js";
import { pointsDelta } from "../../src/react/model/format.js";
import { isEmptyPeriod } from "../../src/react/panels/KpiRow.js";
import { KPIS } from "../../src/react/model/metrics.js";
import { CHROMIUM, CHROMIUM_ARGS, humanContext } from "./chromium.js";
import {
  allLoaded,
  DEMO_START_TIMEOUT_MS,
  demoQuery,
  expectGoalsPanelToMatch,
  expectKpisToMatch,
  kpisReady,
  ROOT,
  startDemo,
  type Demo,
  rangeReadArgs,
} from "./demo.js";

const ARTIFACTS = `${ROOT}test-artifacts`;
const DOCS = `${ROOT}docs`;

let demo: Demo | undefined;
let url: string;
let browser: Browser;

const query = (name: string, args: unknown) => demoQuery<unknown>(url, name, args);

function queryRequest(
  page: Page,
  name: string,
  predicate: (args: Record<string, unknown>) => boolean = () => true,
) {
  return page.waitForRequest((request: Request) => {
    if (!request.url().endsWith("/demo/query")) return false;
    const body = JSON.parse(request.postData() ?? "{}") as {
      name: string;
      args: Record<string, unknown>;
    };
    return body.name === name && predicate(body.args);
  });
}

const argsOf = (request: Request) =>
  (JSON.parse(request.postData()!) as { args: Record<string, unknown> }).args;

/** Each KPI's delta as the page must show it, from the two getOverview results. */
async function expectDeltasToMatch(page: Page, current: Overview, previous: Overview) {
  for (const kpi of KPIS) {
    const expected =
      isEmptyPeriod(current) || isEmptyPeriod(previous)
        ? "—"
        : kpi.delta(current[kpi.key] ?? 0, previous[kpi.key] ?? 0).text;
    await expect
      .poll(() => page.locator(`[data-kpi="${kpi.key}"] .cxa-delta`).textContent())
      .toBe(expected);
  }
}

const overviewArgs = (page: Page, predicate: (args: Record<string, unknown>) => boolean) =>
  rangeReadArgs(page, "analytics:getOverview", predicate);

/** The KPI row fills every cell of its grid: the last card ends where the row ends. */
async function expectKpiRowFull(page: Page) {
  const gaps = await page.evaluate(() => {
    const row = document.querySelector('[aria-label="Key figures"]')!.getBoundingClientRect();
    const cards = [...document.querySelectorAll('[aria-label="Key figures"] > .cxa-kpi')];
    const last = cards[cards.length - 1]!.getBoundingClientRect();
    return {
      right: Math.round(row.right - last.right),
      bottom: Math.round(row.bottom - last.bottom),
    };
  });
  expect(Math.abs(gaps.right)).toBeLessThanOrEqual(2);
  expect(Math.abs(gaps.bottom)).toBeLessThanOrEqual(2);
}

describe("the demo dashboard in Chromium", () => {
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      if (process.env.CI)
        throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium`);
      return;
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    demo = await startDemo();
    url = demo.url;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, DEMO_START_TIMEOUT_MS + 30_000);

  afterAll(async () => {
    await browser?.close();
    demo?.process.kill("SIGINT");
  });

  it("keyboard shortcuts pick ranges whose KPIs equal getOverview; back restores; views no longer shown stop polling", async (context) => {
    if (!browser) return context.skip();
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const firstOverview = overviewArgs(page, () => true);
    await page.goto(url);
    const weekArgs = await firstOverview;
    await expectKpisToMatch(page, (await query("analytics:getOverview", weekArgs)) as Overview);
    await expectKpiRowFull(page);
    const activeQueries = () =>
      page.evaluate(() =>
        (
          window as unknown as { demoClient: { activeQueries(): number } }
        ).demoClient.activeQueries(),
      );
    // Settled: a breakdown's part of today subscribes once its closed part has answered.
    let freshQueries = await activeQueries();
    for (let settled = 0; settled < 3;) {
      await page.waitForTimeout(300);
      const now = await activeQueries();
      settled = now === freshQueries ? settled + 1 : 0;
      freshQueries = now;
    }

    // T: the last 30 days, and the figures follow; the URL says so.
    const monthArgs = overviewArgs(
      page,
      (args) => (args.to as number) - (args.from as number) > 20 * 86_400_000,
    );
    await page.keyboard.press("t");
    await expectKpisToMatch(
      page,
      (await query("analytics:getOverview", await monthArgs)) as Overview,
    );
    expect(new URL(page.url()).searchParams.get("period")).toBe("30d");

    // C opens the custom range on the dates shown; keys typed into its inputs are not shortcuts.
    await page.keyboard.press("c");
    await page.waitForURL(/period=custom/);
    await page.getByLabel("From").focus();
    await page.keyboard.press("y");
    expect(new URL(page.url()).searchParams.get("period")).toBe("custom");
    await page.locator("body").click({ position: { x: 5, y: 5 } });

    // E (yesterday), then ←: the day before, as a custom range; back returns to yesterday.
    await page.keyboard.press("e");
    await page.waitForURL(/period=yesterday/);
    await page.keyboard.press("ArrowLeft");
    await page.waitForURL(/period=custom/);
    await page.goBack();
    await page.waitForURL(/period=yesterday/);

    // A few tabs and ranges later, back on the first view: no more queries than at first.
    await page.getByRole("tab", { name: "Entry pages" }).click();
    await page.getByRole("tab", { name: "Campaign" }).click();
    // Shortcuts go to the page, not to the tab just clicked.
    await page.locator("body").click({ position: { x: 5, y: 5 } });
    await page.keyboard.press("m");
    await page.waitForURL(/period=month/);
    await page.keyboard.press("l");
    await page.waitForURL(/period=12mo/);
    await page.keyboard.press("w");
    await page.waitForURL((u) => (u.searchParams.get("period") ?? "7d") === "7d");
    await page.getByRole("tab", { name: "Top pages" }).click();
    await page.getByRole("tab", { name: "Sources", exact: true }).click();
    await kpisReady(page);
    await expect.poll(activeQueries, { timeout: 10_000 }).toBe(freshQueries);

    // A click on the chart leaves no focus box around it.
    await page.locator(".cxa-chart svg").first().click();
    const outline = await page.evaluate(() => {
      const focused = document.activeElement as Element;
      return focused.closest(".cxa-chart") && !focused.matches(":focus-visible")
        ? getComputedStyle(focused).outlineStyle
        : "none";
    });
    expect(outline).toBe("none");
    await page.close();
  }, 120_000);

  it("comparison deltas equal two getOverview calls: previous period, then year over year", async (context) => {
    if (!browser) return context.skip();
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${url}/?period=today`);
    const todayArgs = await overviewArgs(page, () => true);
    await kpisReady(page);

    const previousArgs = overviewArgs(page, (args) => args.to === todayArgs.from);
    await page.getByLabel("Compare").selectOption("previous");
    const [current, previous] = (await Promise.all([
      query("analytics:getOverview", todayArgs),
      query("analytics:getOverview", await previousArgs),
    ])) as [Overview, Overview];
    expect(isEmptyPeriod(previous)).toBe(false);
    await expectDeltasToMatch(page, current, previous);

    const yearAgo = (ms: number) => {
      const d = new Date(ms);
      d.setFullYear(d.getFullYear() - 1);
      return d.getTime();
    };
    const yearArgs = overviewArgs(page, (args) => args.from === yearAgo(todayArgs.from as number));
    await page.getByLabel("Compare").selectOption("year");
    const lastYear = (await query("analytics:getOverview", await yearArgs)) as Overview;
    await expectDeltasToMatch(page, current, lastYear);
    expect(new URL(page.url()).searchParams.get("comparison")).toBe("year");
    await page.close();
  }, 60_000);

  it("a 3 s network outage heals without a click", async (context) => {
    if (!browser) return context.skip();
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(url);
    await kpisReady(page);
    await page.route("**/demo/query", (route) => route.abort("internetdisconnected"));
    await page.keyboard.press("d"); // a new range asked for while offline
    await page.waitForTimeout(3_000);
    await page.unroute("**/demo/query");
    const todayArgs = await overviewArgs(page, () => true);
    await expectKpisToMatch(page, (await query("analytics:getOverview", todayArgs)) as Overview);
    expect(await page.getByRole("alert").count()).toBe(0);
    await page.close();
  }, 60_000);

  it("exports a breakdown as the CSV of getBreakdown, and the time series of the range", async (context) => {
    if (!browser) return context.skip();
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(url);
    await kpisReady(page);
    const exportRequest = queryRequest(
      page,
      "analytics:getBreakdown",
      (args) => args.dimension === "page" && args.limit === 100,
    );
    const download = page.waitForEvent("download");
    await page.getByRole("button", { name: "Export Top pages as CSV" }).click();
    const args = argsOf(await exportRequest);
    const breakdown = (await query("analytics:getBreakdown", args)) as {
      rows: Parameters<typeof breakdownCsv>[1];
    };
    const file = await (await download).path();
    expect(readFileSync(file, "utf8")).toBe(breakdownCsv("page", breakdown.rows));
    expect(breakdown.rows.length).toBeGreaterThan(10);

    const series = page.waitForEvent("download");
    await page.locator(".cxa-chart-card").getByRole("button", { name: "Export CSV" }).click();
    const lines = readFileSync(await (await series).path(), "utf8")
      .trim()
      .split("\r\n");
    expect(lines[0]).toBe("time,visitors,pageviews,sessions,bounce_rate,avg_duration_ms");
    expect(lines).toHaveLength(8); // a header and the 7 days
    await page.close();
  }, 60_000);

  it("the goals panel shows getGoals for the range, compares its rates, and exports its rows", async (context) => {
    if (!browser) return context.skip();
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const overviewRequest = overviewArgs(page, () => true);
    const goalsRequest = rangeReadArgs(page, "analytics:getGoals");
    await page.goto(url);
    const args = await goalsRequest;
    expect(args).toEqual(await overviewRequest);
    const report = (await query("analytics:getGoals", args)) as GoalsReport;
    // The demo's goals (scripts/demo.ts), the log's 60 signups among them.
    expect(report.goals.map((goal) => goal.name).sort()).toEqual(
      ["Checkout", "Pro signup", "Read an article", "Signup"].sort(),
    );
    expect(report.goals.find((goal) => goal.name === "Signup")!.events).toBe(60);

    const panel = page.getByRole("region", { name: "Goal conversions" });
    await expectGoalsPanelToMatch(page, report);

    const download = page.waitForEvent("download");
    await panel.getByRole("button", { name: "Export goal conversions as CSV" }).click();
    expect(readFileSync(await (await download).path(), "utf8")).toBe(goalsCsv(report.goals));

    // X compares with the previous period: each rate's change, from a second getGoals.
    const previousRequest = queryRequest(
      page,
      "analytics:getGoals",
      (previous) => previous.to === args.from,
    ).then(argsOf);
    await page.keyboard.press("x");
    const previous = (await query("analytics:getGoals", await previousRequest)) as GoalsReport;
    const expected = report.goals.map((goal) => {
      const before = previous.goals.find((p) => p.goalId === goal.goalId)!;
      return report.visitors === 0 || previous.visitors === 0
        ? "—"
        : pointsDelta(goal.conversionRate, before.conversionRate, 1).text;
    });
    await expect
      .poll(() => panel.locator(".cxa-rate-delta .cxa-delta").allTextContents())
      .toEqual(expected);
    await page.close();
  }, 60_000);

  it("the realtime view shows a visit to the sample site within 10 s", async (context) => {
    if (!browser) return context.skip();
    // An automated browser sends nothing, and the sample page says so.
    const robot = await browser.newPage();
    await robot.goto(`${url}/site/`);
    expect(await robot.locator("#automated").isVisible()).toBe(true);
    await robot.close();

    const dashboard = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await dashboard.goto(url);
    await kpisReady(dashboard);
    await dashboard.keyboard.press("r");
    await dashboard.getByRole("heading", { name: /per minute, last 30 minutes/ }).waitFor();

    const visitorContext = await humanContext(browser);
    const visitor = await visitorContext.newPage();
    const visitedAt = Date.now();
    await visitor.goto(`${url}/site/pricing`);
    const livePages = dashboard.getByRole("region", { name: "Live pages" });
    await livePages.getByText("/site/pricing").waitFor({ timeout: 10_000 });
    expect(Date.now() - visitedAt).toBeLessThan(10_000);
    expect(
      Number(await dashboard.locator('[data-kpi="realtime"] .cxa-kpi-value').textContent()),
    ).toBeGreaterThanOrEqual(1);
    await dashboard.screenshot({ path: `${ARTIFACTS}/dashboard-realtime.png`, fullPage: true });
    await visitorContext.close();
    await dashboard.close();
  }, 60_000);

  it("drills into events and loads more visits; heartbeats are hidden by default", async (context) => {
    if (!browser) return context.skip();
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(url);
    await kpisReady(page);
    const propertiesRequest = queryRequest(page, "analytics:getEventProperties");
    await page.getByRole("button", { name: "signup: show properties" }).click();
    await page.getByRole("button", { name: "plan", exact: true }).click();
    const propertyArgs = argsOf(await propertiesRequest);
    const properties = (await query("analytics:getEventProperties", propertyArgs)) as {
      rows: { key: string; events: number }[];
    };
    expect(properties.rows.reduce((sum, row) => sum + row.events, 0)).toBe(60);

    const activity = page.locator("section.cxa-panel", {
      has: page.getByRole("heading", { name: "Recent activity" }),
    });
    const visits = activity.locator("tbody tr");
    await expect.poll(() => visits.count()).toBe(10);
    await page.getByRole("button", { name: "Load more" }).click();
    await expect.poll(() => visits.count(), { timeout: 15_000 }).toBe(20);
    await activity.getByRole("tab", { name: "Events" }).click();
    await activity.getByLabel("Show heartbeats").waitFor();
    expect(await activity.locator("tbody .cxa-badge", { hasText: "heartbeat" }).count()).toBe(0);
    await page.close();
  }, 60_000);

  it("lays out without empty cells, clipped tabs or small targets; screenshots", async (context) => {
    if (!browser) return context.skip();
    mkdirSync(DOCS, { recursive: true });
    const desktop = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await desktop.goto(url);
    await allLoaded(desktop);
    await desktop.screenshot({ path: `${DOCS}/dashboard-desktop.png` });
    // Events and goal conversions side by side, as in Plausible: one picture of the two.
    const events = (await desktop.getByRole("region", { name: "Events" }).boundingBox())!;
    const goals = (await desktop.getByRole("region", { name: "Goal conversions" }).boundingBox())!;
    expect(goals.y).toBe(events.y);
    expect(goals.x).toBeGreaterThan(events.x + events.width);
    await desktop.screenshot({
      path: `${DOCS}/dashboard-goals.png`,
      fullPage: true,
      clip: {
        x: events.x - 8,
        y: events.y - 8,
        width: goals.x + goals.width - events.x + 16,
        height: Math.max(events.height, goals.height) + 16,
      },
    });
    await desktop.setViewportSize({ width: 1024, height: 800 });
    await expectKpiRowFull(desktop);
    await desktop.close();

    const dark = await browser.newPage({
      viewport: { width: 1280, height: 900 },
      colorScheme: "dark",
    });
    // Today against yesterday: deltas, an hourly axis and the running hour dashed.
    await dark.goto(`${url}/?period=today&comparison=previous`);
    await allLoaded(dark);
    await dark.screenshot({ path: `${DOCS}/dashboard-dark.png` });
    await dark.close();

    const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await phone.goto(url);
    await kpisReady(phone);
    await expectKpiRowFull(phone);
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      390,
    );
    // The chart starts above the fold.
    const chart = await phone.locator(".cxa-chart-card").boundingBox();
    expect(chart!.y + 120).toBeLessThan(844);
    // Every tab is on screen and tall enough to tap, and so is "Show more".
    const campaign = await phone.getByRole("tab", { name: "Campaign" }).boundingBox();
    expect(campaign!.x + campaign!.width).toBeLessThanOrEqual(390);
    for (const target of await phone.locator(".cxa-tab, .cxa-panel-foot .cxa-link-button").all()) {
      const box = await target.boundingBox();
      expect(box!.height).toBeGreaterThanOrEqual(44);
    }
    await allLoaded(phone);
    await phone.screenshot({ path: `${DOCS}/dashboard-phone.png`, fullPage: true });
    await phone.close();

    const favicon = await fetch(`${url}/favicon.svg`);
    expect(favicon.status).toBe(200);
  }, 90_000);
});
