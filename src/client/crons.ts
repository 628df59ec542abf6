// Default maintenance schedule (contract §1, invariant 5).
//
// Convex crons can only name functions of the app itself: `crons.interval(...)` calls
// getFunctionName, which refuses a component reference ("Expected function reference in
// the current component"). So the host exports one internal action that forwards to the
// component (`exposeMaintenance`), and the crons name that.
import { internalActionGeneric, type Crons, type FunctionReference } from "convex/server";
import { v } from "convex/values";
import type { ComponentApi } from "../component/_generated/component.js";

export type MaintenanceTask = "sweep" | "compact" | "retention" | "presence";

const taskValidator = v.union(
  v.literal("sweep"),
  v.literal("compact"),
  v.literal("retention"),
  v.literal("presence"),
);

/**
 * `export const { analyticsMaintenance } = exposeMaintenance(components.analytics);` in the
 * host's convex/analytics.ts: an internal action, so no client can call it.
 */
export function exposeMaintenance(component: ComponentApi) {
  return {
    analyticsMaintenance: internalActionGeneric({
      args: { task: taskValidator },
      handler: async (ctx, { task }: { task: MaintenanceTask }) => {
        return await ctx.runAction(component.maintenance.run, { task });
      },
    }),
  };
}

export type DefaultCronOptions = {
  /**
   * Re-kick partitions whose pending events a crash left behind. Default 10: ingest kicks the
   * worker itself, so this is only a safety net, and every run is two function calls (the
   * cron's action and its step) whatever the traffic: every minute it was 86,400 calls a month.
   */
  sweepMinutes?: number;
  /** Merge closed buckets' shard rows. Default 15. */
  compactionMinutes?: number;
  /** Delete raw events, sessions and visitors past `retentionDays`. Default 24 (hours). */
  retentionHours?: number;
  /** Delete stale presence rows. Default 10 (rows past the timeout count in no figure). */
  presenceMinutes?: number;
};

export const DEFAULT_CRON_OPTIONS: Required<DefaultCronOptions> = {
  sweepMinutes: 10,
  compactionMinutes: 15,
  retentionHours: 24,
  presenceMinutes: 10,
};

/** The job names, so a host can tell them apart from its own crons. */
export const ANALYTICS_CRON_NAMES = {
  sweep: "convex-analytics: sweep pending events",
  compact: "convex-analytics: compact rollups",
  retention: "convex-analytics: retention",
  presence: "convex-analytics: presence cleanup",
} as const;

/**
 * Registers the four maintenance jobs on the host's crons. `maintenance` is the host's
 * reference to the action `exposeMaintenance` made, e.g. `internal.analytics.analyticsMaintenance`.
 * Each run is bounded (see maintenance.ts) and overlapping runs are safe.
 */
export function registerDefaultAnalyticsCrons(
  crons: Crons,
  maintenance: FunctionReference<"action", "internal", { task: MaintenanceTask }>,
  options: DefaultCronOptions = {},
) {
  const o = { ...DEFAULT_CRON_OPTIONS, ...options };
  for (const [name, value] of Object.entries(o)) {
    if (!Number.isInteger(value) || value < 1)
      throw new Error(
        `registerDefaultAnalyticsCrons: ${name} must be a positive integer, got ${value}`,
      );
  }
  crons.interval(ANALYTICS_CRON_NAMES.sweep, { minutes: o.sweepMinutes }, maintenance, {
    task: "sweep",
  });
  crons.interval(ANALYTICS_CRON_NAMES.compact, { minutes: o.compactionMinutes }, maintenance, {
    task: "compact",
  });
  crons.interval(ANALYTICS_CRON_NAMES.retention, { hours: o.retentionHours }, maintenance, {
    task: "retention",
  });
  crons.interval(ANALYTICS_CRON_NAMES.presence, { minutes: o.presenceMinutes }, maintenance, {
    task: "presence",
  });
}
