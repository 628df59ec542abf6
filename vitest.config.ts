import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const src = (path: string) => fileURLToPath(new URL(`./src/${path}`, import.meta.url));

export default defineConfig({
  resolve: {
    // The example imports the package by name, as a host app does; tests run it from source.
    alias: [
      {
        find: /^convex-analytics\/convex\.config$/,
        replacement: src("component/convex.config.ts"),
      },
      { find: /^convex-analytics\/react$/, replacement: src("react/index.ts") },
      { find: /^convex-analytics\/tracker$/, replacement: src("tracker/index.ts") },
      { find: /^convex-analytics\/test$/, replacement: src("test.ts") },
      { find: /^convex-analytics$/, replacement: src("client/index.ts") },
    ],
  },
  test: {
    // Convex functions run in an edge-like runtime; convex-test expects it.
    environment: "edge-runtime",
    server: { deps: { inline: ["convex-test"] } },
    include: ["src/**/*.test.{ts,tsx}", "test/**/*.test.{ts,tsx}"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
