// The conflict predictor on hand-made footprints, and the value order it rests on.
import { compareValues as convexCompareValues } from "convex/values";
import { describe, expect, test } from "vitest";
import type {
  Footprint,
  IndexKey,
  KeyChange,
  ReadRange,
  WriteRecord,
} from "../../harness/footprint/footprint.js";
import {
  conflictMatrix,
  formatMatrix,
  invalidates,
  predictConflict,
} from "../../harness/footprint/predict.js";
import { compareKeys, compareValues } from "../../harness/footprint/values.js";

// ---------------------------------------------------------------------------------------------
// Builders. Table "items" with index by_list_rank = [list, rank]; keys end with _creationTime, _id.

const FIELDS = ["list", "rank", "_creationTime", "_id"];
let nextId = 1;

function footprint(
  kind: Footprint["kind"],
  parts: { reads?: ReadRange[]; writes?: WriteRecord[]; name?: string },
): Footprint {
  const id = nextId++;
  return {
    id,
    name: parts.name ?? `${kind}#${id}`,
    component: "",
    udfPath: "",
    kind,
    origin: "test",
    calls: [],
    children: [],
    scheduled: [],
    reads: parts.reads ?? [],
    writes: parts.writes ?? [],
  };
}
const mutation = (parts: Parameters<typeof footprint>[1]) => footprint("mutation", parts);

function rangeRead(list: string, extra: Partial<ReadRange> = {}): ReadRange {
  return {
    component: "",
    table: "items",
    index: "by_list_rank",
    fields: FIELDS,
    eq: [list],
    order: "asc",
    exhausted: true,
    returned: 0,
    via: "query",
    ...extra,
  };
}

function pointRead(id: string, component = ""): ReadRange {
  return {
    component,
    table: "items",
    index: "by_id",
    fields: ["_id"],
    eq: [id],
    order: "asc",
    exhausted: true,
    returned: 1,
    via: "get",
  };
}

type Item = { list: string; rank: number; ct: number; id: string };
const listKey = (d: Item): IndexKey => [d.list, d.rank, d.ct, d.id];

/** A write of an `items` document from `before` to `after` (null: absent), with all its keys. */
function itemWrite(before: Item | null, after: Item | null, component = ""): WriteRecord {
  const id = (before ?? after)!.id;
  const change = (f: (d: Item) => IndexKey): KeyChange => ({
    before: before ? f(before) : null,
    after: after ? f(after) : null,
  });
  return {
    component,
    table: "items",
    id,
    op: before === null ? "insert" : after === null ? "delete" : "update",
    ops: [before === null ? "insert" : after === null ? "delete" : "patch"],
    keys: {
      by_id: change((d) => [d.id]),
      by_creation_time: change((d) => [d.ct, d.id]),
      by_list_rank: change(listKey),
    },
  };
}

/** A read-modify-write of one document, as Convex sees it: a point read and a write. */
function patchOf(before: Item, after: Item): Footprint {
  return mutation({ reads: [pointRead(before.id)], writes: [itemWrite(before, after)] });
}

const item = (list: string, rank: number, id: string, ct = rank * 10): Item => ({
  list,
  rank,
  ct,
  id,
});

// ---------------------------------------------------------------------------------------------

describe("predictConflict", () => {
  test("point writes to different documents don't conflict", () => {
    const a = patchOf(item("a", 1, "i1"), item("a", 1, "i1"));
    const b = patchOf(item("a", 2, "i2"), item("a", 2, "i2"));
    expect(predictConflict(a, b)).toBeNull();
    expect(predictConflict(b, a)).toBeNull();
  });

  test("two read-modify-writes of one document conflict", () => {
    const a = patchOf(item("a", 1, "i1"), item("a", 1, "i1"));
    const b = patchOf(item("a", 1, "i1"), item("a", 1, "i1"));
    const conflict = predictConflict(a, b);
    expect(conflict).not.toBeNull();
    expect(conflict!.index).toBe("by_id");
    expect(conflict!.documentId).toBe("i1");
    // Both directions are reported.
    expect(conflict!.reasons.map((r) => `${r.reader}<-${r.writer}`).sort()).toEqual([
      "a<-b",
      "b<-a",
    ]);
  });

  test("a write inside a read range conflicts, and says why", () => {
    const reader = mutation({ name: "reader", reads: [rangeRead("a", { returned: 2 })] });
    const writer = mutation({
      name: "writer",
      writes: [itemWrite(item("a", 3, "i3"), { ...item("a", 3, "i3") })],
    });
    const conflict = predictConflict(reader, writer);
    expect(conflict).toMatchObject({
      component: "",
      table: "items",
      index: "by_list_rank",
      documentId: "i3",
      key: ["a", 3, 30, "i3"],
      keySide: "before",
      reader: "a",
      writer: "b",
      readerName: "reader",
      writerName: "writer",
    });
    expect(conflict!.description).toContain("writer updates items i3");
    expect(conflict!.description).toContain('reader\'s read of items.by_list_rank[list == "a"]');
    // And from the other side.
    expect(predictConflict(writer, reader)).toMatchObject({ reader: "b", writer: "a" });
  });

  test("a write outside the range doesn't conflict", () => {
    const reader = mutation({ reads: [rangeRead("a")] });
    const writer = mutation({ writes: [itemWrite(null, item("b", 1, "i9"))] });
    expect(predictConflict(reader, writer)).toBeNull();
  });

  test("an insert into the empty tail of an exhausted range conflicts", () => {
    // The reader read every item of list "a" with rank > 5 and found none (or some: it read to
    // the end either way). An insert anywhere in the range, after everything, lands in what it read.
    const reader = mutation({
      reads: [rangeRead("a", { lower: { value: 5, inclusive: false }, returned: 0 })],
    });
    const insert = mutation({ writes: [itemWrite(null, item("a", 1000, "i9", 99_999))] });
    expect(predictConflict(reader, insert)).toMatchObject({
      keySide: "after",
      key: ["a", 1000, 99_999, "i9"],
    });
    // The bound itself is exclusive.
    const atBound = mutation({ writes: [itemWrite(null, item("a", 5, "i8"))] });
    expect(predictConflict(reader, atBound)).toBeNull();
  });

  test("an insert after the last key of a take(n) that stopped early doesn't conflict", () => {
    // take(2) over list "a" returned ranks 1 and 2 and stopped: it read up to ("a", 2, 20, "i2").
    const reader = mutation({
      reads: [
        rangeRead("a", {
          exhausted: false,
          returned: 2,
          to: { key: ["a", 2, 20, "i2"], inclusive: true },
        }),
      ],
    });
    expect(
      predictConflict(reader, mutation({ writes: [itemWrite(null, item("a", 3, "i9", 500))] })),
    ).toBeNull();
    // Same rank, created later: its key sorts after the last key read.
    expect(
      predictConflict(reader, mutation({ writes: [itemWrite(null, item("a", 2, "i9", 500))] })),
    ).toBeNull();
    // An insert before the last key read lands in the part that was read.
    expect(
      predictConflict(reader, mutation({ writes: [itemWrite(null, item("a", 1.5, "i9", 500))] })),
    ).not.toBeNull();
    // So does a write of the last key itself (inclusive).
    expect(
      predictConflict(reader, patchOf(item("a", 2, "i2"), { ...item("a", 2, "i2") })),
    ).not.toBeNull();
  });

  test("a descending read that stopped early read from its last key to the end", () => {
    // .order("desc").first() over list "a" returned rank 7.
    const reader = mutation({
      reads: [
        rangeRead("a", {
          order: "desc",
          exhausted: false,
          returned: 1,
          from: { key: ["a", 7, 70, "i7"], inclusive: true },
        }),
      ],
    });
    expect(
      predictConflict(reader, mutation({ writes: [itemWrite(null, item("a", 8, "i9"))] })),
    ).not.toBeNull();
    expect(
      predictConflict(reader, mutation({ writes: [itemWrite(null, item("a", 6, "i9"))] })),
    ).toBeNull();
  });

  test("a patch moving a document out of a read range conflicts through its old key", () => {
    const reader = mutation({ reads: [rangeRead("a")] });
    const move = mutation({ writes: [itemWrite(item("a", 1, "i1"), item("b", 1, "i1"))] });
    expect(predictConflict(reader, move)).toMatchObject({
      keySide: "before",
      key: ["a", 1, 10, "i1"],
    });
  });

  test("a patch moving a document into a read range conflicts through its new key", () => {
    const reader = mutation({ reads: [rangeRead("a")] });
    const move = mutation({ writes: [itemWrite(item("b", 1, "i1"), item("a", 1, "i1"))] });
    expect(predictConflict(reader, move)).toMatchObject({
      keySide: "after",
      key: ["a", 1, 10, "i1"],
    });
  });

  test("a patch that stays outside the range on that index doesn't conflict", () => {
    // The reader's range is ranks (2, 4] of list "a"; the document moves from rank 5 to rank 9.
    const reader = mutation({
      reads: [
        rangeRead("a", {
          lower: { value: 2, inclusive: false },
          upper: { value: 4, inclusive: true },
        }),
      ],
    });
    expect(
      predictConflict(
        reader,
        mutation({ writes: [itemWrite(item("a", 5, "i5"), item("a", 9, "i5"))] }),
      ),
    ).toBeNull();
    expect(
      predictConflict(
        reader,
        mutation({ writes: [itemWrite(item("a", 5, "i5"), item("a", 4, "i5"))] }),
      ),
    ).not.toBeNull();
  });

  test("db.get conflicts with a write of that document only", () => {
    const reader = mutation({ reads: [pointRead("i1")] });
    expect(
      predictConflict(reader, mutation({ writes: [itemWrite(item("a", 1, "i1"), null)] })),
    ).toMatchObject({
      index: "by_id",
      key: ["i1"],
    });
    expect(
      predictConflict(reader, mutation({ writes: [itemWrite(item("a", 2, "i2"), null)] })),
    ).toBeNull();
  });

  test("different component namespaces never conflict", () => {
    const reader = mutation({
      reads: [{ ...rangeRead("a"), component: "comp" }, pointRead("i1", "comp")],
    });
    const writer = mutation({ writes: [itemWrite(item("a", 1, "i1"), item("a", 2, "i1"))] });
    expect(predictConflict(reader, writer)).toBeNull();
    const sameComponent = mutation({
      writes: [itemWrite(item("a", 1, "i1"), item("a", 2, "i1"), "comp")],
    });
    expect(predictConflict(reader, sameComponent)).toMatchObject({ component: "comp" });
  });

  test("a read-only pair never conflicts", () => {
    const a = mutation({ reads: [rangeRead("a"), pointRead("i1")] });
    const b = mutation({ reads: [rangeRead("a"), pointRead("i1")] });
    expect(predictConflict(a, b)).toBeNull();
  });

  test("blind inserts never conflict with each other", () => {
    const a = mutation({ writes: [itemWrite(null, item("a", 1, "i1"))] });
    const b = mutation({ writes: [itemWrite(null, item("a", 1, "i2"))] });
    expect(predictConflict(a, b)).toBeNull();
  });

  test("nothing read at all (take(0), a stream closed before its first item) conflicts with nothing", () => {
    const reader = mutation({ reads: [rangeRead("a", { exhausted: false, empty: true })] });
    expect(
      predictConflict(reader, mutation({ writes: [itemWrite(null, item("a", 1, "i1"))] })),
    ).toBeNull();
  });

  test("unknown old keys and whole-table reads are assumed to overlap, flagged uncertain", () => {
    const reader = mutation({ reads: [rangeRead("a")] });
    const blind: WriteRecord = itemWrite(item("z", 1, "i1"), item("z", 2, "i1"));
    blind.keys.by_list_rank = { before: null, after: ["z", 2, 10, "i1"], beforeUnknown: true };
    expect(predictConflict(reader, mutation({ writes: [blind] }))).toMatchObject({
      uncertain: true,
      key: null,
    });
    const search = mutation({
      reads: [{ ...rangeRead("a"), index: "search_label", wholeTable: true, via: "search" }],
    });
    expect(
      predictConflict(search, mutation({ writes: [itemWrite(null, item("q", 1, "i2"))] })),
    ).toMatchObject({ uncertain: true });
  });

  test("recorded-order mode only checks the later execution's writes against the earlier's reads", () => {
    const earlier = mutation({ reads: [rangeRead("a")] });
    const later = mutation({
      reads: [rangeRead("b")],
      writes: [itemWrite(null, item("a", 1, "i1"))],
    });
    expect(predictConflict(earlier, later, { mode: "recorded-order" })).not.toBeNull();
    const later2 = mutation({ reads: [rangeRead("a")] });
    const earlier2 = mutation({ writes: [itemWrite(null, item("a", 1, "i1"))] });
    expect(predictConflict(earlier2, later2)).not.toBeNull();
    expect(predictConflict(earlier2, later2, { mode: "recorded-order" })).toBeNull();
  });

  test("recorded-order mode skips the later execution's writes to documents the earlier one inserted", () => {
    // An ingest checks for a duplicate (empty range) then inserts the event; a worker later marks
    // that very event done. Had they overlapped, the worker couldn't have patched it.
    const ingest = mutation({
      reads: [rangeRead("e1")],
      writes: [itemWrite(null, item("e1", 0, "ev1"))],
    });
    const worker = mutation({
      reads: [pointRead("ev1")],
      writes: [itemWrite(item("e1", 0, "ev1"), item("e1", 1, "ev1"))],
    });
    expect(predictConflict(ingest, worker)).not.toBeNull();
    expect(predictConflict(ingest, worker, { mode: "recorded-order" })).toBeNull();
    // A write to a document the earlier one only updated still counts.
    const earlierPatch = patchOf(item("c", 0, "ctr"), item("c", 0, "ctr"));
    const laterPatch = patchOf(item("c", 0, "ctr"), item("c", 0, "ctr"));
    expect(predictConflict(earlierPatch, laterPatch, { mode: "recorded-order" })).not.toBeNull();
  });
});

describe("queries", () => {
  test("a query never conflicts, but a write inside its reads invalidates it", () => {
    const q = footprint("query", { reads: [rangeRead("a")], name: "list" });
    const insertA = mutation({ writes: [itemWrite(null, item("a", 1, "i1"))], name: "insertA" });
    const insertB = mutation({ writes: [itemWrite(null, item("b", 1, "i2"))] });
    expect(predictConflict(q, insertA)).toBeNull();
    expect(invalidates(insertA, q)).toMatchObject({
      reader: "query",
      writer: "write",
      readerName: "list",
      writerName: "insertA",
    });
    expect(invalidates(insertB, q)).toBeNull();
  });

  test("actions neither conflict nor invalidate", () => {
    const action = footprint("action", {});
    expect(predictConflict(action, mutation({ reads: [rangeRead("a")] }))).toBeNull();
    expect(invalidates(action, footprint("query", { reads: [rangeRead("a")] }))).toBeNull();
  });
});

describe("conflictMatrix", () => {
  test("counts conflicting pairs per pair of kinds, per 1,000 pairs", () => {
    const counter = item("c", 0, "counter");
    const incs = [1, 2, 3].map(() => ({ kind: "increment", footprint: patchOf(counter, counter) }));
    const appends = [1, 2].map((n) => ({
      kind: "append",
      footprint: mutation({ writes: [itemWrite(null, item("log", n, `l${n}`))] }),
    }));
    const lists = [{ kind: "list", footprint: footprint("query", { reads: [rangeRead("log")] }) }];
    const m = conflictMatrix([...incs, ...appends, ...lists]);
    expect(m.kinds).toEqual(["increment", "append", "list"]);
    // 3 increments: 3 pairs, all conflicting.
    expect(m.cells.increment.increment).toMatchObject({ pairs: 3, conflicts: 3, per1000: 1000 });
    // 2 appends: 1 pair, none.
    expect(m.cells.append.append).toMatchObject({ pairs: 1, conflicts: 0, per1000: 0 });
    // 3 × 2 mixed pairs, none; the cell is shared by both orders.
    expect(m.cells.increment.append).toMatchObject({ pairs: 6, conflicts: 0 });
    expect(m.cells.append.increment).toBe(m.cells.increment.append);
    // The query is invalidated by both appends, conflicts with nothing.
    expect(m.cells.append.list).toMatchObject({
      pairs: 2,
      conflicts: 0,
      invalidations: 2,
      invalidationsPer1000: 1000,
    });
    expect(m.total).toMatchObject({ pairs: 15, conflicts: 3, per1000: 200 });
    expect(m.cells.increment.increment.example?.index).toBe("by_id");
    expect(formatMatrix(m)).toContain("1000.0");
  });
});

describe("compareValues", () => {
  const ascending: unknown[] = [
    undefined,
    null,
    -(2n ** 63n),
    0n,
    2n ** 63n - 1n,
    -Infinity,
    -1,
    -0,
    0,
    1e-300,
    1,
    Infinity,
    NaN,
    false,
    true,
    "",
    "A",
    "a",
    "ab",
    "\u00e9",
    "\uffff",
    "\u{1f600}",
    new Uint8Array([]).buffer,
    new Uint8Array([0]).buffer,
    new Uint8Array([1, 0]).buffer,
    new Uint8Array([255]).buffer,
    [],
    [null],
    [1],
    [1, 2],
    [2],
    ["a"],
    {},
    { a: 1 },
    { a: 1, b: 1 },
    { a: 2 },
    { b: 0 },
  ];

  test("orders values as Convex does", () => {
    for (let i = 0; i < ascending.length; i++) {
      for (let j = 0; j < ascending.length; j++) {
        const expected = Math.sign(i - j);
        expect([i, j, Math.sign(compareValues(ascending[i], ascending[j]))]).toEqual([
          i,
          j,
          expected,
        ]);
      }
    }
  });

  test("agrees with convex/values' own comparison", () => {
    for (const a of ascending) {
      for (const b of ascending) {
        expect(Math.sign(compareValues(a, b))).toBe(
          Math.sign(convexCompareValues(a as never, b as never)),
        );
      }
    }
  });

  test("strings compare by code point, not UTF-16 unit", () => {
    // JS says "\u{1f600}" < "\uffff" (its first unit is a surrogate, 0xD83D); Convex says the opposite.
    expect("\u{1f600}" < "\uffff").toBe(true);
    expect(compareValues("\u{1f600}", "\uffff")).toBeGreaterThan(0);
  });

  test("keys compare lexicographically, a prefix first", () => {
    expect(compareKeys(["a", 1], ["a", 1, 5])).toBeLessThan(0);
    expect(compareKeys(["a", 2], ["a", 1, 5])).toBeGreaterThan(0);
    expect(compareKeys(["a", undefined, 3], ["a", null, 1])).toBeLessThan(0);
  });
});
