// Every limit of SPEC.md, and every bound the component keeps to stay inside Convex's
// per-transaction limits, as a named constant. Tests and docs import these; nothing
// repeats the numbers.

/** SPEC §2: an ingest request body. */
export const MAX_BODY_BYTES = 64 * 1024;
export const MAX_EVENTS_PER_REQUEST = 100;
/** SPEC §4: `importEvents` takes larger batches (server-side callers, no browser). */
export const MAX_EVENTS_PER_IMPORT = 500;

export const MAX_ID_LENGTH = 64;
export const MAX_EVENT_NAME_LENGTH = 120;
export const MAX_URL_LENGTH = 2048;
export const MAX_TITLE_LENGTH = 512;
export const MAX_PROPS = 32;
export const MAX_PROP_KEY_LENGTH = 64;
export const MAX_PROP_STRING_LENGTH = 512;
export const MAX_TRAITS = 32;
/** Rollup keys (paths, sources, campaign names) are cut to this many characters. */
export const MAX_DIMENSION_KEY_LENGTH = 300;

/** SPEC §2: live ingest clamps `ts` to [now − 24 h, now + 5 min]. */
export const MAX_EVENT_AGE_MS = 24 * 60 * 60 * 1000;
export const MAX_EVENT_FUTURE_MS = 5 * 60 * 1000;

export const MINUTE_MS = 60 * 1000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/**
 * Events are partitioned by visitor so one visitor's events are only ever folded by one
 * worker transaction at a time (invariant 3). More partitions: more aggregation parallelism
 * per site; fewer: fewer shard rows for reads to sum until compaction merges them.
 */
export const PARTITIONS = 4;

/**
 * The worker only reads pending events received more than this long before it started, so
 * an ingest that is still running lands outside the worker's read range (invariant 4). It
 * exceeds Convex's 1 s mutation execution limit with room for commit latency.
 */
export const PENDING_SETTLE_MS = 2_000;

/** Events one worker transaction folds. Keeps its reads and writes far under the limits. */
export const WORKER_BATCH_EVENTS = 100;

/** A session keeps at most this many pageviews for dedup and entry/exit; later ones still count. */
export const MAX_SESSION_PAGEVIEWS = 500;
/** Distinct custom event names remembered per session (for the `sessions` column of `event`). */
export const MAX_SESSION_EVENT_NAMES = 50;

/** Page sizes of the list endpoints. */
export const MAX_PAGE_SIZE = 100;
/** Breakdown rows (SPEC §3). */
export const DEFAULT_BREAKDOWN_LIMIT = 10;
export const MAX_BREAKDOWN_LIMIT = 100;

/** Setting bounds (SPEC §4), validated with a clear error. */
export const SETTING_BOUNDS = {
  sessionTimeoutMs: { min: MINUTE_MS, max: 24 * HOUR_MS, default: 30 * MINUTE_MS },
  pageviewDedupMs: { min: 0, max: 24 * HOUR_MS, default: 30 * MINUTE_MS },
  heartbeatDedupMs: { min: 1_000, max: 10 * MINUTE_MS, default: 10_000 },
  presenceTimeoutMs: { min: 10_000, max: HOUR_MS, default: 2 * MINUTE_MS },
  retentionDays: { min: 1, max: 3650, default: 90 },
  ingestRatePerMinute: { min: 1, max: 1_000_000, default: 6_000 },
} as const;
export const MAX_PROPERTY_KEY_LIST = 200;

export const MAX_SLUG_LENGTH = 64;
export const MAX_SITE_NAME_LENGTH = 200;
export const MAX_ALLOWED_ORIGINS = 50;
export const MIN_WRITE_KEY_LENGTH = 16;
export const MAX_WRITE_KEY_LENGTH = 128;

/**
 * Maintenance (invariant 5). Each step is one mutation whose reads and writes stay far
 * inside the transaction limits; a run takes at most MAINTENANCE_STEPS_PER_RUN steps and
 * reschedules itself while work remains.
 */
export const COMPACTION_GROUPS_PER_STEP = 100;
/** A bucket is compacted once it ended this long ago: the worker is done with it by then. */
export const COMPACTION_GRACE_MS = HOUR_MS;
/** Raw events, sessions and visitors looked at (and at most deleted) per retention step. */
export const RETENTION_SCAN_PER_STEP = 1_000;
export const RETENTION_DELETES_PER_STEP = 500;
export const MAINTENANCE_STEPS_PER_RUN = 50;
/** Sites one `runMaintenance` call or sweep looks at. */
export const MAX_SITES_PER_MAINTENANCE = 100;
/**
 * getHealth reads what it counts, and a query may read at most 16 MiB. Pending events counted,
 * per partition (more shows as the cap): 4,000 typical events are a few MiB.
 */
export const HEALTH_PENDING_SCAN = 1_000;
/**
 * Shard rows of closed buckets counted by getHealth, per partition and granularity (more shows
 * as the cap). A rollup row of a busy bucket holds a 16 KiB sketch: 12 × 40 such rows are
 * 7.9 MiB. At 1,000 (the first value) the benchmark's 1,000,000-event site made getHealth fail.
 */
export const HEALTH_BACKLOG_SCAN = 40;
/** Recent sessions getHealth checks for duplicates (invariant 3: there must be none). */
export const HEALTH_SESSION_SCAN = 1_000;
/** The sweep re-kicks a partition whose oldest pending event waited this long (a crash left it). */
export const SWEEP_STALE_PENDING_MS = 30_000;

/**
 * Realtime (invariant 7): the per-site summary is recomputed at most this often, so an open
 * dashboard re-runs at most 60 s / REALTIME_REFRESH_MS times a minute however many visitors
 * are live.
 */
export const REALTIME_REFRESH_MS = 5_000;
/**
 * A running loop whose summary is older than this (12 refresh periods) is restarted by the
 * presence maintenance. A literal: the browser tracker bundles this file, and esbuild keeps a
 * computed constant it cannot prove unused.
 */
export const REALTIME_STALL_MS = 60_000;
/** Live presence rows one summary refresh reads; beyond it the figure is a lower bound. */
export const REALTIME_SCAN = 10_000;
/** Pages listed in the realtime summary. */
export const REALTIME_TOP_PAGES = 10;
/** Stale presence rows deleted per sweep step. */
export const PRESENCE_SWEEP_PER_STEP = 1_000;
