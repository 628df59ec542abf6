// Leaderboards (docs/read-path.md): per (granularity, bucket, dimension) the LEADERBOARD_SIZE
// keys with the highest score, and a `floor` that no key outside them exceeds. Compaction keeps
// them (maintenance.ts) as it merges and folds rows; a breakdown merges the boards of its range
// to choose a few candidate keys and reads only their rows. Pure: this module defines what a
// board promises and what a read may conclude from it.

/** One key's score in one bucket: visitors, or events for the event and property dimensions. */
export type LeaderEntry = { key: string; score: number };
export type Leaderboard = { entries: LeaderEntry[]; floor: number };

/** What ranks a breakdown of `dimension` (contract §3: events for `event` and properties). */
export function scoreMetric(dimension: string): "visitors" | "events" {
  return dimension === "event" || dimension.startsWith("prop\u001f") ? "events" : "visitors";
}

/**
 * A board being updated. The invariant: every key not in `entries` has a score ≤ `floor`
 * (every change of a key's score in the bucket goes through `set`). A key pushed out leaves
 * its score in the floor; a key kept out raises the floor to its score. Scores may go down
 * (a late event moves a session's entry page): a kept-out key's bound then still holds.
 */
export class BoardDraft {
  private readonly scores: Map<string, number>;
  floor: number;

  constructor(
    board: Leaderboard,
    private readonly size: number,
  ) {
    this.scores = new Map(board.entries.map((entry) => [entry.key, entry.score]));
    this.floor = board.floor;
  }

  set(key: string, score: number) {
    if (this.scores.has(key) || score <= 0) {
      // A key at 0 or below needs no entry: the floor is never negative.
      if (score > 0) this.scores.set(key, score);
      else this.scores.delete(key);
      return;
    }
    if (this.scores.size < this.size) {
      this.scores.set(key, score);
      return;
    }
    const lowest = this.lowest();
    if (lowest && score > lowest[1]) {
      this.scores.delete(lowest[0]);
      this.floor = Math.max(this.floor, lowest[1]);
      this.scores.set(key, score);
    } else this.floor = Math.max(this.floor, score);
  }

  private lowest(): [string, number] | undefined {
    let lowest: [string, number] | undefined;
    for (const entry of this.scores) if (!lowest || entry[1] < lowest[1]) lowest = entry;
    return lowest;
  }

  board(): Leaderboard {
    const entries = [...this.scores].map(([key, score]) => ({ key, score }));
    entries.sort((a, b) => b.score - a.score || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return { entries, floor: this.floor };
  }
}

/**
 * Merges a range's boards (and the scores of rows read whole, `exact`: the open hours, buckets
 * without a board) into an upper bound per key: its score where a board lists it, the board's
 * floor where it doesn't. Scores add over buckets (visitors' union is at most their sum), so
 * the bound holds for the range. Returns the `count` keys with the highest bounds and the
 * highest bound of any other key (`rest`), seen or not.
 */
export function chooseCandidates(
  boards: readonly Leaderboard[],
  exact: ReadonlyMap<string, number>,
  count: number,
): { candidates: string[]; rest: number } {
  const floors = boards.reduce((sum, board) => sum + board.floor, 0);
  const bounds = new Map<string, number>();
  for (const [key, score] of exact) bounds.set(key, floors + score);
  boards.forEach((board) => {
    for (const { key, score } of board.entries) {
      // First seen here: every board so far contributes its floor (it doesn't list the key).
      const bound = bounds.get(key) ?? floors + (exact.get(key) ?? 0);
      bounds.set(key, bound - board.floor + score);
    }
  });
  const ranked = [...bounds].sort(
    (a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0),
  );
  const rest = Math.max(floors, ranked[count]?.[1] ?? 0);
  return { candidates: ranked.slice(0, count).map(([key]) => key), rest };
}

/**
 * Whether the first `limit` of the candidates' exact rows (sorted, `values` their sort metric)
 * are the range's true first `limit`: no other key's bound reaches the last one shown. With
 * fewer rows than `limit`, no other key may have any score at all.
 */
export function isComplete(values: readonly number[], limit: number, rest: number): boolean {
  if (rest <= 0) return true;
  return values.length >= limit && values[limit - 1]! > rest;
}
