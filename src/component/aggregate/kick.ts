// When ingest schedules a partition's worker (invariant 11: one run folds a window's events).
// Every ingest of one window schedules its kick at the same aligned instant, so the first run
// folds all of the window's events and the later ones find nothing pending (an empty run only
// reads). Ingest reads no shared state to do this (invariant 1): the instant is a pure function
// of its own clock. The kick is at least the settle window after the ingest, so its events are
// inside the worker's pending range.
import { PENDING_SETTLE_MS, WORKER_KICK_WINDOW_MS } from "../lib/limits.js";

/** Slack after the settle window, for commit latency. */
const KICK_SLACK_MS = 500;

/** The aligned instant at which an ingest at `now` kicks its partitions' workers. */
export function kickAt(now: number): number {
  const earliest = now + PENDING_SETTLE_MS + KICK_SLACK_MS;
  return Math.ceil(earliest / WORKER_KICK_WINDOW_MS) * WORKER_KICK_WINDOW_MS;
}
