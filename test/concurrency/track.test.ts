// Tracking from host code (contract §8) in the conflict matrix's terms: footprints of the real
// component's `track` mutation (what a host mutation calling `Analytics.track` runs inside its
// own transaction; the host's own reads and writes are its business) interleaved with ingests
// and worker runs, as schedules.ts records them. Tracking is append-only like ingest: no two
// tracking calls with different ids conflict, nor does tracking conflict with ingest or the
// worker, and every tracked event is counted once.
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { api } from "../../src/component/_generated/api.js";
import {
  HOUR_MS,
  MINUTE_MS,
  PARTITIONS,
  PENDING_SETTLE_MS,
} from "../../src/component/lib/limits.js";
import { modules } from "../../src/test.js";
import {
  conflictCells,
  conflictsIn,
  Lab,
  T0,
  visitorsIn,
  type Cell,
} from "../../harness/schedules.js";

const env = { modules, setTime: (ms: number) => vi.setSystemTime(ms) };
const table = (cells: Record<string, Cell>) =>
  Object.fromEntries(Object.entries(cells).map(([pair, c]) => [pair, [c.conflicts, c.pairs]]));

type TrackArgs = {
  name: string;
  id: string;
  visitorId?: string;
  sessionId?: string;
  userId?: string;
};

let cells: Record<string, Cell>;
let overview: { events: number; pageviews: number; visitors: number; sessions: number };

beforeAll(async () => {
  vi.useFakeTimers();
  const lab = await Lab.open(env);
  const track = (args: TrackArgs) =>
    lab.record("track", () => lab.t.mutation(api.track.track, { siteId: lab.siteId, ...args }));
  // Per partition: a browser visitor who views a page and then orders (the order joins the
  // visit), and an order from a backend job with no visitor at all.
  const browsers = Array.from({ length: PARTITIONS }, (_, p) => visitorsIn(p, 1, `b${p}-`)[0]!);
  for (const [p, visitorId] of browsers.entries()) {
    await lab.ingest([{ id: `pv${p}`, ts: lab.now() - MINUTE_MS, visitorId, path: "/pricing" }]);
    await track({ name: "order", id: `order-a${p}`, visitorId, sessionId: `${visitorId}-s` });
    await track({ name: "job", id: `job-a${p}` });
  }
  lab.advance(PENDING_SETTLE_MS + 1_000);
  // Each partition's worker runs, and more orders (some by signed-in users) land between runs.
  for (let p = 0; p < PARTITIONS; p++) {
    await lab.worker(p);
    await track({ name: "order", id: `order-b${p}`, userId: `user${p}` });
    const visitorId = browsers[p]!;
    await track({ name: "order", id: `order-c${p}`, visitorId, sessionId: `${visitorId}-s` });
  }
  lab.advance(PENDING_SETTLE_MS + 1_000);
  await lab.drain();
  cells = conflictCells(lab.executions, { mode: "recorded-order" });
  overview = await lab.overview(T0 - HOUR_MS, T0 + HOUR_MS);
  lab.stop();
});
afterAll(() => vi.useRealTimers());

describe("tracking from host mutations", () => {
  test("never conflicts with other tracking, with ingest or with the worker", () => {
    expect(conflictsIn({ cells }, "track × track")).toBe(0);
    expect(conflictsIn({ cells }, "ingest × track")).toBe(0);
    expect(conflictsIn({ cells }, "worker × track")).toBe(0);
    const n = 4 * PARTITIONS;
    expect(table(cells)["track × track"]).toEqual([0, (n * (n - 1)) / 2]);
  });

  test("counts every tracked event once", () => {
    expect(overview).toMatchObject({
      pageviews: PARTITIONS,
      events: 4 * PARTITIONS,
      // The browser visitors (their orders join their visits), one per job, one per user.
      visitors: 3 * PARTITIONS,
      sessions: 3 * PARTITIONS,
    });
  });
});
