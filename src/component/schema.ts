// Every read in the component goes through one of these indexes; none scans a table.
import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";

export const propValue = v.union(v.string(), v.number(), v.boolean(), v.null());

/**
 * A rollup row's counters and sketches (aggregate/rollup.ts): stored on every row, and returned
 * as they are by getRangePart (lib/validators.ts rangePartValidator).
 */
export const rollupFigureFields = {
  pageviews: v.number(),
  events: v.number(),
  sessions: v.number(),
  bounces: v.number(),
  pvSessions: v.number(),
  durationMs: v.number(),
  /** Engagement counters of page rows (aggregate/rollup.ts storedCounters): absent when 0. */
  engagedVisits: v.optional(v.number()),
  engagedMs: v.optional(v.number()),
  scrollSum: v.optional(v.number()),
  visitors: v.bytes(),
  users: v.optional(v.bytes()),
};

/** What defines a goal (contract §7): stored on it, taken by createGoal, returned by listGoals. */
export const goalDefinitionFields = {
  name: v.string(),
  kind: v.union(v.literal("event"), v.literal("page")),
  /** Event goals: the custom event's name, and optionally one property value it must carry. */
  eventName: v.optional(v.string()),
  property: v.optional(v.string()),
  value: v.optional(propValue),
  /** Page goals: a path with `*` wildcards. */
  pathPattern: v.optional(v.string()),
};

export const siteSettings = v.object({
  sessionTimeoutMs: v.number(),
  pageviewDedupMs: v.number(),
  heartbeatDedupMs: v.number(),
  presenceTimeoutMs: v.number(),
  retentionDays: v.number(),
  /** Optional: sites stored before it existed read the default (lib/settings.ts). */
  visitRetentionDays: v.optional(v.number()),
  ingestRatePerMinute: v.number(),
  allowedPropertyKeys: v.optional(v.array(v.string())),
  deniedPropertyKeys: v.optional(v.array(v.string())),
});

export const eventType = v.union(
  v.literal("pageview"),
  v.literal("event"),
  v.literal("identify"),
  v.literal("heartbeat"),
  v.literal("engagement"),
);

/**
 * The fields of a raw event a reader may see (listEvents returns these and its ids); the rest
 * of the events table is internal bookkeeping or identify traits.
 */
export const publicEventFields = {
  eventId: v.string(),
  type: eventType,
  ts: v.number(),
  visitorId: v.string(),
  sessionId: v.string(),
  path: v.optional(v.string()),
  hostname: v.optional(v.string()),
  title: v.optional(v.string()),
  name: v.optional(v.string()),
  props: v.optional(v.record(v.string(), propValue)),
  /** Only `false` is stored: a custom event that does not end a bounce (aggregate/session.ts). */
  interactive: v.optional(v.boolean()),
  /** An engagement's maximum scroll depth on its page, 0..100 (lib/engagement.ts). */
  scrollDepth: v.optional(v.number()),
  /** An engagement's engaged time on its page since the tracker's last one. */
  engagedMs: v.optional(v.number()),
  userId: v.optional(v.string()),
  source: v.string(),
  referrerHost: v.optional(v.string()),
  utmSource: v.optional(v.string()),
  utmMedium: v.optional(v.string()),
  utmCampaign: v.optional(v.string()),
  utmTerm: v.optional(v.string()),
  utmContent: v.optional(v.string()),
  device: v.string(),
  browser: v.string(),
  os: v.string(),
  country: v.string(),
};

const entryFacts = v.object({
  ts: v.number(),
  path: v.string(),
  isPageview: v.boolean(),
  source: v.string(),
  utmSource: v.optional(v.string()),
  utmMedium: v.optional(v.string()),
  utmCampaign: v.optional(v.string()),
  hostname: v.optional(v.string()),
});

const clientFacts = v.object({
  ts: v.number(),
  device: v.string(),
  browser: v.string(),
  os: v.string(),
  country: v.string(),
});

export const sessionState = {
  startTs: v.number(),
  endTs: v.number(),
  pageviews: v.array(v.object({ ts: v.number(), path: v.string() })),
  eventCount: v.number(),
  eventNames: v.array(v.string()),
  entry: entryFacts,
  client: clientFacts,
  /** Optional: sessions stored before filters (contract §7) have none; read as []. */
  customEvents: v.optional(
    v.array(
      v.object({
        ts: v.number(),
        name: v.string(),
        props: v.optional(v.record(v.string(), v.string())),
      }),
    ),
  ),
  /** Custom events sent as non-interactive (they don't end a bounce); absent = 0. */
  quietEvents: v.optional(v.number()),
  /** Per page, the session's maximum scroll depth and engaged time (lib/engagement.ts). */
  engagement: v.optional(
    v.array(v.object({ path: v.string(), scrollDepth: v.number(), engagedMs: v.number() })),
  ),
};

export default defineSchema({
  sites: defineTable({
    slug: v.string(),
    name: v.string(),
    domain: v.optional(v.string()),
    allowedOrigins: v.array(v.string()),
    timezone: v.string(),
    status: v.union(v.literal("active"), v.literal("disabled")),
    settings: siteSettings,
    /** SHA-256 (hex) of the write key; the key itself is never stored. */
    writeKeyHash: v.string(),
    createdAt: v.number(),
  })
    .index("by_slug", ["slug"])
    .index("by_write_key_hash", ["writeKeyHash"])
    // Plausible's Events and Stats APIs name a site by its domain (plausible.ts).
    .index("by_domain", ["domain"]),

  /** Raw events: inserted by ingest (append-only), marked by the worker, pruned by retention. */
  events: defineTable({
    siteId: v.id("sites"),
    partition: v.number(),
    /** "pending" until the worker folded it, in the same transaction as its deltas. */
    status: v.union(v.literal("pending"), v.literal("done"), v.literal("failed")),
    /** Server time of ingest: the worker's read bound (invariant 4). */
    receivedAt: v.number(),
    ...publicEventFields,
    traits: v.optional(v.record(v.string(), propValue)),
    /** Why the worker set it aside ("failed"), or why its last attempt threw (still pending). */
    failure: v.optional(v.string()),
    /** Worker runs whose planning of this event threw: set aside at MAX_EVENT_ATTEMPTS. */
    attempts: v.optional(v.number()),
    /**
     * When the worker folded it (set with "done", in the same write): getHealth's
     * lastAggregatedAt, instead of a per-run state document the worker would write every run.
     */
    foldedAt: v.optional(v.number()),
  })
    .index("by_event_id", ["siteId", "eventId"])
    .index("by_status", ["siteId", "partition", "status", "receivedAt"])
    .index("by_ts", ["siteId", "ts"])
    // Retention reads only folded events: pending ones are neither deletable nor in its way
    // (a large old backfill still pending must not use up every retention step's budget).
    .index("by_status_ts", ["siteId", "status", "ts"]),

  /** Written only by the worker of the visitor's partition (invariant 3). */
  sessions: defineTable({
    siteId: v.id("sites"),
    partition: v.number(),
    visitorId: v.string(),
    sessionId: v.string(),
    ...sessionState,
    /** The settings its current rollup contribution was computed with, to retract it exactly. */
    timezone: v.string(),
    pageviewDedupMs: v.number(),
    /**
     * The visitor's sampling stratum (read/sample.ts), 0 ≤ sample < SAMPLE_STRATA: a sampled
     * filtered read takes whole strata. Optional only for sessions stored before it existed.
     */
    sample: v.optional(v.number()),
    /**
     * Worker runs that wrote it (1 when created): getHealth's sessionReuseRatio. Absent on
     * sessions stored before it existed, counted as 1.
     */
    writes: v.optional(v.number()),
  })
    .index("by_visitor_session", ["siteId", "visitorId", "sessionId", "startTs"])
    /** The worker's retraction reads one visitor's sessions starting in the stale rows' buckets. */
    .index("by_visitor_start", ["siteId", "visitorId", "startTs"])
    .index("by_start", ["siteId", "startTs"])
    /** Sampled filtered reads: one range per stratum taken (read/visits.ts). */
    .index("by_sample", ["siteId", "sample", "startTs"]),

  /**
   * No longer written: no figure reads it (unique visitors are the rollups' sketches), and a row
   * per visitor cost a write per new visitor. Kept so that rows stored by earlier
   * versions stay valid; retention deletes them.
   */
  visitors: defineTable({
    siteId: v.id("sites"),
    partition: v.number(),
    visitorId: v.string(),
    firstSeen: v.number(),
    lastSeen: v.number(),
    userId: v.optional(v.string()),
  })
    .index("by_visitor", ["siteId", "visitorId"])
    /** Retention prunes visitors not seen since the cutoff. */
    .index("by_last_seen", ["siteId", "lastSeen"]),

  /**
   * One row per (granularity, bucket, dimension, key) per partition ("shard"). Workers write
   * hour shard rows (and day and month shards for closed hours); partition −1 holds what
   * compaction merged; partition −2 the day rows it folds closed hours into, until the day
   * closes and they fold into their month (maintenance/compaction.ts). Sketches are unique-visitor/user
   * sketches (lib/sketch).
   */
  rollups: defineTable({
    siteId: v.id("sites"),
    granularity: v.union(v.literal("hour"), v.literal("day"), v.literal("month")),
    bucket: v.number(),
    dimension: v.string(),
    key: v.string(),
    partition: v.number(),
    ...rollupFigureFields,
    /**
     * The row's data is in no coarser row yet. On shard hour rows of an open hour (the worker):
     * compaction folds the hour into its day's −2 row and drops the mark in one transaction.
     * On −2 day rows: compaction folds the closed day into its month the same way. Reads add
     * the marked rows of the finer granularities (read/rollupReads.ts). Unmarked hour shards (rows
     * of closed hours, and rows stored before hour-only writes) had their day and month
     * written live.
     */
    unfolded: v.optional(v.boolean()),
  })
    .index("by_row", ["siteId", "granularity", "dimension", "bucket", "key", "partition"])
    /** Rows not folded into their coarser rows yet, per dimension (read/rollupReads.ts). */
    .index("by_unfolded", ["siteId", "dimension", "unfolded", "granularity", "bucket"])
    /** Compaction's work list: the shard rows (partition ≥ 0) and −2 rows of closed buckets. */
    .index("by_shard", ["siteId", "partition", "granularity", "bucket"])
    /**
     * One dimension's shard rows over a range (maintenance/goalMirrorRows.ts): a wildcard goal
     * reads the page hour shards compaction has not merged, not every dimension's.
     */
    .index("by_shard_dimension", ["siteId", "partition", "dimension", "granularity", "bucket"])
    /**
     * One key's rows over a range (read/rollupReads.ts readTop): a breakdown reads only its candidate
     * keys' rows. `unfolded` before granularity: a range's finer rows are the unfolded ones.
     */
    .index("by_key", ["siteId", "dimension", "key", "unfolded", "granularity", "bucket"]),

  /**
   * One row per live session and page (ingest/presence): tabs of one session on different pages
   * keep a row each rather than taking turns rewriting one. Written only when it changes.
   */
  presence: defineTable({
    siteId: v.id("sites"),
    visitorId: v.string(),
    sessionId: v.string(),
    path: v.string(),
    lastSeen: v.number(),
    /**
     * The session's source (its first live pageview's): the realtime summary's sources without
     * a session lookup. Absent on rows stored before it, which time out within minutes.
     */
    source: v.optional(v.string()),
  })
    .index("by_session", ["siteId", "visitorId", "sessionId", "path"])
    .index("by_last_seen", ["siteId", "lastSeen"]),

  /** Per site: what getRealtime returns, rewritten at most every REALTIME_REFRESH_MS. */
  realtimeSummary: defineTable({
    siteId: v.id("sites"),
    activeVisitors: v.number(),
    pages: v.array(v.object({ path: v.string(), visitors: v.number() })),
    /** Distinct visitors seen per minute (ingest/presence currentMinute), the last 30 minutes. */
    minutes: v.optional(v.array(v.object({ t: v.number(), visitors: v.number() }))),
    /** Live visitors by their session's source, most first. */
    sources: v.optional(v.array(v.object({ source: v.string(), visitors: v.number() }))),
    updatedAt: v.number(),
    /** How many times the summary was rewritten: the bound of invariant 7, observable. */
    refreshes: v.number(),
  }).index("by_site", ["siteId"]),

  /**
   * Per site: whether the refresh loop is scheduled. Apart from the summary so that
   * touches, which read this, are not invalidated by every refresh.
   */
  realtimeLoop: defineTable({
    siteId: v.id("sites"),
    running: v.boolean(),
  }).index("by_site", ["siteId"]),

  /**
   * The ingest rate limit's input: one row per request that admitted events (duplicates
   * included), blind-inserted by ingest (ingest/admission.ts), deleted by maintenance once it is
   * out of the window.
   */
  ingestReservations: defineTable({
    siteId: v.id("sites"),
    /** Start of the minute (ms) the request arrived in. */
    minute: v.number(),
    at: v.number(),
    events: v.number(),
    /**
     * The site's running total of admitted events, this row's included (ingest/admission.ts
     * eventsInWindow). Absent on rows written by 0.1.x, which are pruned within minutes.
     */
    cumulative: v.optional(v.number()),
  })
    .index("by_minute", ["siteId", "minute", "at"])
    /** The rate limit's point reads: the newest mark, the last before the window, the oldest in it. */
    .index("by_at", ["siteId", "at"]),

  /**
   * Conversion goals (contract §7, read/goals.ts), at most MAX_GOALS_PER_SITE per site. Written only
   * by the admin goal functions; getGoals reads a site's goals whole through by_site.
   */
  goals: defineTable({
    siteId: v.id("sites"),
    ...goalDefinitionFields,
    createdAt: v.number(),
    /**
     * Wildcard page goals: how far compaction has walked the site's history into the goal's own
     * rows (maintenance/goalMirror.ts MirrorCursor); absent until the first walk, "done" after it.
     */
    mirror: v.optional(
      v.union(v.literal("done"), v.object({ bucket: v.number(), key: v.string() })),
    ),
  }).index("by_site", ["siteId"]),

  /**
   * Funnels (contract §7): 2 to 8 of the site's goals, in order; at most MAX_FUNNELS_PER_SITE per
   * site. A goal that is a step can't be deleted while the funnel exists.
   */
  funnels: defineTable({
    siteId: v.id("sites"),
    name: v.string(),
    steps: v.array(v.id("goals")),
    createdAt: v.number(),
  }).index("by_site", ["siteId"]),

  /**
   * Plausible's protocols (plausible.ts, statsKeys.ts). A salt per UTC day: its Events API
   * names a visitor by a hash of the day's salt, the site, the IP and the User-Agent, so
   * visitors can't be followed across days and the IP is never stored. Written once a day.
   */
  plausibleSalts: defineTable({
    day: v.string(),
    salt: v.string(),
  }).index("by_day", ["day"]),

  /**
   * Stats API keys: one row per (key, site) it may read; only the key's SHA-256 is stored.
   * `keyId` names the key in listStatsKeys / revokeStatsKey without being a secret.
   */
  statsKeys: defineTable({
    keyId: v.string(),
    keyHash: v.string(),
    siteId: v.id("sites"),
    name: v.string(),
    createdAt: v.number(),
  })
    .index("by_key_hash", ["keyHash", "siteId"])
    .index("by_key_id", ["keyId"])
    .index("by_site", ["siteId", "createdAt"]),

  /**
   * No longer written or read: per (site, partition) run counters that every worker run
   * rewrote, one document per run (what getHealth needed now lives on the events and sessions
   * the run writes anyway). Kept so that rows a 0.1.0 deployment stored stay valid: dropping the
   * table from the schema would make pushing this version to such a deployment fail validation.
   */
  workerState: defineTable({
    siteId: v.id("sites"),
    partition: v.number(),
    lastRunAt: v.number(),
    aggregatedEvents: v.number(),
    sessionsCreated: v.number(),
    sessionsExtended: v.number(),
    failedEvents: v.number(),
    /**
     * No longer written: the rate limiter once read a per-minute tally here; the ingest route now
     * reserves its share up front (ingest/admission.ts). Optional so that stored rows stay valid.
     */
    receivedPerMinute: v.optional(v.array(v.object({ minute: v.number(), count: v.number() }))),
  }).index("by_partition", ["siteId", "partition"]),

  /**
   * Per (granularity, bucket, dimension): the LEADERBOARD_SIZE keys with the highest score and a
   * floor above every other key's (read/leaderboard.ts). Written only by compaction as it merges
   * and folds rows (maintenance.ts), never by ingest or the worker; read by breakdowns to
   * choose the keys whose rows they read (docs/read-path.md).
   */
  leaderboards: defineTable({
    siteId: v.id("sites"),
    granularity: v.union(v.literal("hour"), v.literal("day"), v.literal("month")),
    bucket: v.number(),
    dimension: v.string(),
    entries: v.array(v.object({ key: v.string(), score: v.number() })),
    floor: v.number(),
    /**
     * On a day's board while some of the day's −2 rows are not folded into its month yet: a
     * month's read adds these boards, as it adds the unfolded rows.
     */
    unfolded: v.optional(v.boolean()),
    /**
     * While maintenance/boardBackfill.ts rebuilds it from its bucket's rows over several steps: reads ignore
     * it (they read its bucket's rows whole) until the walk has passed the whole bucket.
     */
    building: v.optional(v.boolean()),
  })
    .index("by_bucket", ["siteId", "dimension", "granularity", "bucket"])
    .index("by_unfolded", ["siteId", "dimension", "unfolded", "granularity", "bucket"]),

  /**
   * Per site: how far the one walk over its rollup rows that rebuilds every bucket's leaderboard
   * has gone (maintenance/boardBackfill.ts; rows stored before leaderboards have none). Written only by
   * compaction.
   */
  boardBackfills: defineTable({
    siteId: v.id("sites"),
    /** The first row the next step reads (its key's rows are read again, all of them). */
    cursor: v.optional(
      v.object({
        granularity: v.union(v.literal("hour"), v.literal("day"), v.literal("month")),
        dimension: v.string(),
        bucket: v.number(),
        key: v.string(),
      }),
    ),
    done: v.boolean(),
  }).index("by_site", ["siteId"]),
});
