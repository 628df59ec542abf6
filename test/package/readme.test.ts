// The README's four host files are the example app's, to the letter: the example is type-checked,
// bundled and run by the other tests, and the package gate copies the README's blocks into a
// fresh host app, so neither can drift from what works.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { HOST_FILES, readmeHostFiles } from "../../harness/packedHost.js";

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), "utf8");

describe("README install steps", () => {
  const files = readmeHostFiles(read("README.md"));
  for (const name of HOST_FILES) {
    it(`shows convex/${name} exactly as example/convex/${name} has it`, () => {
      expect(files[name]).toBe(read(`example/convex/${name}`));
    });
  }
});
