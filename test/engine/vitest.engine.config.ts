// Runs the engine benchmark (lookup.bench-run.ts), which the default config's include
// pattern leaves out: `npx vitest run --config test/engine/vitest.engine.config.ts`.
// CONVEX_TEST_DIR=/path/to/convex-test runs it (and ENGINE_TESTS=1 the engine tests too)
// against another copy of convex-test, e.g. one being patched.
import { fileURLToPath } from "node:url";
import { defineConfig, type ViteUserConfig } from "vitest/config";
import base from "../../vitest.config.js";

const dir = process.env.CONVEX_TEST_DIR;
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const baseConfig = base as ViteUserConfig;
const baseAliases = (baseConfig.resolve?.alias ?? []) as {
  find: RegExp | string;
  replacement: string;
}[];

export default defineConfig({
  ...baseConfig,
  resolve: {
    ...baseConfig.resolve,
    alias: dir
      ? [...baseAliases, { find: /^convex-test$/, replacement: `${dir}/dist/index.js` }]
      : baseAliases,
  },
  test: {
    ...baseConfig.test,
    include: process.env.ENGINE_TESTS ? [here("./*.test.ts")] : [here("./lookup.bench-run.ts")],
    testTimeout: 3_600_000,
  },
});
