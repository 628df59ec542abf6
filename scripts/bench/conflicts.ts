// Conflicts (docs/architecture.md, "How conflict-freedom is shown"): predicted
// write conflicts per 1,000 pairs of concurrent operations, from the footprints the project's
// recorder (test/footprint) takes of each transaction: two executions conflict when one
// writes inside what the other read. Ours: the realistic schedules of
// harness/schedules.ts (the same ones test/concurrency/matrix.test.ts asserts on),
// plus which writes re-run which dashboard subscriptions. The baseline: the naive
// implementation's ingests. Every naive ingest read-modify-writes the same counter
// documents, so every pair of them conflicts.
import { MINUTE_MS } from "../../src/component/lib/limits.js";
import { conflictMatrix, type Execution } from "../../harness/footprint/predict.js";
import { startRecording } from "../../harness/footprint/recorder.js";
import { concurrencyMatrix, hotDocuments, type Cell } from "../../harness/schedules.js";
import { globModules } from "../../harness/embedded.js";
import { pageview, round } from "../../harness/component.js";
import { createNaiveBackend } from "./baseline.js";
import { api as naiveApi } from "./naive/_generated/api.js";
import naiveSchema from "./naive/schema.js";
import { toNaive } from "./workload.js";

/** Baseline requests recorded, and events per request. */
const REQUESTS = 40;
const EVENTS_PER_REQUEST = 5;

type BenchCell = { pairs: number; conflicts: number; per1000: number; example?: string };

const benchCell = (c: Cell): BenchCell => ({
  pairs: c.pairs,
  conflicts: c.conflicts,
  per1000: round(c.per1000, 1),
  ...(c.example ? { example: c.example } : {}),
});

/**
 * The schedules' clock outside vitest: `Date.now` reads what the schedule sets, and timers
 * are held, so scheduled functions (worker kicks, realtime turns) never fire on their own
 * and the schedules run exactly as under the tests' fake timers.
 */
async function withPausedClock<T>(body: (setTime: (ms: number) => void) => Promise<T>): Promise<T> {
  const realNow = Date.now;
  const realSetTimeout = globalThis.setTimeout;
  let now = realNow();
  const held = {
    ref: () => held,
    unref: () => held,
    hasRef: () => false,
    refresh: () => held,
    [Symbol.toPrimitive]: () => 0,
  };
  Date.now = () => now;
  globalThis.setTimeout = (() => held) as unknown as typeof setTimeout;
  try {
    return await body((ms) => {
      now = ms;
    });
  } finally {
    Date.now = realNow;
    globalThis.setTimeout = realSetTimeout;
  }
}

async function ours() {
  const m = await withPausedClock((setTime) =>
    concurrencyMatrix({ modules: globModules("src/component"), setTime }),
  );
  const recorded: Record<string, number> = {};
  for (const s of m.schedules)
    for (const [kind, n] of Object.entries(s.executions))
      recorded[kind] = (recorded[kind] ?? 0) + n;
  // Counted per schedule: each is its own deployment, so document ids only mean something within it.
  const hot = m.schedules.map((s) => s.hotIngestDocuments);
  const invalidations: Record<
    string,
    Record<string, { writes: number; invalidations: number; per1000: number }>
  > = {};
  for (const [writer, queries] of Object.entries(m.invalidations)) {
    for (const [query, c] of Object.entries(queries)) {
      (invalidations[writer] ??= {})[query.replace(/^query:/, "")] = {
        writes: c.writes,
        invalidations: c.invalidations,
        per1000: round(c.per1000, 1),
      };
    }
  }
  return {
    recorded,
    cells: Object.fromEntries(Object.entries(m.cells).map(([pair, c]) => [pair, benchCell(c)])),
    total: benchCell(m.total),
    invalidations,
    schedules: m.schedules.map((s) => ({
      name: s.name,
      mode: s.mode,
      executions: s.executions,
      figuresExact: s.mismatches.length === 0,
    })),
    hotDocuments: {
      documents: hot.reduce((n, h) => n + h.documents, 0),
      tables: [...new Set(hot.flatMap((h) => h.tables))],
    },
  };
}

function matrix(executions: Execution[]) {
  const m = conflictMatrix(executions, { mode: "recorded-order" });
  const cells: Record<string, BenchCell> = {};
  for (let i = 0; i < m.kinds.length; i++) {
    for (let j = i; j < m.kinds.length; j++) {
      const c = m.cells[m.kinds[i]!]![m.kinds[j]!]!;
      cells[`${m.kinds[i]} × ${m.kinds[j]}`] = {
        pairs: c.pairs,
        conflicts: c.conflicts,
        per1000: round(c.per1000, 1),
        ...(c.example ? { example: c.example.description } : {}),
      };
    }
  }
  return {
    cells,
    total: {
      pairs: m.total.pairs,
      conflicts: m.total.conflicts,
      per1000: round(m.total.per1000, 1),
    },
  };
}

async function naive() {
  const t = createNaiveBackend();
  const now = Date.now();
  // The counters exist before the recorded requests, as on any site that has had traffic.
  await t.mutation(naiveApi.functions.ingest, {
    site: "naive",
    events: [
      toNaive({
        id: "warm",
        ts: now - 2 * MINUTE_MS,
        visitorId: "warm",
        sessionId: "warm-s",
        path: "/",
        referrer: "",
        userAgent: pageview("", 0, "", "").userAgent,
      }),
    ],
  });
  const rec = await startRecording(t, {
    schemas: { "": naiveSchema },
    modules: { "": globModules("scripts/bench/naive") },
  });
  for (let r = 0; r < REQUESTS; r++) {
    const events = Array.from({ length: EVENTS_PER_REQUEST }, (_, i) => {
      const n = r * EVENTS_PER_REQUEST + i;
      return toNaive({
        id: `n${n}`,
        ts: now - MINUTE_MS + n,
        visitorId: `nv${n}`,
        sessionId: `nv${n}-s`,
        path: `/p${n % 5}`,
        referrer: "",
        userAgent: pageview("", 0, "", "").userAgent,
      });
    });
    await t.mutation(naiveApi.functions.ingest, { site: "naive", events });
  }
  const footprints = rec.take({ actions: false, name: /functions:ingest$/ });
  rec.stop();
  return {
    recorded: { ingest: footprints.length },
    ...matrix(footprints.map((footprint) => ({ kind: "ingest", footprint }))),
    hotDocuments: hotDocuments(footprints),
  };
}

export async function benchConflicts() {
  const o = await ours();
  return {
    method:
      "footprints (test/footprint recorder + predictConflict); ours: the schedules of harness/schedules.ts " +
      "(recorded order for sequential-causal schedules, symmetric for twin executions of one snapshot); " +
      `baseline: ${REQUESTS} naive ingest requests of ${EVENTS_PER_REQUEST} events, recorded order`,
    requests: REQUESTS,
    eventsPerRequest: EVENTS_PER_REQUEST,
    ours: o,
    baseline: await naive(),
  };
}
