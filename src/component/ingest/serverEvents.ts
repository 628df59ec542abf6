// Events from host code (`Analytics.track` / `identify` in a host mutation): the ingest-shaped
// event such a call stands for, with the ids it leaves out filled in. The event is then
// validated, enriched and stored exactly as ingest does it (track.ts).
import { sha256Hex } from "../lib/keys.js";
import type { Props } from "./validate.js";

export type TrackInput = {
  name: string;
  visitorId?: string;
  userId?: string;
  sessionId?: string;
  props?: Props;
  id?: string;
  url?: string;
  ts?: number;
};

export type IdentifyInput = {
  visitorId: string;
  userId: string;
  sessionId?: string;
  traits?: Props;
  id?: string;
  ts?: number;
};

/** Hex characters of a derived visitor id: as unlikely to collide as a random 128-bit id. */
const DERIVED_ID_HEX = 32;

/**
 * The visitor of a backend event that names none: the user's own stable visitor when a userId
 * is given (every backend event of one user is one visitor), else one of its own, derived from
 * the event id so that a retry with the same id lands on the same visitor (and partition).
 */
async function visitorOf(input: { userId?: string }, eventId: string): Promise<string> {
  return input.userId !== undefined
    ? `user_${(await sha256Hex(input.userId)).slice(0, DERIVED_ID_HEX)}`
    : `anon_${(await sha256Hex(eventId)).slice(0, DERIVED_ID_HEX)}`;
}

/** Only the fields that are set: validation sees what a sender would have sent. */
function defined(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}

/**
 * The custom event a `track` call sends. Without `id` it gets a fresh one (`newId`), so only
 * calls that pass an id are deduplicated; without `sessionId` the session is the visitor's,
 * split by the idle timeout alone (as imports from logs are).
 */
export async function trackedEvent(
  input: TrackInput,
  newId: () => string,
): Promise<Record<string, unknown>> {
  const id = input.id ?? newId();
  const visitorId = input.visitorId ?? (await visitorOf(input, id));
  return defined({
    type: "event",
    id,
    ts: input.ts,
    visitorId,
    sessionId: input.sessionId ?? visitorId,
    name: input.name,
    url: input.url,
    props: input.props,
    userId: input.userId,
  });
}

/** The identify event an `identify` call sends: ids filled in as for `trackedEvent`. */
export function identifyEvent(input: IdentifyInput, newId: () => string): Record<string, unknown> {
  return defined({
    type: "identify",
    id: input.id ?? newId(),
    ts: input.ts,
    visitorId: input.visitorId,
    sessionId: input.sessionId ?? input.visitorId,
    userId: input.userId,
    traits: input.traits,
  });
}
