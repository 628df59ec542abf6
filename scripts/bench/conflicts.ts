// Conflicts (ARCHITECTURE, "Showing conflict-freedom without a real backend"): predicted
// write conflicts per 1,000 pairs of concurrent operations, from the footprints the project's
// recorder (test/footprint) takes of each transaction: two executions conflict when one
// writes inside what the other read. Ours: live ingests (distinct visitors), worker runs of
// the four partitions, and maintenance; the baseline: its ingests. Every naive ingest
// read-modify-writes the same counter documents, so every pair of them conflicts.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { api, internal } from "../../src/component/_generated/api.js";
import { sha256Hex } from "../../src/component/lib/keys.js";
import { MINUTE_MS, PARTITIONS } from "../../src/component/lib/limits.js";
import schema from "../../src/component/schema.js";
import type { Footprint } from "../../test/footprint/footprint.js";
import { conflictMatrix, type Execution } from "../../test/footprint/predict.js";
import { startRecording } from "../../test/footprint/recorder.js";
import { globModules } from "../demo/backend.js";
import { cancelKicks, createComponentBackend, pageview, round, visitorsByPartition, waitSettle } from "./harness.js";
import { createNaiveBackend } from "./baseline.js";
import { api as naiveApi } from "./naive/_generated/api.js";
import naiveSchema from "./naive/schema.js";
import { toNaive } from "./workload.js";

/** Concurrent requests recorded per kind, and events per request. */
const REQUESTS = 40;
const EVENTS_PER_REQUEST = 5;
const SCHEDULES = fileURLToPath(new URL("../../test/concurrency/schedules.ts", import.meta.url));

/** Documents written by more than one of the executions: the hot documents. */
function hotDocuments(footprints: Footprint[]) {
  const writers = new Map<string, number>();
  for (const f of footprints) for (const id of new Set(f.writes.map((w) => `${w.table}:${w.id}`))) writers.set(id, (writers.get(id) ?? 0) + 1);
  const hot = [...writers].filter(([, n]) => n > 1);
  return { documents: hot.length, tables: [...new Set(hot.map(([id]) => id.split(":")[0]!))] };
}

type Cell = { pairs: number; conflicts: number; per1000: number; example?: string };

function matrix(executions: Execution[]) {
  const m = conflictMatrix(executions, { mode: "recorded-order" });
  const cells: Record<string, Cell> = {};
  for (let i = 0; i < m.kinds.length; i++) {
    for (let j = i; j < m.kinds.length; j++) {
      const c = m.cells[m.kinds[i]!]![m.kinds[j]!]!;
      cells[`${m.kinds[i]} × ${m.kinds[j]}`] = { pairs: c.pairs, conflicts: c.conflicts, per1000: round(c.per1000, 1), ...(c.example ? { example: c.example.description } : {}) };
    }
  }
  return { cells, total: { pairs: m.total.pairs, conflicts: m.total.conflicts, per1000: round(m.total.per1000, 1) } };
}

async function ours() {
  const t = createComponentBackend();
  const writeKey = "bench-conflicts-write-key-0123456789";
  const { siteId } = await t.mutation(api.sites.createSite, { slug: "conflicts", name: "conflicts", domain: "example.com", writeKey });
  const keyHash = await sha256Hex(writeKey);
  const rec = await startRecording(t, { schemas: { "": schema }, modules: { "": globModules("src/component") } });
  const pools = visitorsByPartition(REQUESTS * EVENTS_PER_REQUEST, "cv");
  const now = Date.now();
  const executions: Execution[] = [];
  const take = (kind: string, name: RegExp) => {
    for (const footprint of rec.take({ actions: false, name })) executions.push({ kind, footprint });
  };
  const ingestRound = async (label: string) => {
    for (let r = 0; r < REQUESTS; r++) {
      const events = Array.from({ length: EVENTS_PER_REQUEST }, (_, i) => {
        const n = r * EVENTS_PER_REQUEST + i;
        const { url, ...e } = pageview(`${label}-${n}`, now - 10 * MINUTE_MS + n, pools[n % PARTITIONS]![Math.floor(n / PARTITIONS)]!, `/p${n % 5}`);
        return { type: e.type, id: e.id, ts: e.ts, visitorId: e.visitorId, sessionId: e.sessionId, url };
      });
      const out = await t.mutation(api.ingest.ingest, { keyHash, origin: "https://example.com", userAgent: pageview("", 0, "", "").userAgent, country: "DE", events });
      if (!out.ok) throw new Error(`ingest refused: ${out.refusal.message}`);
    }
    await cancelKicks(t);
    take("ingest", /ingest:ingest$/);
    rec.take(); // presence touches and the like: not part of this matrix
  };
  await ingestRound("a");
  await waitSettle();
  for (let partition = 0; partition < PARTITIONS; partition++) {
    for (;;) {
      const r = await t.mutation(internal.worker.aggregate, { siteId: siteId as never, partition });
      await cancelKicks(t);
      if (!r.more) break;
    }
  }
  take("worker", /worker:aggregate$/);
  // A second round of ingests after the workers, so ingest × worker is seen in both orders.
  await ingestRound("b");
  await t.mutation(api.maintenance.runMaintenance, { siteId });
  take("maintenance", /maintenance:runMaintenance$/);
  rec.stop();
  await t.finishInProgressScheduledFunctions().catch(() => {});
  const ingests = executions.filter((e) => e.kind === "ingest").map((e) => e.footprint);
  return { recorded: Object.fromEntries(["ingest", "worker", "maintenance"].map((k) => [k, executions.filter((e) => e.kind === k).length])), ...matrix(executions), hotDocuments: hotDocuments(ingests) };
}

async function naive() {
  const t = createNaiveBackend();
  const now = Date.now();
  // The counters exist before the recorded requests, as on any site that has had traffic.
  await t.mutation(naiveApi.functions.ingest, { site: "naive", events: [toNaive({ id: "warm", ts: now - 2 * MINUTE_MS, visitorId: "warm", sessionId: "warm-s", path: "/", referrer: "", userAgent: pageview("", 0, "", "").userAgent })] });
  const rec = await startRecording(t, { schemas: { "": naiveSchema }, modules: { "": globModules("scripts/bench/naive") } });
  for (let r = 0; r < REQUESTS; r++) {
    const events = Array.from({ length: EVENTS_PER_REQUEST }, (_, i) => {
      const n = r * EVENTS_PER_REQUEST + i;
      return toNaive({ id: `n${n}`, ts: now - MINUTE_MS + n, visitorId: `nv${n}`, sessionId: `nv${n}-s`, path: `/p${n % 5}`, referrer: "", userAgent: pageview("", 0, "", "").userAgent });
    });
    await t.mutation(naiveApi.functions.ingest, { site: "naive", events });
  }
  const footprints = rec.take({ actions: false, name: /functions:ingest$/ });
  rec.stop();
  return { recorded: { ingest: footprints.length }, ...matrix(footprints.map((footprint) => ({ kind: "ingest", footprint }))), hotDocuments: hotDocuments(footprints) };
}

export async function benchConflicts() {
  return {
    method: existsSync(SCHEDULES)
      ? "footprints (test/footprint recorder + predictConflict, recorded order); test/concurrency/schedules.ts exists but is not used here"
      : "footprints (test/footprint recorder + predictConflict, recorded order); test/concurrency/schedules.ts does not exist",
    requests: REQUESTS,
    eventsPerRequest: EVENTS_PER_REQUEST,
    ours: await ours(),
    baseline: await naive(),
  };
}
