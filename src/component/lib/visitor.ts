// The visitors table: one row per visitor, for retention and identity (userId). No figure is
// read from it (unique visitors come from the rollups' sketches), so the worker writes a row
// only when it changes in a way that matters (invariant 11: writes are paid per pageview): when
// the visitor is first seen, when its userId changes, when an earlier visit is backfilled, or
// when lastSeen has moved on by VISITOR_SEEN_RESOLUTION_MS. Retention allows for that slack.
import { VISITOR_SEEN_RESOLUTION_MS } from "./limits.js";

export type VisitorFacts = { firstSeen: number; lastSeen: number; userId?: string };

/** What a batch that saw the visitor at `seen` changes in its stored row: null when nothing. */
export function visitorChange(
  stored: VisitorFacts,
  seen: VisitorFacts,
): Partial<VisitorFacts> | null {
  const change: Partial<VisitorFacts> = {};
  if (seen.firstSeen < stored.firstSeen) change.firstSeen = seen.firstSeen;
  if (seen.userId !== undefined && seen.userId !== stored.userId) change.userId = seen.userId;
  const changed = Object.keys(change).length > 0;
  // lastSeen is kept to within the resolution; any other write brings it up to date too.
  if (
    seen.lastSeen >= stored.lastSeen + VISITOR_SEEN_RESOLUTION_MS ||
    (changed && seen.lastSeen > stored.lastSeen)
  )
    change.lastSeen = seen.lastSeen;
  return Object.keys(change).length > 0 ? change : null;
}
