// Steps 2 and 3 of the ingest pipeline: classify (bot or not) and enrich (what the server
// derives from the URL, the referrer and the request headers). Pure, so each rule is
// unit-tested on its own. Parsing user agents is left to bowser (MIT, maintained) and bot
// detection to isbot: both are moving targets no hand-written table keeps up with.
import Bowser from "bowser";
import { isbot } from "isbot";
import { DIRECT_SOURCE, UNKNOWN } from "../lib/types.js";
import { MAX_DIMENSION_KEY_LENGTH } from "../lib/limits.js";

/** contract §2: a bot is what isbot says is one, or a request with no User-Agent at all. */
export function isBotUserAgent(userAgent: string | null | undefined): boolean {
  const ua = (userAgent ?? "").trim();
  return ua === "" || ua === "-" || isbot(ua);
}

export type ClientInfo = { device: string; browser: string; os: string; country: string };

const DEVICE_NAMES: Record<string, string> = {
  desktop: "Desktop",
  mobile: "Mobile",
  tablet: "Tablet",
  tv: "TV",
};

/** Device class, browser and OS names from a User-Agent; `Unknown` where it doesn't say. */
export function parseUserAgent(userAgent: string | null | undefined): Omit<ClientInfo, "country"> {
  if (!userAgent) return { device: UNKNOWN, browser: UNKNOWN, os: UNKNOWN };
  const parser = Bowser.getParser(userAgent);
  const platform = parser.getPlatformType(true);
  return {
    device: DEVICE_NAMES[platform] ?? UNKNOWN,
    browser: parser.getBrowserName() || UNKNOWN,
    os: parser.getOSName() || UNKNOWN,
  };
}

/**
 * Country headers set by proxies/CDNs in front of a deployment. Only headers the host app
 * lists are trusted (a client can send any header); values that are not ISO 3166 alpha-2,
 * or are the CDNs' "unknown"/"Tor" markers, are ignored. Never a third-party lookup.
 */
export function countryFromHeaders(
  headers: { get(name: string): string | null },
  trusted: readonly string[],
): string {
  for (const name of trusted) {
    const value = headers.get(name)?.trim().toUpperCase();
    if (value && /^[A-Z]{2}$/.test(value) && value !== "XX" && value !== "T1") return value;
  }
  return UNKNOWN;
}

export const DEFAULT_COUNTRY_HEADERS = [
  "cf-ipcountry",
  "x-vercel-ip-country",
  "cloudfront-viewer-country",
] as const;

function cut(value: string): string {
  return value.length > MAX_DIMENSION_KEY_LENGTH ? value.slice(0, MAX_DIMENSION_KEY_LENGTH) : value;
}

export function stripWww(host: string): string {
  const lower = host.toLowerCase();
  return lower.startsWith("www.") ? lower.slice(4) : lower;
}

export type UrlFacts = {
  path: string;
  hostname: string;
  utmSource?: string;
  utmMedium?: string;
  utmCampaign?: string;
  utmTerm?: string;
  utmContent?: string;
};

/**
 * Path, host and UTM parameters of a page URL (already validated as absolute http(s)). The
 * path is the pathname, and with `keepHash` the `#fragment` after it (a hash router's page).
 */
export function parsePageUrl(url: string, keepHash = false): UrlFacts {
  const parsed = new URL(url);
  const facts: UrlFacts = {
    path: cut((parsed.pathname || "/") + (keepHash ? parsed.hash : "")),
    hostname: parsed.hostname.toLowerCase(),
  };
  const utm = (name: string) => {
    const value = parsed.searchParams.get(name)?.trim();
    return value ? cut(value) : undefined;
  };
  const utmSource = utm("utm_source");
  const utmMedium = utm("utm_medium");
  const utmCampaign = utm("utm_campaign");
  const utmTerm = utm("utm_term");
  const utmContent = utm("utm_content");
  if (utmSource) facts.utmSource = utmSource;
  if (utmMedium) facts.utmMedium = utmMedium;
  if (utmCampaign) facts.utmCampaign = utmCampaign;
  if (utmTerm) facts.utmTerm = utmTerm;
  if (utmContent) facts.utmContent = utmContent;
  return facts;
}

/**
 * contract §5 Source: the external referrer host, `www.` stripped. A referrer on the page's own
 * host or on the site's domain is same-site; a missing or unparseable one is direct.
 */
export function referrerSource(
  referrer: string | undefined,
  pageHostname: string | undefined,
  siteDomain: string | undefined,
): string {
  if (!referrer || !URL.canParse(referrer)) return DIRECT_SOURCE;
  const parsed = new URL(referrer);
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return DIRECT_SOURCE;
  const host = stripWww(parsed.hostname);
  if (!host) return DIRECT_SOURCE;
  if (pageHostname && host === stripWww(pageHostname)) return DIRECT_SOURCE;
  if (siteDomain && host === stripWww(siteDomain)) return DIRECT_SOURCE;
  return cut(host);
}

/** Applies a site's allow/deny lists to event properties (deny wins). */
export function filterProps<T>(
  props: Record<string, T> | undefined,
  allowed: readonly string[] | undefined,
  denied: readonly string[] | undefined,
): Record<string, T> | undefined {
  if (!props) return undefined;
  const entries = Object.entries(props).filter(
    ([key]) =>
      (!allowed || allowed.length === 0 || allowed.includes(key)) && !(denied ?? []).includes(key),
  );
  return entries.length ? Object.fromEntries(entries) : undefined;
}
