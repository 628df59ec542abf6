// @vitest-environment node
// `npm run report` end to end (a child process, as a user runs it), and the import helper a
// real-deployment import uses, against the reference counter.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { readLogFile, SAMPLE_LOG_PATH } from "../scripts/sample-log.js";
import { referenceFigures } from "./accuracy/reference.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const LOG_PATH = SAMPLE_LOG_PATH;
const DOMAIN = "semicomplete.com";

describe("npm run report", () => {
  it("prints one JSON object whose figures equal the reference's", async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", "scripts/report.ts", LOG_PATH, "--domain", DOMAIN, "--json"],
      { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 },
    );
    const lines = stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    const report = JSON.parse(lines[0]!);
    const reference = referenceFigures(readLogFile(LOG_PATH), {
      domain: DOMAIN,
      timezone: "UTC",
    });
    expect(report.import).toEqual({
      ...reference.counts,
      accepted: reference.counts.imported,
      duplicates: 0,
    });
    expect({ ...report.overview, range: undefined }).toEqual({
      ...reference.overview,
      range: undefined,
    });
    expect(report.overview.range).toEqual(reference.range);
    expect(report.pages).toEqual(reference.pages.slice(0, 10));
    expect(report.sources).toEqual(reference.sources.slice(0, 10));
    expect(report.days).toEqual(reference.daily);
  }, 120_000);

  it("says what is wrong when the arguments are", async () => {
    const run = promisify(execFile)(
      process.execPath,
      ["--import", "tsx", "scripts/report.ts", LOG_PATH],
      { cwd: ROOT },
    );
    await expect(run).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining("usage: npm run report -- <logfile> --domain <host>"),
    });
  }, 60_000);
});
