// @vitest-environment node
// The size budget of the script-tag build, checked on every test run (the benchmark reports it
// too). Over budget means a change to core.ts made every page that embeds tracker.js heavier.
import { expect, it } from "vitest";
import { buildTrackerScript, TRACKER_BUDGET_GZIP_BYTES } from "../../scripts/build-tracker.js";

it("tracker.js is at most 2,048 bytes gzipped, engagement included,, and the opt-in extras stay a separate file", async () => {
  const built = await buildTrackerScript();
  expect(TRACKER_BUDGET_GZIP_BYTES).toBe(2_048);
  expect(built.code).toContain("engagement");
  expect(built.gzipBytes).toBeLessThanOrEqual(TRACKER_BUDGET_GZIP_BYTES);
  expect(built.code).not.toContain("Outbound Link");
  expect(built.extras.code).toContain("Outbound Link: Click");
});
