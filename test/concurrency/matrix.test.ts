// The conflict matrix (docs/architecture.md, "How conflict-freedom is shown a real backend")
// over realistic schedules of the real component: invariants 1, 3, 4 and 7 as cells that must
// be zero, the pairs that legitimately conflict as exact counts (each a clean retry), and the
// report figures after every schedule (no event lost or doubled). teeth.test.ts shows that
// these same checks fail on deliberately broken variants.
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { modules } from "../../src/test.js";
import { predictConflict } from "../../harness/footprint/predict.js";
import {
  concurrentKicks,
  conflictsIn,
  figureMismatches,
  foldMatrix,
  heartbeats,
  ingestDuringWorker,
  maintenanceDuringWorker,
  manyVisitors,
  presenceWritesOf,
  writesOf,
  type Cell,
  type InvalidationCell,
  type ScheduleResult,
} from "../../harness/schedules.js";

const env = { modules, setTime: (ms: number) => vi.setSystemTime(ms) };

/** A schedule's cells as `[conflicts, pairs]`, to compare whole tables at once. */
const table = (cells: Record<string, Cell>) =>
  Object.fromEntries(Object.entries(cells).map(([pair, c]) => [pair, [c.conflicts, c.pairs]]));
const invalidationTable = (cells: Record<string, Record<string, InvalidationCell>>) =>
  Object.fromEntries(
    Object.entries(cells).map(([writer, queries]) => [
      writer,
      // Only dashboard subscriptions.
      Object.fromEntries(
        Object.entries(queries)
          .filter(([q]) => q.startsWith("query:"))
          .map(([q, c]) => [q.replace(/^query:/, ""), [c.invalidations, c.writes]]),
      ),
    ]),
  );

let visitors: Awaited<ReturnType<typeof manyVisitors>>;
let during: ScheduleResult;
let kicks: Awaited<ReturnType<typeof concurrentKicks>>;
let maintenance: ScheduleResult;
let beats: ScheduleResult;

beforeAll(async () => {
  vi.useFakeTimers();
  visitors = await manyVisitors(env);
  during = await ingestDuringWorker(env);
  kicks = await concurrentKicks(env);
  maintenance = await maintenanceDuringWorker(env);
  beats = await heartbeats(env);
});
afterAll(() => vi.useRealTimers());

describe("200 visitors ingesting, and one session ingesting from 3 tabs", () => {
  test("no two ingests conflict, whether from different visitors or from tabs of one session", () => {
    expect(conflictsIn(visitors, "ingest × ingest")).toBe(0);
    expect(conflictsIn(visitors.tabs, "ingest × ingest")).toBe(0);
    // The site run takes 25 events of each partition; each partition's rest is folded by a run
    // of its own (4 site-run pairs and 6 pairs of partition runs, none in conflict).
    expect(table(visitors.cells)).toEqual({
      "ingest × ingest": [0, 21_945],
      "ingest × worker": [0, 1_050],
      "worker × worker, different partitions": [0, 6],
      "worker × worker, same partition": [0, 4],
    });
    expect(table(visitors.tabs.cells)).toEqual({ "ingest × ingest": [0, 45] });
  });

  test("every view is counted once: 210 views, 201 visitors, 201 sessions", () => {
    expect(figureMismatches(visitors)).toEqual([]);
    expect(visitors.figures.today).toMatchObject({ pageviews: 210, visitors: 201, sessions: 201 });
  });
});

describe("ingest while the workers run", () => {
  test("ingest never conflicts with a worker or with another ingest that moves presence, workers of different partitions never conflict", () => {
    expect(conflictsIn(during, "ingest × worker")).toBe(0);
    expect(conflictsIn(during, "ingest × ingest")).toBe(0);
    expect(conflictsIn(during, "worker × worker, different partitions")).toBe(0);
    expect(table(during.cells)).toEqual({
      // Every call carries live pageviews, so each also moves its visitor's presence (and the
      // first starts the realtime loop) in its own transaction: the presence work that was a
      // separate touch is now inside these pairs, and they still never conflict.
      "ingest × ingest": [0, 3_160],
      // The refresh reads the live presence rows through a stale snapshot (no read
      // dependency) and writes the summary, reading no presence row while anyone is live.
      "ingest × refresh": [0, 160],
      "ingest × worker": [0, 400],
      "refresh × refresh": [0, 1],
      "worker × refresh": [0, 10],
      // The four partition runs, and the site run that folds round B: it shares every
      // partition with them (see kinds.siteWorker), and follows them.
      "worker × worker, same partition": [0, 4],
      "worker × worker, different partitions": [0, 6],
    });
  });

  test("the dashboard, filtered or not, is re-run by worker runs, never by an ingest; only the raw-event views (health, event list) follow ingest", () => {
    expect(invalidationTable(during.invalidations)).toEqual({
      ingest: {
        getOverview: [0, 40],
        getTimeseries: [0, 40],
        getBreakdown: [0, 40],
        getRealtime: [0, 40],
        getHealth: [40, 40],
        listEvents: [40, 40],
        filteredOverview: [0, 40],
      },
      // The four partition runs and the site run.
      worker: {
        getOverview: [5, 5],
        getTimeseries: [5, 5],
        getBreakdown: [5, 5],
        getRealtime: [0, 5],
        getHealth: [5, 5],
        listEvents: [5, 5],
        // A filtered dashboard follows the worker as the rollup one does: at most one re-run
        // per worker run (one per site per kick window, plus continuations), never one per ingest.
        filteredOverview: [5, 5],
      },
      refresh: {
        getOverview: [0, 1],
        getTimeseries: [0, 1],
        getBreakdown: [0, 1],
        getRealtime: [1, 1],
        getHealth: [0, 1],
        listEvents: [0, 1],
        filteredOverview: [0, 1],
      },
    });
  });

  test("every view is counted once: 160 views, 60 visitors, 60 sessions (returning visitors extend theirs)", () => {
    expect(figureMismatches(during)).toEqual([]);
    expect(during.figures.today).toMatchObject({
      pageviews: 160,
      visitors: 60,
      sessions: 60,
      avgDurationMs: 2_000,
    });
  });
});

describe("two kicks of one site", () => {
  test("two site runs that overlap conflict on the pending range; the retry folds nothing and writes nothing", () => {
    const { first, concurrent, retry } = kicks.twins.kicks;
    expect(predictConflict(first, concurrent)).toMatchObject({
      table: "events",
      index: "by_status",
    });
    expect(predictConflict(first, retry, { mode: "recorded-order" })).toBeNull();
    expect(writesOf(retry)).toBe(0);
    // Two site runs share every partition: their pair is filed as "same partition".
    expect(table(kicks.cells)).toEqual({
      "worker × worker, same partition": [1, 2],
      "ingest × redelivery": [1, 2],
    });
  });

  test("an event delivered twice at once conflicts on its id; the retried delivery is a duplicate that stores nothing", () => {
    const { first, concurrent, retry } = kicks.twins.deliveries;
    const conflict = predictConflict(first, concurrent);
    // On its id, and (the resent view is live, and nobody else was) on starting the realtime
    // loop: two requests starting it at once conflict once, the retry seeing it running.
    expect(new Set(conflict?.reasons.map((r) => `${r.table}.${r.index}`))).toEqual(
      new Set(["events.by_event_id", "realtimeLoop.by_site"]),
    );
    expect(predictConflict(first, retry, { mode: "recorded-order" })).toBeNull();
    // Its one write is its rate-limit mark: it stores no event.
    expect(writesOf(retry)).toBe(1);
    expect(presenceWritesOf(retry)).toBe(0);
  });

  test("nothing is counted twice: 9 views, 4 custom events, 4 visitors, 4 sessions", () => {
    expect(figureMismatches(kicks)).toEqual([]);
    expect(kicks.figures).toMatchObject({
      firstFolded: 12,
      retryFolded: 0,
      laterFolded: 1,
      today: { pageviews: 9, events: 4, visitors: 4, sessions: 4 },
    });
  });
});

describe("compaction and retention while the workers run", () => {
  test("maintenance never conflicts with ingest; it conflicts with a worker only over late or backfilled rows", () => {
    expect(conflictsIn(maintenance, "ingest × compaction")).toBe(0);
    expect(conflictsIn(maintenance, "ingest × retention")).toBe(0);
    expect(conflictsIn(maintenance, "ingest × worker")).toBe(0);
    expect(table(maintenance.cells)).toEqual({
      "import × import": [0, 3],
      "ingest × import": [0, 48],
      // o4 lands (pending) in the 60-day-old day just after retention read it: retention
      // reads only folded events, so only the worker that folds o4 meets it (below).
      "import × retention": [0, 9],
      "import × compaction": [0, 6],
      "import × worker": [0, 6],
      "ingest × ingest": [0, 120],
      "ingest × retention": [0, 48],
      "ingest × compaction": [0, 32],
      "ingest × worker": [0, 32],
      // The second pass deletes the rows the first one read.
      "retention × retention": [1, 3],
      "compaction × retention": [0, 6],
      // The site run marks o3 and o4 (60 days old) done: their keys move into the range the
      // first retention read, and the next retention deletes them.
      "worker × retention": [2, 6],
      "compaction × compaction": [1, 1],
      // The site run writes shard rows of closed buckets in partitions 1 (o3, o4: 60 days
      // old) and 2 (late1: 2 days old), inside the range the first compaction read: one run,
      // one conflict (it was two, one per partition's run).
      "worker × compaction": [1, 4],
      // Successive site runs fold different events into different rows: they share nothing
      // (no run writes a per-site or per-partition state document).
      "worker × worker, same partition": [0, 1],
    });
  });

  test("a backfill still pending when retention looks at its day survives and is counted; figures are exact", () => {
    expect(figureMismatches(maintenance)).toEqual([]);
    expect(maintenance.figures).toMatchObject({
      oldDayAfterFirstRetention: ["o3"],
      oldDay: { pageviews: 4, visitors: 2, sessions: 2 },
      recentDay: { pageviews: 5, visitors: 5, sessions: 5 },
      oldDayStored: [],
    });
  });
});

describe("heartbeats from several tabs", () => {
  test("heartbeats never conflict, of different sessions or of one session", () => {
    expect(conflictsIn(beats, "heartbeat × heartbeat, different sessions")).toBe(0);
    expect(conflictsIn(beats, "heartbeat × heartbeat, same session")).toBe(0);
    expect(table(beats.cells)).toEqual({
      // The 4 opening pageviews (one per session), each moving its session's presence.
      "ingest × ingest": [0, 6],
      "ingest × heartbeat": [0, 80],
      "ingest × refresh": [0, 12],
      "ingest × worker": [0, 4],
      // Was [12, 60]: the 12 s heartbeat patched the row the three deduplicated ones read.
      // Now every request reads its session's presence through a stale snapshot (no read
      // dependency) and a move inserts a new row, never patching one: nothing to conflict on.
      "heartbeat × heartbeat, same session": [0, 40],
      "heartbeat × heartbeat, different sessions": [0, 150],
      "heartbeat × refresh": [0, 60],
      "heartbeat × worker": [0, 20],
      // Successive runs of the refresh loop rewrite the one summary (one loop per site).
      "refresh × refresh": [1, 3],
      "worker × refresh": [0, 3],
    });
  });

  test("getRealtime is re-run by the summary refresh only, never by a heartbeat; the dashboard by the worker only", () => {
    const rollups = (n: number, of: number) => ({
      getOverview: [n, of],
      getTimeseries: [n, of],
      getBreakdown: [n, of],
      filteredOverview: [n, of],
    });
    expect(invalidationTable(beats.invalidations)).toEqual({
      ingest: { ...rollups(0, 4), getRealtime: [0, 4], getHealth: [4, 4], listEvents: [4, 4] },
      // Only the 4 heartbeats that moved their session's presence store a raw event (the raw
      // event views follow them); the 16 inside the dedup window write no event.
      heartbeat: {
        ...rollups(0, 20),
        getRealtime: [0, 20],
        getHealth: [4, 20],
        listEvents: [4, 20],
      },
      refresh: { ...rollups(0, 3), getRealtime: [3, 3], getHealth: [0, 3], listEvents: [0, 3] },
      worker: { ...rollups(1, 1), getRealtime: [0, 1], getHealth: [1, 1], listEvents: [1, 1] },
    });
  });

  test("a heartbeat inside the dedup window stores nothing; figures and the realtime summary are exact", () => {
    expect(figureMismatches(beats)).toEqual([]);
    expect(beats.figures).toMatchObject({
      today: { sessions: 4, avgDurationMs: 12_000 },
      realtime: { activeVisitors: 4 },
      presenceRows: 8,
    });
  });
});

describe("the matrix over every schedule", () => {
  test("per pair of operation kinds: the invariant cells are zero, and the total is the legitimate retries only", () => {
    const m = foldMatrix([visitors, during, kicks, maintenance, beats]);
    for (const pair of [
      "ingest × ingest",
      "ingest × worker",
      "worker × worker, different partitions",
      "heartbeat × heartbeat, different sessions",
      "ingest × heartbeat",
      "ingest × compaction",
      "ingest × retention",
    ]) {
      expect({ pair, conflicts: m.cells[pair]!.conflicts }).toEqual({ pair, conflicts: 0 });
    }
    expect(m.cells["ingest × ingest"]).toMatchObject({ pairs: 25_231, conflicts: 0, per1000: 0 });
    // 21 before heartbeats moved into ingest (12 same-session heartbeat pairs) and one site
    // run replaced the per-partition runs (one worker × compaction conflict fewer).
    expect(m.total).toMatchObject({ pairs: 27_453, conflicts: 8 });
    expect(m.schedules.map((s) => s.mismatches)).toEqual([[], [], [], [], []]);
    expect(m.schedules.map((s) => s.hotIngestDocuments.documents)).toEqual([0, 0, 0, 0, 0]);
  });
});
