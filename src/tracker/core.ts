// The tracker's core: pageviews (history and hash routing), custom events, identify calls,
// heartbeats and engagement (time on page, scroll depth), batched to the HTTP ingest route
// (contract §2). This is all the script tag's
// tracker.js holds; the opt-in click and 404 tracking is in extras.ts. Written by hand rather than on a library: no maintained client
// speaks this protocol, and the script-tag build of this file must stay under
// TRACKER_BUDGET_GZIP_BYTES, which rules out general-purpose queue/retry packages.
//
// The server owns correctness (ids deduplicate, ts is clamped, bots and rates are handled
// there); the tracker's job is to lose nothing it can keep and to never send twice what it
// need not: every event gets its id once and keeps it through retries and beacons.

import {
  MAX_EVENTS_PER_REQUEST,
  MAX_TITLE_LENGTH,
  MAX_URL_LENGTH,
  ENGAGEMENT_MIN_SEND_MS,
} from "../component/lib/wireLimits.js";

/** Stays under the route's 64 KiB body limit and the browsers' 64 KiB keepalive budget. */
export const MAX_REQUEST_BYTES = 60_000;
/** Events kept while the endpoint is unreachable; newer ones are dropped beyond this. */
export const MAX_QUEUED_EVENTS = 500;
/** Attempts of one batch on network errors, 5xx and 429 before it is dropped. */
export const MAX_SEND_ATTEMPTS = 8;
export const RETRY_BASE_MS = 1_000;
export const RETRY_MAX_MS = 60_000;
/**
 * One timer drives flushing, retries and heartbeats. A single clock per tracker is what keeps
 * heartbeats from stacking (route changes, tabs, StrictMode remounts each would otherwise start
 * their own timers), and it costs fewer bytes than three timers that reschedule each other.
 */
export const TICK_MS = 1_000;
/** `localStorage.setItem(OPT_OUT_STORAGE_KEY, "true")` stops all sending from this browser. */
export const OPT_OUT_STORAGE_KEY = "convex_analytics_ignore";
export const VISITOR_STORAGE_KEY = "ca_vid";
/** `<sessionId>:<last activity ms>`: the 30-minute idle rule survives reloads and tabs. */
export const SESSION_STORAGE_KEY = "ca_sid";

export type CoreTrackerOptions = {
  /** Absolute URL of the ingest route, e.g. `https://<deployment>.convex.site/analytics/ingest`. */
  endpoint: string;
  /** The site's write key. It can only send events, so it is safe in a page. */
  key: string;
  /** A pageview on start and on every history navigation. Default true. */
  autoPageviews?: boolean;
  /** Hash routers: `/#/pricing` is reported as the path `/pricing`. Default false. */
  hashRouting?: boolean;
  /** Heartbeat period while the page is visible; 0 turns heartbeats off. Default 15,000. */
  heartbeatMs?: number;
  /** Longest an event waits for its batch. Default 2,000. */
  flushIntervalMs?: number;
  /** A batch this large is sent at once. Default 20, at most 100. */
  maxBatchSize?: number;
  /** Idle time after which the next event opens a new session (contract §5). Default 30 min. */
  sessionTimeoutMs?: number;
  /**
   * Engagement events (time on page, scroll depth): sent when the page is hidden or loses focus
   * and before each navigation, if the scroll depth grew or 3 s of engaged time built up.
   * Default true.
   */
  engagement?: boolean;
};

export type Props = Record<string, string | number | boolean | null>;

export type Tracker = {
  /** A pageview of `url` (default: the current location). The same URL twice in a row counts once. */
  pageview(url?: string): void;
  track(name: string, props?: Props): void;
  /** Links this visitor to your user id (contract §2 `identify`). */
  identify(userId: string, traits?: Props): void;
  /** Sends what is queued now; resolves when it was delivered, refused, or a retry is scheduled. */
  flush(): Promise<void>;
  /** Removes listeners and timers and hands what is queued to `sendBeacon`. */
  stop(): void;
};

type TrackedEvent = {
  type: "pageview" | "event" | "identify" | "heartbeat" | "engagement";
  id: string;
  ts: number;
  visitorId: string;
  sessionId: string;
  url?: string;
  referrer?: string;
  title?: string;
  name?: string;
  props?: Props;
  userId?: string;
  traits?: Props;
  scrollDepth?: number;
  engagedMs?: number;
};

// Page-wide state, shared by every tracker of this page: a React StrictMode remount creates a
// second tracker right after stopping the first, and it must not count the page again.
const memoryStorage: Record<string, string | undefined> = {};
let lastPageviewUrl: string | undefined;
let referrerSent = false;
let historyPatched = false;
/** Fired on window after pushState/replaceState, which fire no event of their own. */
export const NAVIGATE_EVENT = "convex-analytics:navigate";

/** Reads `key`, or writes `value` to it; an in-memory copy stands in when storage is blocked. */
function stored(key: string, value?: string): string | undefined {
  try {
    if (value) localStorage.setItem(key, value);
    else value = localStorage.getItem(key) ?? undefined;
  } catch {
    // blocked by privacy settings or a sandboxed frame: this page keeps its ids in memory
  }
  return (memoryStorage[key] = value || memoryStorage[key]);
}

/** 128 random bits; getRandomValues works in insecure contexts, where randomUUID is missing. */
const randomId = () => crypto.getRandomValues(new Uint32Array(4)).join("");

export function createCoreTracker(options: CoreTrackerOptions): Tracker {
  const {
    endpoint,
    key,
    heartbeatMs = 15_000,
    flushIntervalMs = 2_000,
    sessionTimeoutMs = 30 * 60_000,
  } = options;
  const maxBatchSize = Math.min(options.maxBatchSize || 20, MAX_EVENTS_PER_REQUEST);
  /** Aborting it removes every listener: stop(). */
  const listening = new AbortController();
  /** Events waiting to be sent; a request in flight has taken its events off it. */
  const queue: TrackedEvent[] = [];
  let attempts = 0;
  /** No request before this time: backoff, or the server's Retry-After. */
  let retryAt = 0;
  /** The first heartbeat is a full period after start, or after the last event sent. */
  let lastActivity = Date.now();
  let draining: Promise<void> | undefined;
  /** Single flight: no heartbeat is queued while the previous one is undelivered. */
  let heartbeatPending = false;
  // Engagement of the page `engagedUrl` (the last pageview's): engaged time not sent yet, the
  // start of the engaged stretch running now (0: none), the deepest scroll and the one last sent.
  let engagedUrl: string | undefined;
  let engagedMs = 0;
  let engagedSince = 0;
  let maxScroll = 0;
  let sentScroll = 0;

  const visible = () => document.visibilityState != "hidden";
  const on = (target: EventTarget, type: string, listener: () => void) =>
    target.addEventListener(type, listener, { signal: listening.signal });

  function currentUrl() {
    const { origin, pathname, search, hash } = location;
    const route = hash.replace(/^#\/?/, "");
    const url =
      options.hashRouting && route
        ? `${origin}${pathname.replace(/\/?$/, "/")}${route}`
        : origin + pathname + search;
    return url.slice(0, MAX_URL_LENGTH);
  }

  /** Queues an event; false when nothing may be sent (stopped, automated browser, opted out, full). */
  function enqueue(type: TrackedEvent["type"], fields: Partial<TrackedEvent>) {
    if (
      listening.signal.aborted ||
      navigator.webdriver ||
      stored(OPT_OUT_STORAGE_KEY) == "true" ||
      queue.length >= MAX_QUEUED_EVENTS
    )
      return false;
    const ts = (lastActivity = Date.now());
    const visitorId = stored(VISITOR_STORAGE_KEY, stored(VISITOR_STORAGE_KEY) || randomId())!;
    const [lastSession, lastSeen] = (stored(SESSION_STORAGE_KEY) || "").split(":");
    const sessionId = lastSession && ts - +lastSeen! < sessionTimeoutMs ? lastSession : randomId();
    stored(SESSION_STORAGE_KEY, `${sessionId}:${ts}`);
    queue.push({ type, id: randomId(), ts, visitorId, sessionId, url: currentUrl(), ...fields });
    if (queue.length >= maxBatchSize) flush();
    return true;
  }

  /** Ends the running engaged stretch, and starts one if the page is visible and focused now. */
  function clock() {
    const now = Date.now();
    if (engagedSince) engagedMs += now - engagedSince;
    engagedSince = visible() && document.hasFocus() ? now : 0;
  }

  /** The deepest the page was seen: the bottom of the viewport, in percent of its height. */
  function scrolled() {
    const height = document.documentElement.scrollHeight;
    const depth = height ? Math.round(((scrollY + innerHeight) / height) * 100) : 100;
    maxScroll = Math.max(maxScroll, Math.min(depth, 100));
  }

  /** An engagement of the current page, when its scroll depth grew or enough time built up. */
  function engagement() {
    clock();
    if (
      options.engagement != false &&
      engagedUrl &&
      (maxScroll > sentScroll || engagedMs >= ENGAGEMENT_MIN_SEND_MS) &&
      enqueue("engagement", { url: engagedUrl, scrollDepth: maxScroll, engagedMs })
    ) {
      engagedMs = 0;
      sentScroll = maxScroll;
    }
  }

  /** Takes the next request off the queue: up to maxBatchSize events, halved until the body fits. */
  function nextBatch(): [TrackedEvent[], string] {
    let size = maxBatchSize * 2;
    let body: string;
    do body = JSON.stringify({ key, events: queue.slice(0, (size >>= 1)) });
    while (body.length > MAX_REQUEST_BYTES && size > 1);
    return [queue.splice(0, size), body];
  }

  /** Delivered, refused or given up: a heartbeat in it no longer blocks the next one. */
  const settle = (batch: TrackedEvent[]) =>
    batch.some((event) => event.type == "heartbeat") && (heartbeatPending = false);

  async function drain() {
    while (queue[0] && Date.now() >= retryAt) {
      const [batch, body] = nextBatch();
      let status = 0;
      let retryAfterSec = 0;
      try {
        const response = await fetch(endpoint, { method: "POST", body, keepalive: true });
        status = response.status;
        retryAfterSec = +response.headers.get("Retry-After")! || 0;
      } catch {
        // offline, DNS, CORS: retried like a 5xx
      }
      // Any other 4xx will fail the same way again: drop it rather than hammer the server.
      if ((!status || status == 429 || status >= 500) && ++attempts < MAX_SEND_ATTEMPTS) {
        queue.unshift(...batch); // the same events, ids included: the server counts them once
        retryAt =
          Date.now() +
          (retryAfterSec * 1000 || Math.min(RETRY_BASE_MS * 2 ** attempts, RETRY_MAX_MS));
        return;
      }
      attempts = 0;
      settle(batch);
    }
  }

  /** Sends the queue; the tick calls it again once a retry is due. */
  const flush = () => (draining ||= drain().finally(() => (draining = undefined)));

  /** The page is going away or hidden: hand everything queued (not in flight) to the browser. */
  function beacon() {
    while (queue[0]) {
      const [batch, body] = nextBatch();
      // A string body goes as text/plain, which needs no CORS preflight; the key is in it.
      if (!navigator.sendBeacon?.(endpoint, body))
        fetch(endpoint, { method: "POST", body, keepalive: true }).catch(() => {});
      settle(batch);
    }
  }

  /**
   * Every TICK_MS: a heartbeat when the page is visible, none is pending and nothing else was
   * sent for a whole period (a pageview is activity too); then whatever waited flushIntervalMs.
   */
  function tick() {
    scrolled();
    const now = Date.now();
    if (heartbeatMs > 0 && visible() && !heartbeatPending && now - lastActivity >= heartbeatMs) {
      heartbeatPending = enqueue("heartbeat", {});
    }
    if (queue[0] && (heartbeatPending || now - queue[0].ts >= flushIntervalMs)) flush();
  }

  /** False when it was the same URL as the previous pageview, or nothing may be sent. */
  function pageview(url?: string) {
    const pageUrl = url ? new URL(url, location.href).href.slice(0, MAX_URL_LENGTH) : currentUrl();
    if (pageUrl == lastPageviewUrl) return false;
    lastPageviewUrl = pageUrl;
    // What the visit did on the page it leaves, then a fresh count for this one.
    engagement();
    engagedUrl = pageUrl;
    engagedMs = maxScroll = sentScroll = 0;
    clock();
    // Only the page load's first pageview has a referrer: later SPA views were reached from
    // this site, and a session that starts mid-visit is Direct (contract §5 Source).
    const referrer = referrerSent ? "" : document.referrer.slice(0, MAX_URL_LENGTH);
    referrerSent = true;
    return enqueue("pageview", {
      url: pageUrl,
      title: document.title.slice(0, MAX_TITLE_LENGTH),
      ...(referrer && { referrer }),
    });
  }

  const onNavigate = () => options.autoPageviews != false && pageview();

  if (!historyPatched) {
    historyPatched = true;
    for (const method of ["pushState", "replaceState"] as const) {
      const original = history[method];
      history[method] = function (this: History, ...args: Parameters<History["pushState"]>) {
        original.apply(this, args);
        dispatchEvent(new Event(NAVIGATE_EVENT));
      };
    }
  }
  on(window, NAVIGATE_EVENT, onNavigate);
  on(window, "popstate", onNavigate);
  if (options.hashRouting) on(window, "hashchange", onNavigate);
  on(window, "pagehide", () => (engagement(), beacon()));
  on(document, "visibilitychange", () => (visible() ? clock() : (engagement(), beacon())));
  on(window, "blur", engagement);
  on(window, "focus", clock);
  on(window, "scroll", scrolled);
  const ticker = setInterval(tick, TICK_MS);
  onNavigate();

  return {
    pageview: (url) => void pageview(url),
    track: (name, props) => void enqueue("event", { name, ...(props && { props }) }),
    identify: (userId, traits) => void enqueue("identify", { userId, ...(traits && { traits }) }),
    flush,
    stop() {
      beacon();
      listening.abort();
      clearInterval(ticker);
    },
  };
}
