// Rollup rows: one per (granularity, bucket, dimension, key) and partition. A row carries
// additive counters, so a change to a session is applied as "new contribution minus old"
// (see session.ts), and unique-visitor sketches, which only ever grow.

export type Granularity = "hour" | "day" | "month";

/** The additive figures of one rollup row. */
export type Counters = {
  pageviews: number;
  events: number;
  /** Sessions that start in the bucket. */
  sessions: number;
  bounces: number;
  /** Sessions with at least one pageview: the denominator of bounce rate and duration. */
  pvSessions: number;
  /** Sum of durations of `pvSessions`. */
  durationMs: number;
  /** Page rows (page, entry and exit page): visits that sent engagement for the page. */
  engagedVisits: number;
  /** Their engaged time on the page, summed (lib/engagement.ts). */
  engagedMs: number;
  /** Their maximum scroll depths on the page, summed. */
  scrollSum: number;
};

export const COUNTER_FIELDS = [
  "pageviews",
  "events",
  "sessions",
  "bounces",
  "pvSessions",
  "durationMs",
  "engagedVisits",
  "engagedMs",
  "scrollSum",
] as const;

/** Counters most rows never use: stored only when not 0 (storedCounters). */
const SPARSE_FIELDS = ["engagedVisits", "engagedMs", "scrollSum"] as const;

export function zeroCounters(): Counters {
  return {
    pageviews: 0,
    events: 0,
    sessions: 0,
    bounces: 0,
    pvSessions: 0,
    durationMs: 0,
    engagedVisits: 0,
    engagedMs: 0,
    scrollSum: 0,
  };
}

type SparseField = (typeof SPARSE_FIELDS)[number];
/** Counters as a rollup row stores them: the sparse ones may be absent (read as 0). */
export type StoredCounters = Omit<Counters, SparseField> & Partial<Pick<Counters, SparseField>>;

/** A row's counters as stored: a sparse counter at 0 is `undefined`, which a patch removes. */
export function storedCounters(counters: Counters): StoredCounters {
  const stored: StoredCounters = { ...counters };
  for (const field of SPARSE_FIELDS) if (counters[field] === 0) stored[field] = undefined;
  return stored;
}

export function addCounters(into: Counters, delta: Partial<Counters>, sign = 1): Counters {
  // Partial: stored rows may lack the sparse counters (storedCounters).
  for (const field of COUNTER_FIELDS) into[field] += sign * (delta[field] ?? 0);
  return into;
}

/** A stored row's counters (none: a new row's), the sparse ones read as 0. */
export function countersOf(row: Partial<Counters> | null | undefined): Counters {
  return addCounters(zeroCounters(), row ?? {});
}

export function isZero(counters: Counters): boolean {
  return COUNTER_FIELDS.every((field) => counters[field] === 0);
}

/** The whole-site row of a bucket. */
export const ALL = "all";

// Row keys are built from what senders choose (event names, property keys and values), so
// every encoding below is injective by construction: no input can make two different rows
// share a key, or one row's parts read as another's (a hostile-input finding: "sign\u0001up" once split
// into dimension "prop…sign" and a forged key).

const FIELD_SEPARATOR = "\u001f";
const ESCAPE = "\u001b";

/** Escapes the separator and the escape character itself, so a part never contains FIELD_SEPARATOR. */
function escapePart(part: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what it looks for
  return part.replace(/[\u001b\u001f]/g, (c) => ESCAPE + (c === ESCAPE ? "e" : "s"));
}

/**
 * Dimension name of the rows behind `getEventProperties` for one event and property. Names
 * without control characters (all that validation lets through) are spelled as before.
 */
export function propertyDimension(eventName: string, property: string): string {
  return ["prop", escapePart(eventName), escapePart(property)].join(FIELD_SEPARATOR);
}

/**
 * Property values become row keys; null and booleans get a readable spelling. Values are
 * grouped by that spelling, as the dashboard shows them: 1 and "1" are one row.
 */
export function propertyKey(value: string | number | boolean | null): string {
  return value === null ? "(null)" : String(value);
}

export type RowRef = { granularity: Granularity; bucket: number; dimension: string; key: string };

/** A row's identity within one transaction's delta: JSON, which no part can break out of. */
export function rowId(row: RowRef): string {
  return JSON.stringify([row.granularity, row.bucket, row.dimension, row.key]);
}

export function parseRowId(id: string): RowRef {
  const [granularity, bucket, dimension, key] = JSON.parse(id) as [
    Granularity,
    number,
    string,
    string,
  ];
  return { granularity, bucket, dimension, key };
}

/** Accumulates counter deltas and sketch additions per row for one worker transaction. */
export class RollupDelta {
  readonly counters = new Map<string, Counters>();
  readonly visitors = new Map<string, Set<number>>();
  readonly users = new Map<string, Set<number>>();
  /** Visitors to take out of exact sketches: see retractStaleAttributeVisitors in worker.ts. */
  readonly removedVisitors = new Map<string, Set<number>>();

  add(row: RowRef, delta: Partial<Counters>, sign = 1) {
    const id = rowId(row);
    addCounters(
      this.counters.get(id) ?? this.counters.set(id, zeroCounters()).get(id)!,
      delta,
      sign,
    );
  }

  addAll(deltas: Map<string, Counters>, sign: number) {
    for (const [id, counters] of deltas) this.add(parseRowId(id), counters, sign);
  }

  merge(other: RollupDelta) {
    for (const [id, counters] of other.counters) this.add(parseRowId(id), counters);
    for (const [id, hashes] of other.visitors)
      for (const hash of hashes) this.addVisitor(parseRowId(id), hash);
    for (const [id, hashes] of other.users)
      for (const hash of hashes) this.addUser(parseRowId(id), hash);
  }

  addVisitor(row: RowRef, visitorHash: number) {
    this.addTo(this.visitors, row, visitorHash);
  }

  removeVisitor(row: RowRef, visitorHash: number) {
    this.addTo(this.removedVisitors, row, visitorHash);
  }

  addUser(row: RowRef, userHash: number) {
    this.addTo(this.users, row, userHash);
  }

  private addTo(map: Map<string, Set<number>>, row: RowRef, hash: number) {
    const id = rowId(row);
    (map.get(id) ?? map.set(id, new Set()).get(id)!).add(hash);
  }

  /** Rows that need a write: a non-zero counter change or a sketch addition. */
  touchedRows(): string[] {
    const ids = new Set<string>();
    for (const [id, counters] of this.counters) if (!isZero(counters)) ids.add(id);
    for (const id of this.visitors.keys()) ids.add(id);
    for (const id of this.users.keys()) ids.add(id);
    for (const id of this.removedVisitors.keys()) ids.add(id);
    return [...ids].sort();
  }
}
