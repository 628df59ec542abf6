/// <reference types="vite/client" />
// Property: whatever contract-valid batches the public route accepts (100 events, 32 props, long
// values, many distinct keys and visitors), every worker transaction stays inside Convex's
// per-transaction limits and every accepted event is counted exactly once (invariant 9).
import fc from "fast-check";
import { afterAll, beforeEach, afterEach, expect, test, vi } from "vitest";
import { api } from "../../example/convex/_generated/api.js";
import {
  CONVEX_TRANSACTION_LIMITS,
  MAX_BODY_BYTES,
  MAX_EVENTS_PER_REQUEST,
  MAX_PROP_KEY_LENGTH,
  MAX_PROP_STRING_LENGTH,
  MAX_PROPS,
} from "../../src/component/lib/limits.js";
import { modules } from "../../src/test.js";
import { withModules } from "../../harness/schedules.js";
import { USER_AGENT } from "../../harness/host.js";
import { mountExample } from "../../harness/embedded.js";
import { runs } from "./fixture/worker.js";

const exampleModules = import.meta.glob("../../example/convex/**/*.ts");
const fixtures = import.meta.glob("./fixture/*.ts");
const componentModules = withModules(modules, { worker: fixtures["./fixture/worker.ts"]! });

const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);
const worst: Record<string, number> = {};

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(NOW);
});
afterEach(() => vi.useRealTimers());
afterAll(() => {
  console.log("worst worker transaction seen vs Convex's limits:");
  for (const [field, limit] of Object.entries(CONVEX_TRANSACTION_LIMITS))
    console.log(`  ${field}: ${worst[field] ?? 0} of ${limit}`);
});

type Wire = Record<string, unknown>;

const propValue = fc.oneof(
  fc.string({ minLength: MAX_PROP_STRING_LENGTH - 8, maxLength: MAX_PROP_STRING_LENGTH }),
  fc.string({ minLength: 1, maxLength: 6 }),
  fc.string({ minLength: 1, maxLength: 6 }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
);
const props = fc.dictionary(
  fc
    .string({ minLength: 1, maxLength: MAX_PROP_KEY_LENGTH })
    .map((k) => k.replace(/[^a-z0-9]/gi, "k")),
  propValue,
  { maxKeys: MAX_PROPS, size: "max" },
);
const eventArb = fc.record({
  kind: fc.constantFrom("pageview", "event", "event", "identify"),
  visitor: fc.integer({ min: 0, max: 40 }),
  ageMs: fc.integer({ min: 0, max: 6 * 3_600_000 }),
  props,
  name: fc.constantFrom("signup", "click", "buy"),
});
// Long batches and full prop sets, not fast-check's default small sizes: the limits are the point.
const batchArb = fc.array(eventArb, {
  minLength: 1,
  maxLength: MAX_EVENTS_PER_REQUEST,
  size: "max",
});
const requestsArb = fc.array(batchArb, { minLength: 1, maxLength: 3, size: "max" });

/** The wire events of one request, cut to the body limit (the route would refuse more). */
type EventInput = typeof eventArb extends fc.Arbitrary<infer E> ? E : never;

function wire(batch: EventInput[], request: number, key: string) {
  const events: Wire[] = [];
  for (const [i, e] of batch.entries()) {
    const id = `r${request}-e${i}`;
    const base = {
      id,
      ts: NOW - e.ageMs,
      visitorId: `visitor-${e.visitor}`,
      sessionId: `session-${e.visitor}`,
    };
    const event: Wire =
      e.kind === "pageview"
        ? { ...base, type: "pageview", url: `https://example.com/page/${id}` }
        : e.kind === "identify"
          ? { ...base, type: "identify", userId: `user-${e.visitor}` }
          : { ...base, type: "event", name: e.name, props: e.props, url: "https://example.com/" };
    if (JSON.stringify({ key, events: [...events, event] }).length > MAX_BODY_BYTES - 1_024) break;
    events.push(event);
  }
  return events;
}

test("every worker transaction stays inside Convex's limits, and every accepted event is counted once", async () => {
  await fc.assert(
    fc.asyncProperty(requestsArb, async (requests) => {
      vi.setSystemTime(NOW);
      const t = mountExample({ app: exampleModules, component: componentModules });
      const admin = t.withIdentity({ subject: "admin", tokenIdentifier: "test|admin" });
      const { siteId, writeKey } = await admin.mutation(api.analytics.createSite, {
        slug: "p",
        name: "P",
        domain: "example.com",
        timezone: "America/New_York",
      });
      const sent: Wire[] = [];
      for (const [r, batch] of requests.entries()) {
        const events = wire(batch, r, writeKey);
        const response = await t.fetch("/analytics/ingest", {
          method: "POST",
          headers: { "Content-Type": "application/json", "User-Agent": USER_AGENT },
          body: JSON.stringify({ key: writeKey, events }),
        });
        const body = await response.json();
        expect(response.status).toBe(202);
        expect(body).toMatchObject({ accepted: events.length, rejected: [] });
        sent.push(...events);
      }
      runs.length = 0;
      await t.finishAllScheduledFunctions(() => vi.runAllTimers());
      for (const usage of runs)
        for (const [field, used] of Object.entries(usage))
          worst[field] = Math.max(worst[field] ?? 0, used);
      for (const [field, limit] of Object.entries(CONVEX_TRANSACTION_LIMITS))
        expect(worst[field] ?? 0).toBeLessThanOrEqual(limit);

      const overview = await admin.query(api.analytics.getOverview, {
        siteId,
        from: NOW - 24 * 3_600_000,
        to: NOW + 3_600_000,
      });
      // Every pageview has its own path, so none is a repeat that dedup would drop.
      expect({ pageviews: overview.pageviews, events: overview.events }).toEqual({
        pageviews: sent.filter((e) => e.type === "pageview").length,
        events: sent.filter((e) => e.type === "event").length,
      });
      const visitors = new Set(sent.filter((e) => e.type !== "identify").map((e) => e.visitorId));
      expect(overview.visitors).toBe(visitors.size);
    }),
    { numRuns: 12, seed: 1_200 },
  );
}, 600_000);
