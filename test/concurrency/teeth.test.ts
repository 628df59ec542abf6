/// <reference types="vite/client" />
// Teeth: every check matrix.test.ts and incidents.test.ts rely on is shown to fail when the
// invariant it guards is broken. Each test runs a schedule on the real component (the check
// passes) and on a variant with one deliberate regression (test/concurrency/fixture: the real
// module with one function wrapped or replaced), and asserts the same check function reports
// the regression: a nonzero conflict count or a wrong figure.
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { modules } from "../../src/test.js";
import fixtureSchema from "./fixture/schema.js";
import {
  concurrentKicks,
  conflictsIn,
  figureMismatches,
  heartbeats,
  ingestDuringWorker,
  maintenanceDuringWorker,
  manyVisitors,
  metricMeaning,
  oneSessionThreeCalls,
  parallelHeartbeats,
  presenceWritesOf,
  withModules,
  type ScheduleEnv,
  type ScheduleResult,
} from "../../harness/schedules.js";

const fixtures = import.meta.glob("./fixture/*.ts");
const setTime = (ms: number) => vi.setSystemTime(ms);
const real: ScheduleEnv = { modules, setTime };

/** The component with `module` replaced by fixture/<fixture>.ts. */
function variant(module: string, fixture: string): ScheduleEnv {
  const load = fixtures[`./fixture/${fixture}.ts`];
  if (!load) throw new Error(`no fixture ${fixture}`);
  return { modules: withModules(modules, { [module]: load }), schema: fixtureSchema, setTime };
}

const figuresWrong = (mismatches: { figure: string }[]) => mismatches.map((m) => m.figure);

/** Presence rows and raw heartbeats written by a schedule's heartbeat requests. */
const heartbeatWrites = (r: ScheduleResult) =>
  r.executions
    .filter((e) => e.kind.startsWith("heartbeat#"))
    .reduce((sum, e) => sum + presenceWritesOf(e.footprint), 0);

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe("the conflict checks catch a hot document", () => {
  test("invariant 1: an ingest that also bumps a per-site counter makes ingest × ingest conflict", async () => {
    const options = { visitors: 20, tabCalls: 4 };
    const ok = await manyVisitors(real, options);
    const broken = await manyVisitors(variant("ingest", "ingest-site-counter"), options);
    expect(conflictsIn(ok, "ingest × ingest")).toBe(0);
    // 24 ingests, 276 pairs: every pair but the 23 with the first ingest, which created the
    // counter (recorded order can't have a later write to a row the earlier one inserted).
    expect(conflictsIn(broken, "ingest × ingest")).toBe(253);
    expect(conflictsIn(broken.tabs, "ingest × ingest")).toBe(6);
    // The figures don't show it: only the conflict check does.
    expect(figureMismatches(broken)).toEqual([]);
  });

  test("invariant 4: a worker that writes one per-site document makes workers of different partitions conflict", async () => {
    const ok = await ingestDuringWorker(real, { callsPerRound: 8 });
    const broken = await ingestDuringWorker(variant("worker", "worker-shared-doc"), {
      callsPerRound: 8,
    });
    expect(conflictsIn(ok, "worker × worker, different partitions")).toBe(0);
    // The four partition runs: 6 pairs of different partitions, less the 3 with the run that
    // created the document. (The site run shares every partition: its pairs are "same partition".)
    expect(conflictsIn(broken, "worker × worker, different partitions")).toBe(3);
  });

  test("invariant 4: a worker that reads its pending events without the receivedAt bound conflicts with ingests that land while it runs", async () => {
    const ok = await ingestDuringWorker(real, { callsPerRound: 8 });
    const broken = await ingestDuringWorker(variant("worker", "worker-unbounded-read"), {
      callsPerRound: 8,
    });
    expect(conflictsIn(ok, "ingest × worker")).toBe(0);
    // Round B's ingests that land in a partition after its worker ran: 2 in partition 0, 1 in each other.
    expect(conflictsIn(broken, "ingest × worker")).toBe(5);
  });

  test("invariant 7: a heartbeat request that bumps a per-site counter makes heartbeats of different sessions conflict", async () => {
    const ok = await heartbeats(real, { sessions: 3 });
    const broken = await heartbeats(variant("ingest", "presence-site-counter"), { sessions: 3 });
    expect(conflictsIn(ok, "heartbeat × heartbeat, different sessions")).toBe(0);
    // 5 heartbeat requests per session: 75 pairs of different sessions, less the 10 with the
    // first, which created the counter.
    expect(conflictsIn(broken, "heartbeat × heartbeat, different sessions")).toBe(65);
  });
});

describe("the dedup checks catch a heartbeat that always writes", () => {
  test("invariant 7: without the dedup window the second of two parallel heartbeats writes, and every heartbeat stores a presence row and itself", async () => {
    const ok = await parallelHeartbeats(real);
    const broken = await parallelHeartbeats(variant("presence", "presence-no-dedup"));
    expect(presenceWritesOf(ok.insideWindow.retry)).toBe(0);
    expect(presenceWritesOf(broken.insideWindow.retry)).toBe(2);

    const okBeats = await heartbeats(real, { sessions: 3 });
    const brokenBeats = await heartbeats(variant("presence", "presence-no-dedup"), { sessions: 3 });
    // Only each session's 12 s heartbeat moves it (a row and the heartbeat); without the
    // window all five do. (Heartbeats of one session no longer conflict either way: a move
    // inserts a row, so the conflict count can't show this; the writes and figures do.)
    expect(heartbeatWrites(okBeats)).toBe(6);
    expect(heartbeatWrites(brokenBeats)).toBe(30);
    expect(conflictsIn(brokenBeats, "heartbeat × heartbeat, same session")).toBe(0);
    expect(figuresWrong(figureMismatches(brokenBeats))).toEqual([
      "today",
      "storedHeartbeats",
      "presenceRows",
    ]);
    expect(brokenBeats.figures).toMatchObject({ presenceRows: 18 });
  });
});

describe("the figure checks catch a lost or doubled event", () => {
  test("invariant 2: a worker that marks events aggregated outside its own transaction folds them again on the next kick", async () => {
    expect(figureMismatches(await concurrentKicks(real))).toEqual([]);
    const broken = await concurrentKicks(variant("worker", "worker-marks-apart"));
    expect(figuresWrong(figureMismatches(broken))).toEqual([
      "today",
      "health",
      "retryFolded",
      "retryWrites",
      "laterFolded",
    ]);
    // The custom events are counted again by every fold.
    expect(broken.figures.today).toMatchObject({ events: 12 });
    expect(broken.figures.retryFolded).toBe(12);
  });

  test("invariant 3: a worker that doesn't see the stored sessions makes three sessions of one", async () => {
    const broken = await oneSessionThreeCalls(variant("worker", "worker-blind-sessions"), "apart");
    expect(figuresWrong(figureMismatches(broken))).toEqual(["today", "sessionRows", "health"]);
    expect(broken.figures).toMatchObject({
      today: { sessions: 3 },
      sessionRows: 3,
      health: { duplicateSessions: 2 },
    });
  });

  test("invariant 5: retention that deletes pending events loses the backfill it raced", async () => {
    const broken = await maintenanceDuringWorker(
      variant("maintenance", "retention-deletes-pending"),
    );
    expect(figuresWrong(figureMismatches(broken))).toEqual([
      "oldDay",
      "oldDayPages",
      "oldDayAfterFirstRetention",
      "deleted",
    ]);
    expect(broken.figures).toMatchObject({
      oldDay: { pageviews: 3 },
      oldDayAfterFirstRetention: [],
    });
  });

  test("invariant 5: compaction that keeps the shards it merged counts them twice or more", async () => {
    const broken = await maintenanceDuringWorker(variant("maintenance", "compaction-doubles"));
    expect(figuresWrong(figureMismatches(broken))).toEqual(["oldDay", "oldDayPages", "recentDay"]);
    expect(broken.figures).toMatchObject({ recentDay: { pageviews: 14, sessions: 14 } });
  });

  test("invariant 5: compaction that leaves one row out of a merge loses it", async () => {
    const broken = await maintenanceDuringWorker(variant("maintenance", "compaction-loses"));
    expect(figuresWrong(figureMismatches(broken))).toEqual(["oldDay", "oldDayPages", "recentDay"]);
    expect(broken.figures).toMatchObject({ recentDay: { pageviews: 0 } });
  });

  test("a metric that doesn't mean what its label says: visitors computed from sessions", async () => {
    const broken = await metricMeaning(variant("reports", "reports-visitors-are-sessions"));
    expect(figureMismatches(broken)).toEqual([
      {
        figure: "today",
        expected: {
          pageviews: 8,
          visitors: 4,
          sessions: 6,
          events: 1,
          bounceRate: 0.5,
          avgDurationMs: 70_000,
        },
        actual: {
          pageviews: 8,
          visitors: 6,
          sessions: 6,
          events: 1,
          bounceRate: 0.5,
          avgDurationMs: 70_000,
        },
      },
    ]);
  });
});
