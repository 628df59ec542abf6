// The bundled real log as the accuracy tests import it: through the product's importer and the
// admin facade, into a site for the log's domain that keeps its 2015 events.
import { api } from "../../example/convex/_generated/api.js";
import { importAccessLog } from "../../src/client/importLog.js";
import { readLogFile, SAMPLE_LOG_PATH } from "../../scripts/sample-log.js";
import { createHarness } from "../../harness/host.js";

export const LOG = readLogFile(SAMPLE_LOG_PATH);
export const DOMAIN = "semicomplete.com";
/** What the reference counter is given for the same log (reference.ts). */
export const LOG_OPTIONS = { domain: DOMAIN, timezone: "UTC" as const };

/** A new site with the whole log imported (not aggregated yet), and what the import said. */
export async function siteWithRealLog() {
  const h = await createHarness({ domain: DOMAIN });
  await h.admin.mutation(api.analytics.updateSite, {
    siteId: h.siteId,
    settings: { retentionDays: 3650 },
  });
  const imported = await importAccessLog(
    h.admin,
    api.analytics.importEvents,
    h.siteId,
    LOG.split("\n"),
    { domain: DOMAIN },
  );
  return { h, imported };
}
