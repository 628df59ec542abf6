// No input can stall, corrupt or lose (invariant 9), with faults injected at every database
// call of the worker and of maintenance: afterwards nothing is half-applied or counted twice,
// and every event is counted once or reported set aside.
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { MAX_EVENT_ATTEMPTS } from "../../src/component/lib/limits.js";
import { healFaults, injectFault, fault } from "./fixture/faults.js";
import { T0, customEvent, openLab, pageview, type Lab } from "./lab.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

beforeEach(() => {
  vi.useFakeTimers();
  healFaults();
});
afterEach(() => {
  healFaults();
  vi.useRealTimers();
});

/** Three visitors: views, a bounce, a custom event with props, an identify. */
const traffic = () => [
  pageview("a1", "alice", T0 - 30 * MINUTE, "/"),
  pageview("a2", "alice", T0 - 29 * MINUTE, "/pricing"),
  customEvent("a3", "alice", T0 - 28 * MINUTE, "signup", { plan: "pro", seats: 3 }),
  pageview("b1", "bob", T0 - 20 * MINUTE, "/docs"),
  pageview("c1", "carol", T0 - 10 * MINUTE, "/"),
  pageview("c2", "carol", T0 - 9 * MINUTE, "/blog"),
  {
    type: "identify",
    id: "c3",
    ts: T0 - 8 * MINUTE,
    visitorId: "carol",
    sessionId: "carol-s",
    userId: "u-carol",
  },
];

const EXPECTED = {
  pageviews: 5,
  visitors: 3,
  sessions: 3,
  events: 1,
  identifiedUsers: 1,
  bounceRate: 1 / 3,
};

async function settled(lab: Lab) {
  const overview = await lab.overview();
  const health = await lab.health();
  return {
    overview: {
      pageviews: overview.pageviews,
      visitors: overview.visitors,
      sessions: overview.sessions,
      events: overview.events,
      identifiedUsers: overview.identifiedUsers,
      bounceRate: overview.bounceRate,
    },
    pending: health.pendingEvents,
    failed: health.failedEvents,
    statuses: await lab.statuses(),
  };
}

const CLEAN = { overview: EXPECTED, pending: 0, failed: 0, statuses: { done: 7 } };

describe("the worker defects the hostile-input review found", () => {
  test("one request of 100 events of one visitor, each with 32 distinct prop values, is folded over several runs and counted once", async () => {
    const lab = await openLab();
    const events = Array.from({ length: 100 }, (_, i) =>
      customEvent(
        `e${i}`,
        "attacker",
        T0 - 60 * MINUTE + i * 1_000,
        "click",
        Object.fromEntries(Array.from({ length: 32 }, (_, p) => [`p${p}`, `v${i}-${p}`])),
      ),
    );
    expect((await lab.ingest(events)).accepted).toBe(100);
    await lab.ingest([pageview("later", "someone-else", T0 - 5 * MINUTE, "/")]);
    expect(await lab.drain()).toEqual([]);
    const overview = await lab.overview();
    expect({ events: overview.events, pageviews: overview.pageviews }).toEqual({
      events: 100,
      pageviews: 1,
    });
    expect(await lab.health()).toMatchObject({ pendingEvents: 0, failedEvents: 0, failures: [] });
  });

  test("a stored event with ts NaN on an America/New_York site is set aside with its reason; the events behind it are counted", async () => {
    const lab = await openLab({ timezone: "America/New_York" });
    await lab.ingest([pageview("good1", "v1", T0 - 10 * MINUTE, "/")]);
    await lab.t.run(async (ctx) => {
      const good = (await ctx.db.query("events").first())!;
      const { _id, _creationTime, ...fields } = good;
      void _id;
      void _creationTime;
      await ctx.db.insert("events", { ...fields, eventId: "poison", ts: NaN });
    });
    await lab.ingest([pageview("good2", "v1", T0 - 9 * MINUTE, "/next")]);
    expect(await lab.drain()).toEqual([]);
    expect(await lab.overview()).toMatchObject({ pageviews: 2, sessions: 1, visitors: 1 });
    const health = await lab.health();
    expect(health).toMatchObject({ pendingEvents: 0, failedEvents: 1 });
    expect(health.failures).toEqual([
      {
        reason: expect.stringMatching(/invalid time value/i),
        count: 1,
        sampleEventIds: ["poison"],
      },
    ]);
  });

  test("a session write that fails counts nothing of its group; healed, the group is counted once", async () => {
    const lab = await openLab();
    await lab.ingest(traffic());
    // Sessions-table calls of bob's partition run: the window query, then the insert.
    injectFault({ at: 2, tables: ["sessions"], sticky: true });
    await lab.drain(1);
    healFaults();
    await lab.drain();
    expect(await settled(lab)).toEqual(CLEAN);
  });

  test(`a transient throw inside the fold is retried (up to ${MAX_EVENT_ATTEMPTS} attempts), never lost`, async () => {
    const lab = await openLab();
    await lab.ingest(traffic());
    injectFault({ at: 1, tables: ["sessions"] });
    await lab.drain();
    expect(await settled(lab)).toEqual(CLEAN);
  });

  test(`a throw that repeats on every attempt sets the event aside after ${MAX_EVENT_ATTEMPTS}, and the rest is counted`, async () => {
    const lab = await openLab();
    await lab.ingest([pageview("x1", "v1", T0 - 10 * MINUTE, "/")]);
    injectFault({ at: 1, tables: ["sessions"], sticky: true });
    await lab.drain();
    healFaults();
    const health = await lab.health();
    expect(health).toMatchObject({ pendingEvents: 0, failedEvents: 1 });
    expect(health.failures[0]).toMatchObject({
      reason: expect.stringMatching(/injected fault/),
      sampleEventIds: ["x1"],
    });
  });
});

describe("a fault at every database call", () => {
  test("of the worker: whatever call throws, the figures end exact and nothing is left pending or set aside", async () => {
    const reference = await openLab();
    await reference.ingest(traffic());
    injectFault({ at: 0 });
    await reference.drain();
    const calls = fault.calls;
    expect(await settled(reference)).toEqual(CLEAN);
    expect(calls).toBeGreaterThan(20);

    const outcomes: string[] = [];
    for (let at = 1; at <= calls; at++) {
      const lab = await openLab();
      await lab.ingest(traffic());
      injectFault({ at });
      await lab.drain(1); // each partition once, the fault somewhere in there
      healFaults();
      await lab.drain();
      const result = await settled(lab);
      if (JSON.stringify(result) !== JSON.stringify(CLEAN))
        outcomes.push(`at ${at}: ${JSON.stringify(result)}`);
    }
    expect(outcomes).toEqual([]);
  });

  test("of compaction and retention: whatever call throws, no figure moves and expired raw events go once", async () => {
    const scenario = async () => {
      const lab = await openLab({ retentionDays: 30 });
      await lab.importEvents([
        pageview("old1", "o1", T0 - 60 * DAY, "/"),
        pageview("old2", "o2", T0 - 60 * DAY + HOUR, "/"),
        pageview("mid1", "m1", T0 - 2 * DAY, "/docs"),
      ]);
      await lab.ingest(traffic());
      await lab.drain();
      return lab;
    };
    const reference = await scenario();
    const before = await settled(reference);
    expect(before.overview).toMatchObject({ pageviews: 8, visitors: 6, sessions: 6 });
    injectFault({ at: 0 });
    await reference.maintain();
    const calls = fault.calls;
    for (let i = 0; i < 5; i++) await reference.maintain();
    const after = await settled(reference);
    expect(after).toEqual({ ...before, statuses: { done: 8 } });

    const outcomes: string[] = [];
    for (let at = 1; at <= calls; at++) {
      const lab = await scenario();
      injectFault({ at });
      await lab.maintain();
      healFaults();
      for (let i = 0; i < 5; i++) await lab.maintain();
      const result = await settled(lab);
      if (JSON.stringify(result) !== JSON.stringify(after))
        outcomes.push(`at ${at}: ${JSON.stringify(result)}`);
    }
    expect(outcomes).toEqual([]);
  });
});
