// The reference half of the accuracy differential test: every dashboard figure for an access
// log, computed straight from the raw lines by the definitions below, in one pass of plain
// arrays and maps. It deliberately imports nothing from src/ and shares no code with
// src/client/accessLog.ts (its own line scanner, its own page and bot rules, node:crypto for
// hashing), so a bug on one side shows up as a difference instead of being copied.
//
// Definitions (contract §5/§6 as the product implements them):
// - Lines: non-empty lines (whitespace-only lines are empty). Each lands in exactly one of
//   unparsed (not a combined/common line), notPages (not GET, status not 2xx/304, target not
//   origin-form `/…`, or the last path segment has an extension other than .html/.htm/.xhtml/
//   .php), bots (combined logs only: isbot(ua), or ua empty or `-`), imported — in that order.
// - path = the request target up to the first `?` or `#`, as written. Extension = what follows
//   the last dot of the last segment, when that dot is not the segment's first character.
// - visitor = sha256hex(ip + ua) (ua "" in common logs); session id = visitor id.
// - A visitor's pageviews sorted by ts (ties: line order); a gap > 30 min starts a new session
//   (exactly 30 min stays in the session).
// - In a session a view of path P is not counted when ts − (previous COUNTED view of P) < 30 min
//   (so exactly 30 min later counts again).
// - Bounce: exactly one counted pageview. Duration: last − first ts over all the session's
//   pageview lines, counted or not. avgDurationMs = round(Σ duration / sessions).
// - Source: host of the referrer of the session's first pageview; only http(s) URLs that
//   WHATWG URL parses have a host; lowercased, leading `www.` stripped; missing, `-`, unparseable,
//   non-http(s), empty host, or the site's domain (with or without www.) → "Direct / None".
// - Range: [first pageview hour, last pageview hour + 1 h). Daily buckets are UTC days.
//
// Filtered figures (contract §7), for the whole log's range (every session starts in it), by
// referenceFiltered:
// - A filter selects sessions. `source`: the session's source (above) equals the value.
//   `pagePattern`: the session has a pageview line (counted or not) whose path matches the
//   pattern, where `*` stands for any run of characters (none, or several, `/` included),
//   every other character is itself, and the pattern spans the whole path. Both given: both
//   must hold.
// - A view passes when there is no pagePattern, or its path matches it.
// - Overview over the selected sessions: sessions = how many; visitors = distinct visitors
//   among them; pageviews = their counted views that pass; bounceRate and avgDurationMs are
//   the unfiltered definitions over the selected sessions (a session's own bounce and
//   duration, whatever the pattern); viewsPerSession = pageviews / sessions; events 0; no
//   identifiedUsers.
// - Pages: one row per passing path viewed in a selected session: sessions = selected
//   sessions with a view of it (counted or not), visitors = their distinct visitors,
//   pageviews = its counted views in them. Sources: the selected sessions grouped by source,
//   pageviews = their counted views that pass. Both sorted as unfiltered.
import { createHash } from "node:crypto";
import { isbot } from "isbot";

export const DIRECT = "Direct / None";
const THIRTY_MIN = 30 * 60 * 1000;
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

export type ReferenceOptions = { domain: string; timezone: "UTC" };

export type ReferenceCounts = {
  lines: number;
  imported: number;
  bots: number;
  notPages: number;
  unparsed: number;
};

export type ReferenceOverview = {
  pageviews: number;
  visitors: number;
  sessions: number;
  bounceRate: number;
  avgDurationMs: number;
  viewsPerSession: number;
  events: 0;
  identifiedUsers: 0;
};

export type ReferenceRow = {
  key: string;
  visitors: number;
  pageviews: number;
  sessions: number;
  events: 0;
};

export type ReferencePoint = {
  t: number;
  pageviews: number;
  visitors: number;
  sessions: number;
  bounceRate: number;
  avgDurationMs: number;
};

/** A filter of the filtered figures; an empty one selects every session. */
export type ReferenceFilter = { source?: string; pagePattern?: string };

export type ReferenceFilteredFigures = {
  overview: Omit<ReferenceOverview, "identifiedUsers">;
  /** Full lists, sorted as ReferenceFigures' are. */
  pages: ReferenceRow[];
  sources: ReferenceRow[];
};

export type ReferenceFigures = {
  /** Half-open, whole hours; null when the log has no pageview. */
  range: { from: number; to: number } | null;
  overview: ReferenceOverview;
  /** Full lists, sorted by visitors desc then key ascending; callers slice. */
  pages: ReferenceRow[];
  sources: ReferenceRow[];
  /** One point per UTC day of the range. */
  daily: ReferencePoint[];
  counts: ReferenceCounts;
};

/** One kept pageview line (for comparing the importer's events line by line). */
export type ReferenceView = {
  lineIndex: number;
  ts: number;
  visitorId: string;
  ip: string;
  ua: string;
  path: string;
  target: string;
  referrer: string | null;
};

export type ReferenceSession = {
  visitorId: string;
  start: number;
  end: number;
  counted: number;
  source: string;
  views: (ReferenceView & { counted: boolean })[];
};

// ---------------------------------------------------------------- line scanning

type Fields = {
  ip: string;
  time: string;
  request: string;
  status: string;
  bytes: string;
  referrer?: string;
  ua?: string;
};

/** Backslash escapes inside quotes: \" and \\ literally, runs of \xHH as UTF-8 bytes. */
function decodeEscapes(s: string): string {
  return s.replace(/(?:\\x[0-9a-fA-F]{2})+|\\(["\\])/g, (whole, literal: string | undefined) =>
    literal !== undefined
      ? literal
      : Buffer.from(
          whole
            .split("\\x")
            .slice(1)
            .map((h) => parseInt(h, 16)),
        ).toString("utf8"),
  );
}

/** A left-to-right scanner over the fields of one line; null when the line is malformed. */
function scan(line: string): Fields | null {
  let i = 0;
  const skipSpaces = () => {
    const start = i;
    while (i < line.length && /\s/.test(line[i])) i++;
    return i > start;
  };
  const bare = (): string | null => {
    const start = i;
    while (i < line.length && !/\s/.test(line[i])) i++;
    return i > start ? line.slice(start, i) : null;
  };
  const bracketed = (): string | null => {
    if (line[i] !== "[") return null;
    const close = line.indexOf("]", i);
    if (close < 0) return null;
    const inner = line.slice(i + 1, close);
    i = close + 1;
    return inner;
  };
  const quoted = (): string | null => {
    if (line[i] !== '"') return null;
    let out = "";
    for (i++; i < line.length; i++) {
      if (line[i] === "\\" && i + 1 < line.length) {
        out += line[i] + line[i + 1];
        i++;
      } else if (line[i] === '"') {
        i++;
        return decodeEscapes(out);
      } else out += line[i];
    }
    return null; // no closing quote
  };

  const ip = bare();
  if (!ip || !skipSpaces() || !bare() || !skipSpaces() || !bare() || !skipSpaces()) return null;
  const time = bracketed();
  if (time === null || !skipSpaces()) return null;
  const request = quoted();
  if (request === null || !skipSpaces()) return null;
  const status = bare();
  if (!status || !/^\d{3}$/.test(status) || !skipSpaces()) return null;
  const bytes = bare();
  if (!bytes || !/^(\d+|-)$/.test(bytes)) return null;
  skipSpaces();
  if (i === line.length) return { ip, time, request, status, bytes }; // common
  const referrer = quoted();
  if (referrer === null || !skipSpaces()) return null;
  const ua = quoted();
  if (ua === null) return null;
  // Combined: whatever follows (extra fields some servers append) must start with a space.
  if (i < line.length && !/\s/.test(line[i])) return null;
  return { ip, time, request, status, bytes, referrer, ua };
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** `17/May/2015:10:05:03 +0200` → ms since epoch (UTC), or null. */
function logTime(text: string): number | null {
  const m = /^(\d{1,2})\/(\w{3})\/(\d{4}):(\d\d):(\d\d):(\d\d)\s+([+-])(\d\d):?(\d\d)$/.exec(text);
  if (!m) return null;
  const month = MONTHS.findIndex((name) => name.toLowerCase() === m[2].toLowerCase());
  const [d, y, hh, mi, ss, oh, om] = [m[1], m[3], m[4], m[5], m[6], m[8], m[9]].map((x) =>
    parseInt(x, 10),
  );
  if (month < 0 || d < 1 || hh > 23 || mi > 59 || ss > 60 || oh > 23 || om > 59) return null;
  const daysInMonth = new Date(Date.UTC(y, month + 1, 0)).getUTCDate();
  if (d > daysInMonth) return null;
  const offsetMinutes = (m[7] === "-" ? -1 : 1) * (oh * 60 + om);
  return Date.UTC(y, month, d, hh, mi, ss) - offsetMinutes * 60 * 1000;
}

const PAGE_EXTS = [".html", ".htm", ".xhtml", ".php"];

function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

function stripWww(host: string): string {
  const lower = host.toLowerCase();
  return lower.startsWith("www.") ? lower.slice(4) : lower;
}

function sourceOf(referrer: string | null, domain: string): string {
  if (referrer === null || referrer === "" || referrer === "-") return DIRECT;
  let url: URL;
  try {
    url = new URL(referrer);
  } catch {
    return DIRECT;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return DIRECT;
  const host = stripWww(url.hostname);
  if (host === "" || host === stripWww(domain)) return DIRECT;
  return host;
}

type Classified = { counts: ReferenceCounts; views: ReferenceView[] };

function classify(logText: string): Classified {
  const counts: ReferenceCounts = { lines: 0, imported: 0, bots: 0, notPages: 0, unparsed: 0 };
  const views: ReferenceView[] = [];
  const lines = logText.split("\n");
  for (let lineIndex = 0; lineIndex < lines.length; lineIndex++) {
    const line = lines[lineIndex].replace(/\r$/, "");
    if (line.trim() === "") continue;
    counts.lines++;

    const f = scan(line);
    const ts = f ? logTime(f.time) : null;
    if (!f || ts === null) {
      counts.unparsed++;
      continue;
    }

    // Request line: METHOD target [HTTP/x]; only GET of an origin-form target can be a page.
    const words = f.request.split(" ").filter((w) => w !== "");
    const method = words[0];
    const hasProtocol = words.length >= 3 && /^HTTP\/\d/.test(words[words.length - 1]);
    const target = words.length >= 2 ? words.slice(1, hasProtocol ? -1 : undefined).join(" ") : "";
    const status = parseInt(f.status, 10);
    const path = target.split(/[?#]/)[0];
    const lastSegment = path.slice(path.lastIndexOf("/") + 1);
    const ext = /^.+(\.[^.]*)$/.exec(lastSegment)?.[1].toLowerCase() ?? "";
    const isPage =
      method === "GET" &&
      ((status >= 200 && status <= 299) || status === 304) &&
      target.startsWith("/") &&
      (ext === "" || PAGE_EXTS.includes(ext));
    if (!isPage) {
      counts.notPages++;
      continue;
    }

    const combined = f.ua !== undefined;
    const rawUa = combined ? f.ua! : "";
    const ua = rawUa === "-" ? "" : rawUa;
    if (combined && (ua.trim() === "" || ua.trim() === "-" || isbot(ua.trim()))) {
      counts.bots++;
      continue;
    }

    counts.imported++;
    const referrer =
      f.referrer === undefined || f.referrer === "-" || f.referrer === "" ? null : f.referrer;
    views.push({
      lineIndex,
      ts,
      visitorId: sha256(f.ip + ua),
      ip: f.ip,
      ua,
      path,
      target,
      referrer,
    });
  }
  return { counts, views };
}

/** The kept pageview lines of a log, in log order. */
export function referencePageviews(logText: string): {
  counts: ReferenceCounts;
  views: ReferenceView[];
} {
  return classify(logText);
}

/** Every session of the log (visitor by visitor, in time order). */
export function referenceSessions(logText: string, opts: ReferenceOptions): ReferenceSession[] {
  return sessionize(classify(logText).views, opts.domain);
}

function sessionize(views: ReferenceView[], domain: string): ReferenceSession[] {
  const byVisitor = new Map<string, ReferenceView[]>();
  for (const v of views) {
    const list = byVisitor.get(v.visitorId) ?? [];
    list.push(v);
    byVisitor.set(v.visitorId, list);
  }
  const sessions: ReferenceSession[] = [];
  for (const [visitorId, list] of byVisitor) {
    list.sort((a, b) => a.ts - b.ts || a.lineIndex - b.lineIndex);
    let current: ReferenceSession | null = null;
    let lastCounted = new Map<string, number>();
    for (const v of list) {
      if (current === null || v.ts - current.end > THIRTY_MIN) {
        current = {
          visitorId,
          start: v.ts,
          end: v.ts,
          counted: 0,
          source: sourceOf(v.referrer, domain),
          views: [],
        };
        sessions.push(current);
        lastCounted = new Map();
      }
      current.end = v.ts;
      const prev = lastCounted.get(v.path);
      const counted = prev === undefined || v.ts - prev >= THIRTY_MIN;
      if (counted) {
        lastCounted.set(v.path, v.ts);
        current.counted++;
      }
      current.views.push({ ...v, counted });
    }
  }
  return sessions;
}

function byVisitorsThenKey(a: ReferenceRow, b: ReferenceRow): number {
  if (a.visitors !== b.visitors) return b.visitors - a.visitors;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

function summarize(sessions: ReferenceSession[]) {
  const n = sessions.length;
  const bounces = sessions.filter((s) => s.counted === 1).length;
  const duration = sessions.reduce((sum, s) => sum + (s.end - s.start), 0);
  return {
    bounceRate: n === 0 ? 0 : bounces / n,
    avgDurationMs: n === 0 ? 0 : Math.round(duration / n),
  };
}

type Acc = { visitors: Set<string>; pageviews: number; sessions: number };

function rowsOf(acc: Map<string, Acc>): ReferenceRow[] {
  const rows: ReferenceRow[] = [...acc].map(([key, a]) => ({
    key,
    visitors: a.visitors.size,
    pageviews: a.pageviews,
    sessions: a.sessions,
    events: 0 as const,
  }));
  return rows.sort(byVisitorsThenKey);
}

function accAt(acc: Map<string, Acc>, key: string): Acc {
  let a = acc.get(key);
  if (!a) acc.set(key, (a = { visitors: new Set(), pageviews: 0, sessions: 0 }));
  return a;
}

export function referenceFigures(logText: string, opts: ReferenceOptions): ReferenceFigures {
  if (opts.timezone !== "UTC") throw new Error("referenceFigures only computes UTC days");
  const { counts, views } = classify(logText);
  const sessions = sessionize(views, opts.domain);

  const pageviews = sessions.reduce((sum, s) => sum + s.counted, 0);
  const visitors = new Set(views.map((v) => v.visitorId)).size;
  const overview: ReferenceOverview = {
    pageviews,
    visitors,
    sessions: sessions.length,
    ...summarize(sessions),
    viewsPerSession: sessions.length === 0 ? 0 : pageviews / sessions.length,
    events: 0,
    identifiedUsers: 0,
  };

  // Pages.
  const pageAcc = new Map<string, Acc>();
  for (const s of sessions) {
    const pathsInSession = new Set<string>();
    for (const v of s.views) {
      const acc = accAt(pageAcc, v.path);
      acc.visitors.add(v.visitorId);
      if (v.counted) acc.pageviews++;
      if (!pathsInSession.has(v.path)) {
        pathsInSession.add(v.path);
        acc.sessions++;
      }
    }
  }
  const pages = rowsOf(pageAcc);

  // Sources.
  const sourceAcc = new Map<string, Acc>();
  for (const s of sessions) {
    const acc = accAt(sourceAcc, s.source);
    acc.visitors.add(s.visitorId);
    acc.pageviews += s.counted;
    acc.sessions++;
  }
  const sources = rowsOf(sourceAcc);

  // Range and daily points.
  let range: ReferenceFigures["range"] = null;
  const daily: ReferencePoint[] = [];
  if (views.length > 0) {
    const tss = views.map((v) => v.ts);
    const first = Math.min(...tss);
    const last = Math.max(...tss);
    range = { from: first - (first % HOUR), to: last - (last % HOUR) + HOUR };
    const firstDay = range.from - (range.from % DAY);
    const lastDay = range.to - 1 - ((range.to - 1) % DAY);
    for (let t = firstDay; t <= lastDay; t += DAY) {
      const inDay = (ts: number) => ts >= t && ts < t + DAY;
      const allViews = sessions.flatMap((s) => s.views).filter((v) => inDay(v.ts));
      const started = sessions.filter((s) => inDay(s.start));
      daily.push({
        t,
        pageviews: allViews.filter((v) => v.counted).length,
        visitors: new Set(allViews.map((v) => v.visitorId)).size,
        sessions: started.length,
        ...summarize(started),
      });
    }
  }

  return { range, overview, pages, sources, daily, counts };
}

/** `*` is any run of characters, everything else literal, the whole path. */
function patternRegExp(pattern: string): RegExp {
  const literal = (part: string) => part.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  return new RegExp(`^${pattern.split("*").map(literal).join("[\\s\\S]*")}$`);
}

/** The overview, pages and sources of the sessions a filter selects (definitions above). */
export function referenceFiltered(
  logText: string,
  opts: ReferenceOptions,
  filter: ReferenceFilter,
): ReferenceFilteredFigures {
  if (opts.timezone !== "UTC") throw new Error("referenceFiltered only computes UTC days");
  const pattern = filter.pagePattern === undefined ? null : patternRegExp(filter.pagePattern);
  const passes = (path: string) => pattern === null || pattern.test(path);
  const selected = sessionize(classify(logText).views, opts.domain).filter(
    (s) =>
      (filter.source === undefined || s.source === filter.source) &&
      (pattern === null || s.views.some((v) => pattern.test(v.path))),
  );

  const pageAcc = new Map<string, Acc>();
  const sourceAcc = new Map<string, Acc>();
  let pageviews = 0;
  for (const s of selected) {
    const passing = s.views.filter((v) => passes(v.path));
    const counted = passing.filter((v) => v.counted).length;
    pageviews += counted;
    const source = accAt(sourceAcc, s.source);
    source.visitors.add(s.visitorId);
    source.sessions++;
    source.pageviews += counted;
    for (const path of new Set(passing.map((v) => v.path))) {
      const page = accAt(pageAcc, path);
      page.visitors.add(s.visitorId);
      page.sessions++;
    }
    for (const v of passing) if (v.counted) accAt(pageAcc, v.path).pageviews++;
  }

  return {
    overview: {
      pageviews,
      visitors: new Set(selected.map((s) => s.visitorId)).size,
      sessions: selected.length,
      ...summarize(selected),
      viewsPerSession: selected.length === 0 ? 0 : pageviews / selected.length,
      events: 0,
    },
    pages: rowsOf(pageAcc),
    sources: rowsOf(sourceAcc),
  };
}
