// Imports an access log into a REAL deployment through the host app's `importEvents`
// admin function (contract §6):
//
//   CONVEX_URL=https://<deployment>.convex.cloud ANALYTICS_AUTH_TOKEN=<JWT of an admin> \
//     npx tsx scripts/import-log.ts <logfile> --site <siteId> --domain <host> [--function analytics:importEvents]
//
// The token is an identity token from the app's own auth provider (Clerk, Auth0, Convex
// Auth…) for a user the host's `adminAuth` accepts: the credential Convex supports for a
// client calling public functions. Event ids derive from the log lines, so an interrupted
// import can simply be run again.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { ConvexHttpClient } from "convex/browser";
import { makeFunctionReference } from "convex/server";
import { importAccessLog, type ImportEventsRef } from "../src/client/importLog.js";

const USAGE =
  "usage: CONVEX_URL=… ANALYTICS_AUTH_TOKEN=… npx tsx scripts/import-log.ts <logfile> --site <siteId> --domain <host>";

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      site: { type: "string" },
      domain: { type: "string" },
      function: { type: "string", default: "analytics:importEvents" },
    },
  });
  const url = process.env.CONVEX_URL;
  const token = process.env.ANALYTICS_AUTH_TOKEN;
  if (positionals.length !== 1 || !values.site || !values.domain || !url || !token)
    throw new Error(USAGE);
  const client = new ConvexHttpClient(url);
  client.setAuth(token);
  const result = await importAccessLog(
    client,
    makeFunctionReference<"mutation">(values.function!) as ImportEventsRef,
    values.site,
    readFileSync(positionals[0]!, "utf8"),
    {
      domain: values.domain,
      onBatch: (progress) =>
        process.stderr.write(`\r${progress.counts.lines} lines, ${progress.accepted} accepted`),
    },
  );
  process.stderr.write("\n");
  console.log(JSON.stringify(result));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
