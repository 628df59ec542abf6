// contract §6: turns Apache/Nginx "combined" or "common" access logs into `importEvents` batches.
// Runs anywhere the package runs (browsers, edge runtimes, Node): no `node:` imports, hashing
// through Web Crypto.
//
// The line parser is hand-written. The npm parsers for this format (clf-parser 0.0.2,
// nginx-log-parser 0.0.4, alpine 0.2.1 with stream dependencies, common-log-format) are
// unmaintained, Node-only or strict about one format; none decodes Apache's `\"`/`\xhh`
// escapes or accepts both formats from one function. One anchored regular expression with
// non-overlapping alternatives (linear time, no catastrophic backtracking) does the job.
import { isbot } from "isbot";

export type LogFormat = "combined" | "common";

/** One access-log line, as the server wrote it. */
export type ParsedLine = {
  /** The client address field (IPv4, IPv6 or a host name when the server resolved it). */
  ip: string;
  /** The authenticated user field; null for `-`. */
  user: string | null;
  /** Request time in ms since the epoch, the `[… +hhmm]` offset applied. */
  ts: number;
  /** The raw request line between the quotes, escapes decoded (`-` when the server had none). */
  request: string;
  /** Method, request target and protocol; null when the request line is not `METHOD target [HTTP/x]`. */
  method: string | null;
  target: string | null;
  protocol: string | null;
  status: number;
  /** Response size; null for `-`. */
  bytes: number | null;
  /** Referer header; null for `-`, empty, or a common log. */
  referrer: string | null;
  /** User-Agent header; null in a common log, "" when the combined log has `-` or "". */
  userAgent: string | null;
  format: LogFormat;
};

// ip ident user [time] "request" status bytes, then for combined: "referrer" "user agent",
// optionally followed by extra fields some configurations append (ignored). Quoted fields may
// hold backslash escapes (Apache writes `\"`, `\\` and `\xhh`; Nginx `\xhh`).
const QUOTED = String.raw`"((?:[^"\\]|\\.)*)"`;
const LINE_RE = new RegExp(
  String.raw`^(\S+)\s+(\S+)\s+(\S+)\s+\[([^\]]+)\]\s+${QUOTED}\s+(\d{3})\s+(\d+|-)` +
    String.raw`(?:\s+${QUOTED}\s+${QUOTED}(\s.*)?)?\s*$`,
);
const TIME_RE =
  /^(\d{1,2})\/([A-Za-z]{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2})\s+([+-])(\d{2}):?(\d{2})$/;
const REQUEST_RE = /^([A-Za-z]+) +(.+?)(?: +(HTTP\/\d+(?:\.\d+)?))? *$/;
const MONTHS: Record<string, number> = {
  jan: 0,
  feb: 1,
  mar: 2,
  apr: 3,
  may: 4,
  jun: 5,
  jul: 6,
  aug: 7,
  sep: 8,
  oct: 9,
  nov: 10,
  dec: 11,
};

/** `[17/May/2015:10:05:03 +0200]` (without brackets) → ms since epoch, or null. */
function parseLogTime(text: string): number | null {
  const m = TIME_RE.exec(text);
  if (!m) return null;
  const month = MONTHS[m[2].toLowerCase()];
  const [day, year, hour, minute, second, offH, offM] = [
    m[1],
    m[3],
    m[4],
    m[5],
    m[6],
    m[8],
    m[9],
  ].map(Number);
  if (
    month === undefined ||
    day < 1 ||
    hour > 23 ||
    minute > 59 ||
    second > 60 ||
    offH > 23 ||
    offM > 59
  )
    return null;
  if (new Date(Date.UTC(year, month, day)).getUTCDate() !== day) return null; // 31/Feb and the like
  const local = Date.UTC(year, month, day, hour, minute, second);
  const offsetMs = (offH * 60 + offM) * 60_000;
  return m[7] === "+" ? local - offsetMs : local + offsetMs;
}

/**
 * Decodes the escapes servers write inside quoted fields: `\"`, `\\` and `\xhh` byte
 * sequences (decoded as UTF-8; invalid bytes become U+FFFD). Other escapes stay as written.
 */
function unescapeField(raw: string): string {
  if (!raw.includes("\\")) return raw;
  let out = "";
  let bytes: number[] = [];
  const flush = () => {
    if (bytes.length) out += new TextDecoder().decode(new Uint8Array(bytes));
    bytes = [];
  };
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === "\\" && i + 1 < raw.length) {
      const next = raw[i + 1];
      if ((next === "x" || next === "X") && /^[0-9a-fA-F]{2}$/.test(raw.slice(i + 2, i + 4))) {
        bytes.push(parseInt(raw.slice(i + 2, i + 4), 16));
        i += 3;
        continue;
      }
      flush();
      if (next === '"' || next === "\\") {
        out += next;
        i += 1;
        continue;
      }
      out += c;
      continue;
    }
    flush();
    out += c;
  }
  flush();
  return out;
}

/** Parses one combined or common log line; null when it is neither (never throws). */
export function parseLogLine(line: string): ParsedLine | null {
  if (typeof line !== "string") return null;
  const m = LINE_RE.exec(line.replace(/\r$/, ""));
  if (!m) return null;
  const ts = parseLogTime(m[4]);
  if (ts === null) return null;
  const request = unescapeField(m[5]);
  const req = REQUEST_RE.exec(request);
  const combined = m[8] !== undefined;
  const referrer = combined ? unescapeField(m[8]) : null;
  const userAgent = combined ? unescapeField(m[9]) : null;
  return {
    ip: m[1],
    user: m[3] === "-" ? null : m[3],
    ts,
    request,
    method: req ? req[1] : null,
    target: req ? req[2] : null,
    protocol: req ? (req[3] ?? null) : null,
    status: Number(m[6]),
    bytes: m[7] === "-" ? null : Number(m[7]),
    referrer: referrer === null || referrer === "-" || referrer === "" ? null : referrer,
    userAgent: userAgent === "-" ? "" : userAgent,
    format: combined ? "combined" : "common",
  };
}

const PAGE_EXTENSIONS = new Set([".html", ".htm", ".xhtml", ".php"]);

/**
 * The path of an origin-form request target (`/a/b?q`): everything before `?` or `#`, as
 * written (not percent-decoded). Absolute-form targets (`GET http://other.host/` is proxy
 * probing), `*` and authority-form targets are not requests for the site's pages: null.
 */
export function targetPath(target: string | null): string | null {
  if (!target || !target.startsWith("/")) return null;
  const end = target.search(/[?#]/);
  return end === -1 ? target : target.slice(0, end);
}

/**
 * contract §6: GET, status 2xx or 304, and the last path segment has no extension or ends in
 * .html/.htm/.xhtml/.php (case-insensitive). The extension is what follows the segment's last
 * dot when that dot is not its first character (`/.well-known` has none, `/a.` has "."); a
 * trailing slash leaves an empty last segment, which is a page.
 */
export function isPageRequest(line: ParsedLine): boolean {
  if (line.method !== "GET") return false;
  if (!((line.status >= 200 && line.status < 300) || line.status === 304)) return false;
  const path = targetPath(line.target);
  if (path === null) return false;
  const segment = path.slice(path.lastIndexOf("/") + 1);
  const dot = segment.lastIndexOf(".");
  return dot <= 0 || PAGE_EXTENSIONS.has(segment.slice(dot).toLowerCase());
}

/**
 * contract §6: in combined logs `isbot`, or an empty or `-` User-Agent, marks a bot. Common logs
 * have no User-Agent and are never filtered by it.
 */
export function isBotLine(line: ParsedLine): boolean {
  if (line.format === "common") return false;
  const ua = (line.userAgent ?? "").trim();
  return ua === "" || ua === "-" || isbot(ua);
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  let hex = "";
  for (const byte of new Uint8Array(digest)) hex += byte.toString(16).padStart(2, "0");
  return hex;
}

/** contract §6: the visitor is SHA-256(ip + user agent) as 64 lowercase hex digits ("" without a UA). */
export function visitorIdFor(ip: string, userAgent: string | null | undefined): Promise<string> {
  return sha256Hex(ip + (userAgent ?? ""));
}

/** One `importEvents` event made from a log line (contract §4: the ingest shape plus ip/userAgent). */
export type ImportEvent = {
  type: "pageview";
  id: string;
  ts: number;
  visitorId: string;
  sessionId: string;
  url: string;
  referrer?: string;
  ip: string;
  userAgent?: string;
};

/** Every non-empty line lands in exactly one of unparsed, notPages, bots, imported (checked in that order). */
export type AccessLogCounts = {
  lines: number;
  imported: number;
  bots: number;
  notPages: number;
  unparsed: number;
};

export type AccessLogOptions = {
  /** The site's domain; event urls are `https://${domain}${target}`. */
  domain: string;
  /** Events per yielded batch: default and maximum 500 (the `importEvents` limit). */
  batchSize?: number;
};

export type AccessLogBatch = {
  events: ImportEvent[];
  /** Lines consumed for this batch. */
  counts: AccessLogCounts;
  /** Lines consumed so far, this batch included. */
  totals: AccessLogCounts;
};

export type LogSource = string | Iterable<string> | AsyncIterable<string>;

export const MAX_IMPORT_BATCH = 500;
// The bounds importEvents validates (contract §4 / limits.ts); cut here so no event is rejected.
const MAX_URL = 2048;
const MAX_USER_AGENT = 1024;
const MAX_IP = 64;

const zeroCounts = (): AccessLogCounts => ({
  lines: 0,
  imported: 0,
  bots: 0,
  notPages: 0,
  unparsed: 0,
});

/**
 * Splits a stream of text chunks (strings or UTF-8 bytes, e.g. a `ReadableStream` or a Node
 * read stream) into lines, for `accessLogBatches`.
 */
export async function* splitLines(
  chunks: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>,
): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let rest = "";
  for await (const chunk of chunks) {
    rest += typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
    const lines = rest.split("\n");
    rest = lines.pop()!;
    yield* lines;
  }
  rest += decoder.decode();
  if (rest !== "") yield rest;
}

async function* linesOf(source: LogSource): AsyncGenerator<string> {
  if (typeof source === "string") {
    yield* source.split("\n");
    return;
  }
  for await (const chunk of source) {
    // A source of lines may still hand over several at once (or a whole file).
    if (chunk.includes("\n")) yield* chunk.split("\n");
    else yield chunk;
  }
}

function eventUrl(domain: string, target: string): string {
  let url = `https://${domain}${target}`;
  if (url.length > MAX_URL) {
    const query = url.search(/[?#]/);
    if (query !== -1) url = url.slice(0, query);
    url = url.slice(0, MAX_URL);
  }
  return url;
}

/**
 * Streams a log into `importEvents` batches of at most `batchSize` pageviews. Each yielded
 * batch carries the counts of the lines consumed for it; a final batch (possibly without
 * events) carries the lines after the last full one. Empty lines are skipped and not counted.
 *
 * Event ids are deterministic, `log-` + 40 hex digits of SHA-256(line + "\n" + n) where n
 * counts earlier identical lines in the same log, so importing a log again counts nothing
 * twice while identical lines (distinct requests in the same second) stay distinct. Memory
 * grows with the number of distinct pageview lines.
 */
export async function* accessLogBatches(
  source: LogSource,
  opts: AccessLogOptions,
): AsyncGenerator<AccessLogBatch> {
  const domain = opts.domain.trim().replace(/\/+$/, "");
  if (!domain || /[\s/?#]/.test(domain))
    throw new Error(`accessLog: domain must be a bare host name, got "${opts.domain}"`);
  const batchSize = Math.min(
    MAX_IMPORT_BATCH,
    Math.max(1, Math.floor(opts.batchSize ?? MAX_IMPORT_BATCH)),
  );
  const seen = new Map<string, number>();
  const visitors = new Map<string, string>();
  const totals = zeroCounts();
  let counts = zeroCounts();
  let events: ImportEvent[] = [];
  const batch = (): AccessLogBatch => {
    const out = { events, counts, totals: { ...totals } };
    events = [];
    counts = zeroCounts();
    return out;
  };
  const count = (key: keyof AccessLogCounts) => {
    counts[key]++;
    totals[key]++;
  };

  for await (const raw of linesOf(source)) {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line.trim() === "") continue;
    count("lines");
    const parsed = parseLogLine(line);
    if (!parsed) {
      count("unparsed");
      continue;
    }
    if (!isPageRequest(parsed)) {
      count("notPages");
      continue;
    }
    if (isBotLine(parsed)) {
      count("bots");
      continue;
    }
    count("imported");
    const occurrence = seen.get(line) ?? 0;
    seen.set(line, occurrence + 1);
    const visitorKey = parsed.ip + "\n" + (parsed.userAgent ?? "");
    let visitorId = visitors.get(visitorKey);
    if (visitorId === undefined) {
      visitorId = await visitorIdFor(parsed.ip, parsed.userAgent);
      if (visitors.size >= 10_000) visitors.clear();
      visitors.set(visitorKey, visitorId);
    }
    const event: ImportEvent = {
      type: "pageview",
      id: "log-" + (await sha256Hex(line + "\n" + occurrence)).slice(0, 40),
      ts: parsed.ts,
      visitorId,
      sessionId: visitorId,
      url: eventUrl(domain, parsed.target!),
      ip: parsed.ip.slice(0, MAX_IP),
    };
    if (parsed.referrer !== null) event.referrer = parsed.referrer.slice(0, MAX_URL);
    if (parsed.userAgent !== null) event.userAgent = parsed.userAgent.slice(0, MAX_USER_AGENT);
    events.push(event);
    if (events.length >= batchSize) yield batch();
  }
  if (events.length > 0 || counts.lines > 0) yield batch();
}

/** The whole log at once: every event (in log order) and the counts. */
export async function accessLogToEvents(
  source: LogSource,
  opts: { domain: string },
): Promise<{ events: ImportEvent[]; counts: AccessLogCounts }> {
  const events: ImportEvent[] = [];
  let counts = zeroCounts();
  for await (const batch of accessLogBatches(source, opts)) {
    events.push(...batch.events);
    counts = batch.totals;
  }
  return { events, counts };
}
