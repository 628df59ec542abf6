// An embedded, in-memory Convex backend for the demo, the benchmark and `npm run report`:
// the example host app with the component mounted, run by convex-test in plain Node (no
// Convex account, no deployment). convex-test normally gets its modules from vite's
// `import.meta.glob`; here the same map is built from the file system.
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { convexTest } from "convex-test";
import componentSchema from "../src/component/schema.js";
import { api } from "../example/convex/_generated/api.js";

const root = fileURLToPath(new URL("../", import.meta.url));

type ModuleMap = Record<string, () => Promise<unknown>>;

/**
 * What `import.meta.glob("<dir>/**\/*.ts")` returns, minus tests. Each loader resolves once:
 * convex-test calls a module's loader on every function call, and each `import()` goes through
 * tsx's loader thread (a third of the bench's time otherwise). The modules are the same either
 * way (Node caches them).
 */
export function globModules(dir: string): ModuleMap {
  const modules: ModuleMap = {};
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (
        entry.name.endsWith(".ts") &&
        !entry.name.endsWith(".test.ts") &&
        !entry.name.endsWith(".d.ts")
      ) {
        let loaded: Promise<unknown> | undefined;
        modules[`./${relative(root, path)}`] = () => (loaded ??= import(pathToFileURL(path).href));
      }
    }
  };
  walk(join(root, dir));
  return modules;
}

/** The module maps of the example app and of the component, as convex-test takes them. */
export type ExampleModules = { app: ModuleMap; component: ModuleMap };

let fileModules: ExampleModules | undefined;
/** The example app's and the component's modules from the file system, read once. */
export function exampleModules(): ExampleModules {
  return (fileModules ??= {
    app: globModules("example/convex"),
    component: globModules("src/component"),
  });
}

/**
 * The example app with `convex-analytics` mounted as `analytics`: what the tests, the demo and
 * the bench all run. Under vitest the tests pass vite's `import.meta.glob` maps; elsewhere the
 * file system's are the default.
 */
export function mountExample(modules: ExampleModules = exampleModules()) {
  const t = convexTest({ modules: modules.app, transactionLimits: true });
  t.registerComponent("analytics", componentSchema, modules.component);
  return t;
}

export type EmbeddedBackend = ReturnType<typeof createEmbeddedBackend>;

/** The example app with `convex-analytics` mounted as `analytics`, and a signed-in admin. */
export function createEmbeddedBackend() {
  const t = mountExample();
  const admin = t.withIdentity({ subject: "demo-admin", tokenIdentifier: "demo|admin" });
  return { t, admin, api };
}

/**
 * Waits until every accepted event is aggregated. The workers run on real timers here
 * (ingest schedules them PENDING_SETTLE_MS after it commits), so this polls getHealth.
 */
export async function waitForAggregation(
  backend: EmbeddedBackend,
  siteId: string,
  timeoutMs = 120_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const health = await backend.admin.query(api.analytics.getHealth, { siteId, now: Date.now() });
    if (health.pendingEvents === 0) {
      await backend.t.finishInProgressScheduledFunctions();
      return health;
    }
    if (Date.now() > deadline)
      throw new Error(`${health.pendingEvents} events still pending after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
