// The benchmark's clocks. Every figure must be the same on every run whatever the calendar day,
// so the bench never reads the machine's clock for anything it measures: `Date.now` starts at
// a fixed NOW (mid-month, mid-day UTC: no day, month or year boundary near it), and the
// workloads are placed relative to it.
//
// Two modes. `pinClock` lets the pinned time advance with real time (the sections that wait on
// real timers, e.g. the workers' settle window, keep working; a section lasts minutes, so it
// never crosses a bucket boundary). `VirtualClock` stops time altogether and holds every timer:
// the end-to-end protocols advance it to each event's time and fire what is due, one timer at a
// time, so a scheduled function runs at the time it was scheduled for.
//
// Only `Date.now` is replaced (nothing in src/, example/ or convex-test reads the time through
// `new Date()`), so the report's own date stays the real one.

/** 2026-06-15T12:00:00Z, a Monday: every dashboard read of the bench reads these buckets. */
export const NOW = Date.UTC(2026, 5, 15, 12, 0, 0);

/**
 * Pins `Date.now` to `at`, advancing with real time from this call; returns a function that
 * puts the previous `Date.now` back. Calling it again re-pins (each bench section starts at NOW).
 */
export function pinClock(at = NOW): () => void {
  const previous = Date.now;
  const origin = performance.now();
  Date.now = () => at + Math.floor(performance.now() - origin);
  return () => {
    Date.now = previous;
  };
}

type Timer = {
  id: number;
  at: number;
  seq: number;
  fn: (...args: unknown[]) => void;
  args: unknown[];
};

/**
 * A stopped clock that holds timers. `install()` replaces `Date.now`, `setTimeout` and
 * `clearTimeout` (convex-test's scheduler reads `globalThis.setTimeout` at each scheduling,
 * so every scheduled function lands here); `uninstall()` restores them. Nothing fires until
 * `advanceTo` or `runDue` is called.
 */
export class VirtualClock {
  now: number;
  private timers = new Map<number, Timer>();
  private nextId = 1;
  private seq = 0;
  private restore: (() => void) | undefined;

  constructor(now = NOW) {
    this.now = now;
  }

  install() {
    const g = globalThis as unknown as Record<string, unknown>;
    const saved = { now: Date.now, setTimeout: g.setTimeout, clearTimeout: g.clearTimeout };
    Date.now = () => this.now;
    g.setTimeout = (fn: (...args: unknown[]) => void, ms = 0, ...args: unknown[]) => {
      const id = this.nextId++;
      this.timers.set(id, { id, at: this.now + Math.max(0, ms), seq: this.seq++, fn, args });
      return {
        id,
        ref: () => null,
        unref: () => null,
        hasRef: () => false,
        [Symbol.toPrimitive]: () => id,
      };
    };
    g.clearTimeout = (handle: unknown) => {
      const id =
        typeof handle === "object" && handle ? (handle as { id: number }).id : Number(handle);
      this.timers.delete(id);
    };
    this.restore = () => {
      Date.now = saved.now;
      g.setTimeout = saved.setTimeout;
      g.clearTimeout = saved.clearTimeout;
    };
  }

  uninstall() {
    this.restore?.();
    this.restore = undefined;
  }

  /** Timers not fired yet. */
  get pending() {
    return this.timers.size;
  }

  /** The earliest held timer, if any. */
  private first(): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.timers.values())
      if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    return best;
  }

  /**
   * Moves the clock to `to`, firing every timer due on the way at its own time, one at a time,
   * and awaiting `settle` (what the timer started) after each. Time never goes backwards.
   */
  async advanceTo(to: number, settle: () => Promise<void>) {
    for (;;) {
      const next = this.first();
      if (!next || next.at > to) break;
      this.timers.delete(next.id);
      if (next.at > this.now) this.now = next.at;
      next.fn(...next.args);
      await settle();
    }
    if (to > this.now) this.now = to;
  }

  /** Fires what is due now (and what that schedules for now), without moving the clock. */
  async runDue(settle: () => Promise<void>) {
    await this.advanceTo(this.now, settle);
  }

  /** The time of the earliest held timer, or undefined. */
  nextAt(): number | undefined {
    return this.first()?.at;
  }
}
