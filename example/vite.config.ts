// The example page against a real deployment: `npx vite example/web` (see README, "Run the
// example against a real deployment"). Imports of `convex-analytics/*` resolve to the sources.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const src = (path: string) => fileURLToPath(new URL(`../src/${path}`, import.meta.url));

export default defineConfig({
  root: fileURLToPath(new URL("./web", import.meta.url)),
  resolve: {
    alias: [
      { find: /^convex-analytics\/react$/, replacement: src("react/index.ts") },
      { find: /^convex-analytics\/tracker$/, replacement: src("tracker/index.ts") },
      { find: /^convex-analytics$/, replacement: src("client/index.ts") },
    ],
  },
});
