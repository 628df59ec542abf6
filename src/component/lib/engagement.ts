// Engagement: what a visit did on a page (time on page, scroll depth), after Plausible's
// definitions. The tracker sends an `engagement` event when the page is hidden or loses focus
// and before each SPA navigation, if the page's maximum scroll depth grew or at least
// ENGAGEMENT_MIN_SEND_MS of engaged time (visible and focused) built up since its last one.
// Each carries the engaged milliseconds since the last send and the maximum scroll depth so far.
//
// The figures of a page (and of an entry or exit page row), over the visits that sent
// engagement for it:
// - scroll depth = the average of each visit's maximum scroll depth on the page, in percent;
// - time on page = the sum of engaged time on the page ÷ those visits.
// An engagement event never makes a visit, a pageview or an event: a session of engagement
// events alone is no visit (as heartbeats alone are none), and it joins a visit when the visit's
// pageview is folded, whatever the arrival order.
import { MAX_SESSION_PAGEVIEWS } from "./limits.js";

/** The longest engaged time one engagement event may carry; more is cut to it. */
export const MAX_ENGAGED_MS_PER_EVENT = 30 * 60_000;
/** Scroll depth is a percentage of the page's height. */
export const MAX_SCROLL_DEPTH = 100;
export { ENGAGEMENT_MIN_SEND_MS } from "./wireLimits.js";
/**
 * Pages of one session with engagement kept: as many as it may have pageviews. Keeping the
 * first pages in path order (not the first to arrive) makes merging order-independent: a page
 * kept by the merge of everything is kept by the merge of every part that has it.
 */
export const MAX_SESSION_ENGAGED_PAGES = MAX_SESSION_PAGEVIEWS;

/** One session's engagement on one page: its maximum scroll depth and its engaged time. */
export type PageEngagement = { path: string; scrollDepth: number; engagedMs: number };

/** The counters a rollup row sums for its page: see engagementFigures. */
export type EngagementCounters = { engagedVisits: number; engagedMs: number; scrollSum: number };

/** What one engagement event adds: its page, scroll depth cut to 0..100, engaged time cut. */
export function pageEngagement(path: string, scrollDepth: number, engagedMs: number) {
  return {
    path,
    scrollDepth: Math.min(MAX_SCROLL_DEPTH, Math.max(0, Math.round(scrollDepth))),
    engagedMs: Math.min(MAX_ENGAGED_MS_PER_EVENT, Math.max(0, Math.round(engagedMs))),
  };
}

/** Two sessions' engagement as one: per page the larger scroll depth and the summed time. */
export function mergeEngagement(
  a: readonly PageEngagement[],
  b: readonly PageEngagement[],
): PageEngagement[] {
  const byPath = new Map<string, PageEngagement>();
  for (const page of [...a, ...b]) {
    const seen = byPath.get(page.path);
    byPath.set(
      page.path,
      seen
        ? {
            path: page.path,
            scrollDepth: Math.max(seen.scrollDepth, page.scrollDepth),
            engagedMs: seen.engagedMs + page.engagedMs,
          }
        : page,
    );
  }
  return [...byPath.values()]
    .sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0))
    .slice(0, MAX_SESSION_ENGAGED_PAGES);
}

/** What one visit's engagement on a page adds to that page's row (and its entry/exit rows). */
export function engagementCounters(page: PageEngagement): EngagementCounters {
  return { engagedVisits: 1, engagedMs: page.engagedMs, scrollSum: page.scrollDepth };
}

/**
 * A row's engagement figures: none when no visit sent engagement for it (Plausible shows
 * none then, rather than 0 s and 0 %; rows stay as they were for sites without engagement).
 * Scroll depth is rounded to a whole percent, time to a whole millisecond.
 */
export function engagementFigures(
  counters: Partial<EngagementCounters>,
): { scrollDepth: number; timeOnPageMs: number } | Record<string, never> {
  const visits = counters.engagedVisits ?? 0;
  if (visits <= 0) return {};
  return {
    scrollDepth: Math.round((counters.scrollSum ?? 0) / visits),
    timeOnPageMs: Math.round((counters.engagedMs ?? 0) / visits),
  };
}

/** The breakdown dimensions whose rows carry engagement figures: the page of each row. */
export const ENGAGEMENT_DIMENSIONS: ReadonlySet<string> = new Set([
  "page",
  "entryPage",
  "exitPage",
]);
