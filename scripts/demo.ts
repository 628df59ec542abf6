// `npm run demo`: convex-analytics end to end on an embedded in-memory backend, no Convex
// account needed. Imports the real 10,000-line access log in data/ (moved in
// time so it ends a minute ago) through the admin facade, with goals and a funnel, waits for
// the workers, and prints what the dashboard would show.
//
//   npm run demo                  import, aggregate, print the report, then serve the
//                                 dashboard at http://localhost:4300 with live visitors
//   npm run demo -- --print       import, aggregate, print the report and exit
//   PORT=5000 npm run demo        another port (0: any free port)
//   npm run demo -- --no-live     serve without the synthetic visitors (the browser test)
//   npm run demo -- --long-tail   serve a long-tail site instead (Zipf-popular posts, far more
//                                 distinct pages than a leaderboard keeps; its browser test)
import { fileURLToPath } from "node:url";
import { accessLogToEvents, MAX_IMPORT_BATCH } from "../src/client/accessLog.js";
import type { Breakdown, FunnelReport, GoalsReport, Overview } from "../src/client/types.js";
import { createEmbeddedBackend, waitForAggregation } from "../harness/embedded.js";
import { startDemoServer } from "./demo/server.js";
import { startSyntheticVisitors } from "./demo/visitors.js";
import { readLogFile, SAMPLE_LOG_PATH } from "./sample-log.js";
import { DAY_MS } from "../src/component/lib/limits.js";
import { longTailEvents, type LongTailOptions } from "./bench/longtailWorkload.js";

const DEFAULT_PORT = 4300;

const LOG_DOMAIN = "semicomplete.com";

/**
 * The demo site's goals: the log's signups (and the pro ones among them), the live visitors'
 * checkouts, and reading any article of the site.
 */
const DEMO_GOALS = [
  { name: "Signup", kind: "event", eventName: "signup" },
  { name: "Pro signup", kind: "event", eventName: "signup", property: "plan", value: "pro" },
  { name: "Checkout", kind: "event", eventName: "checkout" },
  { name: "Read an article", kind: "page", pathPattern: "/articles/*" },
] as const;

/** The demo's funnel: goals by name, in order (scripts/demo/visitors.ts follows it). */
const DEMO_FUNNEL = {
  name: "Signup to checkout",
  steps: ["Read an article", "Signup", "Checkout"],
} as const;

/** Every CHECKOUT_EVERY-th of the log's signups checks out a minute later, in the same visit. */
const CHECKOUT_EVERY = 3;

/** Every SIGNUP_EVERY-th of the log's pageviews has a signup after it. */
const SIGNUP_EVERY = 25;
const isArticle = (url: string) => new URL(url).pathname.startsWith("/articles/");

/**
 * The pageviews a signup follows: one per SIGNUP_EVERY views, every other one moved on to
 * the next article read, as readers are the ones who sign up (the funnel's first steps).
 */
function signupViews<T extends { url: string }>(views: T[]): T[] {
  const used = new Set<number>();
  const next = (from: number, fits: (view: T) => boolean) => {
    let i = from;
    while (i < views.length && (used.has(i) || !fits(views[i]!))) i++;
    return i < views.length ? i : null;
  };
  const picked: T[] = [];
  for (let i = 0; i < views.length; i += SIGNUP_EVERY) {
    const article = (i / SIGNUP_EVERY) % 2 === 0 ? next(i, (v) => isArticle(v.url)) : null;
    const index = article ?? next(i, () => true) ?? i;
    used.add(index);
    picked.push(views[index]!);
  }
  return picked;
}

export async function seedDemo() {
  const backend = createEmbeddedBackend();
  const { admin, api } = backend;
  const { siteId, writeKey } = await admin.mutation(api.analytics.createSite, {
    slug: "semicomplete",
    name: "semicomplete.com (May 2015 access log)",
    domain: LOG_DOMAIN,
  });
  const { events, counts } = await accessLogToEvents(readLogFile(SAMPLE_LOG_PATH), {
    domain: LOG_DOMAIN,
  });
  const shift = Date.now() - 60_000 - Math.max(...events.map((e) => e.ts));
  const shifted = events.map((event) => ({ ...event, ts: event.ts + shift }));
  // The log has pageviews only: give every 25th visit a signup, so the events panel and its
  // property drill-down have something real to show, and a third of those a checkout, so the
  // funnel (article → signup → checkout, in one visit) has all its steps.
  const signups = signupViews(shifted).map((view, i) => ({
    type: "event" as const,
    id: `signup-${view.id}`,
    ts: view.ts + 20_000,
    visitorId: view.visitorId,
    sessionId: view.sessionId,
    url: view.url,
    name: "signup",
    props: { plan: i % 3 === 0 ? "pro" : "free" },
  }));
  const checkouts = signups
    .filter((_, i) => i % CHECKOUT_EVERY === 0)
    .map((signup) => ({
      ...signup,
      id: `checkout-${signup.id}`,
      ts: signup.ts + 60_000,
      name: "checkout",
    }));
  const all: object[] = [...shifted, ...signups, ...checkouts];
  let accepted = 0;
  for (let i = 0; i < all.length; i += MAX_IMPORT_BATCH) {
    const result = await admin.mutation(api.analytics.importEvents, {
      siteId,
      events: all.slice(i, i + MAX_IMPORT_BATCH),
    });
    accepted += result.accepted;
  }
  const goalIds = new Map<string, string>();
  for (const goal of DEMO_GOALS) {
    const { goalId } = await admin.mutation(api.analytics.createGoal, { siteId, ...goal });
    goalIds.set(goal.name, goalId);
  }
  await admin.mutation(api.analytics.createFunnel, {
    siteId,
    name: DEMO_FUNNEL.name,
    steps: DEMO_FUNNEL.steps.map((name) => goalIds.get(name)!),
  });
  const health = await waitForAggregation(backend, siteId);
  return {
    backend,
    siteId,
    writeKey,
    counts,
    accepted,
    health,
    range: { from: Date.now() - 7 * DAY_MS, to: Date.now() },
  };
}

/**
 * The long-tail demo's log: five months of posts with Zipf popularity over 4,000 paths, in the
 * days before today (local time), so the page's "Last 12 months" reads whole months through
 * their leaderboards. Deterministic for a given day: its browser test recomputes the top pages.
 */
export function longTailDemoLog(): LongTailOptions {
  const today = new Date().setHours(0, 0, 0, 0);
  return {
    start: today - 150 * DAY_MS,
    days: 149,
    events: 5_000,
    pages: 4_000,
    sources: 300,
    visitors: 4_000,
  };
}

/** A long-tail site (`--long-tail`): its log imported, aggregated and compacted. */
export async function seedLongTailDemo() {
  const backend = createEmbeddedBackend();
  const { admin, api } = backend;
  const { siteId, writeKey } = await admin.mutation(api.analytics.createSite, {
    slug: "longtail",
    name: "A long tail of posts",
    domain: "example.com",
  });
  const events = longTailEvents(longTailDemoLog());
  for (let i = 0; i < events.length; i += MAX_IMPORT_BATCH)
    await admin.mutation(api.analytics.importEvents, {
      siteId,
      events: events.slice(i, i + MAX_IMPORT_BATCH),
    });
  await waitForAggregation(backend, siteId);
  // What the compact cron does: merge closed buckets and write their leaderboards.
  while ((await admin.mutation(api.analytics.runMaintenance, { siteId })).more);
  return { backend, siteId, writeKey, accepted: events.length };
}

function table(title: string, breakdown: Breakdown) {
  console.log(`\n${title}`);
  for (const row of breakdown.rows) {
    console.log(
      `  ${String(row.visitors).padStart(5)} visitors  ${String(row.pageviews).padStart(5)} views  ${row.key}`,
    );
  }
}

function printOverview(overview: Overview) {
  const percent = (x: number) => `${(100 * x).toFixed(1)} %`;
  console.log(`  pageviews        ${overview.pageviews}`);
  console.log(`  visitors         ${overview.visitors}`);
  console.log(`  sessions         ${overview.sessions}`);
  console.log(`  bounce rate      ${percent(overview.bounceRate)}`);
  console.log(`  avg duration     ${(overview.avgDurationMs / 1000).toFixed(1)} s`);
  console.log(`  views / session  ${overview.viewsPerSession.toFixed(2)}`);
}

function printGoals(report: GoalsReport) {
  console.log(`\nGoals`);
  for (const goal of report.goals) {
    console.log(
      `  ${String(goal.visitors).padStart(5)} converted  ${String(goal.events).padStart(5)} times  ${(100 * goal.conversionRate).toFixed(1).padStart(5)} %  ${goal.name}`,
    );
  }
}

function printFunnel(report: FunnelReport) {
  console.log(`\nFunnel: ${report.name} (${report.visitors} visitors)`);
  report.steps.forEach((step, i) => {
    console.log(
      `  ${i + 1}. ${String(step.visitors).padStart(5)} visitors  ${(100 * step.conversionRate).toFixed(1).padStart(5)} %  -${String(step.dropOff).padEnd(5)} ${step.name}`,
    );
  });
}

async function serve(
  backend: Awaited<ReturnType<typeof seedDemo>>["backend"],
  siteId: string,
  writeKey: string,
) {
  const port = process.env.PORT === undefined ? DEFAULT_PORT : Number(process.env.PORT);
  const { server, url } = await startDemoServer(backend, siteId, writeKey, port);
  console.log(`\nDashboard: ${url}  (Ctrl-C stops)`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  server.close();
  console.log("demo stopped");
}

async function main() {
  if (process.argv.includes("--long-tail")) {
    const started = Date.now();
    const { backend, siteId, writeKey, accepted } = await seedLongTailDemo();
    console.log(
      `convex-analytics demo: a long tail of ${accepted} pageviews, aggregated and compacted in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    return await serve(backend, siteId, writeKey);
  }
  const started = Date.now();
  const { backend, siteId, writeKey, counts, accepted, health, range } = await seedDemo();
  const { admin, api } = backend;
  console.log(
    `convex-analytics demo: ${counts.lines.toLocaleString("en")} log lines → ${counts.imported} pageviews imported (+ ${accepted - counts.imported} signup and checkout events)`,
  );
  console.log(
    `  (${counts.bots} bot lines and ${counts.notPages} asset/non-page lines left out, ${counts.unparsed} unparsed)`,
  );
  console.log(
    `  aggregated in ${((Date.now() - started) / 1000).toFixed(1)} s; pending ${health.pendingEvents}, failed ${health.failedEvents}`,
  );
  console.log(`\nLast 7 days`);
  printOverview(await admin.query(api.analytics.getOverview, { siteId, ...range }));
  table(
    "Top pages",
    await admin.query(api.analytics.getBreakdown, {
      siteId,
      ...range,
      dimension: "page",
      limit: 5,
    }),
  );
  table(
    "Top sources",
    await admin.query(api.analytics.getBreakdown, {
      siteId,
      ...range,
      dimension: "source",
      limit: 5,
    }),
  );
  table(
    "Browsers",
    await admin.query(api.analytics.getBreakdown, {
      siteId,
      ...range,
      dimension: "browser",
      limit: 5,
    }),
  );
  printGoals(await admin.query(api.analytics.getGoals, { siteId, ...range }));
  for (const funnel of await admin.query(api.analytics.listFunnels, { siteId }))
    printFunnel(
      await admin.query(api.analytics.getFunnel, { siteId, funnelId: funnel.funnelId, ...range }),
    );
  if (process.argv.includes("--print")) return;

  const port = process.env.PORT === undefined ? DEFAULT_PORT : Number(process.env.PORT);
  const { server, url } = await startDemoServer(backend, siteId, writeKey, port);
  const live = !process.argv.includes("--no-live");
  const stopVisitors = live ? startSyntheticVisitors(backend, writeKey, LOG_DOMAIN) : () => {};
  console.log(
    `\nDashboard: ${url}  (${live ? "live synthetic visitors are arriving; " : ""}Ctrl-C stops)`,
  );
  console.log(`Sample site with the script-tag tracker: ${url}/site/`);
  // Plausible's protocols (registerPlausibleRoutes): its trackers post to /api/event, its
  // Stats API v2 clients read /api/v2/query with this key.
  const { key } = await backend.admin.mutation(backend.api.analytics.createStatsKey, {
    siteIds: [siteId],
    name: "demo",
  });
  console.log(`Plausible Events API: ${url}/api/event  (site domain ${LOG_DOMAIN})`);
  console.log(
    `Plausible Stats API v2: curl -X POST ${url}/api/v2/query -H 'Authorization: Bearer ${key}' -d '{"site_id":"${LOG_DOMAIN}","metrics":["visitors","pageviews"],"date_range":"7d"}'`,
  );
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  stopVisitors();
  server.close();
  console.log("demo stopped");
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().then(
    // The embedded backend's scheduled workers hold timers: exit rather than wait for them.
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
