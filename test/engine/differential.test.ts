/// <reference types="vite/client" />
// Differential test of convex-test's indexes (patches/convex-test+0.0.60.patch): the
// same seeded random workloads run on an engine with indexes and on one created with
// `globalThis.__CONVEX_TEST_NO_INDEX__ = true`, which runs convex-test's original
// scan-and-sort query code. Every function result, error and transaction metric must
// be identical.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { convexTest } from "convex-test";
import { convexToJson, type Value } from "convex/values";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import componentSchema from "./component/schema.js";
import { api, components } from "./convex/_generated/api.js";
import schema from "./convex/schema.js";
import {
  normalizeError,
  type Filter,
  type How,
  type Op,
  type RangeStep,
  type Read,
} from "./exec.js";

const modules = import.meta.glob("./convex/**/*.ts");
const componentModules = import.meta.glob("./component/**/*.ts");

type Flags = typeof globalThis & {
  __CONVEX_TEST_NO_INDEX__?: boolean;
  __CONVEX_TEST_INDEX_CHUNK_SIZE__?: number;
};
const flags = globalThis as Flags;

function makeEngine(indexed: boolean, chunkSize?: number) {
  flags.__CONVEX_TEST_NO_INDEX__ = !indexed;
  flags.__CONVEX_TEST_INDEX_CHUNK_SIZE__ = chunkSize;
  try {
    const t = convexTest(schema, modules);
    t.registerComponent("child", componentSchema, componentModules);
    return t;
  } finally {
    delete flags.__CONVEX_TEST_NO_INDEX__;
    delete flags.__CONVEX_TEST_INDEX_CHUNK_SIZE__;
  }
}
type Engine = ReturnType<typeof makeEngine>;

// ---------------------------------------------------------------- random values

function prng(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  const chance = (p: number) => next() < p;
  return { next, int, pick, chance };
}
type Rng = ReturnType<typeof prng>;

const STRINGS = ["", "a", "ab", "b", "B", "ba", "é", "z", "zz", "a b", "\uffff", "\u{1F600}"];
const TAGS = ["x", "y", "z", "xx"];

function number(r: Rng): number {
  if (r.chance(0.06)) return r.pick([-0, NaN, Infinity, -Infinity, 0.5, -3.25, 1e-9]);
  return r.int(12) - 2;
}

function anyValue(r: Rng): Value {
  switch (r.int(9)) {
    case 0:
      return null;
    case 1:
      return BigInt(r.int(5) - 2);
    case 2:
      return number(r);
    case 3:
      return r.chance(0.5);
    case 4:
      return r.pick(STRINGS);
    case 5:
      return new Uint8Array([r.int(3), r.int(3)].slice(0, r.int(3))).buffer;
    case 6:
      return [r.int(3), r.pick(["p", "q"])].slice(0, 1 + r.int(2));
    case 7:
      return r.chance(0.5) ? { p: r.int(3) } : { p: r.int(3), q: r.pick(["s", "t"]) };
    default:
      return r.int(4);
  }
}

type Where = "app" | "child";
const TABLES = ["items", "notes"] as const;
type Table = (typeof TABLES)[number];

// Index fields, as convex-test completes them with _creationTime and _id.
const INDEXES: Record<Where, Record<Table, Record<string, string[]>>> = {
  app: {
    items: {
      by_a: ["a"],
      by_b_a: ["b", "a"],
      by_g_b_a: ["g", "b", "a"],
      by_c: ["c"],
      by_tag: ["tag"],
      by_nx: ["n.x"],
      by_ts: ["ts"],
    },
    notes: { by_k: ["k"] },
  },
  child: {
    items: { by_a: ["a"], by_g_b_a: ["g", "b", "a"], by_c: ["c"] },
    notes: {},
  },
};

class Workload {
  ids: Record<Table, string[]> = { items: [], notes: [] };
  startTime: number;
  constructor(
    readonly r: Rng,
    startTime: number,
  ) {
    this.startTime = startTime;
  }

  id(table: Table): string {
    const pool = this.ids[table];
    if (pool.length === 0 || this.r.chance(0.03))
      return `${10000 + this.r.int(50)}`.padStart(32 - table.length, "0") + table;
    // Favour recent ids.
    return this.r.chance(0.5)
      ? pool[pool.length - 1 - this.r.int(Math.min(pool.length, 8))]
      : this.r.pick(pool);
  }

  fieldValue(field: string): Value | undefined {
    const r = this.r;
    switch (field) {
      case "a":
      case "k":
      case "n.x":
        return number(r);
      case "b":
        return r.pick(STRINGS);
      case "g":
        return r.int(4);
      case "c":
        return r.chance(0.1) ? undefined : anyValue(r);
      case "tag":
        return r.chance(0.3) ? undefined : r.pick(TAGS);
      case "ts":
        return r.chance(0.2)
          ? undefined
          : r.chance(0.2)
            ? 2n ** 63n - 1n
            : BigInt(r.int(3)) * 10n ** 18n;
      case "_creationTime":
        return this.startTime + r.next() * (Date.now() - this.startTime + 1);
      case "_id":
        return this.id(r.chance(0.8) ? "items" : "notes");
      case "text":
        return r.pick(STRINGS);
      default:
        throw new Error(field);
    }
  }

  doc(table: Table): Record<string, Value> {
    const r = this.r;
    if (table === "notes") return { k: number(r), text: r.pick(STRINGS) };
    const doc: Record<string, Value> = { a: number(r), b: r.pick(STRINGS), g: r.int(4) };
    if (r.chance(0.7)) doc.c = anyValue(r);
    if (r.chance(0.6)) doc.tag = r.pick(TAGS);
    if (r.chance(0.5)) doc.n = { x: number(r) };
    if (r.chance(0.1)) doc.ts = this.fieldValue("ts") ?? 5n;
    // convex-test's vector search fails on a document without the vector.
    doc.vec = [r.int(3) - 1, r.int(3) - 1];
    return doc;
  }

  write(where: Where): Op {
    const r = this.r;
    const table: Table = r.chance(0.8) ? "items" : "notes";
    const roll = r.next();
    const commitTs = table === "items" && r.chance(0.08);
    if (roll < 0.5) return { kind: "insert", table, doc: this.doc(table), commitTs };
    if (roll < 0.75) {
      const fields: Record<string, Value> = {};
      const names = table === "items" ? ["a", "b", "g", "c", "tag", "n"] : ["k", "text"];
      for (const name of names)
        if (r.chance(0.35))
          fields[name] = name === "n" ? { x: number(r) } : (this.fieldValue(name) ?? 1);
      const unset =
        table === "items" && r.chance(0.2) ? [r.pick(["c", "tag", "n", "ts"])] : undefined;
      if (r.chance(0.05)) fields.a = "not a number"; // fails validation
      return { kind: "patch", table, id: this.id(table), fields, unset, commitTs };
    }
    if (roll < 0.87)
      return { kind: "replace", table, id: this.id(table), doc: this.doc(table), commitTs };
    void where;
    return { kind: "delete", table, id: this.id(table) };
  }

  range(where: Where, table: Table, index: string): RangeStep[] {
    const r = this.r;
    const fields =
      index === "by_id"
        ? ["_id"]
        : index === "by_creation_time"
          ? ["_creationTime", "_id"]
          : [...(INDEXES[where][table][index] ?? ["a"]), "_creationTime", "_id"];
    const steps: RangeStep[] = [];
    const step = (op: RangeStep[0], field: string) => {
      const value = this.fieldValue(field);
      steps.push(value === undefined ? [op, field] : [op, field, value]);
    };
    const userFields = fields.length - (index === "by_id" ? 0 : 2);
    let eqs = r.int(userFields + 1);
    if (r.chance(0.05)) eqs = fields.length; // up to _id
    for (let i = 0; i < eqs; i++) step("eq", fields[i]);
    if (eqs < fields.length) {
      const lower = r.chance(0.45);
      const upper = r.chance(0.45);
      if (lower && upper && r.chance(0.5)) {
        step(r.pick(["lt", "lte"] as const), fields[eqs]);
        step(r.pick(["gt", "gte"] as const), fields[eqs]);
      } else {
        if (lower) step(r.pick(["gt", "gte"] as const), fields[eqs]);
        if (upper) step(r.pick(["lt", "lte"] as const), fields[eqs]);
      }
    }
    if (r.chance(0.02)) step("eq", r.pick(fields)); // often an invalid range
    return steps;
  }

  filter(table: Table, depth = 0): Filter {
    const r = this.r;
    if (depth < 2 && r.chance(0.2)) {
      const kind = r.pick(["and", "or", "not"] as const);
      if (kind === "not") return { not: this.filter(table, depth + 1) };
      const args = [this.filter(table, depth + 1), this.filter(table, depth + 1)];
      return kind === "and" ? { and: args } : { or: args };
    }
    const field =
      table === "notes" ? r.pick(["k", "text"]) : r.pick(["a", "b", "g", "c", "tag", "n.x", "a"]);
    const value = this.fieldValue(field);
    const cmp = r.pick(["eq", "neq", "gt", "gte", "lt", "lte"] as const);
    const filter: Filter = value === undefined ? { cmp, field } : { cmp, field, value };
    if ((field === "a" || field === "k") && r.chance(0.15)) return { ...filter, add: r.int(3) };
    return filter;
  }

  how(allowPaginate: boolean): How {
    const r = this.r;
    const roll = r.next();
    if (roll < 0.25) return { kind: "collect" };
    if (roll < 0.45) return { kind: "take", n: r.int(5) };
    if (roll < 0.6) return { kind: "first" };
    if (roll < 0.7) return { kind: "unique" };
    if (roll < 0.85 || !allowPaginate) return { kind: "iterate", n: 1 + r.int(4) };
    return this.paginate(null);
  }

  paginate(cursor: string | null): How {
    const r = this.r;
    const how: How = { kind: "paginate", numItems: r.int(6), cursor };
    if (r.chance(0.15)) how.maximumRowsRead = 1 + r.int(4);
    if (r.chance(0.05)) how.maximumBytesRead = 50 + r.int(400);
    return how;
  }

  read(where: Where, allowPaginate: boolean): Read {
    const r = this.r;
    const table: Table = r.chance(0.8) ? "items" : "notes";
    const read: Read = { table, how: this.how(allowPaginate) };
    if (table === "items" && where === "app" && r.chance(0.05)) {
      read.search = { term: r.pick(["a", "b", "z", "é", "x"]) };
      if (r.chance(0.5)) read.search.g = r.int(4);
      if (r.chance(0.3)) read.filters = [this.filter(table)];
      return read;
    }
    if (r.chance(0.8)) {
      const names = [...Object.keys(INDEXES[where][table]), "by_creation_time", "by_id"];
      read.index = r.chance(0.02) ? "by_nothing" : r.pick(names);
      read.range = r.chance(0.1) ? [] : this.range(where, table, read.index);
    }
    if (r.chance(0.4)) read.order = r.pick(["asc", "desc"] as const);
    const filters = r.chance(0.3) ? 1 + r.int(2) : 0;
    if (filters > 0) read.filters = Array.from({ length: filters }, () => this.filter(table));
    return read;
  }

  ops(where: Where, type: "query" | "mutation", depth = 0): Op[] {
    const r = this.r;
    const ops: Op[] = [];
    let paginated = false;
    const count = 1 + r.int(type === "mutation" ? 10 : 5);
    for (let i = 0; i < count; i++) {
      const roll = r.next();
      if (type === "mutation" && roll < 0.55) ops.push(this.write(where));
      else if (roll < 0.62) {
        const table: Table = r.chance(0.8) ? "items" : "notes";
        ops.push({ kind: "get", table, id: this.id(table) });
      } else if (roll < 0.65) ops.push({ kind: "metrics" });
      else if (roll < 0.66) ops.push({ kind: "count", table: r.chance(0.8) ? "items" : "notes" });
      else if (roll < 0.72 && depth === 0) {
        const nestedType = type === "query" || r.chance(0.3) ? "query" : "mutation";
        const target = where === "app" && r.chance(0.5) ? "child" : "self";
        ops.push({
          kind: "call",
          type: nestedType,
          target,
          ops: this.ops(target === "child" ? "child" : where, nestedType, depth + 1),
          fail: nestedType === "mutation" && r.chance(0.3),
          stale: type === "mutation" && nestedType === "query" && r.chance(0.4),
        });
      } else if (roll < 0.74) ops.push({ kind: "leak", read: this.read(where, false) });
      else if (roll < 0.76) ops.push({ kind: "resume", n: 1 + r.int(4) });
      else {
        const read = this.read(where, !paginated);
        if (read.how.kind === "paginate") paginated = true;
        ops.push({ kind: "read", read });
      }
    }
    return ops;
  }

  /** Notes the ids that the results mention, for later operations to use. */
  learn(result: unknown) {
    const json = JSON.stringify(convexToJson(result as Value));
    for (const [, id, table] of json.matchAll(/"(\d+(items|notes))"/g)) {
      const pool = this.ids[table as Table];
      if (!pool.includes(id)) pool.push(id);
    }
  }
}

// ---------------------------------------------------------------- running

type Kind = "query" | "mutation" | "action";

/** Calls `ops.query` / `ops.mutation` of the app or the component, or the app's `ops.action`. */
async function invoke(
  t: Engine,
  kind: Kind,
  where: Where,
  args: Record<string, unknown>,
): Promise<unknown> {
  const call = (kind === "query"
    ? t.query
    : kind === "mutation"
      ? t.mutation
      : t.action) as unknown as (ref: unknown, args: unknown) => Promise<unknown>;
  const ops = (where === "app" ? api.ops : components.child.ops) as Record<Kind, unknown>;
  try {
    return { ok: await call(ops[kind], args) };
  } catch (e) {
    return { err: normalizeError(e) };
  }
}

const show = (x: unknown) => JSON.stringify(convexToJson(x as Value));

/** The two engines of a workload, which must give the same answer to every call. */
class Pair {
  calls = 0;
  constructor(
    readonly indexed: Engine,
    readonly original: Engine,
    readonly seed: number,
  ) {}

  async run(
    label: string,
    kind: Kind,
    where: Where,
    args: Record<string, unknown>,
  ): Promise<unknown> {
    // The functions keep leaked iterators per engine name.
    const a = await invoke(this.indexed, kind, where, { ...args, engine: `A${this.seed}` });
    const b = await invoke(this.original, kind, where, { ...args, engine: `B${this.seed}` });
    this.calls += 1;
    if (show(a) !== show(b)) {
      expect(
        show(a),
        `seed ${this.seed} ${label}: ${kind} in ${where} ${show(args).slice(0, 5000)}`,
      ).toBe(show(b));
    }
    return a;
  }
}

async function randomStep(pair: Pair, w: Workload, label: string) {
  const r = w.r;
  const where: Where = r.chance(0.75) ? "app" : "child";
  if (r.chance(0.06)) {
    // An action: each step its own transaction.
    const steps = Array.from({ length: 1 + r.int(3) }, () => {
      if (r.chance(0.25))
        return {
          type: "vector",
          vector: [r.int(5) - 2, r.int(5) - 2],
          limit: 1 + r.int(6),
          g: r.chance(0.5) ? r.int(4) : undefined,
        };
      const type = r.chance(0.5) ? "query" : "mutation";
      const target = r.chance(0.3) ? "child" : "self";
      return {
        type,
        target,
        ops: w.ops(target === "child" ? "child" : "app", type, 1),
        fail: type === "mutation" && r.chance(0.2),
      };
    });
    w.learn(await pair.run(label, "action", "app", { steps }));
    return;
  }
  if (r.chance(0.08)) {
    await pageWalk(pair, w, where, label);
    return;
  }
  const kind = r.chance(0.6) ? "mutation" : "query";
  const ops = w.ops(where, kind);
  const fail = kind === "mutation" && r.chance(0.1);
  w.learn(await pair.run(label, kind, where, { ops, fail }));
}

/** Reads a query page by page, with writes in between, as a paginated list does. */
async function pageWalk(pair: Pair, w: Workload, where: Where, label: string) {
  const r = w.r;
  let read: Read = { ...w.read(where, false), how: w.paginate(null) };
  for (let page = 0; page < 40; page++) {
    // Sometimes the page is read by a mutation, after writes of its own.
    const writes = r.chance(0.2) ? Array.from({ length: r.int(4) }, () => w.write(where)) : null;
    const ops: Op[] = [...(writes ?? []), { kind: "read", read }];
    const result = (await pair.run(`${label} page ${page}`, writes ? "mutation" : "query", where, {
      ops,
    })) as {
      ok?: { results: { ok?: { continueCursor: string; isDone: boolean } }[] };
    };
    w.learn(result);
    const pageResult = result.ok?.results.at(-1)?.ok;
    if (pageResult === undefined) return;
    if (r.chance(0.15) && read.how.kind === "paginate" && read.how.cursor !== null) {
      // The same page again, bounded by its end cursor, as a reactive paginated query does.
      const again: Read = { ...read, how: { ...read.how, endCursor: pageResult.continueCursor } };
      await pair.run(`${label} page ${page} again`, "query", where, {
        ops: [{ kind: "read", read: again }],
      });
    }
    if (pageResult.isDone) return;
    if (r.chance(0.3)) await randomStep(pair, w, `${label} between pages`);
    // Now and then a cursor goes to another query (convex-test accepts that).
    if (r.chance(0.07)) read = w.read(where, false);
    read = { ...read, how: w.paginate(pageResult.continueCursor) };
  }
}

/** Every document through every index, both ways: the final states must agree. */
async function compareEverything(pair: Pair) {
  for (const where of ["app", "child"] as const) {
    for (const table of TABLES) {
      for (const index of [
        ...Object.keys(INDEXES[where][table]),
        "by_creation_time",
        "by_id",
        undefined,
      ]) {
        for (const order of ["asc", "desc"] as const) {
          const read: Read = { table, index, range: [], order, how: { kind: "collect" } };
          await pair.run(`dump ${table} ${index} ${order}`, "query", where, {
            ops: [{ kind: "read", read }],
          });
        }
      }
    }
  }
}

async function workload(
  seed: number,
  steps: number,
  options: { bulk?: number; chunkSize?: number } = {},
) {
  const start = Date.UTC(2025, 0, 1);
  vi.setSystemTime(start);
  const pair = new Pair(makeEngine(true, options.chunkSize), makeEngine(false), seed);
  const w = new Workload(prng(seed), start);
  if (options.bulk) {
    // Many documents written in the same clock tick, so index keys tie up to _id.
    for (let done = 0; done < options.bulk; done += 250) {
      const ops: Op[] = Array.from({ length: 250 }, () => ({
        kind: "insert",
        table: "items",
        doc: w.doc("items"),
      }));
      w.learn(await pair.run(`bulk ${done}`, "mutation", "app", { ops }));
    }
  }
  for (let i = 0; i < steps; i++) {
    await randomStep(pair, w, `step ${i}`);
    vi.setSystemTime(Date.now() + w.r.pick([0, 0, 1, 3, 1000]));
  }
  await compareEverything(pair);
  return pair.calls;
}

describe("convex-test indexes (differential)", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  test("the indexed engine is the patched one", () => {
    const dir = process.env.CONVEX_TEST_DIR; // see vitest.engine.config.ts
    const path = dir
      ? `${dir}/dist/index.js`
      : createRequire(import.meta.url).resolve("convex-test");
    expect(readFileSync(path, "utf8")).toContain("class SortedIndexFake");
  });

  const SEEDS = Number(process.env.ENGINE_SEEDS ?? 24);
  const STEPS = Number(process.env.ENGINE_STEPS ?? 120);

  test(`${SEEDS} random workloads (index chunks of 2 to 4 entries) give identical results, errors and metrics on both engines`, async () => {
    const first = Number(process.env.ENGINE_FIRST_SEED ?? 1);
    let calls = 0;
    for (let seed = first; seed < first + SEEDS; seed++)
      calls += await workload(seed, STEPS, { chunkSize: 2 + (seed % 3) });
    console.log(`differential: ${SEEDS} workloads, ${calls} function calls compared`);
  });

  test("a random workload on 1,500 documents gives identical results on both engines", async () => {
    const calls = await workload(1001, STEPS, { bulk: 1500 });
    console.log(`differential: 1 workload on 1,500 documents, ${calls} function calls compared`);
  });
});
