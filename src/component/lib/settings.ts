import type { SiteSettings } from "./types.js";
import { SETTING_BOUNDS } from "./limits.js";
import { invalidArgument, type SettingsPatch } from "../ingest/validate.js";

export const DEFAULT_SETTINGS: SiteSettings = {
  sessionTimeoutMs: SETTING_BOUNDS.sessionTimeoutMs.default,
  pageviewDedupMs: SETTING_BOUNDS.pageviewDedupMs.default,
  heartbeatDedupMs: SETTING_BOUNDS.heartbeatDedupMs.default,
  presenceTimeoutMs: SETTING_BOUNDS.presenceTimeoutMs.default,
  retentionDays: SETTING_BOUNDS.retentionDays.default,
  visitRetentionDays: SETTING_BOUNDS.visitRetentionDays.default,
  ingestRatePerMinute: SETTING_BOUNDS.ingestRatePerMinute.default,
};

/** Applies a validated patch; rejects combinations that contradict each other. */
export function applySettingsPatch(current: SiteSettings, patch: SettingsPatch): SiteSettings {
  const next = { ...current, ...patch };
  const denied = new Set(next.deniedPropertyKeys ?? []);
  const both = (next.allowedPropertyKeys ?? []).filter((key) => denied.has(key));
  if (both.length)
    throw invalidArgument(`settings: property keys both allowed and denied: ${both.join(", ")}`);
  return next;
}

/**
 * Days sessions are kept: the site's visitRetentionDays, or the default for sites stored
 * before the setting existed. Never below retentionDays (maintenance keeps the longer).
 */
export function visitRetentionDays(settings: SiteSettings): number {
  return settings.visitRetentionDays ?? SETTING_BOUNDS.visitRetentionDays.default;
}
