// What convex-test runs for a registered Convex function: its handler, called directly, without
// argument validation. Tests use it to call a facade's function inside `t.query`/`t.mutation`
// (what a host's re-export runs), and the fixtures to wrap the real component's functions.
// Imports nothing from vitest: the bench's conflict matrix loads the fixtures too.

/** A registered function's handler: `(ctx, args) => result`. */
export type Handler<R = any> = (ctx: unknown, args: unknown) => Promise<R>;

/** The handler of a registered function; throws when `fn` is not one. */
export function handlerOf<R = any>(fn: unknown): Handler<R> {
  const handler = (fn as { _handler?: Handler<R> })._handler;
  if (typeof handler !== "function") throw new Error("not a registered Convex function");
  return handler;
}
