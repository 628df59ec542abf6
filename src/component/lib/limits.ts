// Every limit of docs/contract.md, and every bound the component keeps to stay inside Convex's
// per-transaction limits, as a named constant. Tests and docs import these; nothing
// repeats the numbers.

/** contract §2: an ingest request body. */
export const MAX_BODY_BYTES = 64 * 1024;
export { MAX_EVENTS_PER_REQUEST, MAX_TITLE_LENGTH, MAX_URL_LENGTH } from "./wireLimits.js";
/** contract §4: `importEvents` takes larger batches (server-side callers, no browser). */
export const MAX_EVENTS_PER_IMPORT = 500;

export const MAX_ID_LENGTH = 64;
export const MAX_EVENT_NAME_LENGTH = 120;
export const MAX_PROPS = 32;
export const MAX_PROP_KEY_LENGTH = 64;
export const MAX_PROP_STRING_LENGTH = 512;
export const MAX_TRAITS = 32;
/**
 * Convex's limit on a field name (MAX_IDENTIFIER_LEN in convex/values). A property key's stored
 * form (ingest/propKeys.ts) is at most 5 × MAX_PROP_KEY_LENGTH characters, which stays under it.
 */
export const MAX_FIELD_NAME_LENGTH = 1024;
/** Rollup keys (paths, sources, campaign names) are cut to this many characters. */
export const MAX_DIMENSION_KEY_LENGTH = 300;

/** contract §2: live ingest clamps `ts` to [now − 24 h, now + 5 min]. */
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

/**
 * Ingest kicks the site's worker at instants aligned to this window (aggregate/kick.ts), so one run
 * folds every event of a window: a figure shows an event at most this much (plus the settle
 * window) after it arrived, under the 60 s promised in the README. Longer windows mean fewer
 * worker calls and fewer re-runs of open dashboards (each writing run re-runs them once):
 * 30 s makes it at most 120 an hour, whatever the traffic.
 */
export const WORKER_KICK_WINDOW_MS = 30_000;

/** Events one worker transaction folds. Keeps its reads and writes far under the limits. */
export const WORKER_BATCH_EVENTS = 100;

/** A session keeps at most this many pageviews for dedup and entry/exit; later ones still count. */
export const MAX_SESSION_PAGEVIEWS = 500;
/** Distinct custom event names remembered per session (for the `sessions` column of `event`). */
export const MAX_SESSION_EVENT_NAMES = 50;

/** Longest range a read accepts; hourly series are shorter (their points are sent). */
export const MAX_RANGE_DAYS = 3 * 366;
export const MAX_HOURLY_RANGE_DAYS = 62;
/** A read that would need more rollup rows than this asks for a narrower range instead. */
export const MAX_ROLLUP_ROWS_PER_READ = 20_000;
/**
 * The same for bytes, under Convex's 16 MiB per-query read limit with room for the rest of
 * the query: a busy bucket's row carries a 16 KiB sketch, so a wide breakdown of a busy site
 * can need more, and gets this error naming what to do instead of the platform's.
 */
export const MAX_ROLLUP_BYTES_PER_READ = 12 * 2 ** 20;

/** Page sizes of the list endpoints. */
export const MAX_PAGE_SIZE = 100;
/** Breakdown rows (contract §3). */
export const DEFAULT_BREAKDOWN_LIMIT = 10;
export const MAX_BREAKDOWN_LIMIT = 100;
/**
 * Keys a leaderboard keeps per (bucket, dimension) (read/leaderboard.ts). Above the largest
 * breakdown page, so that a key in the top MAX_BREAKDOWN_LIMIT of most buckets is listed, not
 * bounded; 128 entries of ~100-byte keys are ~16 KB, so a 3-year read's ~70 boards stay ~1 MB.
 */
export const LEADERBOARD_SIZE = 128;
/**
 * Keys a breakdown reads rows for beyond its limit: the next ones by upper bound, so that a key
 * whose bound was loose (listed in few buckets) still gets its exact figures.
 */
export const BREAKDOWN_CANDIDATE_MARGIN = 20;
/**
 * Rows of the open part (unfolded hour rows: the last hour or two until compaction folds them)
 * a breakdown reads whole to choose candidates. Past it the result says `approximate`: a busy
 * long-tail site's last two hours, or a stopped compaction (getHealth's backlog).
 */
export const MAX_OPEN_ROWS_PER_READ = 4_000;
/** The same in bytes: a busy hour's rows carry dense 16 KiB sketches. */
export const MAX_OPEN_BYTES_PER_READ = 4 * 2 ** 20;
/** Leaderboards a breakdown reads per segment of its range: a segment spans at most 62 days. */
export const MAX_BOARDS_PER_SEGMENT = 1_200;

/** Setting bounds (contract §4), validated with a clear error. */
export const SETTING_BOUNDS = {
  sessionTimeoutMs: { min: MINUTE_MS, max: 24 * HOUR_MS, default: 30 * MINUTE_MS },
  pageviewDedupMs: { min: 0, max: 24 * HOUR_MS, default: 30 * MINUTE_MS },
  heartbeatDedupMs: { min: 1_000, max: 10 * MINUTE_MS, default: 10_000 },
  presenceTimeoutMs: { min: 10_000, max: HOUR_MS, default: 2 * MINUTE_MS },
  retentionDays: { min: 1, max: 3650, default: 90 },
  /** Sessions, the filtered reads' facts (contract §7): long enough for year over year. */
  visitRetentionDays: { min: 1, max: 3650, default: 400 },
  ingestRatePerMinute: { min: 1, max: 1_000_000, default: 6_000 },
} as const;
export const MAX_PROPERTY_KEY_LIST = 200;

export const MAX_SLUG_LENGTH = 64;
export const MAX_SITE_NAME_LENGTH = 200;
export const MAX_ALLOWED_ORIGINS = 50;
/**
 * A reservation is kept until it can no longer weigh in the sliding window (this minute and
 * the previous); the maintenance sweep deletes older ones, this many per site and step.
 */
export const RATE_RESERVATION_TTL_MS = 120_000;
export const RESERVATIONS_PRUNED_PER_STEP = 1_000;

/** A supplied write key's strength : length, distinct characters, estimated bits. */
export const MIN_WRITE_KEY_LENGTH = 32;
export const MIN_WRITE_KEY_DISTINCT_CHARS = 10;
export const MIN_WRITE_KEY_ENTROPY_BITS = 96;
export const MAX_WRITE_KEY_LENGTH = 128;

/**
 * Maintenance (invariant 5). Each step is one mutation whose reads and writes stay far
 * inside the transaction limits; a run takes at most MAINTENANCE_STEPS_PER_RUN steps and
 * reschedules itself while work remains.
 */
export const COMPACTION_GROUPS_PER_STEP = 100;
/**
 * Merged page hour rows a compaction step walks of a wildcard goal's history (maintenance/goalMirrorRows.ts),
 * within half the bytes the merges left: what it writes (one goal row per hour walked) is at
 * most what it read.
 */
export const GOAL_BACKFILL_ROWS_PER_STEP = 1_000;
/**
 * Rollup rows a compaction step walks of its site's one pass that rebuilds every bucket's
 * leaderboard (maintenance/boardBackfill.ts), within half the bytes left after the goals' walk.
 */
export const BOARD_BACKFILL_ROWS_PER_STEP = 2_000;
/**
 * A deleted wildcard goal's own rows one purge step deletes (goals.ts purgeGoalRows), within
 * MAINTENANCE_BYTES_PER_STEP: a year of a goal's rows takes a few steps, each its own transaction.
 */
export const GOAL_PURGE_ROWS_PER_STEP = 1_000;
/** A bucket is compacted once it ended this long ago: the worker is done with it by then. */
export const COMPACTION_GRACE_MS = HOUR_MS;
/** Raw events, sessions and visitors looked at (and at most deleted) per retention step. */
export const RETENTION_SCAN_PER_STEP = 1_000;
export const RETENTION_DELETES_PER_STEP = 500;
export const MAINTENANCE_STEPS_PER_RUN = 50;
/**
 * Bytes one task's step may read, measured document by document (getDocumentSize) before the
 * next one is taken: a raw event can hold ~20 KB of props and a busy rollup row a 16 KiB
 * sketch, so a count alone can't keep a step under the 16 MiB a transaction may read. A
 * `runMaintenance` pass runs three tasks' steps in one transaction: 3 × 4 MiB stays under it.
 */
export const MAINTENANCE_BYTES_PER_STEP = 4_194_304; // 4 MiB, a literal (see REALTIME_STALL_MS)
/**
 * Every maintenance transaction touches one site, whatever the number of sites (a step's
 * budgets are per transaction); the background run pages through sites this many at a time.
 */
export const MAINTENANCE_SITES_PER_PAGE = 100;
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
 * are live, and the loop costs at most 360 calls an hour while anyone is. A visitor shows in
 * realtime within this long.
 */
export const REALTIME_REFRESH_MS = 10_000;
/**
 * A running loop whose summary is older than this (6 refresh periods) is restarted by the
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

// ---------------------------------------------------------------- worker budget (invariant 9)

/**
 * Convex's per-transaction limits (docs.convex.dev/production/state/limits), in the names of
 * `ctx.meta.getTransactionMetrics()`. Nothing may pass them: a transaction that does fails,
 * and a worker run that always fails stalls its partition.
 */
export const CONVEX_TRANSACTION_LIMITS = {
  databaseQueries: 4_096,
  documentsRead: 32_000,
  bytesRead: 16 * 2 ** 20,
  documentsWritten: 16_000,
  bytesWritten: 16 * 2 ** 20,
  functionsScheduled: 1_000,
} as const;

/**
 * What one worker run plans to use (aggregate/budget.ts). It admits events one at a time and stops
 * before the first that would pass this budget, which it only knows once that event's reads
 * are done: so each figure leaves the limit room for one more event's reads on top (at most
 * WORKER_EVENT_ROWS rows of ≤ 17 KB and WORKER_GROUP_SESSIONS sessions of ≤ 180 KB, ≈ 3.7 MiB),
 * and the pending read (≤ 100 events of ≤ 50 KB by the contract §2 limits) is inside it.
 */
export const WORKER_BUDGET = {
  databaseQueries: 2_000,
  documentsRead: 8_000,
  bytesRead: 10 * 2 ** 20,
  documentsWritten: 4_000,
  bytesWritten: 8 * 2 ** 20,
  functionsScheduled: 1,
} as const;
/**
 * Rollup rows one event can touch: the hour rows of the whole site, its page or event name,
 * each of 32 props, and its session's attributes (10 dimensions), and at most as many day and
 * month rows again where those hour rows were stored before hour-only writes (aggregate/session.ts
 * coarserRows). For the headroom argument of WORKER_BUDGET; the budget itself is measured.
 */
export const WORKER_EVENT_ROWS = 3 * (2 + MAX_PROPS + 10 + 2);
/**
 * Stored sessions of one (visitor, session id) a run loads to fold its events. More within
 * the idle timeout of one event (a visitor past 8 × MAX_SESSION_PAGEVIEWS views in a window)
 * can't be folded within a transaction's read limit: that event is set aside.
 */
export const WORKER_GROUP_SESSIONS = 8;
/**
 * Times an event's fold may throw before it is set aside as failed: a transient error is
 * retried, a deterministic one (bad stored data) stops costing runs.
 */
export const MAX_EVENT_ATTEMPTS = 3;
/** A run that only has retries left waits this long first, so a transient error can pass. */
export const WORKER_RETRY_DELAY_MS = 1_000;
/** Failure reasons are cut to this length, so a long message can't bloat an event. */
export const MAX_FAILURE_LENGTH = 300;

/**
 * getHealth: set-aside events counted per partition (more shows as the cap; a query may read
 * 16 MiB and an event can be 50 KB), distinct reasons listed, event ids sampled per reason.
 */
export const HEALTH_FAILED_SCAN = 100;
export const HEALTH_FAILURE_REASONS = 10;
export const HEALTH_FAILURE_SAMPLES = 5;
/**
 * requeueFailed: set-aside events put back per call. Each is read and rewritten whole, and an
 * event can be 50 KB: 100 are 5 MB each way, inside the 16 MiB a transaction may read and write.
 */
export const REQUEUE_PER_CALL = 100;

// ---------------------------------------------------------------- goals and filters (contract §7)

/**
 * Goals a site may define. getGoals reads them all, plus one rollup dimension per distinct
 * (event, property) pair among them, so this also bounds how many dimensions one read touches.
 */
export const MAX_GOALS_PER_SITE = 100;
export const MAX_GOAL_NAME_LENGTH = 120;
/** Funnels a site may define, and the goal steps of one (contract §7: 2 to 8). */
export const MAX_FUNNELS_PER_SITE = 50;
export const MIN_FUNNEL_STEPS = 2;
export const MAX_FUNNEL_STEPS = 8;
/** A page goal's path pattern: at most as long as a stored path (MAX_DIMENSION_KEY_LENGTH). */
export const MAX_PATH_PATTERN_LENGTH = MAX_DIMENSION_KEY_LENGTH;

/** contract §7 filters: how many a read takes, values per filter, characters per value. */
export const MAX_FILTERS = 10;
export const MAX_FILTER_VALUES = 20;
export const MAX_FILTER_VALUE_LENGTH = 300;

/**
 * Custom events a session keeps for filters, goals and funnels (aggregate/session.ts boundedEvents):
 * the earliest ones, at most this many and this many characters of JSON, so a session stays
 * small however many events it sends (a session document is at most ~170 KB: 500 pageviews
 * of ≤ 300-character paths, and these).
 */
export const MAX_VISIT_EVENTS = 100;
export const MAX_VISIT_EVENT_BYTES = 16_384;

/**
 * Filtered reads (contract §7, visits.ts) read the range's sessions themselves. Up to this many,
 * and this many bytes, the figures are exact; beyond, a read takes a deterministic sample of
 * visitors (SAMPLE_STRATA strata by visitor hash, the first k of them) sized to fit, and scales.
 */
export const MAX_VISITS_PER_READ = 20_000;
export const MAX_VISIT_BYTES_PER_READ = 12 * 2 ** 20;
/** Sampling strata: a sampled read's fraction is a multiple of 1 / SAMPLE_STRATA. */
export const SAMPLE_STRATA = 1024;
/**
 * What one query may read in all, under Convex's 32,000 documents and 16 MiB with room for
 * its site, goals and rollup rows: a filtered read never passes it, whatever its budget.
 */
export const QUERY_READ_DOCUMENTS = 30_000;
export const QUERY_READ_BYTES = 15 * 2 ** 20;
/**
 * A filtered list page (filteredLists.ts) looks at this many sessions (events: a fifth, each
 * with its session), and this many bytes, then returns what matched with a cursor to go on.
 */
export const FILTERED_LIST_SCAN = 1_000;
export const FILTERED_LIST_BYTES = 8 * 2 ** 20;
/** Sessions of one (visitor, session id) a filtered event list loads to find an event's visit. */
export const FILTERED_LIST_SESSIONS_PER_VISIT = 20;

// ---------------------------------------------------------------- Plausible's protocols
/**
 * Sites one Plausible event may name (`d: "a.com,b.com"` records one event per site): each
 * costs the route its own admission and ingest calls, so a request can't fan out unbounded.
 */
export const MAX_PLAUSIBLE_DOMAINS = 10;
/** Sites one stats key may read, and keys a site may have: listStatsKeys reads them all. */
export const MAX_STATS_KEY_SITES = 50;
export const MAX_STATS_KEYS_PER_SITE = 50;
export const MAX_STATS_KEY_NAME_LENGTH = 120;
/**
 * Salts kept: today's and yesterday's (an event stamped just before midnight may arrive
 * after it). Older ones are deleted when a new day's salt is made, so no visitor hash can be
 * recomputed from stored data after two days.
 */
export const PLAUSIBLE_SALTS_KEPT = 2;
