// The traffic the scale sections replay, the same for the component and the naive baseline:
// sessions of a fixed pool of visitors spread over the last 365 days, with a few pages,
// sources and browsers in skewed proportions, as a small site sees them. Deterministic (seeded).
import { DAY_MS, HOUR_MS, MINUTE_MS } from "../../src/component/lib/limits.js";
import { parseUserAgent } from "../../src/component/ingest/enrich.js";
import { USER_AGENT } from "../../harness/component.js";

/** A small deterministic PRNG (mulberry32): same workload on every run and machine. */
export function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Picks index i with weight 1/(i+1) (Zipf): a few keys carry most of the traffic. */
function zipf(random: () => number, n: number) {
  const weights = Array.from({ length: n }, (_, i) => 1 / (i + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  return () => {
    let x = random() * total;
    for (let i = 0; i < n; i++) if ((x -= weights[i]!) < 0) return i;
    return n - 1;
  };
}

export const SCALE_VISITORS = 5_000;
/**
 * Sessions start in a few peak hours of the day. Traffic spread over all 24 hours costs the
 * same documents per read after compaction, but a worker run over it writes 2-3× the hour
 * rows (and compaction merges 2-3× the groups), which would lengthen the run, not change
 * what it shows.
 */
export const PEAK_HOURS = [9, 12, 15, 20];
export const WORKLOAD_DAYS = 365;
const PATHS = [
  "/",
  "/pricing",
  "/docs",
  "/blog",
  "/docs/install",
  "/about",
  "/blog/launch",
  "/changelog",
];
/** Referrer hosts ("" = direct). */
const REFERRERS = [
  "",
  "https://www.google.com/",
  "https://news.ycombinator.com/item?id=1",
  "https://github.com/",
  "https://twitter.com/",
];
const USER_AGENTS = [
  USER_AGENT,
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0",
];
/** importEvents takes no country (it has no request headers), so every event is "Unknown". */
export const COUNTRY = "Unknown";

/** One pageview, in neutral form: both implementations get it in their own shape. */
export type WorkloadEvent = {
  id: string;
  ts: number;
  visitorId: string;
  sessionId: string;
  path: string;
  referrer: string;
  userAgent: string;
};

/**
 * `total` pageviews in sessions of 1–4 pageviews a minute or two apart, each session of a
 * random visitor of the pool on a random day of the WORKLOAD_DAYS before `end` (a UTC
 * midnight) in one of PEAK_HOURS, sorted by time (as an import of a log would be).
 */
export function scaleWorkload(
  total: number,
  end: number,
  visitors = SCALE_VISITORS,
  seed = 7,
): WorkloadEvent[] {
  const random = rng(seed);
  const page = zipf(random, PATHS.length);
  const referrer = zipf(random, REFERRERS.length);
  const agent = zipf(random, USER_AGENTS.length);
  const start = end - WORKLOAD_DAYS * DAY_MS;
  // A visitor keeps their browser.
  const agents = Array.from({ length: visitors }, () => USER_AGENTS[agent()]!);
  const events: WorkloadEvent[] = [];
  for (let s = 0; events.length < total; s++) {
    const visitor = Math.floor(random() * visitors);
    const visitorId = `sv${visitor}`;
    const userAgent = agents[visitor]!;
    const pageviews = Math.min(
      1 + Math.floor(-Math.log(1 - random()) * 0.8),
      4,
      total - events.length,
    );
    // A session starts anywhere in the year and ends before `end`; it never views a path twice
    // (a repeat within pageviewDedupMs would not count: contract §5), so pageviews = events.
    const paths = new Set<string>();
    const day = Math.floor(random() * WORKLOAD_DAYS);
    const hour = PEAK_HOURS[Math.floor(random() * PEAK_HOURS.length)]!;
    let ts =
      start + day * DAY_MS + hour * HOUR_MS + Math.floor(random() * (HOUR_MS - 10 * MINUTE_MS));
    const ref = REFERRERS[referrer()]!;
    for (let i = 0; i < pageviews; i++) {
      let path = PATHS[page()]!;
      while (paths.has(path)) path = PATHS[page()]!;
      paths.add(path);
      events.push({
        id: `e${s}-${i}`,
        ts,
        visitorId,
        sessionId: `${visitorId}-${s}`,
        path,
        referrer: i === 0 ? ref : "",
        userAgent,
      });
      ts += MINUTE_MS + Math.floor(random() * MINUTE_MS);
    }
  }
  return events.sort((a, b) => a.ts - b.ts || (a.id < b.id ? -1 : 1));
}

/** The component's importEvents shape. */
export function toImport(e: WorkloadEvent) {
  return {
    type: "pageview",
    id: e.id,
    ts: e.ts,
    visitorId: e.visitorId,
    sessionId: e.sessionId,
    url: `https://example.com${e.path}`,
    ...(e.referrer ? { referrer: e.referrer } : {}),
    ip: "203.0.113.7",
    userAgent: e.userAgent,
  };
}

const browsers = new Map<string, string>();
const sourceOf = (referrer: string) =>
  referrer ? new URL(referrer).hostname.replace(/^www\./, "") : "Direct / None";

/** The naive baseline's shape: the same facts, derived the same way. */
export function toNaive(e: WorkloadEvent) {
  const browser =
    browsers.get(e.userAgent) ??
    browsers.set(e.userAgent, parseUserAgent(e.userAgent).browser).get(e.userAgent)!;
  return {
    ts: e.ts,
    visitorId: e.visitorId,
    sessionId: e.sessionId,
    path: e.path,
    source: sourceOf(e.referrer),
    browser,
    country: COUNTRY,
  };
}
