// The reference incidents of docs/architecture.md, each replayed against the real component: the
// footprints say whether the writers would have collided on a real deployment, and the
// report figures say whether anything was lost, doubled or mislabelled.
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { modules } from "../../src/test.js";
import { predictConflict } from "../../harness/footprint/predict.js";
import {
  appendRacingRetention,
  conflictsIn,
  figureMismatches,
  metricMeaning,
  oneSessionThreeCalls,
  parallelHeartbeats,
  presenceWritesOf,
  sharedLog,
  writesOf,
} from "../../harness/schedules.js";

const env = { modules, setTime: (ms: number) => vi.setSystemTime(ms) };

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe("reference incidents", () => {
  test("concurrent writers to one log: 50 overlapping calls lose nothing, count every event once, and collide only when they carry the same event id", async () => {
    const r = await sharedLog(env);
    // Each call resends the previous call's last event: those 49 pairs, and only those.
    expect(r.sharing).toHaveLength(49);
    expect(r.conflicting).toEqual(r.sharing);
    expect(figureMismatches(r)).toEqual([]);
    expect(r.figures).toMatchObject({
      accepted: 200,
      duplicates: 49,
      stored: 200,
      today: { pageviews: 200, visitors: 200 },
    });
  });

  test("parallel heartbeats of one session: inside the dedup window neither stores anything, so they can't collide", async () => {
    const { insideWindow } = await parallelHeartbeats(env);
    const requests = [insideWindow.first, insideWindow.concurrent, insideWindow.retry];
    expect(requests.map(presenceWritesOf)).toEqual([0, 0, 0]);
    // Each request's one write is its rate-limit mark (a blind insert).
    expect(requests.map(writesOf)).toEqual([1, 1, 1]);
    expect(predictConflict(insideWindow.first, insideWindow.concurrent)).toBeNull();
  });

  test("parallel heartbeats of one session past the dedup window never collide (a move inserts a row); the one after stores nothing", async () => {
    const { pastWindow } = await parallelHeartbeats(env);
    // A new presence row and the stored heartbeat, each; the session's presence is read
    // through a stale snapshot, so neither depends on the other's row. (They used to collide
    // once on the row they both patched.) Racing, both store: one row and one heartbeat more
    // than one after the other, half a second apart in one session: no figure changes.
    expect(presenceWritesOf(pastWindow.first)).toBe(2);
    expect(presenceWritesOf(pastWindow.concurrent)).toBe(2);
    expect(predictConflict(pastWindow.first, pastWindow.concurrent)).toBeNull();
    expect(presenceWritesOf(pastWindow.retry)).toBe(0);
  });

  test.each(["retention first", "append first"] as const)(
    "an append racing retention of the day it writes to (%s): they never collide (retention reads only folded events), and the backfill survives until it is counted",
    async (order) => {
      const r = await appendRacingRetention(env, order);
      const append = r.executions.find((e) => e.kind === "import")!.footprint;
      const retention = r.executions.find((e) => e.kind === "retention")!.footprint;
      expect(predictConflict(append, retention)).toBeNull();
      expect(figureMismatches(r)).toEqual([]);
      expect(r.figures).toMatchObject({
        afterFirstRetention: ["o3"],
        day: { pageviews: 3, visitors: 2, sessions: 2 },
        storedAtEnd: [],
      });
    },
  );

  test.each(["together", "apart"] as const)(
    "three calls for one user's session (folded %s) never collide and make one session",
    async (fold) => {
      const r = await oneSessionThreeCalls(env, fold);
      expect(conflictsIn({ cells: r.ingestCells }, "ingest × ingest")).toBe(0);
      expect(figureMismatches(r)).toEqual([]);
      expect(r.figures).toMatchObject({
        today: { sessions: 1, visitors: 1, pageviews: 3 },
        sessionRows: 1,
        health: { duplicateSessions: 0 },
      });
    },
  );

  test("unique visitors count people and sessions count visits: 4 visitors, 6 sessions, 8 views", async () => {
    const r = await metricMeaning(env);
    expect(figureMismatches(r)).toEqual([]);
    expect(r.figures.today).toEqual({
      pageviews: 8,
      visitors: 4,
      sessions: 6,
      events: 1,
      bounceRate: 0.5,
      avgDurationMs: 70_000,
    });
    expect(r.figures.pages).toEqual({
      "/": { visitors: 3, pageviews: 5 },
      "/pricing": { visitors: 2, pageviews: 2 },
      "/docs": { visitors: 1, pageviews: 1 },
    });
  });
});
