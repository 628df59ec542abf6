// Sums what every transaction costs, as a deployment bills it: for each top-level query or
// mutation (a call from the bench, a scheduled run, each `ctx.runQuery`/`ctx.runMutation` of
// an action or HTTP action), `ctx.meta.getTransactionMetrics()` read at the end of its handler.
//
// It wraps the `_handler` of every registered function of the modules it is given (the same
// boundary harness/footprint/recorder.ts hooks): convex-test calls that for a top-level call, a
// scheduled run, a component call and an action's ctx.run*. A query or mutation called from a
// running query or mutation (a facade calling into the component) joins its caller's
// transaction, whose metrics already include it (convex-test folds a nested layer into its
// parent), so only the outermost handler of a transaction reports. Actions are counted as runs;
// they read and write nothing themselves.
//
// The wrappers stay on the (shared, cached) module objects for the life of the process and are
// inert unless a meter is active; at most one is active at a time (sections run one after another).
import { AsyncLocalStorage } from "node:async_hooks";

type Metrics = Record<
  "documentsRead" | "documentsWritten" | "bytesRead" | "bytesWritten" | "databaseQueries",
  { used: number }
>;
type Handler = ((ctx: unknown, args: unknown) => unknown) & { [WRAPPED]?: true };
type Registered = {
  _handler: Handler;
  isQuery?: boolean;
  isMutation?: boolean;
  isAction?: boolean;
  isHttp?: boolean;
};
type Kind = "query" | "mutation" | "action";
type Modules = Record<string, () => Promise<unknown>>;

const WRAPPED = Symbol.for("convex-analytics/bench/meter");

/** What a set of transactions cost, summed. */
export type Totals = {
  transactions: number;
  mutations: number;
  queries: number;
  actions: number;
  failed: number;
  /** Transactions that wrote at least one document. */
  writing: number;
  documentsRead: number;
  documentsWritten: number;
  bytesRead: number;
  bytesWritten: number;
  indexRanges: number;
};

export const zeroTotals = (): Totals => ({
  transactions: 0,
  mutations: 0,
  queries: 0,
  actions: 0,
  failed: 0,
  writing: 0,
  documentsRead: 0,
  documentsWritten: 0,
  bytesRead: 0,
  bytesWritten: 0,
  indexRanges: 0,
});

type Frame = { kind: Kind; done: boolean };
const frames = new AsyncLocalStorage<Frame>();
/** The meter the wrappers report to (at most one at a time). */
const current: { meter?: Meter } = {};

export class Meter {
  readonly totals = zeroTotals();
  /** Per function (component/module:export), what its transactions cost. */
  readonly byFunction = new Map<string, Totals>();

  start() {
    if (current.meter) throw new Error("meter: another meter is active");
    current.meter = this;
    return this;
  }

  stop() {
    if (current.meter === this) current.meter = undefined;
  }

  /** Runs `body` with this meter on, and stops it even if `body` throws. */
  async during<T>(body: () => Promise<T>): Promise<T> {
    this.start();
    try {
      return await body();
    } finally {
      this.stop();
    }
  }

  record(name: string, kind: Kind, metrics: Metrics | undefined, failed: boolean) {
    for (const into of [this.totals, this.fn(name)]) {
      if (kind === "action") {
        into.actions++;
        continue;
      }
      into.transactions++;
      into[kind === "query" ? "queries" : "mutations"]++;
      if (failed) into.failed++;
      if (!metrics) continue;
      into.documentsRead += metrics.documentsRead.used;
      into.bytesRead += metrics.bytesRead.used;
      into.indexRanges += metrics.databaseQueries.used;
      // A failed transaction's writes are rolled back: it wrote nothing.
      if (!failed) {
        if (metrics.documentsWritten.used > 0) into.writing++;
        into.documentsWritten += metrics.documentsWritten.used;
        into.bytesWritten += metrics.bytesWritten.used;
      }
    }
  }

  private fn(name: string) {
    let t = this.byFunction.get(name);
    if (!t) this.byFunction.set(name, (t = zeroTotals()));
    return t;
  }
}

function wrap(func: Registered, name: string, kind: Kind) {
  const original = func._handler;
  if (typeof original !== "function" || original[WRAPPED]) return;
  const wrapped: Handler = async (ctx, args) => {
    const meter = current.meter;
    const parent = frames.getStore();
    // Inside a running query or mutation: the caller's transaction reports for both.
    const nested = parent !== undefined && parent.kind !== "action" && !parent.done;
    if (!meter || nested) return await original(ctx, args);
    const frame: Frame = { kind, done: false };
    const meta = (ctx as { meta?: { getTransactionMetrics?: () => Promise<Metrics> } }).meta;
    return await frames.run(frame, async () => {
      try {
        const result = await original(ctx, args);
        frame.done = true;
        const metrics = kind === "action" ? undefined : await meta?.getTransactionMetrics?.();
        meter.record(name, kind, metrics, false);
        return result;
      } catch (error) {
        frame.done = true;
        let metrics: Metrics | undefined;
        try {
          metrics = kind === "action" ? undefined : await meta?.getTransactionMetrics?.();
        } catch {
          // the transaction is gone: its reads are not known
        }
        meter.record(name, kind, metrics, true);
        throw error;
      }
    });
  };
  wrapped[WRAPPED] = true;
  func._handler = wrapped;
}

/**
 * Wraps every function (and HTTP route) exported by `modules` (a module map as given to
 * convex-test); `component` names them in the per-function figures ("" for the app).
 */
export async function instrument(component: string, modules: Modules) {
  for (const [path, load] of Object.entries(modules)) {
    if (path.includes("/_generated/") || /convex\.config\.[jt]s$/.test(path)) continue;
    const file = path.replace(/^.*?\/(convex|component)\//, "").replace(/\.[jt]s$/, "");
    let mod: Record<string, unknown>;
    try {
      mod = (await load()) as Record<string, unknown>;
    } catch {
      continue;
    }
    for (const [exportName, value] of Object.entries(mod)) {
      const name = `${component ? component + "/" : ""}${file}:${exportName}`;
      const f = value as Partial<Registered> | undefined;
      if (typeof value === "function" && typeof f?._handler === "function") {
        const kind: Kind | undefined = f.isQuery
          ? "query"
          : f.isMutation
            ? "mutation"
            : f.isAction || f.isHttp
              ? "action"
              : undefined;
        if (kind) wrap(f as Registered, name, kind);
      } else if (value && typeof (value as { getRoutes?: unknown }).getRoutes === "function") {
        const router = value as { getRoutes: () => [string, string, Registered][] };
        for (const [route, method, handler] of router.getRoutes())
          wrap(handler, `${component ? component + "/" : ""}http ${method} ${route}`, "action");
      }
    }
  }
}
