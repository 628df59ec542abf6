// Presence and realtime (invariant 7), through the real HTTP route.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { api, components, internal } from "../example/convex/_generated/api.js";
import {
  PRESENCE_SWEEP_PER_STEP,
  REALTIME_REFRESH_MS,
  REALTIME_STALL_MS,
} from "../src/component/lib/limits.js";
import { createHarness, MINUTE, type Harness } from "../harness/host.js";

const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);
const HEARTBEAT_MS = 15_000;

function hit(type: "pageview" | "heartbeat", id: string, visitor: string, path: string) {
  return {
    type,
    id,
    ts: Date.now(),
    visitorId: visitor,
    sessionId: `${visitor}-s`,
    url: `https://example.com${path}`,
  };
}

async function advance(h: Harness, ms: number) {
  await vi.advanceTimersByTimeAsync(ms);
  await h.t.finishInProgressScheduledFunctions();
}

async function heartbeatEvents(h: Harness) {
  const listed = await h.admin.query(api.analytics.listEvents, {
    siteId: h.siteId,
    paginationOpts: { numItems: 100, cursor: null },
  });
  return listed.page.filter((e: { type: string }) => e.type === "heartbeat");
}

describe("presence and realtime", () => {
  let h: Harness;
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(NOW);
  });
  afterEach(() => vi.useRealTimers());

  it("50 sessions heartbeating for 5 minutes: 50 live visitors, a bounded number of summary rewrites, durations extended", async () => {
    h = await createHarness();
    const sessions = Array.from({ length: 50 }, (_, i) => ({
      visitor: `v${i}`,
      path: i % 2 === 0 ? "/a" : "/b",
    }));
    for (const { visitor, path } of sessions)
      expect((await h.send([hit("pageview", `${visitor}-pv`, visitor, path)])).status).toBe(202);
    const ticks = (5 * MINUTE) / HEARTBEAT_MS;
    for (let tick = 1; tick <= ticks; tick++) {
      await advance(h, HEARTBEAT_MS);
      for (const { visitor, path } of sessions)
        await h.send([hit("heartbeat", `${visitor}-hb${tick}`, visitor, path)]);
    }
    await advance(h, REALTIME_REFRESH_MS);
    const realtime = await h.admin.query(api.analytics.getRealtime, { siteId: h.siteId });
    expect(realtime).toEqual({
      activeVisitors: 50,
      pages: [
        { path: "/a", visitors: 25 },
        { path: "/b", visitors: 25 },
      ],
      updatedAt: expect.any(Number),
      minutes: expect.any(Array),
      sources: [{ source: "Direct / None", visitors: 50 }],
    });
    expect(Date.now() - realtime.updatedAt).toBeLessThanOrEqual(REALTIME_REFRESH_MS);
    // 30 minutes, the last 5 (and the one now) with all 50 visitors, none before they came.
    expect(realtime.minutes).toHaveLength(30);
    expect(realtime.minutes.slice(-6).map((m: { visitors: number }) => m.visitors)).toEqual(
      Array(6).fill(50),
    );
    expect(realtime.minutes.slice(0, -6).every((m: { visitors: number }) => m.visitors === 0)).toBe(
      true,
    );
    const summary = await summaryRefreshes(h);
    console.log(
      `realtime summary rewritten ${summary} times in 5 minutes for 50 live sessions (${50 * (ticks + 1)} requests)`,
    );
    expect(summary).toBeLessThanOrEqual((5 * MINUTE) / REALTIME_REFRESH_MS + 2);

    // Heartbeats extend each session to 5 minutes and add no pageview.
    await h.settle();
    const overview = await h.admin.query(api.analytics.getOverview, {
      siteId: h.siteId,
      from: NOW - MINUTE,
      to: NOW + 10 * MINUTE,
    });
    expect(overview).toMatchObject({
      pageviews: 50,
      sessions: 50,
      visitors: 50,
      avgDurationMs: 5 * MINUTE,
      bounceRate: 1,
    });

    // Once everyone has gone, the figure drops to zero and the refresh loop stops.
    await h.settle();
    expect(await h.admin.query(api.analytics.getRealtime, { siteId: h.siteId })).toMatchObject({
      activeVisitors: 0,
      pages: [],
    });
    // A move inserts a presence row (a patch would make a session's tabs conflict): each
    // visitor left 1 + 20 rows (its pageview and heartbeats 15 s apart, outside the 10 s dedup
    // window). A pass deletes at most PRESENCE_SWEEP_PER_STEP of them and reports more.
    const swept = await h.admin.mutation(api.analytics.runMaintenance, { siteId: h.siteId });
    expect(swept).toMatchObject({ presenceCleared: PRESENCE_SWEEP_PER_STEP, more: true });
    const rest = await h.admin.mutation(api.analytics.runMaintenance, { siteId: h.siteId });
    expect(rest.presenceCleared).toBe(50 * 21 - PRESENCE_SWEEP_PER_STEP);
  });

  it("keeps visitors per minute for the last 30 minutes and the live visitors' sources", async () => {
    h = await createHarness();
    const fromGoogle = { ...hit("pageview", "g1", "g", "/"), referrer: "https://www.google.com/" };
    await h.send([fromGoogle, hit("pageview", "d1", "d", "/docs")]);
    // The worker aggregates the sessions within seconds; the next refreshes see their sources.
    for (let i = 0; i < 4; i++) await advance(h, REALTIME_REFRESH_MS);
    let realtime = await h.admin.query(api.analytics.getRealtime, { siteId: h.siteId });
    expect(realtime.sources).toEqual([
      { source: "Direct / None", visitors: 1 },
      { source: "google.com", visitors: 1 },
    ]);
    expect(realtime.minutes.at(-1)).toEqual({
      t: Math.floor(realtime.updatedAt / MINUTE) * MINUTE,
      visitors: 2,
    });
    const firstMinute = realtime.minutes.at(-1)!.t;

    // Both leave; ten minutes later one more visitor comes: the first minute is still there,
    // the minutes nobody was live are zeros, and only the newcomer is live.
    await advance(h, 10 * MINUTE);
    await h.send([hit("pageview", "n1", "n", "/")]);
    await advance(h, REALTIME_REFRESH_MS);
    realtime = await h.admin.query(api.analytics.getRealtime, { siteId: h.siteId });
    expect(realtime.activeVisitors).toBe(1);
    const byT = new Map(
      realtime.minutes.map((m: { t: number; visitors: number }) => [m.t, m.visitors]),
    );
    expect(byT.get(firstMinute)).toBe(2);
    expect(realtime.minutes.at(-1)!.visitors).toBe(1);
    expect(byT.get(firstMinute + 5 * MINUTE)).toBe(0);
  });

  it("a heartbeat inside the dedup window for the same path writes nothing, whatever the number of tabs", async () => {
    h = await createHarness();
    await h.send([hit("heartbeat", "t1", "v", "/docs")]);
    await advance(h, 0);
    // Two more tabs of the same session, 2 s later, and a retry of the first heartbeat.
    await advance(h, 2_000);
    await h.send([hit("heartbeat", "t2", "v", "/docs")]);
    await h.send([hit("heartbeat", "t3", "v", "/docs")]);
    await h.send([hit("heartbeat", "t1", "v", "/docs")]);
    await advance(h, 0);
    await h.settle();
    expect((await heartbeatEvents(h)).map((e: { eventId: string }) => e.eventId)).toEqual(["t1"]);
    // A new path is news at once.
    vi.setSystemTime(NOW + 3_000);
    await h.send([hit("heartbeat", "t4", "v", "/pricing")]);
    await h.settle();
    expect((await heartbeatEvents(h)).map((e: { eventId: string }) => e.eventId)).toEqual([
      "t4",
      "t1",
    ]);
  });

  it("two tabs of one session on different pages keep a row each: both pages live, heartbeats deduplicated per page", async () => {
    h = await createHarness();
    await h.send([hit("pageview", "p1", "v", "/docs")]);
    await h.send([hit("pageview", "p2", "v", "/pricing")]);
    for (let tick = 1; tick <= 4; tick++) {
      await advance(h, 4_000); // inside heartbeatDedupMs (10 s) of each tab's last write, for two ticks of three
      await h.send([hit("heartbeat", `d${tick}`, "v", "/docs")]);
      await h.send([hit("heartbeat", `r${tick}`, "v", "/pricing")]);
    }
    await advance(h, REALTIME_REFRESH_MS);
    expect(await h.admin.query(api.analytics.getRealtime, { siteId: h.siteId })).toMatchObject({
      activeVisitors: 1,
      pages: [
        { path: "/docs", visitors: 1 },
        { path: "/pricing", visitors: 1 },
      ],
    });
    // Per page, only the heartbeat 12 s after the pageview moved its row and was stored;
    // with one row per session the two tabs would have rewritten it on every heartbeat.
    await h.settle();
    expect((await heartbeatEvents(h)).map((e: { eventId: string }) => e.eventId).sort()).toEqual([
      "d3",
      "r3",
    ]);
  });

  it("a refresh loop that died (a turn failed) is restarted by the presence maintenance", async () => {
    h = await createHarness();
    await h.send([hit("pageview", "p1", "v", "/")]);
    await advance(h, 1_000); // ingest → touch → the loop's first turn
    expect(await h.admin.query(api.analytics.getRealtime, { siteId: h.siteId })).toMatchObject({
      activeVisitors: 1,
    });
    // The loop's next turn is lost, as when its action fails during a deployment: drop every
    // pending timer.
    vi.clearAllTimers();
    await h.t.finishInProgressScheduledFunctions();
    const stalledAt = (await h.admin.query(api.analytics.getRealtime, { siteId: h.siteId }))
      .updatedAt;
    vi.setSystemTime(NOW + REALTIME_STALL_MS + 1);
    await h.send([hit("pageview", "p2", "w", "/b")]);
    await advance(h, REALTIME_REFRESH_MS);
    // The flag still says "running", so the new visitor's touch starts no loop: stale.
    expect((await h.admin.query(api.analytics.getRealtime, { siteId: h.siteId })).updatedAt).toBe(
      stalledAt,
    );
    await h.t.action(internal.analytics.analyticsMaintenance, { task: "presence" });
    await advance(h, 1_000);
    expect(await h.admin.query(api.analytics.getRealtime, { siteId: h.siteId })).toMatchObject({
      activeVisitors: 2,
      pages: [
        { path: "/", visitors: 1 },
        { path: "/b", visitors: 1 },
      ],
    });
    expect(
      Date.now() - (await h.admin.query(api.analytics.getRealtime, { siteId: h.siteId })).updatedAt,
    ).toBeLessThanOrEqual(1_000);
  });
});

/** How many times the realtime summary was rewritten (the component counts it). */
async function summaryRefreshes(h: Harness): Promise<number> {
  return await h.t.run(async (ctx) => {
    const stats = await ctx.runQuery(components.analytics.presence.getRealtimeStats, {
      siteId: h.siteId,
    });
    return stats.refreshes;
  });
}
