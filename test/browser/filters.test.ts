// @vitest-environment node
// Filters, goals and the funnel of the demo in a real browser: `npm run demo -- --no-live` on a
// free port, Debian Chromium through playwright-core (as dashboard.test.ts). Checked against
// the read API queried directly with the same filters: a click on a source row filters the
// KPIs to getOverview's figures, the goals' conversion rates are getGoals', the funnel's steps
// getFunnel's; Back removes the filter; the editor works from the keyboard; phone-sized
// targets. Screenshots go to docs/.
import { existsSync, mkdirSync } from "node:fs";
import { chromium, type Browser, type Page, type Request } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type {
  Breakdown,
  Filter,
  Funnel,
  FunnelReport,
  GoalsReport,
  Overview,
} from "../../src/client/types.js";
import { formatConversionRate, formatExact } from "../../src/react/model/format.js";
import { CHROMIUM, CHROMIUM_ARGS } from "./chromium.js";
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

const DOCS = `${ROOT}docs`;
const SOURCE = "google.com";
const SOURCE_FILTER: Filter[] = [["is", "source", [SOURCE]]];

let demo: Demo | undefined;
let url: string;
let browser: Browser;

const query = <T>(name: string, args: unknown) => demoQuery<T>(url, name, args);

type Args = Record<string, unknown>;

/** The arguments of the next read of `name` the page sends that `predicate` accepts. */
function nextArgs(page: Page, name: string, predicate: (args: Args) => boolean) {
  return page
    .waitForRequest((request: Request) => {
      if (!request.url().endsWith("/demo/query")) return false;
      const body = JSON.parse(request.postData() ?? "{}") as { name: string; args: Args };
      return body.name === `analytics:${name}` && predicate(body.args);
    })
    .then((request) => (JSON.parse(request.postData()!) as { args: Args }).args);
}

const filtered = (filters: Filter[]) => (args: Args) =>
  JSON.stringify(args.filters) === JSON.stringify(filters);
const unfiltered = (args: Args) => args.filters === undefined;

const chips = (page: Page) =>
  page
    .locator(".cxa-filter-chip-label")
    .evaluateAll((els) => els.map((el) => el.getAttribute("title")));

describe("filters, goals and the funnel in Chromium", () => {
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      if (process.env.CI)
        throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium`);
      return;
    }
    demo = await startDemo();
    url = demo.url;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, DEMO_START_TIMEOUT_MS + 30_000);

  afterAll(async () => {
    await browser?.close();
    demo?.process.kill("SIGINT");
  });

  it("a click on a source row filters the KPIs to getOverview with that filter; Back removes it", async (context) => {
    if (!browser) return context.skip();
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const firstArgs = rangeReadArgs(page, "analytics:getOverview", unfiltered);
    await page.goto(url);
    const plain = await firstArgs;
    await expectKpisToMatch(page, await query<Overview>("analytics:getOverview", plain));

    // The row says what it has; the filtered KPIs must say the same and match the read API.
    const sources = page.getByRole("region", { name: "Sources" });
    const row = sources.getByRole("button", { name: `Filter: Source is ${SOURCE}` });
    const rowVisitors = await row
      .locator("xpath=ancestor::tr")
      .locator("td.cxa-num")
      .first()
      .getAttribute("title");
    const filteredArgs = nextArgs(page, "getOverview", filtered(SOURCE_FILTER));
    await row.click();
    await page.waitForURL(/[?&]f=is,source,google\.com/);
    const args = await filteredArgs;
    expect(args).toEqual({ ...plain, filters: SOURCE_FILTER });
    const overview = await query<Overview>("analytics:getOverview", args);
    expect(overview.identifiedUsers).toBeUndefined();
    expect(overview.sample?.fraction).toBe(1);
    await expectKpisToMatch(page, overview);
    expect(formatExact(overview.visitors)).toBe(rowVisitors);
    expect(await chips(page)).toEqual([`Source is ${SOURCE}`]);

    // Every panel follows: the sources panel has only the chosen source left.
    const breakdown = await query<Breakdown>("analytics:getBreakdown", {
      ...plain,
      dimension: "source",
      limit: 10,
      filters: SOURCE_FILTER,
    });
    expect(breakdown.rows.map((r) => r.key)).toEqual([SOURCE]);
    await expect.poll(() => sources.locator("tbody tr").count()).toBe(1);

    // Back: the filter is gone, from the URL, the chips and the figures.
    await page.goBack();
    await expect.poll(() => new URL(page.url()).searchParams.getAll("f")).toEqual([]);
    expect(await chips(page)).toEqual([]);
    await expectKpisToMatch(page, await query<Overview>("analytics:getOverview", plain));
    // Forward brings it back.
    await page.goForward();
    await expect.poll(() => chips(page)).toEqual([`Source is ${SOURCE}`]);
    await expectKpisToMatch(page, overview);
    await page.close();
  }, 90_000);

  it("each goal's conversion rate is getGoals' under the same filters", async (context) => {
    if (!browser) return context.skip();
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const goalsArgs = nextArgs(page, "getGoals", filtered(SOURCE_FILTER));
    await page.goto(`${url}/?f=is,source,${SOURCE}`);
    const args = await goalsArgs;
    const report = await query<GoalsReport>("analytics:getGoals", args);
    const overview = await query<Overview>("analytics:getOverview", {
      siteId: args.siteId,
      from: args.from,
      to: args.to,
      filters: SOURCE_FILTER,
    });
    // The rate's denominator is the filtered visitors, and the filter narrows the goals.
    expect(report.visitors).toBe(overview.visitors);
    const unfilteredReport = await query<GoalsReport>("analytics:getGoals", {
      ...args,
      filters: undefined,
    });
    expect(report.visitors).toBeLessThan(unfilteredReport.visitors);
    expect(report.goals.some((goal) => goal.visitors > 0)).toBe(true);

    const panel = page.getByRole("region", { name: "Goal conversions" });
    await expectGoalsPanelToMatch(page, report);

    // A click on a goal adds it as a second filter: the KPIs are its converting visitors.
    const signup = report.goals.find((goal) => goal.name === "Signup")!;
    const both: Filter[] = [...SOURCE_FILTER, ["is", "goal", ["Signup"]]];
    const goalArgs = nextArgs(page, "getOverview", filtered(both));
    await panel.getByRole("button", { name: "Filter: Goal is Signup" }).click();
    const withGoal = await query<Overview>("analytics:getOverview", await goalArgs);
    expect(withGoal.visitors).toBe(signup.visitors);
    await expectKpisToMatch(page, withGoal);
    expect(await chips(page)).toEqual([`Source is ${SOURCE}`, "Goal is Signup"]);
    await page.close();
  }, 60_000);

  it("the funnel's steps are getFunnel's, unfiltered and filtered", async (context) => {
    if (!browser) return context.skip();
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const overviewArgs = rangeReadArgs(page, "analytics:getOverview", unfiltered);
    await page.goto(url);
    const { siteId, from, to } = await overviewArgs;
    const funnels = await query<Funnel[]>("analytics:listFunnels", { siteId });
    // The demo's funnel (scripts/demo.ts).
    expect(funnels.map((f) => [f.name, f.steps.map((s) => s.name)])).toEqual([
      ["Signup to checkout", ["Read an article", "Signup", "Checkout"]],
    ]);
    const panel = page.getByRole("region", { name: "Funnel" });
    const shownSteps = () =>
      panel
        .locator(".cxa-funnel-step")
        .evaluateAll((steps) =>
          steps.map((step) => [
            step.querySelector(".cxa-funnel-name")!.lastChild!.textContent,
            step.querySelector(".cxa-funnel-visitors")!.getAttribute("title"),
            step.querySelector(".cxa-funnel-rate")!.textContent,
            step.querySelector(".cxa-funnel-drop-count")?.getAttribute("title") ?? null,
          ]),
        );
    const expected = (report: FunnelReport) =>
      report.steps.map((step, i) => [
        step.name,
        formatExact(step.visitors),
        formatConversionRate(step.conversionRate),
        i === 0 ? null : formatExact(step.dropOff),
      ]);

    const plain = await query<FunnelReport>("analytics:getFunnel", {
      siteId,
      funnelId: funnels[0]!.funnelId,
      from,
      to,
    });
    // Real numbers at every step: the demo's visits read, sign up and check out in order.
    expect(plain.steps.every((step) => step.visitors > 0)).toBe(true);
    await expect.poll(shownSteps).toEqual(expected(plain));

    // Under a filter: the page's funnel read carries it, and shows what getFunnel says.
    const funnelArgs = nextArgs(page, "getFunnel", filtered(SOURCE_FILTER));
    await page
      .getByRole("region", { name: "Sources" })
      .getByRole("button", { name: `Filter: Source is ${SOURCE}` })
      .click();
    const args = await funnelArgs;
    expect(args).toEqual({
      siteId,
      funnelId: funnels[0]!.funnelId,
      from,
      to,
      filters: SOURCE_FILTER,
    });
    const report = await query<FunnelReport>("analytics:getFunnel", args);
    expect(report.steps[0]!.visitors).toBeLessThan(plain.steps[0]!.visitors);
    await expect.poll(shownSteps).toEqual(expected(report));
    await allLoaded(page);
    mkdirSync(DOCS, { recursive: true });
    await page.screenshot({ path: `${DOCS}/dashboard-filters.png` });
    const box = (await panel.boundingBox())!;
    await page.screenshot({
      path: `${DOCS}/dashboard-funnel.png`,
      fullPage: true,
      clip: { x: box.x - 8, y: box.y - 8, width: box.width + 16, height: box.height + 16 },
    });
    await page.close();
  }, 60_000);

  it("the editor adds a wildcard page filter from the keyboard, and edits it", async (context) => {
    if (!browser) return context.skip();
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(url);
    await kpisReady(page);
    const add = page.getByRole("button", { name: "+ Filter" });
    await add.focus();
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: "Add filter" });
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.id))
      .toBe(await dialog.getByLabel("Filter by").getAttribute("id"));
    await page.keyboard.press("Tab"); // the operator: "is"
    await page.keyboard.press("Tab"); // the first value
    const pattern: Filter[] = [["is", "page", ["/articles/*"]]];
    const args = nextArgs(page, "getOverview", filtered(pattern));
    await page.keyboard.type("/articles/*");
    await page.keyboard.press("Enter");
    await page.waitForURL(/f=is,page,\/articles\/\*/);
    expect(await dialog.count()).toBe(0);
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("+ Filter");
    await expectKpisToMatch(page, await query<Overview>("analytics:getOverview", await args));

    // Escape closes the editor of a chip and gives focus back to the chip.
    const chip = page.getByRole("button", { name: "Edit filter: Page is /articles/*" });
    await chip.click();
    await page.getByRole("dialog", { name: "Edit filter" }).waitFor();
    await page.keyboard.press("Escape");
    expect(await page.getByRole("dialog").count()).toBe(0);
    expect(await page.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe(
      "Edit filter: Page is /articles/*",
    );

    // Editing it to "is not" asks the complement.
    await chip.click();
    const edit = page.getByRole("dialog", { name: "Edit filter" });
    await edit.getByLabel("Operator").selectOption("isNot");
    const notArgs = nextArgs(page, "getOverview", filtered([["isNot", "page", ["/articles/*"]]]));
    await edit.getByRole("button", { name: "Apply" }).click();
    await expectKpisToMatch(page, await query<Overview>("analytics:getOverview", await notArgs));
    expect(await chips(page)).toEqual(["Page is not /articles/*"]);

    // A filter the server refuses is named, and can be removed from the alert.
    await page.goto(`${url}/?f=is,prop:__proto__,1`);
    const alert = page.getByRole("alert");
    await alert.getByText("The server refused the filter “Property __proto__ is 1”").waitFor();
    expect(await alert.textContent()).toContain("filters[0]");
    await alert.getByRole("button", { name: "Remove it" }).click();
    await kpisReady(page);
    expect(await page.getByRole("alert").count()).toBe(0);
    await page.close();
  }, 60_000);

  it("on a phone, chips and rows are 44 px targets and nothing overflows", async (context) => {
    if (!browser) return context.skip();
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await phone.goto(`${url}/?f=is,source,${SOURCE}&f=isNot,page,/blog/*,/projects/*`);
    await allLoaded(phone);
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      390,
    );
    const targets = await phone
      .locator(
        ".cxa-filter-row button, .cxa-filter-chip-remove, .cxa-row-button, .cxa-table .cxa-action button",
      )
      .all();
    expect(targets.length).toBeGreaterThan(20);
    for (const target of targets) {
      const box = (await target.boundingBox())!;
      expect(box.height, (await target.textContent()) ?? "").toBeGreaterThanOrEqual(44);
      expect(box.x + box.width).toBeLessThanOrEqual(390);
    }
    await phone.getByRole("button", { name: "+ Filter" }).click();
    const editor = (await phone.getByRole("dialog", { name: "Add filter" }).boundingBox())!;
    expect(editor.x).toBeGreaterThanOrEqual(0);
    expect(editor.x + editor.width).toBeLessThanOrEqual(390);
    await phone.close();
  }, 60_000);
});
