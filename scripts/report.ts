// `npm run report -- <logfile> --domain <host> [--timezone <tz>] [--json]` (contract §6): imports
// an Apache/Nginx access log into an embedded backend (the demo's: the same component code,
// in memory, no account) and prints, for the log's whole range, the overview, the top 10
// pages and sources, the daily series and the import counts. With --json, exactly one JSON
// object { import, overview, pages, sources, days } on stdout.
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { importAccessLog } from "../src/client/importLog.js";
import { createEmbeddedBackend, waitForAggregation } from "../harness/embedded.js";
import { readLogFile } from "./sample-log.js";
import { HOUR_MS, SETTING_BOUNDS } from "../src/component/lib/limits.js";

const USAGE =
  "usage: npm run report -- <logfile> --domain <host> [--timezone <IANA zone>] [--json]";

export async function report(logPath: string, domain: string, timezone: string) {
  const text = readLogFile(logPath);
  const backend = createEmbeddedBackend();
  const { admin, api } = backend;
  const { siteId } = await admin.mutation(api.analytics.createSite, {
    slug: "report",
    name: logPath,
    domain,
    timezone,
  });
  // Keep every raw event of an old log for the whole run: retention is not what is measured.
  await admin.mutation(api.analytics.updateSite, {
    siteId,
    settings: { retentionDays: SETTING_BOUNDS.retentionDays.max },
  });
  const imported = await importAccessLog(admin, api.analytics.importEvents, siteId, text, {
    domain,
  });
  await waitForAggregation(backend, siteId);
  const importFigures = {
    ...imported.counts,
    accepted: imported.accepted,
    duplicates: imported.duplicates,
  };
  if (imported.firstTs === null || imported.lastTs === null) {
    return { import: importFigures, overview: null, pages: [], sources: [], days: [] };
  }
  const range = {
    siteId,
    from: Math.floor(imported.firstTs / HOUR_MS) * HOUR_MS,
    to: Math.floor(imported.lastTs / HOUR_MS) * HOUR_MS + HOUR_MS,
  };
  return {
    import: importFigures,
    overview: await admin.query(api.analytics.getOverview, range),
    pages: (
      await admin.query(api.analytics.getBreakdown, { ...range, dimension: "page", limit: 10 })
    ).rows,
    sources: (
      await admin.query(api.analytics.getBreakdown, { ...range, dimension: "source", limit: 10 })
    ).rows,
    days: (await admin.query(api.analytics.getTimeseries, { ...range, interval: "day" })).points,
  };
}

function printHuman(result: Awaited<ReturnType<typeof report>>) {
  const i = result.import;
  console.log(
    `lines ${i.lines}: imported ${i.imported}, bots ${i.bots}, not pages ${i.notPages}, unparsed ${i.unparsed}`,
  );
  if (!result.overview) return console.log("no pageviews in this log");
  const o = result.overview;
  console.log(`\n${new Date(o.range.from).toISOString()} → ${new Date(o.range.to).toISOString()}`);
  console.log(
    `pageviews ${o.pageviews}  visitors ${o.visitors}  sessions ${o.sessions}  bounce rate ${(100 * o.bounceRate).toFixed(1)} %  avg duration ${(o.avgDurationMs / 1000).toFixed(1)} s`,
  );
  for (const [title, rows] of [
    ["pages", result.pages],
    ["sources", result.sources],
  ] as const) {
    console.log(`\ntop ${title}`);
    for (const row of rows)
      console.log(
        `  ${String(row.visitors).padStart(6)} ${String(row.pageviews).padStart(6)}  ${row.key}`,
      );
  }
  console.log("\ndays");
  for (const day of result.days)
    console.log(
      `  ${new Date(day.t).toISOString().slice(0, 10)}  ${day.pageviews} pageviews, ${day.visitors} visitors, ${day.sessions} sessions`,
    );
}

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      domain: { type: "string" },
      timezone: { type: "string", default: "UTC" },
      json: { type: "boolean", default: false },
    },
  });
  if (positionals.length !== 1 || !values.domain) throw new Error(USAGE);
  const result = await report(positionals[0]!, values.domain, values.timezone!);
  if (values.json) process.stdout.write(JSON.stringify(result) + "\n");
  else printHuman(result);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
