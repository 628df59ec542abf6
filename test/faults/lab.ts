/// <reference types="vite/client" />
// One standalone component instance whose worker and runMaintenance go through
// fixture/faults.ts, driven step by step: the workers are run by hand (as the scheduler or the
// sweep would), so a test decides when a fault is on and when it is healed.
import { convexTest } from "convex-test";
import { vi } from "vitest";
import { api, internal } from "../../src/component/_generated/api.js";
import { sha256Hex } from "../../src/component/lib/keys.js";
import {
  PARTITIONS,
  PENDING_SETTLE_MS,
  WORKER_RETRY_DELAY_MS,
} from "../../src/component/lib/limits.js";
import componentSchema from "../../src/component/schema.js";
import { modules } from "../../src/test.js";
import { withModules, USER_AGENT } from "../../harness/schedules.js";

const fixtures = import.meta.glob("./fixture/*.ts");
const faultyModules = withModules(modules, {
  worker: fixtures["./fixture/worker.ts"]!,
  maintenance: fixtures["./fixture/maintenance.ts"]!,
});

export const T0 = Date.UTC(2026, 10, 20, 12, 0, 0);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
export const WINDOW = { from: T0 - 90 * DAY, to: T0 + 2 * HOUR };

export type Lab = Awaited<ReturnType<typeof openLab>>;

export async function openLab(site: { timezone?: string; retentionDays?: number } = {}) {
  let now = T0;
  vi.setSystemTime(now);
  const t = convexTest({
    schema: componentSchema,
    modules: faultyModules,
    transactionLimits: true,
  });
  const writeKey = "fault-suite-write-key-0123456789";
  const { siteId } = await t.mutation(api.sites.createSite, {
    slug: "site",
    name: "Site",
    domain: "example.com",
    writeKey,
    ...(site.timezone ? { timezone: site.timezone } : {}),
  });
  if (site.retentionDays)
    await t.mutation(api.sites.updateSite, {
      siteId,
      settings: { retentionDays: site.retentionDays },
    });
  const keyHash = await sha256Hex(writeKey);
  const advance = (ms: number) => vi.setSystemTime((now += ms));
  return {
    t,
    siteId,
    advance,
    async ingest(events: unknown[]) {
      const out = await t.mutation(api.ingest.ingest, {
        keyHash,
        origin: "https://example.com",
        userAgent: USER_AGENT,
        country: "DE",
        events,
      });
      if (!out.ok) throw new Error(out.refusal.message);
      advance(PENDING_SETTLE_MS + 1_000);
      return out.result;
    },
    async importEvents(events: Record<string, unknown>[]) {
      const out = await t.mutation(api.ingest.importEvents, {
        siteId,
        events: events.map((e) => ({ ...e, ip: "203.0.113.7", userAgent: USER_AGENT })),
      });
      advance(PENDING_SETTLE_MS + 1_000);
      return out;
    },
    /** One run of one partition's worker; a run that throws is reported, as the scheduler logs it. */
    async work(partition: number) {
      try {
        return await t.mutation(internal.worker.aggregate, { siteId, partition });
      } catch (error) {
        return { error: String(error) };
      }
    },
    /** Every partition's worker, run after run, until none has anything left (or `runs`). */
    async drain(runs = 40) {
      const errors: string[] = [];
      for (let partition = 0; partition < PARTITIONS; partition++) {
        for (let run = 0; run < runs; run++) {
          const out = await this.work(partition);
          if ("error" in out) {
            errors.push(out.error);
            continue;
          }
          if (!out.more) break;
          advance(WORKER_RETRY_DELAY_MS);
        }
      }
      return errors;
    },
    async maintain() {
      try {
        return await t.mutation(api.maintenance.runMaintenance, { siteId });
      } catch (error) {
        return { error: String(error) };
      }
    },
    overview: (range = WINDOW) => t.query(api.reports.getOverview, { siteId, ...range }),
    health: () =>
      t.query(api.maintenance.getHealth, { siteId, now: Math.floor(now / 60_000) * 60_000 }),
    /** Raw events by status, read straight from the table. */
    statuses: () =>
      t.run(async (ctx) => {
        const counts: Record<string, number> = {};
        for (const e of await ctx.db.query("events").collect())
          counts[e.status] = (counts[e.status] ?? 0) + 1;
        return counts;
      }),
  };
}

export function pageview(id: string, visitorId: string, ts: number, path: string) {
  return {
    type: "pageview",
    id,
    ts,
    visitorId,
    sessionId: `${visitorId}-s`,
    url: `https://example.com${path}`,
  };
}

export function customEvent(
  id: string,
  visitorId: string,
  ts: number,
  name: string,
  props: Record<string, string | number | boolean | null> = {},
) {
  return { ...pageview(id, visitorId, ts, "/"), type: "event", name, props };
}
