// The reference incidents of ARCHITECTURE.md, each replayed against the real component: the
// footprints say whether the writers would have collided on a real deployment, and the
// report figures say whether anything was lost, doubled or mislabelled.
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { modules } from "../../src/test.js";
import { predictConflict } from "../footprint/predict.js";
import {
  appendRacingRetention,
  conflictsIn,
  figureMismatches,
  metricMeaning,
  oneSessionThreeCalls,
  parallelHeartbeats,
  sharedLog,
  writesOf,
} from "./schedules.js";

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

  test("parallel heartbeats of one session: inside the dedup window neither writes, so they can't collide", async () => {
    const { insideWindow } = await parallelHeartbeats(env);
    expect([insideWindow.first, insideWindow.concurrent, insideWindow.retry].map(writesOf)).toEqual(
      [0, 0, 0],
    );
    expect(predictConflict(insideWindow.first, insideWindow.concurrent)).toBeNull();
  });

  test("parallel heartbeats of one session past the dedup window collide once on the row; the retried one writes nothing", async () => {
    const { pastWindow } = await parallelHeartbeats(env);
    // The presence row and the stored heartbeat.
    expect(writesOf(pastWindow.first)).toBe(2);
    expect(predictConflict(pastWindow.first, pastWindow.concurrent)).toMatchObject({
      table: "presence",
      index: "by_session",
    });
    expect(writesOf(pastWindow.retry)).toBe(0);
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
