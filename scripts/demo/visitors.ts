// A small stream of live synthetic visitors for the demo, sent through the real HTTP
// ingest route exactly as the browser tracker would: a pageview, a few more pages, a
// signup now and then (mostly after reading an article) and, for some who signed up, a
// checkout of the plan they chose; heartbeats while they stay, and an engagement (time on the
// page, how far down it they scrolled) whenever they leave a page. The demo's goals (demo.ts)
// count the signups, checkouts and article reads, and its funnel follows that order within
// a visit: article → signup → checkout. Demo-only.
import type { EmbeddedBackend } from "../../harness/embedded.js";

const TICK_MS = 3_000;
const MAX_LIVE_VISITORS = 12;
const PAGES = [
  "/",
  "/projects/xdotool/",
  "/articles/dynamic-dns-with-dhcp/",
  "/articles/ssh-security/",
  "/blog/",
  "/presentations/logstash-monitorama-2013/",
];
const REFERRERS = [
  "https://www.google.com/",
  "https://news.ycombinator.com/",
  "",
  "https://duckduckgo.com/",
];
const USER_AGENT =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";

const PLANS = ["free", "pro"] as const;
/** Per tick, the chance that a visitor who signed up checks out (and then never again). */
const CHECKOUT_CHANCE = 0.2;
/** Per tick, the chance of a signup: readers of an article sign up far more often. */
const SIGNUP_CHANCE = { reader: 0.08, other: 0.01 };
const isArticle = (path: string) => path.startsWith("/articles/");

type Visitor = {
  visitorId: string;
  sessionId: string;
  path: string;
  /** When the visitor reached `path`: its engaged time so far. */
  arrivedAt: number;
  leavesAt: number;
  /** Whether this visit viewed an article: the funnel's first step. */
  readArticle: boolean;
  /** Signed up in this visit (once at most). */
  signedUp: boolean;
  /** The plan chosen at signup; a checkout clears it. */
  plan?: (typeof PLANS)[number];
};

export function startSyntheticVisitors(backend: EmbeddedBackend, writeKey: string, domain: string) {
  const live: Visitor[] = [];
  let sequence = 0;
  const pick = <T>(items: readonly T[]) => items[Math.floor(Math.random() * items.length)]!;
  const send = (events: object[]) =>
    backend.t.fetch("/analytics/ingest", {
      method: "POST",
      headers: { "Content-Type": "application/json", "User-Agent": USER_AGENT },
      body: JSON.stringify({ key: writeKey, events }),
    });
  const event = (visitor: Visitor, type: string, extra: object = {}) => ({
    type,
    id: `demo-${Date.now()}-${sequence++}`,
    ts: Date.now(),
    visitorId: visitor.visitorId,
    sessionId: visitor.sessionId,
    url: `https://${domain}${visitor.path}`,
    ...extra,
  });

  const timer = setInterval(() => {
    const now = Date.now();
    const events: object[] = [];
    // What a visitor did on the page it leaves: articles are read further down than the rest.
    const engagement = (visitor: Visitor) =>
      event(visitor, "engagement", {
        scrollDepth: Math.round((isArticle(visitor.path) ? 55 : 25) + Math.random() * 45),
        engagedMs: now - visitor.arrivedAt,
      });
    for (let i = live.length - 1; i >= 0; i--)
      if (live[i]!.leavesAt < now) events.push(engagement(live.splice(i, 1)[0]!));
    if (live.length < MAX_LIVE_VISITORS && Math.random() < 0.6) {
      const path = pick(PAGES);
      const visitor: Visitor = {
        visitorId: `synthetic-${sequence}`,
        sessionId: `s-${sequence}`,
        path,
        arrivedAt: now,
        leavesAt: now + 20_000 + Math.random() * 90_000,
        readArticle: isArticle(path),
        signedUp: false,
      };
      live.push(visitor);
      const referrer = pick(REFERRERS);
      events.push(event(visitor, "pageview", referrer ? { referrer } : {}));
    }
    for (const visitor of live) {
      const signupChance = visitor.readArticle ? SIGNUP_CHANCE.reader : SIGNUP_CHANCE.other;
      if (Math.random() < 0.15) {
        events.push(engagement(visitor));
        visitor.path = pick(PAGES);
        visitor.arrivedAt = now;
        visitor.readArticle ||= isArticle(visitor.path);
        events.push(event(visitor, "pageview"));
      } else if (visitor.plan && Math.random() < CHECKOUT_CHANCE) {
        events.push(event(visitor, "event", { name: "checkout", props: { plan: visitor.plan } }));
        visitor.plan = undefined;
      } else if (!visitor.signedUp && Math.random() < signupChance) {
        visitor.plan = pick(PLANS);
        visitor.signedUp = true;
        events.push(event(visitor, "event", { name: "signup", props: { plan: visitor.plan } }));
      } else {
        events.push(event(visitor, "heartbeat"));
      }
    }
    if (events.length)
      send(events).catch((error: unknown) => console.error("synthetic visitors:", error));
  }, TICK_MS);
  return () => clearInterval(timer);
}
