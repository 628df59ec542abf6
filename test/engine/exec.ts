// Runs a list of database operations described as data inside one Convex function, so
// the differential test (differential.test.ts) can drive both engines with the same
// randomized workloads and compare everything the functions observe.
import type { FunctionReference, GenericDatabaseWriter, GenericDataModel } from "convex/server";
import type { Value } from "convex/values";

/** An index range step; without a third element the bound is `undefined`. */
export type RangeStep = [RangeOp, string] | [RangeOp, string, Value];
export type RangeOp = "eq" | "gt" | "gte" | "lt" | "lte";

/** A `.filter` predicate; `value` absent means `undefined`; `add` compares `field + add`. */
export type Filter =
  | { cmp: "eq" | "neq" | "gt" | "gte" | "lt" | "lte"; field: string; value?: Value; add?: number }
  | { and: Filter[] }
  | { or: Filter[] }
  | { not: Filter };

export type How =
  | { kind: "collect" }
  | { kind: "take"; n: number }
  | { kind: "first" }
  | { kind: "unique" }
  | { kind: "iterate"; n: number }
  | {
      kind: "paginate";
      numItems: number;
      cursor: string | null;
      endCursor?: string;
      maximumRowsRead?: number;
      maximumBytesRead?: number;
    };

export type Read = {
  table: string;
  index?: string;
  /** withSearchIndex("search_b", q => q.search("b", term)[.eq("g", g)]) instead of an index range. */
  search?: { term: string; g?: number };
  range?: RangeStep[];
  order?: "asc" | "desc";
  filters?: Filter[];
  how: How;
};

export type Op =
  | { kind: "insert"; table: string; doc: Record<string, Value>; commitTs?: boolean }
  | {
      kind: "patch";
      table: string;
      id: string;
      fields: Record<string, Value>;
      unset?: string[];
      commitTs?: boolean;
    }
  | { kind: "replace"; table: string; id: string; doc: Record<string, Value>; commitTs?: boolean }
  | { kind: "delete"; table: string; id: string }
  | { kind: "get"; table: string; id: string }
  | { kind: "read"; read: Read }
  | { kind: "count"; table: string }
  | { kind: "metrics" }
  // A nested query or mutation; `stale`: a query from a mutation on the snapshot before its writes.
  | {
      kind: "call";
      type: "query" | "mutation";
      target: "self" | "child";
      ops: Op[];
      fail?: boolean;
      stale?: boolean;
    }
  // Starts iterating a query, reads one document and keeps the iterator for `resume`,
  // which reads more of it from a later function (a snapshot, like a deployment).
  | { kind: "leak"; read: Read }
  | { kind: "resume"; n: number };

export type Outcome = { ok: Value | null } | { err: string };
export type RunResult = { results: Outcome[]; metrics: Value };

export type Refs = {
  query: FunctionReference<"query">;
  mutation: FunctionReference<"mutation">;
  childQuery?: FunctionReference<"query">;
  childMutation?: FunctionReference<"mutation">;
};

type Ctx = {
  db: GenericDatabaseWriter<GenericDataModel>;
  meta: { getTransactionMetrics(): Promise<unknown> };
  runQuery?: (
    ref: FunctionReference<"query">,
    args: Record<string, Value>,
    options?: { useStaleSnapshot?: boolean },
  ) => Promise<unknown>;
  runMutation?: (
    ref: FunctionReference<"mutation">,
    args: Record<string, Value>,
  ) => Promise<unknown>;
};

// Iterators started by `leak`, per engine and component.
const leaked = new Map<string, AsyncIterator<unknown>>();

/** Error messages without what differs between two runs of the same workload. */
export function normalizeError(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.replace(/fake-request-id-\d+/g, "fake-request-id");
}

function buildQuery(db: Ctx["db"], read: Read): any {
  let q: any = db.query(read.table);
  if (read.search !== undefined) {
    const { term, g } = read.search;
    q = q.withSearchIndex("search_b", (b: any) =>
      g === undefined ? b.search("b", term) : b.search("b", term).eq("g", g),
    );
  } else if (read.index !== undefined) {
    const range = read.range ?? [];
    q = q.withIndex(read.index, (b: any) =>
      range.reduce(
        (acc: any, step) =>
          step.length === 2 ? acc[step[0]](step[1], undefined) : acc[step[0]](step[1], step[2]),
        b,
      ),
    );
  }
  if (read.order !== undefined) q = q.order(read.order);
  for (const filter of read.filters ?? []) q = q.filter((f: any) => buildFilter(f, filter));
  return q;
}

function buildFilter(f: any, filter: Filter): any {
  if ("and" in filter) return f.and(...filter.and.map((x) => buildFilter(f, x)));
  if ("or" in filter) return f.or(...filter.or.map((x) => buildFilter(f, x)));
  if ("not" in filter) return f.not(buildFilter(f, filter.not));
  const field =
    filter.add === undefined ? f.field(filter.field) : f.add(f.field(filter.field), filter.add);
  return f[filter.cmp](field, filter.value);
}

async function runRead(db: Ctx["db"], read: Read): Promise<Value | null> {
  const q = buildQuery(db, read);
  const how = read.how;
  switch (how.kind) {
    case "collect":
      return await q.collect();
    case "take":
      return await q.take(how.n);
    case "first":
      return await q.first();
    case "unique":
      return await q.unique();
    case "iterate": {
      const out: Value[] = [];
      for await (const doc of q) {
        out.push(doc);
        if (out.length >= how.n) break;
      }
      return out;
    }
    case "paginate": {
      const { numItems, cursor, endCursor, maximumRowsRead, maximumBytesRead } = how;
      const result = await q.paginate({
        numItems,
        cursor,
        endCursor,
        maximumRowsRead,
        maximumBytesRead,
      });
      return result as Value;
    }
  }
}

function withCommitTs(
  db: Ctx["db"],
  doc: Record<string, Value>,
  commitTs: boolean | undefined,
): any {
  return commitTs ? { ...doc, ts: (db as any).vars.commitTs } : doc;
}

export async function execOps(
  ctx: Ctx,
  ops: Op[],
  engine: string,
  where: string,
  refs: Refs,
): Promise<RunResult> {
  const db = ctx.db;
  const results: Outcome[] = [];
  for (const op of ops) {
    try {
      results.push({ ok: await execOp(ctx, op, engine, where, refs) });
    } catch (e) {
      results.push({ err: normalizeError(e) });
    }
  }
  return { results, metrics: (await ctx.meta.getTransactionMetrics()) as Value };

  async function execOp(
    ctx: Ctx,
    op: Op,
    engine: string,
    where: string,
    refs: Refs,
  ): Promise<Value | null> {
    switch (op.kind) {
      case "insert":
        return await db.insert(op.table, withCommitTs(db, op.doc, op.commitTs));
      case "patch": {
        const fields: Record<string, unknown> = withCommitTs(db, op.fields, op.commitTs);
        for (const name of op.unset ?? []) fields[name] = undefined;
        await db.patch(op.id as any, fields as any);
        return null;
      }
      case "replace":
        await db.replace(op.id as any, withCommitTs(db, op.doc, op.commitTs));
        return null;
      case "delete":
        await db.delete(op.id as any);
        return null;
      case "get":
        return await db.get(op.id as any);
      case "read":
        return await runRead(db, op.read);
      case "count": // internal API of the table query
        return await (db.query(op.table) as unknown as { count(): Promise<number> }).count();
      case "metrics":
        return (await ctx.meta.getTransactionMetrics()) as Value;
      case "call": {
        const args = { ops: op.ops as any, engine, fail: op.fail ?? false };
        const target =
          op.target === "child"
            ? { q: refs.childQuery, m: refs.childMutation }
            : { q: refs.query, m: refs.mutation };
        if (op.type === "query")
          return (await ctx.runQuery!(
            target.q!,
            args,
            op.stale ? { useStaleSnapshot: true } : undefined,
          )) as Value;
        return (await ctx.runMutation!(target.m!, args)) as Value;
      }
      case "leak": {
        const it = buildQuery(db, op.read)[Symbol.asyncIterator]() as AsyncIterator<Value>;
        leaked.set(`${engine}/${where}`, it);
        const { value, done } = await it.next();
        return done ? null : value;
      }
      case "resume": {
        const it = leaked.get(`${engine}/${where}`);
        if (it === undefined) return null;
        const out: Value[] = [];
        for (let i = 0; i < op.n; i++) {
          const { value, done } = (await it.next()) as IteratorResult<Value>;
          if (done) {
            leaked.delete(`${engine}/${where}`);
            break;
          }
          out.push(value);
        }
        return out;
      }
    }
  }
}
