/// <reference types="vite/client" />
// The test harness: the example host app with the component mounted, driven through its
// real HTTP route and facades, with fake timers so the scheduled workers run on demand. It is
// the backend the demo and the bench run (embedded.ts mountExample), on vite's module maps.
import { vi } from "vitest";
import { api } from "../example/convex/_generated/api.js";
import { modules as componentModules } from "../src/test.js";
import { USER_AGENT } from "./component.js";
import { mountExample } from "./embedded.js";

const exampleModules = import.meta.glob("../example/convex/**/*.ts");

/** The browser every event of the harness comes from (the bench's too). */
export { USER_AGENT };

export type Harness = Awaited<ReturnType<typeof createHarness>>;

export async function createHarness(
  site: { timezone?: string; domain?: string; allowedOrigins?: string[] } = {},
) {
  const t = mountExample({ app: exampleModules, component: componentModules });
  const admin = t.withIdentity({ subject: "admin", tokenIdentifier: "test|admin" });
  const { siteId, writeKey } = await admin.mutation(api.analytics.createSite, {
    slug: "example",
    name: "Example",
    domain: site.domain ?? "example.com",
    ...(site.timezone ? { timezone: site.timezone } : {}),
    ...(site.allowedOrigins ? { allowedOrigins: site.allowedOrigins } : {}),
  });

  async function post(
    body: unknown,
    init: { headers?: Record<string, string>; raw?: string } = {},
  ) {
    const response = await t.fetch("/analytics/ingest", {
      method: "POST",
      headers: { "Content-Type": "application/json", "User-Agent": USER_AGENT, ...init.headers },
      body: init.raw ?? JSON.stringify(body),
    });
    return { status: response.status, headers: response.headers, body: await response.json() };
  }

  return {
    t,
    admin,
    siteId,
    writeKey,
    /** POSTs events with the site's key, as the tracker does. */
    send: (events: unknown[], headers: Record<string, string> = {}) =>
      post({ key: writeKey, events }, { headers }),
    post,
    /** Runs every scheduled worker (and what they schedule) to completion. */
    settle: async () => {
      await t.finishAllScheduledFunctions(() => vi.runAllTimers());
    },
  };
}

/** A pageview as the tracker sends it. */
export function pageview(
  id: string,
  ts: number,
  path: string,
  extra: Record<string, unknown> = {},
) {
  return {
    type: "pageview",
    id,
    ts,
    visitorId: "v1",
    sessionId: "s1",
    url: `https://example.com${path}`,
    ...extra,
  };
}

export {
  MINUTE_MS as MINUTE,
  HOUR_MS as HOUR,
  DAY_MS as DAY,
} from "../src/component/lib/limits.js";

/** A second site in the same deployment, with its own key: the other tenant of cross-site tests. */
export async function addSite(h: Harness, slug: string, allowedOrigins: string[] = []) {
  const { siteId, writeKey } = await h.admin.mutation(api.analytics.createSite, {
    slug,
    name: slug,
    domain: `${slug}.example`,
    allowedOrigins,
  });
  return {
    siteId,
    writeKey,
    send: (events: unknown[], headers: Record<string, string> = {}) =>
      h.post({ key: writeKey, events }, { headers }),
  };
}

/** A component document as tests seed and read it, untyped by table. */
type StoredDoc = Record<string, unknown> & { _id: string };
/** The component's database as tests reach it directly: seeding and inspecting stored rows. */
export type ComponentDb = {
  get(id: string): Promise<StoredDoc | null>;
  insert(table: string, doc: Record<string, unknown>): Promise<string>;
  query(table: string): { collect(): Promise<StoredDoc[]> };
};

/**
 * Runs `fn` in one transaction inside the component, with its ctx (`db`: ComponentDb unless the
 * caller names the ctx it needs). convex-test can do this; its types don't declare it yet.
 */
export async function inComponent<T, Ctx = { db: ComponentDb }>(
  h: Harness,
  fn: (ctx: Ctx) => Promise<T>,
): Promise<T> {
  const t = h.t as unknown as {
    runInComponent<R>(path: string, f: (ctx: Ctx) => Promise<R>): Promise<R>;
  };
  return await t.runInComponent("analytics", fn);
}

/** Every document of one component table, as stored. */
export async function componentDocs<Doc = Record<string, unknown>>(
  h: Harness,
  table: string,
): Promise<Doc[]> {
  return (await inComponent(h, ({ db }) => db.query(table).collect())) as Doc[];
}

/** Document counts of every component table: "nothing was stored or changed" in one value. */
export async function tableCounts(h: Harness) {
  const counts: Record<string, number> = {};
  for (const table of [
    "sites",
    "events",
    "sessions",
    "visitors",
    "rollups",
    "goals",
    "funnels",
    "presence",
    "workerState",
    "ingestReservations",
  ]) {
    counts[table] = (await componentDocs(h, table)).length;
  }
  return counts;
}
