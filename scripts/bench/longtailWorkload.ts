// A long-tail site (docs/read-path.md), generated: pageviews over many distinct paths with Zipf
// popularity, long tails of referrer hosts, each pageview its own session (so no dedup rule
// is involved and the reference below is the whole definition). Deterministic from the seed.
// Shared by the long-tail test and the bench's longTail section.
const DAY = 86_400_000;

export type LongTailOptions = {
  /** First day (ms, UTC midnight); events fall in [start, start + days × DAY). */
  start: number;
  days: number;
  events: number;
  /** Distinct paths to draw from, Zipf-distributed (rank 1 the most popular). */
  pages: number;
  /** Distinct referrer hosts (half the pageviews are direct). */
  sources: number;
  visitors: number;
  seed?: number;
  exponent?: number;
  /** Event ids start with it: two logs of one site don't share ids. */
  idPrefix?: string;
};

export type LongTailEvent = {
  type: "pageview";
  id: string;
  ts: number;
  visitorId: string;
  sessionId: string;
  url: string;
  referrer?: string;
};

/** mulberry32: a small seeded generator, so both sides of a comparison see the same log. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Draws ranks 0…n−1 with probability ∝ 1/(rank+1)^exponent. */
function zipf(n: number, exponent: number, next: () => number) {
  const cumulative = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) cumulative[i] = sum += 1 / (i + 1) ** exponent;
  return () => {
    const x = next() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

export function longTailEvents(options: LongTailOptions): LongTailEvent[] {
  const next = random(options.seed ?? 22);
  const page = zipf(options.pages, options.exponent ?? 1, next);
  const source = zipf(options.sources, options.exponent ?? 1, next);
  const events: LongTailEvent[] = [];
  for (let i = 0; i < options.events; i++) {
    const day = Math.floor(next() * options.days);
    // Daytime traffic, to the second: an event a second never shares a timestamp by accident.
    const ts = options.start + day * DAY + Math.floor((8 + next() * 12) * 3_600) * 1_000;
    const visitor = `v${Math.floor(next() * options.visitors)}`;
    const direct = next() < 0.5;
    const host = source();
    events.push({
      type: "pageview",
      id: `${options.idPrefix ?? "lt"}${i}`,
      ts,
      visitorId: visitor,
      sessionId: `${options.idPrefix ?? "lt"}s${i}`,
      url: `https://example.com/posts/${page()}`,
      ...(direct ? {} : { referrer: `https://site${host}.example.net/` }),
    });
  }
  return events.sort((a, b) => a.ts - b.ts);
}

export type ReferenceRow = { key: string; visitors: number; pageviews: number };

/**
 * The breakdown computed from the events alone: pageviews and distinct visitors per key in
 * [from, to), sorted as contract §3 sorts (visitors, then key).
 */
export function referenceTop(
  events: readonly LongTailEvent[],
  from: number,
  to: number,
  keyOf: (event: LongTailEvent) => string,
): ReferenceRow[] {
  const byKey = new Map<string, { pageviews: number; visitors: Set<string> }>();
  for (const event of events) {
    if (event.ts < from || event.ts >= to) continue;
    const key = keyOf(event);
    const row = byKey.get(key) ?? byKey.set(key, { pageviews: 0, visitors: new Set() }).get(key)!;
    row.pageviews++;
    row.visitors.add(event.visitorId);
  }
  return [...byKey]
    .map(([key, row]) => ({ key, visitors: row.visitors.size, pageviews: row.pageviews }))
    .sort((a, b) => b.visitors - a.visitors || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

export const pageOf = (event: LongTailEvent) => new URL(event.url).pathname;
