// Plausible's Events API body (what its tracker, `script.js` and every integration built on
// them send to POST /api/event), read into our own event wire format. Pure: the route
// (./routes.ts) resolves sites, hashes visitors and ingests what this returns.
import { sha256Hex } from "../../component/lib/keys.js";
import { MAX_PLAUSIBLE_DOMAINS } from "../../component/lib/limits.js";

/** A Plausible event as this module reads it: long and short field names merged. */
export type PlausibleEvent = {
  name: string;
  url: string;
  domains: string[];
  referrer?: string;
  props?: Record<string, string>;
  /** `h`: a hash-based router's page, whose path keeps the URL's `#fragment`. */
  hashMode?: true;
  /** `i: false`: a custom event that doesn't end a bounce. */
  nonInteractive?: true;
  /** An `engagement` event's `sd` (maximum scroll depth, percent) and `e` (engaged ms). */
  engagement?: { scrollDepth: number; engagedMs: number };
};

/** Plausible answers a bad body 400 `{ errors: { field: [message] } }`. */
export type BodyErrors = Record<string, string[]>;

function pick(body: Record<string, unknown>, ...names: string[]): unknown {
  for (const name of names) if (body[name] !== undefined && body[name] !== null) return body[name];
  return undefined;
}

/**
 * Plausible keeps string property values and drops the rest (lists, maps); numbers and booleans
 * are kept as their text, as its tracker sends them. Props may come as an object or as its
 * JSON text (`p`, `props`, or the legacy `m` / `meta`).
 */
function readProps(raw: unknown): Record<string, string> | undefined | "invalid" {
  let value = raw;
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      return "invalid";
    }
  }
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value)) return "invalid";
  const props: Record<string, string> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v === "string" && v !== "") props[key] = v;
    else if (typeof v === "number" || typeof v === "boolean") props[key] = String(v);
  }
  return Object.keys(props).length > 0 ? props : undefined;
}

/**
 * Plausible's tracker sends `h: 1` from hash-routed pages; any truthy flag counts (`true`, a
 * non-zero number, "1" or "true"), so `0`, `false` and "0" leave the fragment out.
 */
function readFlag(raw: unknown): boolean {
  if (typeof raw === "number") return raw !== 0;
  if (typeof raw === "string") return raw === "1" || raw === "true";
  return raw === true;
}

function isHttpUrl(url: string) {
  if (!URL.canParse(url)) return false;
  const protocol = new URL(url).protocol;
  return protocol === "http:" || protocol === "https:";
}

/** The site list of `d`; without one, Plausible takes the URL's host. */
function readDomains(raw: unknown, url: string): string[] | null {
  const text = typeof raw === "string" ? raw : isHttpUrl(url) ? new URL(url).hostname : "";
  const domains = text
    .split(",")
    .map((d) =>
      d
        .trim()
        .toLowerCase()
        .replace(/^www\./, ""),
    )
    .filter((d) => d.length > 0);
  return domains.length > 0 ? [...new Set(domains)] : null;
}

/** Reads a request body (JSON, usually sent as text/plain) into one event, or says what's wrong. */
export function parsePlausibleBody(
  text: string,
): { ok: true; event: PlausibleEvent } | { ok: false; errors: BodyErrors } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, errors: { request: ["Unable to parse request body as json"] } };
  }
  if (typeof body !== "object" || body === null || Array.isArray(body))
    return { ok: false, errors: { request: ["the body must be a JSON object"] } };
  const b = body as Record<string, unknown>;
  const errors: BodyErrors = {};
  const name = pick(b, "n", "name");
  const url = pick(b, "u", "url");
  if (typeof name !== "string" || name.trim() === "") errors.event_name = ["can't be blank"];
  if (typeof url !== "string" || url === "") errors.url = ["is required"];
  else if (!isHttpUrl(url)) errors.url = ["is invalid"];
  const props = readProps(pick(b, "p", "props", "m", "meta"));
  if (props === "invalid") errors.props = ["must be an object or its JSON text"];
  const referrer = pick(b, "r", "referrer");
  const domains =
    typeof url === "string" && !errors.url ? readDomains(pick(b, "d", "domain"), url) : [];
  if (domains === null) errors.domain = ["can't be blank"];
  else if (domains.length > MAX_PLAUSIBLE_DOMAINS)
    errors.domain = [`at most ${MAX_PLAUSIBLE_DOMAINS} domains per event`];
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  // Read and not kept: `v` (tracker version), and `$`/`revenue`: our events have no revenue to
  // put it in, so it is ignored as Plausible ignores a revenue it can't read. See the README's
  // "Coming from Plausible".
  const trimmed = (name as string).trim();
  const interactive = pick(b, "i", "interactive");
  return {
    ok: true,
    event: {
      name: trimmed,
      ...(trimmed === "engagement" ? { engagement: readEngagement(b) } : {}),
      ...((interactive === false || interactive === 0) &&
      trimmed !== "pageview" &&
      trimmed !== "engagement"
        ? { nonInteractive: true as const }
        : {}),
      url: url as string,
      domains: domains!,
      ...(typeof referrer === "string" && referrer !== "" ? { referrer } : {}),
      ...(props && props !== "invalid" ? { props } : {}),
      ...(readFlag(b.h) ? { hashMode: true as const } : {}),
    },
  };
}

/**
 * An engagement's `sd` and `e` as Plausible's ingest reads them: scroll depth cut to 0..100,
 * engaged time at least 0 (our enrich step cuts it to 30 minutes); a missing or unreadable
 * value counts as 0 rather than losing the visit's other figure.
 */
function readEngagement(body: Record<string, unknown>) {
  const number = (raw: unknown) =>
    typeof raw === "number" && Number.isFinite(raw) ? raw : typeof raw === "string" ? +raw || 0 : 0;
  return {
    scrollDepth: Math.min(100, Math.max(0, Math.round(number(pick(body, "sd"))))),
    engagedMs: Math.max(0, Math.round(number(pick(body, "e")))),
  };
}

/** Our wire event for one site: the visitor and session ids come from the salted hash. */
export function toWireEvent(event: PlausibleEvent, id: string, visitorId: string) {
  return {
    ...(event.name === "pageview"
      ? { type: "pageview" as const }
      : event.engagement
        ? { type: "engagement" as const, ...event.engagement }
        : {
            type: "event" as const,
            name: event.name,
            ...(event.nonInteractive ? { interactive: false } : {}),
          }),
    id,
    visitorId,
    // As in our access-log import: one id per visitor, so sessions come from the idle timeout.
    sessionId: visitorId,
    url: event.url,
    // The path is the pathname, plus the `#fragment` from a hash router (as Plausible's).
    ...(event.hashMode ? { keepHash: true } : {}),
    ...(event.referrer !== undefined ? { referrer: event.referrer } : {}),
    ...(event.props ? { props: event.props } : {}),
  };
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const IPV6 = /^[0-9a-f:.]+$/i;

function validIp(candidate: string): string | null {
  let ip = candidate.trim();
  // "[2001:db8::1]:443" and "203.0.113.7:51000" carry a port.
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(ip);
  if (bracketed) ip = bracketed[1];
  else if (/^[\d.]+:\d+$/.test(ip)) ip = ip.slice(0, ip.indexOf(":"));
  if (IPV4.test(ip)) return ip;
  if (ip.includes(":") && IPV6.test(ip)) return ip.toLowerCase();
  return null;
}

/**
 * The client's IP as Plausible takes it: the first valid address of X-Forwarded-For (the
 * client, as proxies append), else nothing. A Convex HTTP action sees no socket address, so
 * without the header every visitor of a site with the same User-Agent on the same day is
 * one visitor: put the deployment behind a proxy that sets it, or send it server-side.
 */
export function clientIp(headers: Headers): string {
  const forwarded = headers.get("X-Forwarded-For");
  if (!forwarded) return "";
  for (const part of forwarded.split(",")) {
    const ip = validIp(part);
    if (ip) return ip;
  }
  return "";
}

/** UTC day of a timestamp: the salt's period. */
export function saltDay(now: number): string {
  return new Date(now).toISOString().slice(0, 10);
}

/**
 * Plausible's cookieless visitor id: a hash of the day's salt, the site, the IP and the
 * User-Agent. Without the salt (deleted after two days) it can't be linked to an IP again.
 */
export async function visitorHash(salt: string, siteId: string, ip: string, userAgent: string) {
  const hash = await sha256Hex(`${salt}\n${siteId}\n${ip}\n${userAgent}`);
  return `p_${hash.slice(0, 40)}`;
}
