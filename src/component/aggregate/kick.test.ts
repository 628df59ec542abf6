import { describe, expect, it } from "vitest";
import { PENDING_SETTLE_MS, WORKER_KICK_WINDOW_MS } from "../lib/limits.js";
import { kickAt } from "./kick.js";

describe("kickAt", () => {
  it("gives every ingest of one window the same kick, after the settle window", () => {
    const window = 1_000 * WORKER_KICK_WINDOW_MS;
    // Ingests in (window − 7.5 s, window − 2.5 s] all kick at `window`.
    const first = window - 7_499;
    const kicks = [first, first + 1_000, window - 2_500].map(kickAt);
    expect(new Set(kicks)).toEqual(new Set([window]));
    for (const now of [first, window - 2_500])
      expect(kickAt(now) - now).toBeGreaterThan(PENDING_SETTLE_MS);
  });
  it("waits at most one window longer than the settle window", () => {
    for (let now = 0; now < 3 * WORKER_KICK_WINDOW_MS; now += 137) {
      expect(kickAt(now) % WORKER_KICK_WINDOW_MS).toBe(0);
      expect(kickAt(now) - now).toBeLessThanOrEqual(
        PENDING_SETTLE_MS + 500 + WORKER_KICK_WINDOW_MS,
      );
    }
  });
});
