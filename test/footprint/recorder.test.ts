/// <reference types="vite/client" />
// The recorder over a tiny app (test/footprint/fixture/convex) with a tiny component mounted as
// "tally" (test/footprint/fixture/component).
import { convexTest } from "convex-test";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import componentSchema from "./fixture/component/schema.js";
import { api, components } from "./fixture/convex/_generated/api.js";
import type { Id } from "./fixture/convex/_generated/dataModel.js";
import schema from "./fixture/convex/schema.js";
import type { Footprint, ReadRange } from "../../harness/footprint/footprint.js";
import { invalidates, predictConflict } from "../../harness/footprint/predict.js";
import { startRecording, type Recorder } from "../../harness/footprint/recorder.js";

const appModules = import.meta.glob("./fixture/convex/**/*.ts");
const componentModules = import.meta.glob("./fixture/component/**/*.ts");
const recording = {
  schemas: { "": schema, tally: componentSchema },
  modules: { "": appModules, tally: componentModules },
};

function newTest() {
  const t = convexTest(schema, appModules);
  t.registerComponent("tally", componentSchema, componentModules);
  return t;
}

let rec: Recorder | undefined;
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  rec?.stop();
  rec = undefined;
  vi.useRealTimers();
});

async function setup(
  options: { snapshot?: boolean; seed?: (t: ReturnType<typeof newTest>) => Promise<void> } = {},
) {
  const t = newTest();
  await options.seed?.(t);
  rec = await startRecording(t, { ...recording, snapshot: options.snapshot });
  return { t, rec };
}

/** Seeds list "a" with ranks 1..5 and returns the documents, in rank order. */
async function seedList(t: ReturnType<typeof newTest>) {
  for (const rank of [3, 1, 5, 2, 4]) await t.mutation(api.items.add, { list: "a", rank });
  return await listDocs(t, "a");
}
async function listDocs(t: ReturnType<typeof newTest>, list: string) {
  return await t.run(
    async (ctx) =>
      await ctx.db
        .query("items")
        .withIndex("by_list_rank", (q) => q.eq("list", list))
        .collect(),
  );
}
const keyOf = (d: { list: string; rank: number; _creationTime: number; _id: string }) => [
  d.list,
  d.rank,
  d._creationTime,
  d._id,
];

function only(fps: Footprint[], name?: string): Footprint {
  const matching = name ? fps.filter((f) => f.name === name) : fps;
  expect(matching.map((f) => f.name)).toHaveLength(1);
  return matching[0];
}
const readsOn = (f: Footprint, index: string) =>
  f.reads.filter((r: ReadRange) => r.index === index);

describe("reads", () => {
  test("a query that stops early read up to its last key; one that ran out read the whole range", async () => {
    const { t, rec } = await setup({ seed: async (t) => void (await seedList(t)) });
    const docs = await listDocs(t, "a");
    rec.clear();

    await t.mutation(api.items.topTwo, { list: "a" });
    const [top] = readsOn(only(rec.take()), "by_list_rank");
    expect(top).toMatchObject({
      table: "items",
      eq: ["a"],
      order: "asc",
      exhausted: false,
      returned: 2,
    });
    expect(top.to).toEqual({ key: keyOf(docs[1]), inclusive: true });
    expect(top.from).toBeUndefined();

    await t.mutation(api.items.all, { list: "a" });
    const [all] = readsOn(only(rec.take()), "by_list_rank");
    expect(all).toMatchObject({ exhausted: true, returned: 5 });
    expect(all.to).toBeUndefined();
    expect(all.from).toBeUndefined();

    await t.mutation(api.items.last, { list: "a" });
    const [last] = readsOn(only(rec.take()), "by_list_rank");
    expect(last).toMatchObject({ order: "desc", exhausted: false, returned: 1 });
    expect(last.from).toEqual({ key: keyOf(docs[4]), inclusive: true });
    expect(last.to).toBeUndefined();

    await t.mutation(api.items.between, { list: "a", from: 1, to: 3 });
    const [between] = readsOn(only(rec.take()), "by_list_rank");
    expect(between).toMatchObject({
      eq: ["a"],
      lower: { value: 1, inclusive: false },
      upper: { value: 3, inclusive: true },
      exhausted: true,
      returned: 2,
    });

    // A loop that breaks: the stream is closed after one item.
    await t.mutation(api.items.firstByLoop, { list: "a" });
    const [loop] = readsOn(only(rec.take()), "by_list_rank");
    expect(loop).toMatchObject({
      exhausted: false,
      returned: 1,
      to: { key: keyOf(docs[0]), inclusive: true },
    });

    // first()/unique() on an empty range read all of it (its empty tail included).
    await t.mutation(api.items.last, { list: "empty" });
    const [empty] = readsOn(only(rec.take()), "by_list_rank");
    expect(empty).toMatchObject({ eq: ["empty"], exhausted: true, returned: 0 });
  });

  test("db.get is a point read of the document", async () => {
    const { t, rec } = await setup({ seed: async (t) => void (await seedList(t)) });
    const [doc] = await listDocs(t, "a");
    await t.mutation(api.items.move, { id: doc._id, rank: 9 });
    const f = only(rec.take());
    expect(readsOn(f, "by_id").map((r) => [r.via, r.eq, r.table])).toEqual([
      ["get", [doc._id], "items"],
      // patch, replace and delete read the document too.
      ["patch", [doc._id], "items"],
    ]);
  });

  test("paginate reads one page, from after its cursor to its last key", async () => {
    const { t, rec } = await setup({ seed: async (t) => void (await seedList(t)) });
    const docs = await listDocs(t, "a");
    rec.clear();
    const first = await t.query(api.items.page, {
      list: "a",
      paginationOpts: { numItems: 2, cursor: null },
    });
    const [p1] = readsOn(only(rec.take()), "by_list_rank");
    expect(p1).toMatchObject({
      via: "paginate",
      exhausted: false,
      returned: 2,
      to: { key: keyOf(docs[1]), inclusive: true },
    });
    expect(p1.from).toBeUndefined();
    const second = await t.query(api.items.page, {
      list: "a",
      paginationOpts: { numItems: 2, cursor: first.continueCursor },
    });
    const [p2] = readsOn(only(rec.take()), "by_list_rank");
    expect(p2).toMatchObject({
      from: { key: keyOf(docs[1]), inclusive: false },
      to: { key: keyOf(docs[3]), inclusive: true },
    });
    await t.query(api.items.page, {
      list: "a",
      paginationOpts: { numItems: 2, cursor: second.continueCursor },
    });
    const [p3] = readsOn(only(rec.take()), "by_list_rank");
    expect(p3).toMatchObject({
      exhausted: true,
      returned: 1,
      from: { key: keyOf(docs[3]), inclusive: false },
    });
    expect(p3.to).toBeUndefined();
  });
});

describe("writes", () => {
  test("an insert, a patch that moves the document, a replace and a delete, with every index key", async () => {
    const { t, rec } = await setup();
    const id = (await t.mutation(api.items.add, { list: "a", rank: 1 })) as Id<"items">;
    const [doc] = await listDocs(t, "a");
    const ct = doc._creationTime;
    const insert = only(rec.take()).writes;
    expect(insert).toEqual([
      {
        component: "",
        table: "items",
        id,
        op: "insert",
        ops: ["insert"],
        keys: {
          by_id: { before: null, after: [id] },
          by_creation_time: { before: null, after: [ct, id] },
          by_list_rank: { before: null, after: ["a", 1, ct, id] },
        },
        by: "items:add",
        // Insert doesn't return _creationTime: it is estimated until a recorded read sees it.
        creationTimeEstimated: true,
      },
    ]);

    await t.mutation(api.items.move, { id, rank: 9 });
    expect(only(rec.take()).writes).toEqual([
      {
        component: "",
        table: "items",
        id,
        op: "update",
        ops: ["patch"],
        keys: {
          by_id: { before: [id], after: [id] },
          by_creation_time: { before: [ct, id], after: [ct, id] },
          by_list_rank: { before: ["a", 1, ct, id], after: ["a", 9, ct, id] },
        },
        by: "items:move",
      },
    ]);

    await t.mutation(api.items.rename, { id, label: "x" });
    expect(only(rec.take()).writes[0]).toMatchObject({
      op: "update",
      ops: ["replace"],
      keys: { by_list_rank: { before: ["a", 9, ct, id], after: ["a", 9, ct, id] } },
    });

    await t.mutation(api.items.remove, { id });
    expect(only(rec.take()).writes[0]).toMatchObject({
      op: "delete",
      ops: ["delete"],
      keys: {
        by_id: { before: [id], after: null },
        by_list_rank: { before: ["a", 9, ct, id], after: null },
      },
    });
  });

  test("a blind write's old keys come from the snapshot taken at the start", async () => {
    let id: Id<"counters"> | undefined;
    const seed = async (t: ReturnType<typeof newTest>) => {
      await t.mutation(api.counter.increment, { name: "x" });
      id = await t.run(async (ctx) => (await ctx.db.query("counters").first())!._id);
    };
    const first = await setup({ seed });
    await first.t.mutation(api.counter.set, { id: id!, value: 7 });
    const [w] = only(first.rec.take()).writes;
    expect(w.keys.by_name.before?.[0]).toBe("x");
    expect(w.keys.by_name.beforeUnknown).toBeUndefined();
    expect(w.keys.by_name.after?.[0]).toBe("x");

    // Without the snapshot the old document is unknown (but its _id key is not).
    first.rec.stop();
    const second = await setup({ seed, snapshot: false });
    rec = second.rec;
    await second.t.mutation(api.counter.set, { id: id!, value: 7 });
    const [blind] = only(second.rec.take()).writes;
    expect(blind.keys.by_name).toMatchObject({
      before: null,
      beforeUnknown: true,
      afterUnknown: true,
    });
    expect(blind.keys.by_id).toEqual({ before: [id], after: [id] });
  });

  test("writes done outside recorded functions (t.run) keep the recorder's picture of the data right", async () => {
    const { t, rec } = await setup();
    const id = await t.run(async (ctx) => await ctx.db.insert("items", { list: "a", rank: 1 }));
    await t.run(async (ctx) => await ctx.db.patch(id, { rank: 2 }));
    expect(rec.take()).toEqual([]);
    await t.mutation(api.items.remove, { id });
    expect(only(rec.take()).writes[0].keys.by_list_rank.before?.slice(0, 2)).toEqual(["a", 2]);
  });

  test("a mutation that throws has its writes rolled back", async () => {
    const { t, rec } = await setup();
    await expect(t.mutation(api.counter.failing, {})).rejects.toThrow("nope");
    const f = only(rec.take());
    expect(f).toMatchObject({
      name: "counter:failing",
      failed: true,
      error: expect.stringContaining("nope"),
      writes: [],
    });
  });

  test("the recorder adds nothing to what getTransactionMetrics measures", async () => {
    const seed = async (t: ReturnType<typeof newTest>) => void (await seedList(t));
    const plain = newTest();
    await seed(plain);
    const unrecorded = await plain.mutation(api.items.measured, { list: "a" });
    const { t } = await setup({ seed });
    const recorded = await t.mutation(api.items.measured, { list: "a" });
    expect(recorded).toEqual(unrecorded);
    expect(recorded.databaseQueries.used).toBe(1);
    expect(recorded.documentsRead.used).toBeGreaterThan(0);
  });
});

describe("executions", () => {
  test("a component call runs in its caller's transaction, its tables in its own namespace", async () => {
    const { t, rec } = await setup();
    await t.mutation(api.tally.hit, { key: "k" });
    const f = only(rec.take());
    expect(f).toMatchObject({ name: "tally:hit", component: "", kind: "mutation", origin: "test" });
    expect(f.calls).toEqual([{ name: "tally/counts:add", component: "tally", kind: "mutation" }]);
    expect(f.writes.map((w) => `${w.component}:${w.table}:${w.op}`).sort()).toEqual([
      ":visits:insert",
      "tally:counts:insert",
      "tally:visits:insert",
    ]);
    expect(f.reads.map((r) => [r.component, r.table, r.index, r.by])).toEqual([
      ["tally", "counts", "by_key", "tally/counts:add"],
    ]);

    // Called from the test directly, a component function is an execution of its own.
    await t.mutation(components.tally.counts.add, { key: "k" });
    expect(only(rec.take())).toMatchObject({
      name: "tally/counts:add",
      component: "tally",
      udfPath: "counts:add",
    });
  });

  test("scheduled functions are executions of their own, linked to what scheduled them", async () => {
    const { t, rec } = await setup();
    await t.mutation(api.counter.incrementLater, { name: "later" });
    const scheduler = only(rec.take());
    expect(scheduler.scheduled).toEqual(["counter:increment"]);
    expect(scheduler.writes).toEqual([]);
    await t.finishAllScheduledFunctions(vi.runAllTimers);
    const run = only(rec.take());
    expect(run).toMatchObject({
      name: "counter:increment",
      origin: "scheduled",
      scheduledBy: scheduler.id,
    });
    expect(run.writes.map((w) => w.table)).toEqual(["counters"]);
  });

  test("scheduled functions are linked with real timers too", async () => {
    vi.useRealTimers();
    const { t, rec } = await setup();
    await t.mutation(api.counter.incrementLater, { name: "later" });
    const scheduler = only(rec.take());
    await t.finishAllScheduledFunctions(() => {});
    expect(only(rec.take())).toMatchObject({
      name: "counter:increment",
      origin: "scheduled",
      scheduledBy: scheduler.id,
    });
  });

  test("each ctx.runMutation/runQuery of an action is a transaction of its own", async () => {
    const { t, rec } = await setup();
    await t.action(api.counter.bumpTwice, { name: "n" });
    const fps = rec.take();
    const action = only(fps, "counter:bumpTwice");
    expect(action).toMatchObject({ kind: "action", reads: [], writes: [] });
    const children = fps.filter((f) => f.parent === action.id);
    expect(children.map((f) => [f.name, f.kind, f.origin])).toEqual([
      ["counter:increment", "mutation", "action"],
      ["counter:increment", "mutation", "action"],
      ["counter:get", "query", "action"],
    ]);
    expect(action.children).toEqual(children.map((f) => f.id));
    // The first inserts the counter, the second patches it.
    expect(children[0].writes[0].op).toBe("insert");
    expect(children[1].writes[0].op).toBe("update");
    // Had they overlapped, they'd have conflicted.
    expect(predictConflict(children[0], children[1])).not.toBeNull();
  });

  test("an HTTP action and the mutation it runs", async () => {
    const { t, rec } = await setup();
    const response = await t.fetch("/visit", {
      method: "POST",
      body: JSON.stringify({ visitor: "v", path: "/" }),
    });
    expect(response.status).toBe(200);
    const fps = rec.take();
    const http = only(fps, "http POST /visit");
    expect(http.kind).toBe("action");
    expect(only(fps, "visits:record")).toMatchObject({ parent: http.id, origin: "action" });
  });

  test("accessors made with withIdentity are recorded too; stop() ends recording", async () => {
    const { t, rec } = await setup();
    const asUser = t.withIdentity({ subject: "u" });
    await asUser.mutation(api.visits.record, { visitor: "u", path: "/" });
    expect(only(rec.take())).toMatchObject({ name: "visits:record", origin: "test" });
    const { footprints } = await rec.during(() =>
      t.mutation(api.visits.record, { visitor: "w", path: "/" }),
    );
    expect(footprints.map((f) => f.name)).toEqual(["visits:record"]);
    rec.stop();
    await t.mutation(api.visits.record, { visitor: "u", path: "/" });
    expect(rec.take()).toEqual([]);
  });
});

describe("end to end: predicted conflicts", () => {
  test("blind inserts from different visitors into a table nobody reads don't conflict", async () => {
    const { t, rec } = await setup();
    await t.mutation(api.visits.record, { visitor: "alice", path: "/a" });
    await t.mutation(api.visits.record, { visitor: "bob", path: "/b" });
    const [a, b] = rec.take();
    expect(a.reads).toEqual([]);
    expect(predictConflict(a, b)).toBeNull();
    // A query of one visitor's visits is re-run by that visitor's inserts only.
    await t.query(api.visits.ofVisitor, { visitor: "alice" });
    const [q] = rec.take();
    expect(invalidates(a, q)).toMatchObject({ table: "visits", index: "by_visitor" });
    expect(invalidates(b, q)).toBeNull();
  });

  test("a counter document read, modified and written by two executions conflicts", async () => {
    const { t, rec } = await setup({
      seed: async (t) => void (await t.mutation(api.counter.increment, { name: "hits" })),
    });
    await t.mutation(api.counter.increment, { name: "hits" });
    await t.mutation(api.counter.increment, { name: "hits" });
    const [a, b] = rec.take();
    const conflict = predictConflict(a, b);
    expect(conflict).toMatchObject({ table: "counters", writerName: "counter:increment" });
    expect(conflict!.reasons.map((r) => r.index).sort()).toEqual([
      "by_id",
      "by_id",
      "by_name",
      "by_name",
    ]);
    // Different counters don't.
    await t.mutation(api.counter.increment, { name: "other" });
    const [c] = rec.take();
    expect(predictConflict(a, c)).toBeNull();
  });

  test("component calls conflict in the component's namespace", async () => {
    const { t, rec } = await setup({
      seed: async (t) => void (await t.mutation(api.tally.hit, { key: "k" })),
    });
    await t.mutation(api.tally.hit, { key: "k" });
    await t.mutation(api.tally.hit, { key: "k" });
    await t.mutation(api.tally.hit, { key: "other" });
    const [a, b, c] = rec.take();
    expect(predictConflict(a, b)).toMatchObject({ component: "tally", table: "counts" });
    expect(predictConflict(a, c)).toBeNull();
  });
});
