// @vitest-environment node
// The component is the bottom layer (docs/architecture.md, "Data flow"): the Convex CLI bundles it from
// dist/component on its own, so nothing under src/component may import the client, the React
// dashboard or the tracker.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const COMPONENT = fileURLToPath(new URL("../../src/component/", import.meta.url));
const UPPER_LAYERS = /from\s+["'](?:\.\.\/)+(?:client|react|tracker)\//;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith(".ts")
        ? [join(dir, entry.name)]
        : [],
  );
}

describe("layering", () => {
  it("no file of the component imports the client, the dashboard or the tracker", () => {
    const offenders = sourceFiles(COMPONENT)
      .filter((file) => UPPER_LAYERS.test(readFileSync(file, "utf8")))
      .map((file) => relative(COMPONENT, file));
    expect(offenders).toEqual([]);
    expect(sourceFiles(COMPONENT).length).toBeGreaterThan(20);
  });
});
