// Footprint recorder: for every function execution in a convex-test instance, what it read
// (index ranges, and the part of each it actually read) and what it wrote (every index key of
// every written document, before and after). See README.md in this folder.
//
// It hooks two stable boundaries and nothing inside convex-test's database:
//
// 1. The syscall layer. `convex/server` talks to its host only through the global `Convex`
//    object (`syscall`, `asyncSyscall`, `jsSyscall`; see convex/dist/esm/server/impl/syscall.js).
//    The recorder wraps that object and reads the arguments and results of the database
//    syscalls (`1.0/queryStream`, `1.0/queryStreamNext`, `1.0/queryCleanup`, `1.0/queryPage`,
//    `1.0/get`, `1.0/count`, `1.0/insert`, `1.0/shallowMerge`, `1.0/replace`, `1.0/remove`)
//    and of scheduling (`1.0/schedule`, `1.0/actions/schedule`). It never issues a database
//    syscall of its own inside a recorded function, so `ctx.meta.getTransactionMetrics()` and the
//    transaction limits see exactly what they would without it.
// 2. Function entry. Every registered function (query/mutation/action/httpAction) exported by
//    the modules passed in has its `_handler` wrapped, which is what convex-test invokes for a
//    top-level call, a scheduled run, a component call and an action's ctx.run*. The wrapper
//    opens a frame in an AsyncLocalStorage: a query or mutation called from a query or mutation
//    joins the caller's transaction (its reads and writes merge into the caller's footprint,
//    tagged with their component); anything else (top level, scheduled, called by an action)
//    starts a footprint of its own.
//
// Which convex-test instance a syscall or an entry belongs to is told by the identity of the
// syscall functions the `Convex` global hands out in that context (one set per instance).
import { AsyncLocalStorage } from "node:async_hooks";
import type { GenericSchema, SchemaDefinition } from "convex/server";
import { jsonToConvex, type Value } from "convex/values";
import {
  BY_CREATION_TIME,
  BY_ID,
  indexKey,
  schemaIndexes,
  systemIndexes,
  type Footprint,
  type FunctionKind,
  type KeyChange,
  type ReadRange,
  type TableIndexes,
  type WriteRecord,
} from "./footprint.js";
import type { IndexKey } from "./values.js";

type Doc = Record<string, Value | undefined>;
type SyncSyscall = (op: string, json: string) => string;
type AsyncSyscall = (op: string, json: string) => Promise<string>;
interface ConvexGlobal {
  syscall: SyncSyscall;
  asyncSyscall: AsyncSyscall;
  jsSyscall: unknown;
}
type Modules = Record<string, () => Promise<unknown>>;

/** The convex-test accessor (`convexTest(...)`), loosely typed: only its public methods are used. */

type TestInstance = Record<string, any>;

export interface RecordingOptions {
  /** Schema per component path: "" for the app, then each `registerComponent` name. */
  schemas: Record<string, SchemaDefinition<GenericSchema, boolean> | undefined>;
  /** The module globs given to `convexTest` / `registerComponent`, per component path. */
  modules: Record<string, Modules>;
  /**
   * Read every table of every schema once at the start (outside any recorded transaction), so
   * the recorder knows the old value of any document a recorded function writes without having
   * read it first. Default true. Without it such writes have unknown old keys (see KeyChange).
   */
  snapshot?: boolean;
}

export interface FootprintFilter {
  /** Include action footprints (they read and write nothing themselves). Default true. */
  actions?: boolean;
  /** Include executions that threw (their writes were rolled back). Default true. */
  failed?: boolean;
  /** Only functions whose name matches. */
  name?: string | RegExp;
}

export interface Recorder {
  /** Footprints of the executions that have finished, in order of start. */
  footprints(filter?: FootprintFilter): Footprint[];
  /** Footprints that finished since the last `take()` (or the start); then forgets them. */
  take(filter?: FootprintFilter): Footprint[];
  /**
   * Runs `fn` and returns, with its result, the footprints of executions that started and
   * finished meanwhile (they won't be returned by `take()` again).
   */
  during<T>(
    fn: () => Promise<T>,
    filter?: FootprintFilter,
  ): Promise<{ result: T; footprints: Footprint[] }>;
  /** Forgets all footprints recorded so far (the recorder's picture of the data stays). */
  clear(): void;
  /** Stops recording and gives `t` its methods back. */
  stop(): void;
}

// ---------------------------------------------------------------------------------------------
// Frames and executions

class Marker {
  constructor(
    readonly origin: "test" | "scheduled" | "internal",
    readonly scheduledBy?: number,
  ) {}
}
const INTERNAL = new Marker("internal");

interface Execution {
  id: number;
  name: string;
  component: string;
  udfPath: string;
  kind: FunctionKind;
  origin: Footprint["origin"];
  parent?: number;
  scheduledBy?: number;
  calls: Footprint["calls"];
  children: number[];
  scheduled: string[];
  reads: ReadRange[];
  writes: PendingWrite[];
  queries: Map<string, QueryState>;
  finished: boolean;
  failed?: boolean;
  error?: string;
}

/** A document's state across one transaction. `undefined` = not known to the recorder. */
interface PendingWrite {
  component: string;
  table: string;
  id: string;
  before: Doc | null | undefined;
  current: Doc | null | undefined;
  /** `current` lacks fields the recorder couldn't know (a patch of an unknown document). */
  partial: boolean;
  ops: WriteRecord["ops"];
  by: string;
}

interface QueryState {
  read: ReadRange;
  limit: number | undefined;
  returned: number;
  lastKey: IndexKey | undefined;
  closed: boolean;
  component: string;
}

class Frame {
  readonly log = new Map<string, PendingWrite>();
  constructor(
    readonly recorder: RecorderImpl,
    readonly exec: Execution,
    readonly component: string,
    readonly name: string,
    readonly kind: FunctionKind,
    readonly parent: Frame | undefined,
  ) {}
  get transactional() {
    return this.kind !== "action";
  }
}

type Store = Frame | Marker;
const als = new AsyncLocalStorage<Store>();

const docKey = (component: string, id: string) => `${component}\u0000${id}`;

// ---------------------------------------------------------------------------------------------
// The hooks (installed once per module instance, inert unless a recorder is active)

const HOOK = Symbol.for("convex-analytics/footprint/hook");
const ORIGINAL = Symbol.for("convex-analytics/footprint/original-handler");
let innerConvex: ConvexGlobal | undefined;
const recorderByFn = new WeakMap<object, RecorderImpl>();

function installSyscallHook(): ConvexGlobal {
  const g = globalThis as unknown as {
    Convex?: ConvexGlobal & { [HOOK]?: { inner: ConvexGlobal } };
  };
  const current = g.Convex;
  if (current === undefined) {
    throw new Error(
      "startRecording: there is no `Convex` global yet; create the convexTest instance first.",
    );
  }
  if (current[HOOK]) {
    innerConvex = current[HOOK].inner;
    return innerConvex;
  }
  const inner = current;
  const hooked = {
    [HOOK]: { inner },
    get syscall() {
      const f = inner.syscall;
      return f === undefined ? undefined : (op: string, json: string) => hookSyscall(f, op, json);
    },
    get asyncSyscall() {
      const f = inner.asyncSyscall;
      return f === undefined
        ? undefined
        : (op: string, json: string) => hookAsyncSyscall(f, op, json);
    },
    get jsSyscall() {
      return inner.jsSyscall;
    },
  };
  g.Convex = hooked as unknown as typeof current;
  innerConvex = inner;
  return inner;
}

function hookSyscall(f: SyncSyscall, op: string, json: string): string {
  const rec = recorderByFn.get(f);
  return rec?.active ? rec.syscall(f, op, json) : f(op, json);
}

function hookAsyncSyscall(f: AsyncSyscall, op: string, json: string): Promise<string> {
  const rec = recorderByFn.get(f);
  return rec?.active ? rec.asyncSyscall(f, op, json) : f(op, json);
}

/** The active recorder of the convex-test instance whose function is running here, if any. */
function currentRecorder(): RecorderImpl | undefined {
  if (!innerConvex) return undefined;
  let f: unknown;
  try {
    f = innerConvex.asyncSyscall;
  } catch {
    return undefined; // no convex-test context
  }
  const rec = f ? recorderByFn.get(f as object) : undefined;
  return rec?.active ? rec : undefined;
}

interface EntryInfo {
  kind: FunctionKind;
  component: string;
  udfPath: string;
  http: boolean;
}

type Handler = ((ctx: unknown, args: unknown) => unknown) & { [ORIGINAL]?: Handler };
interface RegisteredFunction {
  _handler: Handler;
  isQuery?: boolean;
  isMutation?: boolean;
  isAction?: boolean;
  isHttp?: boolean;
}

function patchFunction(func: RegisteredFunction, info: EntryInfo) {
  const current = func._handler;
  if (typeof current !== "function" || current[ORIGINAL]) return;
  const original = current;
  const wrapped: Handler = function (ctx: unknown, args: unknown) {
    const rec = currentRecorder();
    return rec ? rec.enter(info, () => original(ctx, args)) : original(ctx, args);
  };
  wrapped[ORIGINAL] = original;
  func._handler = wrapped;
}

function modulesRoot(paths: string[]): string {
  const generated = paths.find((p) => p.includes("_generated"));
  if (generated) return generated.split("_generated", 2)[0];
  const dirs = paths.map((p) => p.slice(0, p.lastIndexOf("/") + 1));
  return dirs.reduce((a, b) => (a.length <= b.length ? a : b), dirs[0] ?? "");
}

async function patchModules(component: string, modules: Modules) {
  const paths = Object.keys(modules);
  const root = modulesRoot(paths);
  for (const path of paths) {
    if (/\.test\.[cm]?[jt]sx?$/.test(path) || path.includes("/_generated/")) continue;
    const modulePath = path.slice(root.length).replace(/\.[^./]+$/, "");
    // convex.config only loads in the Convex runtime (and holds no functions).
    if (modulePath === "convex.config") continue;
    let mod: Record<string, unknown>;
    try {
      mod = (await modules[path]()) as Record<string, unknown>;
    } catch {
      continue; // a module that doesn't load can't be run by convex-test either
    }
    for (const [exportName, value] of Object.entries(mod)) {
      if (
        typeof value === "function" &&
        typeof (value as Partial<RegisteredFunction>)._handler === "function"
      ) {
        const f = value as unknown as RegisteredFunction;
        const kind: FunctionKind | undefined = f.isQuery
          ? "query"
          : f.isMutation
            ? "mutation"
            : f.isAction || f.isHttp
              ? "action"
              : undefined;
        if (kind)
          patchFunction(f, {
            kind,
            component,
            udfPath: `${modulePath}:${exportName}`,
            http: !!f.isHttp,
          });
      } else if (
        value &&
        typeof value === "object" &&
        typeof (value as { getRoutes?: unknown }).getRoutes === "function"
      ) {
        const router = value as { getRoutes: () => [string, string, RegisteredFunction][] };
        for (const [routePath, method, handler] of router.getRoutes()) {
          patchFunction(handler, {
            kind: "action",
            component,
            udfPath: `http ${method} ${routePath}`,
            http: true,
          });
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Syscall argument decoding

function decodeValue(json: unknown): Value | undefined {
  if (
    json !== null &&
    typeof json === "object" &&
    !Array.isArray(json) &&
    Object.hasOwn(json, "$undefined")
  ) {
    return undefined;
  }
  return jsonToConvex(json as Parameters<typeof jsonToConvex>[0]);
}

function decodeFields(json: Record<string, unknown>): Doc {
  const out: Doc = {};
  for (const [k, v] of Object.entries(json)) {
    const value = decodeValue(v);
    if (value !== undefined) out[k] = value;
  }
  return out;
}

interface QuerySource {
  type: "FullTableScan" | "IndexRange" | "Search";
  tableName?: string;
  indexName?: string;
  order?: "asc" | "desc" | null;
  range?: { type: "Eq" | "Gt" | "Gte" | "Lt" | "Lte"; fieldPath: string; value: unknown }[];
}
interface SerializedQuery {
  source: QuerySource;
  operators: ({ filter: unknown } | { limit: number })[];
}

function pointRead(
  component: string,
  table: string,
  id: string,
  via: ReadRange["via"],
  by: string,
  found: boolean,
): ReadRange {
  return {
    component,
    table,
    index: BY_ID,
    fields: ["_id"],
    eq: [id],
    order: "asc",
    exhausted: true,
    returned: found ? 1 : 0,
    via,
    by,
  };
}

// ---------------------------------------------------------------------------------------------

class RecorderImpl implements Recorder {
  active = true;
  private nextId = 1;
  private executions: Execution[] = [];
  private taken = new Set<number>();
  /** Scheduled job id → the execution that scheduled it. */
  private jobOwner = new Map<string, number>();
  /** Committed documents as last seen, per component and id. */
  private shadow = new Map<string, Doc>();
  /** Exact `_creationTime` of documents, once seen (inserts are estimated until then). */
  private exactCt = new Map<string, number>();
  private lastCt = new Map<string, number>();
  private indexes: Record<string, TableIndexes> = {};
  private errors: unknown[] = [];
  private restore: (() => void)[] = [];

  constructor(
    private readonly t: TestInstance,
    private readonly options: RecordingOptions,
  ) {
    for (const [component, schema] of Object.entries(options.schemas)) {
      this.indexes[component] = schemaIndexes(schema).indexes;
    }
  }

  // --- setup ----------------------------------------------------------------------------------

  async start() {
    const inner = installSyscallHook();
    // Learn this instance's syscall functions: they identify its context from then on.
    let fns: { sync: SyncSyscall; async: AsyncSyscall } | undefined;
    await als.run(INTERNAL, () =>
      this.t.query(async () => {
        fns = { sync: inner.syscall, async: inner.asyncSyscall };
        return null;
      }),
    );
    if (!fns) throw new Error("startRecording: couldn't reach the convexTest instance's context.");
    for (const other of [fns.sync, fns.async]) {
      const existing = recorderByFn.get(other);
      if (existing?.active)
        throw new Error("startRecording: this convexTest instance is already being recorded.");
    }
    recorderByFn.set(fns.sync, this);
    recorderByFn.set(fns.async, this);
    for (const [component, modules] of Object.entries(this.options.modules)) {
      await patchModules(component, modules);
    }
    if (this.options.snapshot !== false) await this.snapshot();
    this.wrapAccessor(this.t);
  }

  private async snapshot() {
    const PAGE = 2000;
    for (const [component, schema] of Object.entries(this.options.schemas)) {
      const tables = Object.keys(schema?.tables ?? {});
      const run =
        component === ""
          ? (h: (ctx: never) => Promise<Doc[]>) => this.t.query(h)
          : typeof this.t.runInComponent === "function"
            ? (h: (ctx: never) => Promise<Doc[]>) => this.t.runInComponent(component, h)
            : undefined;
      if (!run) continue;
      for (const table of tables) {
        let after: number | undefined;
        const seenAtBoundary = new Set<string>();
        for (;;) {
          const page: Doc[] = await als.run(INTERNAL, () =>
            run(async (ctx: never) => {
              const db = (ctx as { db: { query: (t: string) => any } }).db;
              return await db
                .query(table)
                .withIndex(BY_CREATION_TIME, (q: any) =>
                  after === undefined ? q : q.gte("_creationTime", after),
                )
                .take(PAGE);
            }),
          );
          let fresh = 0;
          for (const doc of page) {
            const id = doc._id as string;
            if (seenAtBoundary.has(id)) continue;
            fresh++;
            this.remember(component, doc);
          }
          if (page.length < PAGE || fresh === 0) break;
          after = page[page.length - 1]._creationTime as number;
          seenAtBoundary.clear();
          for (const doc of page)
            if (doc._creationTime === after) seenAtBoundary.add(doc._id as string);
        }
      }
    }
  }

  /** Wraps the accessor's methods so executions know whether the test or the scheduler began them. */
  private wrapAccessor(accessor: TestInstance) {
    const mark = (key: string, marker: Marker) => {
      const original = accessor[key];
      if (typeof original !== "function") return;
      accessor[key] = (...args: unknown[]) => als.run(marker, () => original(...args));
      this.restore.push(() => (accessor[key] = original));
    };
    const test = new Marker("test");
    for (const key of [
      "query",
      "mutation",
      "action",
      "run",
      "fun",
      "fetch",
      "runInComponent",
      "queryFromPath",
      "mutationFromPath",
      "actionFromPath",
      "runQuery",
      "runMutation",
      "runAction",
    ]) {
      mark(key, test);
    }
    const scheduled = new Marker("scheduled");
    mark("finishInProgressScheduledFunctions", scheduled);
    mark("finishAllScheduledFunctions", scheduled);
    for (const key of ["withIdentity", "withRequestMetadata"]) {
      const original = accessor[key];
      if (typeof original !== "function") continue;
      accessor[key] = (...args: unknown[]) => {
        const derived = original(...args);
        if (this.active) this.wrapAccessor(derived);
        return derived;
      };
      this.restore.push(() => (accessor[key] = original));
    }
  }

  // --- public API -----------------------------------------------------------------------------

  footprints(filter: FootprintFilter = {}): Footprint[] {
    if (this.errors.length > 0) {
      const e = this.errors[0];
      throw new Error(
        `footprint recorder failed (${this.errors.length} error(s)); first: ${e instanceof Error ? e.stack : String(e)}`,
      );
    }
    return this.executions
      .filter((e) => e.finished)
      .map((e) => this.materialize(e))
      .filter(
        (f) =>
          (filter.actions !== false || f.kind !== "action") &&
          (filter.failed !== false || !f.failed) &&
          (filter.name === undefined ||
            (typeof filter.name === "string" ? f.name === filter.name : filter.name.test(f.name))),
      );
  }

  take(filter?: FootprintFilter): Footprint[] {
    const fresh = this.footprints(filter).filter((f) => !this.taken.has(f.id));
    for (const f of fresh) this.taken.add(f.id);
    return fresh;
  }

  async during<T>(fn: () => Promise<T>, filter?: FootprintFilter) {
    const from = this.nextId;
    const result = await fn();
    const to = this.nextId;
    const footprints = this.footprints(filter).filter((f) => f.id >= from && f.id < to);
    for (const f of footprints) this.taken.add(f.id);
    return { result, footprints };
  }

  clear() {
    this.executions = this.executions.filter((e) => !e.finished);
  }

  stop() {
    this.active = false;
    for (const r of this.restore.reverse()) r();
    this.restore = [];
  }

  // --- function entry -------------------------------------------------------------------------

  async enter(info: EntryInfo, call: () => unknown): Promise<unknown> {
    const store = als.getStore();
    if (store === INTERNAL) return await call();
    const { component, udfPath } = await this.functionMetadata(info);
    const name = component ? `${component}/${udfPath}` : udfPath;
    const parent = store instanceof Frame && store.recorder === this ? store : undefined;
    let frame: Frame;
    if (info.kind !== "action" && parent?.transactional) {
      // ctx.runQuery/runMutation from a query or mutation (a component call included): the same
      // transaction as the caller.
      frame = new Frame(this, parent.exec, component, name, info.kind, parent);
      parent.exec.calls.push({ name, component, kind: info.kind });
    } else {
      const marker = store instanceof Marker ? store : undefined;
      let origin: Footprint["origin"] = parent
        ? "action"
        : marker && marker.origin !== "internal"
          ? marker.origin
          : "unknown";
      let scheduledBy = parent ? undefined : marker?.scheduledBy;
      if (!parent && info.kind !== "query") {
        // A scheduled run carries its job id in its request metadata (queries can't ask).
        const jobId = await this.scheduledJobId();
        if (jobId) {
          origin = "scheduled";
          scheduledBy = this.jobOwner.get(jobId) ?? scheduledBy;
        }
      }
      const exec: Execution = {
        id: this.nextId++,
        name,
        component,
        udfPath,
        kind: info.kind,
        origin,
        parent: parent?.exec.id,
        scheduledBy,
        calls: [],
        children: [],
        scheduled: [],
        reads: [],
        writes: [],
        queries: new Map(),
        finished: false,
      };
      parent?.exec.children.push(exec.id);
      this.executions.push(exec);
      frame = new Frame(this, exec, component, name, info.kind, undefined);
    }
    return await als.run(frame, async () => {
      let result: unknown;
      try {
        result = await call();
      } catch (error) {
        this.guard(() => this.frameDone(frame, error));
        throw error;
      }
      this.guard(() => this.frameDone(frame, undefined));
      return result;
    });
  }

  private async functionMetadata(info: EntryInfo) {
    let component = info.component;
    let udfPath = info.udfPath;
    try {
      const meta = JSON.parse(await innerConvex!.asyncSyscall("1.0/getFunctionMetadata", "{}")) as {
        name?: string;
        componentPath?: string;
      };
      if (typeof meta.componentPath === "string") component = meta.componentPath;
      if (!info.http && typeof meta.name === "string" && meta.name !== "") udfPath = meta.name;
    } catch {
      // Not available: keep what the module map says.
    }
    return { component, udfPath };
  }

  private async scheduledJobId(): Promise<string | null> {
    try {
      const meta = JSON.parse(await innerConvex!.asyncSyscall("1.0/getRequestMetadata", "{}")) as {
        scheduledFunctionId?: string | null;
      };
      return meta.scheduledFunctionId ?? null;
    } catch {
      return null;
    }
  }

  private frameDone(frame: Frame, error: unknown) {
    if (frame.parent) {
      // A nested call: its writes join the caller's on success, are rolled back on failure.
      if (error === undefined) {
        for (const [key, w] of frame.log) {
          const mine = frame.parent.log.get(key);
          frame.parent.log.set(key, { ...w, ops: [...(mine?.ops ?? []), ...w.ops] });
        }
      }
      return;
    }
    const exec = frame.exec;
    for (const q of exec.queries.values()) this.closeQuery(q, false);
    exec.queries.clear();
    if (error === undefined) {
      for (const w of frame.log.values()) {
        if (w.before === null && w.current === null) continue; // inserted and deleted: no write
        exec.writes.push(w);
        this.applyToShadow(w.component, w.id, w.current, w.partial);
      }
    } else {
      exec.failed = true;
      exec.error = error instanceof Error ? error.message : String(error);
    }
    exec.finished = true;
  }

  private guard(fn: () => void) {
    try {
      fn();
    } catch (e) {
      this.errors.push(e);
    }
  }

  // --- syscalls -------------------------------------------------------------------------------

  private frameOf(store: Store | undefined): Frame | undefined {
    return store instanceof Frame && store.recorder === this ? store : undefined;
  }

  syscall(f: SyncSyscall, op: string, json: string): string {
    const frame = this.frameOf(als.getStore());
    if (!frame) return f(op, json);
    switch (op) {
      case "1.0/queryStream": {
        const result = f(op, json);
        this.guard(() => {
          const { query } = JSON.parse(json) as { query: SerializedQuery };
          const { queryId } = JSON.parse(result) as { queryId: number };
          const { read, limit } = this.readFromQuery(frame, query, "query");
          frame.exec.reads.push(read);
          frame.exec.queries.set(`${frame.component}\u0000${queryId}`, {
            read,
            limit,
            returned: 0,
            lastKey: undefined,
            closed: false,
            component: frame.component,
          });
        });
        return result;
      }
      case "1.0/queryCleanup": {
        const result = f(op, json);
        this.guard(() => {
          const { queryId } = JSON.parse(json) as { queryId: number };
          const q = frame.exec.queries.get(`${frame.component}\u0000${queryId}`);
          if (q) this.closeQuery(q, false);
        });
        return result;
      }
      default:
        return f(op, json);
    }
  }

  async asyncSyscall(f: AsyncSyscall, op: string, json: string): Promise<string> {
    const store = als.getStore();
    if (store === INTERNAL) return await f(op, json);
    const frame = this.frameOf(store);
    switch (op) {
      case "1.0/schedule":
      case "1.0/actions/schedule": {
        // The scheduled run starts from a timer set inside this call: give it a fresh context
        // (not this frame), marked as scheduled.
        const result = await als.run(new Marker("scheduled", frame?.exec.id), () => f(op, json));
        if (frame) {
          this.guard(() => {
            const args = JSON.parse(json) as {
              name?: string;
              reference?: string;
              functionHandle?: string;
            };
            frame.exec.scheduled.push(args.name ?? args.reference ?? args.functionHandle ?? "?");
            const jobId = JSON.parse(result) as unknown;
            if (typeof jobId === "string") this.jobOwner.set(jobId, frame.exec.id);
          });
        }
        return result;
      }
      case "1.0/runUdf": {
        // `ctx.runQuery(fn, args, { useStaleSnapshot: true })` inside a mutation reads a
        // snapshot without a read dependency: its reads are no part of the caller's read set
        // (nothing it read can make the caller retry), so they are not recorded.
        const { udfType } = JSON.parse(json) as { udfType?: string };
        if (udfType === "snapshotQuery") return await als.run(INTERNAL, () => f(op, json));
        return await f(op, json);
      }
      case "1.0/queryStreamNext": {
        const result = await f(op, json);
        if (frame) this.guard(() => this.onNext(frame, json, result));
        return result;
      }
      case "1.0/queryPage": {
        const result = await f(op, json);
        if (frame) this.guard(() => this.onPage(frame, json, result));
        return result;
      }
      case "1.0/get": {
        const result = await f(op, json);
        if (frame) this.guard(() => this.onGet(frame, json, result));
        return result;
      }
      case "1.0/count": {
        const result = await f(op, json);
        if (frame) {
          this.guard(() => {
            const { table } = JSON.parse(json) as { table: string };
            frame.exec.reads.push({
              component: frame.component,
              table,
              index: BY_CREATION_TIME,
              fields: ["_creationTime", "_id"],
              eq: [],
              order: "asc",
              exhausted: true,
              returned: JSON.parse(result) as number,
              via: "count",
              by: frame.name,
            });
          });
        }
        return result;
      }
      case "1.0/insert":
      case "1.0/shallowMerge":
      case "1.0/replace":
      case "1.0/remove":
        return await this.onWrite(frame, op, json, f);
      default:
        return await f(op, json);
    }
  }

  private readFromQuery(frame: Frame, query: SerializedQuery, via: ReadRange["via"]) {
    const source = query.source;
    const component = frame.component;
    let table: string;
    let index: string;
    let fields: string[] | undefined;
    let wholeTable = false;
    if (source.type === "FullTableScan") {
      table = source.tableName!;
      index = BY_CREATION_TIME;
      fields = systemIndexes()[BY_CREATION_TIME];
    } else {
      [table, index] = source.indexName!.split(".");
      fields = source.type === "IndexRange" ? this.indexFields(component, table, index) : undefined;
      if (source.type === "Search") via = "search";
      if (!fields) wholeTable = true;
    }
    const read: ReadRange = {
      component,
      table,
      index,
      fields: fields ?? [],
      eq: [],
      order: source.order ?? "asc",
      exhausted: false,
      returned: 0,
      via,
      by: frame.name,
    };
    if (wholeTable) read.wholeTable = true;
    for (const r of source.range ?? []) {
      const value = decodeValue(r.value);
      if (r.type === "Eq") read.eq.push(value);
      else if (r.type === "Gt" || r.type === "Gte")
        read.lower = { value, inclusive: r.type === "Gte" };
      else read.upper = { value, inclusive: r.type === "Lte" };
    }
    let limit: number | undefined;
    for (const o of query.operators) {
      if ("limit" in o) limit = limit === undefined ? o.limit : Math.min(limit, o.limit);
    }
    return { read, limit };
  }

  private indexFields(component: string, table: string, index: string): string[] | undefined {
    return (this.indexes[component]?.[table] ?? systemIndexes())[index];
  }

  private closeQuery(q: QueryState, reachedEnd: boolean) {
    if (q.closed) return;
    q.closed = true;
    const read = q.read;
    read.returned = q.returned;
    // With a limit the stream reports "done" after `limit` items, though the range goes on.
    const exhausted = reachedEnd && !(q.limit !== undefined && q.returned >= q.limit);
    read.exhausted = exhausted;
    if (exhausted || read.wholeTable) return;
    if (q.lastKey === undefined) {
      read.empty = true;
      return;
    }
    if (read.order === "asc") read.to = { key: q.lastKey, inclusive: true };
    else read.from = { key: q.lastKey, inclusive: true };
  }

  private onNext(frame: Frame, json: string, result: string) {
    const { queryId } = JSON.parse(json) as { queryId: number };
    const q = frame.exec.queries.get(`${frame.component}\u0000${queryId}`);
    if (!q || q.closed) return;
    const { value, done } = JSON.parse(result) as { value: unknown; done: boolean };
    if (done) {
      this.closeQuery(q, true);
      return;
    }
    const doc = jsonToConvex(value as never) as Doc;
    q.returned++;
    if (!q.read.wholeTable) q.lastKey = indexKey(doc, q.read.fields);
    this.observe(frame, q.component, q.read.table, doc);
  }

  private decodeCursor(cursor: string, fields: string[]): IndexKey | undefined {
    // convex-test's cursors are the JSON list of the key's values, each JSON-encoded (null for
    // undefined). A real deployment's are opaque; anything else is treated as unknown.
    try {
      const parts = JSON.parse(cursor) as unknown;
      if (!Array.isArray(parts) || parts.length !== fields.length) return undefined;
      return parts.map((p) => (p === null ? undefined : jsonToConvex(JSON.parse(p as string))));
    } catch {
      return undefined;
    }
  }

  private onPage(frame: Frame, json: string, result: string) {
    const args = JSON.parse(json) as {
      query: SerializedQuery;
      cursor: string | null;
      endCursor?: string | null;
    };
    const res = JSON.parse(result) as { page: unknown[]; isDone: boolean; continueCursor: string };
    const { read } = this.readFromQuery(frame, args.query, "paginate");
    const page = res.page.map((d) => jsonToConvex(d as never) as Doc);
    read.returned = page.length;
    for (const doc of page) this.observe(frame, frame.component, read.table, doc);
    frame.exec.reads.push(read);
    if (read.wholeTable) return;
    if (args.cursor === "_end_cursor") {
      read.empty = true;
      return;
    }
    const start = args.cursor ? this.decodeCursor(args.cursor, read.fields) : undefined;
    const bounded = !!args.endCursor && args.endCursor !== "_end_cursor";
    const done = bounded ? false : res.isDone;
    let end: IndexKey | undefined;
    if (bounded) end = this.decodeCursor(args.endCursor!, read.fields);
    else if (!done) {
      end =
        this.decodeCursor(res.continueCursor, read.fields) ??
        (page.length ? indexKey(page[page.length - 1], read.fields) : undefined);
    }
    read.exhausted = done;
    const asc = read.order === "asc";
    if (start) {
      if (asc) read.from = { key: start, inclusive: false };
      else read.to = { key: start, inclusive: false };
    }
    if (end) {
      if (asc) read.to = { key: end, inclusive: true };
      else read.from = { key: end, inclusive: true };
    }
  }

  private onGet(frame: Frame, json: string, result: string) {
    const args = JSON.parse(json) as { id: unknown; table?: string };
    const id = jsonToConvex(args.id as never) as string;
    const table = args.table ?? this.resolveTable(frame.component, id);
    const doc = jsonToConvex(JSON.parse(result)) as Doc | null;
    frame.exec.reads.push(pointRead(frame.component, table, id, "get", frame.name, doc !== null));
    if (doc) this.observe(frame, frame.component, table, doc);
  }

  private async onWrite(
    frame: Frame | undefined,
    op: string,
    json: string,
    f: AsyncSyscall,
  ): Promise<string> {
    let component = frame?.component;
    if (component === undefined) {
      // Outside a recorded function (t.run, an inline handler): not a footprint, but the
      // recorder's picture of the data must follow.
      component = (
        await this.functionMetadata({ kind: "mutation", component: "", udfPath: "", http: false })
      ).component;
    }
    const result = await f(op, json);
    this.guard(() => {
      const args = JSON.parse(json) as {
        table?: string;
        id?: unknown;
        value?: Record<string, unknown>;
      };
      if (op === "1.0/insert") {
        const { _id } = JSON.parse(result) as { _id: string };
        const doc: Doc = {
          ...decodeFields(args.value ?? {}),
          _id,
          _creationTime: this.estimateCreationTime(component),
        };
        this.write(frame, component, args.table!, _id, "insert", doc);
        return;
      }
      const id = jsonToConvex(args.id as never) as string;
      const table = args.table ?? this.resolveTable(component, id);
      const kind =
        op === "1.0/shallowMerge" ? "patch" : op === "1.0/replace" ? "replace" : "delete";
      // Convex reads the document it patches, replaces or deletes: it is in the read set.
      if (frame) frame.exec.reads.push(pointRead(component, table, id, kind, frame.name, true));
      this.write(frame, component, table, id, kind, args.value);
    });
    return result;
  }

  /** The table of an id, asked of convex-test through the public `normalizeId` syscall. */
  private resolveTable(component: string, id: string): string {
    const candidates = [
      ...Object.keys(this.indexes[component] ?? {}),
      "_scheduled_functions",
      "_storage",
    ];
    for (const table of candidates) {
      try {
        const res = JSON.parse(
          innerConvex!.syscall("1.0/db/normalizeId", JSON.stringify({ table, idString: id })),
        ) as {
          id: string | null;
        };
        if (res.id !== null) return table;
      } catch {
        // try the next
      }
    }
    return "<unknown table>";
  }

  /**
   * `_creationTime` of a new document, which the insert syscall doesn't return: the rule Convex
   * and convex-test use (now, or just after the last one if the clock hasn't moved). Replaced
   * by the exact value as soon as any recorded read or the snapshot sees the document.
   */
  private estimateCreationTime(component: string): number {
    const last = this.lastCt.get(component) ?? 0;
    const now = Date.now();
    const ct = now <= last ? last + 0.001 : now;
    this.lastCt.set(component, ct);
    return ct;
  }

  // --- the recorder's picture of the data ---------------------------------------------------

  private remember(component: string, doc: Doc) {
    const key = docKey(component, doc._id as string);
    const ct = doc._creationTime as number;
    this.exactCt.set(key, ct);
    if (ct > (this.lastCt.get(component) ?? 0)) this.lastCt.set(component, ct);
    this.shadow.set(key, doc);
  }

  private pending(frame: Frame | undefined, key: string): PendingWrite | undefined {
    for (let f = frame; f; f = f.parent) {
      const w = f.log.get(key);
      if (w) return w;
    }
    return undefined;
  }

  /** A document returned by a read: the committed state, unless this transaction wrote it. */
  private observe(frame: Frame | undefined, component: string, table: string, doc: Doc) {
    const key = docKey(component, doc._id as string);
    const ct = doc._creationTime;
    if (typeof ct === "number") {
      this.exactCt.set(key, ct);
      if (ct > (this.lastCt.get(component) ?? 0)) this.lastCt.set(component, ct);
    }
    if (table.startsWith("_") || this.pending(frame, key)) return;
    this.shadow.set(key, doc);
  }

  private applyToShadow(
    component: string,
    id: string,
    doc: Doc | null | undefined,
    partial: boolean,
  ) {
    const key = docKey(component, id);
    if (doc === null || doc === undefined || partial) this.shadow.delete(key);
    else this.shadow.set(key, doc);
  }

  private write(
    frame: Frame | undefined,
    component: string,
    table: string,
    id: string,
    op: WriteRecord["ops"][number],
    payload: Doc | Record<string, unknown> | undefined,
  ) {
    if (table.startsWith("_")) return;
    const key = docKey(component, id);
    let w = frame?.log.get(key);
    if (!w) {
      const inherited = this.pending(frame?.parent, key);
      if (inherited) {
        w = { ...inherited, ops: [], by: frame?.name ?? "" };
      } else {
        const known = this.shadow.get(key);
        const before = op === "insert" ? null : known;
        w = {
          component,
          table,
          id,
          before,
          current: before,
          partial: before === undefined,
          ops: [],
          by: frame?.name ?? "",
        };
      }
      frame?.log.set(key, w);
    }
    w.ops.push(op);
    switch (op) {
      case "insert":
        w.current = payload as Doc;
        w.partial = false;
        break;
      case "patch": {
        const base: Doc = w.current ? { ...w.current } : {};
        for (const [k, v] of Object.entries(payload ?? {})) {
          if (k === "_id" || k === "_creationTime") continue;
          const value = decodeValue(v);
          if (value === undefined) delete base[k];
          else base[k] = value;
        }
        w.current = base;
        break;
      }
      case "replace": {
        const creationTime = w.current?._creationTime;
        const fields = decodeFields((payload ?? {}) as Record<string, unknown>);
        delete fields._id;
        delete fields._creationTime;
        w.current = { ...fields, _id: id, _creationTime: creationTime };
        w.partial = creationTime === undefined;
        break;
      }
      case "delete":
        w.current = null;
        w.partial = false;
        break;
    }
    if (!frame) this.applyToShadow(component, id, w.current, w.partial);
  }

  // --- footprints -----------------------------------------------------------------------------

  private withExactCt(component: string, doc: Doc): Doc {
    const exact = this.exactCt.get(docKey(component, doc._id as string));
    return exact !== undefined && exact !== doc._creationTime
      ? { ...doc, _creationTime: exact }
      : doc;
  }

  private materialize(e: Execution): Footprint {
    const footprint: Footprint = {
      id: e.id,
      name: e.name,
      component: e.component,
      udfPath: e.udfPath,
      kind: e.kind,
      origin: e.origin,
      calls: [...e.calls],
      children: [...e.children],
      scheduled: [...e.scheduled],
      reads: [...e.reads],
      writes: e.writes.map((w) => this.writeRecord(w)),
    };
    if (e.parent !== undefined) footprint.parent = e.parent;
    if (e.scheduledBy !== undefined) footprint.scheduledBy = e.scheduledBy;
    if (e.failed) {
      footprint.failed = true;
      footprint.error = e.error;
    }
    return footprint;
  }

  private writeRecord(w: PendingWrite): WriteRecord {
    const indexes = this.indexes[w.component]?.[w.table] ?? systemIndexes();
    const before = w.before ? this.withExactCt(w.component, w.before) : w.before;
    const after = w.current && !w.partial ? this.withExactCt(w.component, w.current) : w.current;
    const keys: Record<string, KeyChange> = {};
    for (const [index, fields] of Object.entries(indexes)) {
      const change: KeyChange = {
        before: before ? indexKey(before, fields) : null,
        after: after && !w.partial ? indexKey(after, fields) : null,
      };
      if (index === BY_ID) {
        change.before = w.before === null ? null : [w.id];
        change.after = w.current === null ? null : [w.id];
      } else {
        if (w.before === undefined) change.beforeUnknown = true;
        if (w.current !== null && w.partial) change.afterUnknown = true;
      }
      keys[index] = change;
    }
    const record: WriteRecord = {
      component: w.component,
      table: w.table,
      id: w.id,
      op: w.before === null ? "insert" : w.current === null ? "delete" : "update",
      ops: [...w.ops],
      keys,
      by: w.by,
    };
    if (w.before === null && !this.exactCt.has(docKey(w.component, w.id)))
      record.creationTimeEstimated = true;
    return record;
  }
}

/**
 * Starts recording footprints of everything the convex-test instance `t` runs: top-level
 * calls, scheduled functions, component calls (merged into their caller's transaction) and each
 * transaction an action runs. Call it after `convexTest(...)` and `registerComponent(...)`.
 *
 *   const rec = await startRecording(t, {
 *     schemas: { "": schema, analytics: componentSchema },
 *     modules: { "": appModules, analytics: componentModules },
 *   });
 *   await t.mutation(api.foo.bar, {});
 *   const [footprint] = rec.take();
 */
export async function startRecording(
  t: TestInstance,
  options: RecordingOptions,
): Promise<Recorder> {
  const recorder = new RecorderImpl(t, options);
  await recorder.start();
  return recorder;
}
