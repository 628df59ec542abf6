// The committed _generated/ files must match the modules (scripts/codegen.ts), and every
// function the component defines must be reachable through its generated API.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { FunctionReference } from "convex/server";
import { components } from "../example/convex/_generated/api.js";
import { staleGeneratedFiles } from "../scripts/codegen.js";

// Function modules are the top-level files; the subfolders hold logic (scripts/codegen.ts).
const componentModules = import.meta.glob([
  "../src/component/*.ts",
  "!../src/component/*.test.ts",
  "!../src/component/schema.ts",
  "!../src/component/convex.config.ts",
]);

// Compile-time half of the check: typecheck fails if these references lose their types.
const typedReference: FunctionReference<
  "query",
  "internal",
  { siteId: string; from: number; to: number; compare?: boolean }
> = components.analytics.reports.getOverview;

describe("_generated", () => {
  it("is what scripts/codegen.ts writes for the current modules", () => {
    expect(staleGeneratedFiles()).toEqual([]);
  });

  it("lists every module that defines a function the parent app can call", async () => {
    const generated = readFileSync(
      new URL("../src/component/_generated/api.ts", import.meta.url),
      "utf8",
    );
    const missing: string[] = [];
    for (const [path, load] of Object.entries(componentModules)) {
      const moduleName = path.replace("../src/component/", "").replace(/\.ts$/, "");
      const exports = (await load()) as Record<string, unknown>;
      const publicFunctions = Object.entries(exports).filter(
        ([, value]) =>
          typeof value === "function" && (value as { isPublic?: boolean }).isPublic === true,
      );
      if (publicFunctions.length > 0 && !generated.includes(`"${moduleName}": typeof`))
        missing.push(moduleName);
    }
    expect(missing).toEqual([]);
    expect(typedReference).toBeDefined();
  });
});
