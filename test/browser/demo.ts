// What the browser tests share: the demo started on a free port (`npm run demo -- --no-live`),
// reads straight from its backend (what a page must show), and the KPI row read off a page.
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { expect } from "vitest";
import type { GoalsReport, Overview } from "../../src/client/types.js";
import {
  formatConversionRate,
  formatCount,
  formatDuration,
  formatExact,
  formatPercent,
  formatRatio,
} from "../../src/react/model/format.js";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const DEMO_START_TIMEOUT_MS = 120_000;

export type Demo = { url: string; process: ChildProcess };

/**
 * Starts the demo and resolves with its dashboard's URL once it prints it; `--long-tail` serves
 * the long-tail site instead of the access log's.
 */
export function startDemo(
  args: string[] = ["--no-live"],
  timeoutMs = DEMO_START_TIMEOUT_MS,
): Promise<Demo> {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/demo.ts", ...args], {
    cwd: ROOT,
    env: { ...process.env, PORT: "0" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error(`demo did not start:\n${output}`)), timeoutMs);
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Dashboard: (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[1]!, process: child });
      }
    });
    child.on("exit", (code) => reject(new Error(`demo exited with ${code}:\n${output}`)));
  });
}

/** A read, straight from the demo's backend: what the page must show. */
export async function demoQuery<T>(url: string, name: string, args: unknown): Promise<T> {
  const response = await fetch(`${url}/demo/query`, {
    method: "POST",
    body: JSON.stringify({ name, args }),
  });
  const body = (await response.json()) as { value: T; error?: string };
  if (body.error) throw new Error(body.error);
  return body.value;
}

export async function kpisReady(page: Page) {
  await page.waitForFunction(
    () =>
      document.querySelector('[aria-label="Key figures"]')?.getAttribute("aria-busy") === "false",
  );
}

export async function kpi(page: Page, key: string) {
  const value = page.locator(`[data-kpi="${key}"] .cxa-kpi-value`);
  return { text: (await value.textContent())?.trim(), exact: await value.getAttribute("title") };
}

/** The KPI row shows `overview`'s figures, formatted as the dashboard formats them. */
export async function expectKpisToMatch(page: Page, overview: Overview) {
  await kpisReady(page);
  await expect
    .poll(() => kpi(page, "visitors"))
    .toEqual({ text: formatCount(overview.visitors), exact: formatExact(overview.visitors) });
  expect(await kpi(page, "pageviews")).toEqual({
    text: formatCount(overview.pageviews),
    exact: formatExact(overview.pageviews),
  });
  expect(await kpi(page, "sessions")).toEqual({
    text: formatCount(overview.sessions),
    exact: formatExact(overview.sessions),
  });
  expect((await kpi(page, "bounceRate")).text).toBe(formatPercent(overview.bounceRate));
  expect((await kpi(page, "avgDurationMs")).text).toBe(formatDuration(overview.avgDurationMs));
  expect((await kpi(page, "viewsPerSession")).text).toBe(formatRatio(overview.viewsPerSession));
  const identified = (await kpi(page, "identifiedUsers")).text;
  expect(identified).toBe(
    overview.identifiedUsers === undefined ? "—" : formatCount(overview.identifiedUsers),
  );
}

/** Nothing on the page still loading: for screenshots. */
export async function allLoaded(page: Page) {
  await page.locator(".cxa-chart svg").first().waitFor();
  await page.waitForFunction(
    () => document.querySelectorAll('.cxa-root [aria-busy="true"]').length === 0,
  );
}

/** The goals panel shows `report`'s rows: name, visitors, conversions and rate, in its order. */
export async function expectGoalsPanelToMatch(page: Page, report: GoalsReport) {
  const panel = page.getByRole("region", { name: "Goal conversions" });
  const shownRows = () =>
    panel.locator("tbody tr").evaluateAll((rows) =>
      rows.map((row) => {
        const cells = row.querySelectorAll("td");
        return [
          cells[0]!.textContent,
          cells[1]!.getAttribute("title"),
          cells[2]!.getAttribute("title"),
          cells[3]!.querySelector(".cxa-rate")!.textContent,
        ];
      }),
    );
  await expect
    .poll(shownRows)
    .toEqual(
      report.goals.map((goal) => [
        goal.name,
        formatExact(goal.visitors),
        formatExact(goal.events),
        formatConversionRate(goal.conversionRate),
      ]),
    );
}

type ReadArgs = Record<string, unknown>;

/**
 * The whole-range arguments of the page's next `name` read ("analytics:getOverview" or
 * "analytics:getGoals") that `accept` takes. For a range that reaches the present the page reads
 * the closed days and today apart (getRangePart: README "What it costs to run"): its closed
 * part, which ends at today's midnight, gives the range's start, and the range ends at the
 * next whole hour, as the dashboard's ranges do.
 */
export function rangeReadArgs(
  page: Page,
  name: "analytics:getOverview" | "analytics:getGoals",
  accept: (args: ReadArgs) => boolean = () => true,
): Promise<ReadArgs> {
  let found: ReadArgs | undefined;
  const dimension = name === "analytics:getGoals" ? "goals" : "all";
  return page
    .waitForRequest((request) => {
      if (!request.url().endsWith("/demo/query")) return false;
      const body = JSON.parse(request.postData() ?? "{}") as { name: string; args: ReadArgs };
      let args: ReadArgs | undefined;
      if (body.name === name) args = body.args;
      else if (body.name === "analytics:getRangePart" && body.args.dimension === dimension) {
        const midnight = new Date().setHours(0, 0, 0, 0);
        if (body.args.to === midnight) {
          const nextHour = new Date().setMinutes(0, 0, 0) + 3_600_000;
          args = { siteId: body.args.siteId, from: body.args.from, to: nextHour };
        }
      }
      if (!args || !accept(args)) return false;
      found = args;
      return true;
    })
    .then(() => found!);
}
