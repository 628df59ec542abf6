// @vitest-environment node
// The real log the repository carries is the unmodified public file (data/README.md).
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { readLogFile, SAMPLE_LOG_PATH } from "../../scripts/sample-log.js";

describe("data/apache_combined_2015-05.log.gz", () => {
  it("decompresses to the unmodified 10,000-line log of the source note", () => {
    const text = readLogFile(SAMPLE_LOG_PATH);
    expect(text.split("\n").filter((line) => line !== "")).toHaveLength(10_000);
    expect(createHash("sha256").update(text).digest("hex")).toBe(
      "f15c31e905f86c7b4b6ab44aee74d0a2086dce89f010187d983edea7ef0364ef",
    );
  });
});
