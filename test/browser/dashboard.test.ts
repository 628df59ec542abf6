// @vitest-environment node
// The demo in a real browser: `npm run demo` on a free port, Debian Chromium through
// playwright-core. The KPIs shown must equal getOverview for the range the page asked for;
// ranges, the compare toggle, a breakdown tab, the event drill-down and "load more" must work.
// Screenshots (desktop and phone width) are written to test-artifacts/.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page, type Request } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatCount, formatDuration, formatPercent, formatRatio } from "../../src/react/format.js";
import { CHROMIUM, CHROMIUM_ARGS } from "./chromium.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const ARTIFACTS = `${ROOT}test-artifacts`;
const DEMO_START_TIMEOUT_MS = 120_000;

type Overview = {
  pageviews: number;
  visitors: number;
  sessions: number;
  bounceRate: number;
  avgDurationMs: number;
  viewsPerSession: number;
};

let demo: ChildProcess;
let url: string;
let browser: Browser;

function startDemo(): Promise<string> {
  demo = spawn(process.execPath, ["--import", "tsx", "scripts/demo.ts", "--no-live"], {
    cwd: ROOT,
    env: { ...process.env, PORT: "0" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(
      () => reject(new Error(`demo did not start:\n${output}`)),
      DEMO_START_TIMEOUT_MS,
    );
    demo.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Dashboard: (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    demo.on("exit", (code) => reject(new Error(`demo exited with ${code}:\n${output}`)));
  });
}

async function query(name: string, args: unknown) {
  const response = await fetch(`${url}/demo/query`, {
    method: "POST",
    body: JSON.stringify({ name, args }),
  });
  const body = (await response.json()) as { value: unknown; error?: string };
  if (body.error) throw new Error(body.error);
  return body.value;
}

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

async function kpi(page: Page, key: string) {
  const value = page.locator(`[data-kpi="${key}"] .cxa-kpi-value`);
  return { text: (await value.textContent())?.trim(), exact: await value.getAttribute("title") };
}

async function expectKpisToMatch(page: Page, overview: Overview) {
  await page.waitForFunction(
    () =>
      document.querySelector('[aria-label="Key figures"]')?.getAttribute("aria-busy") === "false",
  );
  expect(await kpi(page, "visitors")).toEqual({
    text: formatCount(overview.visitors),
    exact: overview.visitors.toLocaleString("en-US"),
  });
  expect(await kpi(page, "pageviews")).toEqual({
    text: formatCount(overview.pageviews),
    exact: overview.pageviews.toLocaleString("en-US"),
  });
  expect(await kpi(page, "sessions")).toEqual({
    text: formatCount(overview.sessions),
    exact: overview.sessions.toLocaleString("en-US"),
  });
  expect((await kpi(page, "bounceRate")).text).toBe(formatPercent(overview.bounceRate));
  expect((await kpi(page, "avgDurationMs")).text).toBe(formatDuration(overview.avgDurationMs));
  expect((await kpi(page, "viewsPerSession")).text).toBe(formatRatio(overview.viewsPerSession));
}

describe("the demo dashboard in Chromium", () => {
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      if (process.env.CI)
        throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium`);
      return;
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    url = await startDemo();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, DEMO_START_TIMEOUT_MS + 30_000);

  afterAll(async () => {
    await browser?.close();
    demo?.kill("SIGINT");
  });

  it("shows getOverview's figures, switches ranges and compare, drills into events, loads more visits", async (context) => {
    if (!browser) return context.skip();
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const firstOverview = queryRequest(page, "analytics:getOverview");
    await page.goto(url);
    const weekArgs = argsOf(await firstOverview);
    await expectKpisToMatch(page, (await query("analytics:getOverview", weekArgs)) as Overview);
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-desktop.png`, fullPage: true });

    // 30 days: a new, wider range, and the figures follow.
    const monthRequest = queryRequest(
      page,
      "analytics:getOverview",
      (args) => (args.to as number) - (args.from as number) > 20 * 86_400_000,
    );
    await page.locator(".cxa-controls select").first().selectOption({ label: "Last 30 days" });
    const monthArgs = argsOf(await monthRequest);
    await expectKpisToMatch(page, (await query("analytics:getOverview", monthArgs)) as Overview);

    // Compare: the overview is asked with compare and each count KPI shows a delta.
    const compareRequest = queryRequest(
      page,
      "analytics:getOverview",
      (args) => args.compare === true,
    );
    await page.getByRole("switch").check();
    expect(argsOf(await compareRequest)).toMatchObject({ ...monthArgs, compare: true });
    await page.locator('[data-kpi="visitors"] .cxa-delta').waitFor();

    // A breakdown tab, then the signup event's property drill-down.
    const entryRequest = queryRequest(
      page,
      "analytics:getBreakdown",
      (args) => args.dimension === "entryPage",
    );
    await page.getByRole("tab", { name: "Entry pages" }).click();
    await entryRequest;
    const propertiesRequest = queryRequest(page, "analytics:getEventProperties");
    await page.getByRole("button", { name: "signup: show properties" }).click();
    await page.getByRole("button", { name: "plan", exact: true }).click();
    const propertyArgs = argsOf(await propertiesRequest);
    expect(propertyArgs).toMatchObject({ eventName: "signup" });
    const properties = (await query("analytics:getEventProperties", propertyArgs)) as {
      rows: { key: string; events: number }[];
    };
    expect(properties.rows.reduce((sum, row) => sum + row.events, 0)).toBe(60);
    for (const row of properties.rows)
      await page.getByText(row.key, { exact: true }).first().waitFor();

    // Visits: 10 rows, then 20 after "Load more".
    const activity = page.locator("section.cxa-panel", {
      has: page.getByRole("heading", { name: "Recent activity" }),
    });
    const visits = activity.locator("tbody tr");
    await expect.poll(() => visits.count()).toBe(10);
    await page.getByRole("button", { name: "Load more" }).click();
    await expect.poll(() => visits.count(), { timeout: 15_000 }).toBe(20);
    await page.close();

    const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await phone.goto(url);
    await phone.waitForFunction(
      () =>
        document.querySelector('[aria-label="Key figures"]')?.getAttribute("aria-busy") === "false",
    );
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      390,
    );
    await phone.screenshot({ path: `${ARTIFACTS}/dashboard-phone.png`, fullPage: true });
    await phone.close();
  }, 120_000);
});
