// The ingest pipeline, one named step at a time: validate → classify → enrich → store.
// (Sessionization is the worker's step: see ../aggregate/session.ts.) Each step is pure and has
// its own tests (validate.test.ts, enrich.test.ts, pipeline.test.ts); the Convex mutation in
// ingest.ts only runs them in order and writes the result.
import type { SiteSettings } from "../lib/types.js";
import {
  countryFromHeaders,
  filterProps,
  isBotUserAgent,
  parsePageUrl,
  parseUserAgent,
  referrerSource,
  stripWww,
} from "./enrich.js";
import { pageEngagement } from "../lib/engagement.js";
import { sha256Hex } from "../lib/keys.js";
import {
  MAX_EVENT_AGE_MS,
  MAX_EVENT_FUTURE_MS,
  MAX_ID_LENGTH,
  MINUTE_MS,
  PARTITIONS,
} from "../lib/limits.js";
import { encodePropKey, encodePropKeys } from "./propKeys.js";
import { hashId } from "../lib/sketch.js";
import {
  describeIssues,
  importEventSchema,
  ingestEventSchema,
  type ImportEvent,
  type IngestEvent,
  type Props,
} from "./validate.js";

export { countryFromHeaders, isBotUserAgent };

export type Rejection = { index: number; reason: string };

/**
 * Step 1, validate: splits a batch into valid events (with their index) and rejections.
 * Valid events come out with their property and trait keys in stored form (ingest/propKeys.ts),
 * which can cross Convex's wire. An import event may also be given as its JSON text: sources
 * such as PostHog exports carry field names ("$browser") that Convex's wire format can't, so
 * as objects they would fail the whole call before it reached this code; as text they arrive.
 * Imports are not clamped into the future window but refused past it.
 */
export function validateEvents<T extends IngestEvent | ImportEvent>(
  events: readonly unknown[],
  mode: "live" | "import",
  now: number,
): { valid: { index: number; event: T }[]; rejected: Rejection[] } {
  const schema = mode === "live" ? ingestEventSchema : importEventSchema;
  const valid: { index: number; event: T }[] = [];
  const rejected: Rejection[] = [];
  events.forEach((raw, index) => {
    let input = raw;
    if (mode === "import" && typeof raw === "string") {
      try {
        input = JSON.parse(raw);
      } catch {
        rejected.push({ index, reason: "an event given as text must be a JSON object" });
        return;
      }
    }
    const result = schema.safeParse(input);
    if (!result.success) {
      rejected.push({ index, reason: describeIssues(result.error) });
      return;
    }
    const event = result.data as T;
    if (event.props) event.props = encodePropKeys(event.props);
    if (event.traits) event.traits = encodePropKeys(event.traits);
    if (mode === "import" && event.ts !== undefined && event.ts > now + MAX_EVENT_FUTURE_MS) {
      rejected.push({
        index,
        reason: `ts is more than ${MAX_EVENT_FUTURE_MS / MINUTE_MS} minutes in the future: imports keep past timestamps, not future ones`,
      });
      return;
    }
    valid.push({ index, event });
  });
  return { valid, rejected };
}

/** The partition of a visitor: all of one visitor's events are folded by one worker. */
export function partitionOf(visitorId: string): number {
  return hashId(visitorId) % PARTITIONS;
}

/**
 * contract §2: live events are clamped to [now − 24 h, now + 5 min]; imports keep old
 * timestamps (that is what they are for), and validateEvents refused their future ones.
 * A missing ts means now.
 */
export function clampTimestamp(
  ts: number | undefined,
  now: number,
  mode: "live" | "import",
): number {
  const latest = now + MAX_EVENT_FUTURE_MS;
  if (ts === undefined) return now;
  if (ts > latest) return latest;
  if (mode === "live" && ts < now - MAX_EVENT_AGE_MS) return now - MAX_EVENT_AGE_MS;
  return ts;
}

/** contract §6: an import without a visitorId is identified by SHA-256(ip + user agent). */
export async function resolveImportIdentity(
  event: ImportEvent,
): Promise<{ visitorId: string; sessionId: string }> {
  const visitorId =
    event.visitorId ??
    (await sha256Hex((event.ip ?? "") + (event.userAgent ?? ""))).slice(0, MAX_ID_LENGTH);
  return { visitorId, sessionId: event.sessionId ?? visitorId };
}

export type RequestFacts = { userAgent: string | undefined; country: string };
export type SiteFacts = { domain?: string; settings: SiteSettings };

/** What is stored for one accepted event (the mutation adds siteId, status, receivedAt). */
export type EnrichedEvent = {
  eventId: string;
  partition: number;
  type: IngestEvent["type"];
  ts: number;
  visitorId: string;
  sessionId: string;
  path?: string;
  hostname?: string;
  title?: string;
  name?: string;
  props?: Props;
  interactive?: boolean;
  scrollDepth?: number;
  engagedMs?: number;
  userId?: string;
  traits?: Props;
  source: string;
  referrerHost?: string;
  utmSource?: string;
  utmMedium?: string;
  utmCampaign?: string;
  utmTerm?: string;
  utmContent?: string;
  device: string;
  browser: string;
  os: string;
  country: string;
};

/** Step 3, enrich: everything the server derives from the URL, referrer and request. */
export function enrichEvent(
  event: IngestEvent & { visitorId: string; sessionId: string },
  request: RequestFacts,
  site: SiteFacts,
  ts: number,
): EnrichedEvent {
  const page = event.url ? parsePageUrl(event.url, event.keepHash) : undefined;
  const source = referrerSource(event.referrer, page?.hostname, site.domain);
  const enriched: EnrichedEvent = {
    eventId: event.id,
    partition: partitionOf(event.visitorId),
    type: event.type,
    ts,
    visitorId: event.visitorId,
    sessionId: event.sessionId,
    source,
    ...parseUserAgent(request.userAgent),
    country: request.country,
  };
  if (page) {
    enriched.path = page.path;
    enriched.hostname = page.hostname;
    for (const field of [
      "utmSource",
      "utmMedium",
      "utmCampaign",
      "utmTerm",
      "utmContent",
    ] as const) {
      if (page[field]) enriched[field] = page[field];
    }
  }
  if (source !== "Direct / None") enriched.referrerHost = source;
  else if (event.referrer && URL.canParse(event.referrer))
    enriched.referrerHost = stripWww(new URL(event.referrer).hostname);
  if (event.title !== undefined) enriched.title = event.title;
  if (event.name !== undefined) enriched.name = event.name;
  if (event.interactive === false) enriched.interactive = false;
  if (event.type === "engagement") {
    const page = pageEngagement(enriched.path ?? "/", event.scrollDepth!, event.engagedMs!);
    enriched.scrollDepth = page.scrollDepth;
    enriched.engagedMs = page.engagedMs;
  }
  // The lists hold keys as a person typed them; the event's keys are in stored form.
  const props = filterProps(
    event.props,
    site.settings.allowedPropertyKeys?.map(encodePropKey),
    site.settings.deniedPropertyKeys?.map(encodePropKey),
  );
  if (props) enriched.props = props;
  if (event.userId !== undefined) enriched.userId = event.userId;
  if (event.traits !== undefined) enriched.traits = event.traits;
  return enriched;
}
