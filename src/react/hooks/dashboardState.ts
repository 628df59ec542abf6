// What the dashboard shows (range, interval, comparison, chart metric, filters, panel tabs,
// the funnel) as one value, kept in the query string (urlState.ts) so a link opens the same view and the back
// button undoes a change. Defaults are left out of the URL: a fresh dashboard has a clean one.
import { useCallback, useMemo, useState } from "react";
import type { Filter } from "../../client/types.js";
import { COMPARISON_MODES, NO_COMPARISON, type Comparison } from "../model/comparison.js";
import { FILTER_PARAM, filtersParam, readFilters } from "../model/filters.js";
import { CHART_INTERVALS, type ChartInterval } from "../model/intervals.js";
import { CHART_METRICS, type ChartMetric } from "../model/metrics.js";
import {
  isPreset,
  parseDateInput,
  selectionKey,
  type CustomRange,
  type RangeSelection,
} from "../model/range.js";
import { useUrlSearch, type HistoryMode, type ParamChanges } from "./urlState.js";

/** A range, or the realtime view (the last 30 minutes, live). */
export type DashboardPeriod = RangeSelection | "realtime";

export type DashboardState = {
  period: DashboardPeriod;
  /** Unset: the range's default (intervals.ts). */
  interval?: ChartInterval;
  comparison: Comparison;
  metric: ChartMetric;
  /** Every read's filters (contract §7), in the order they were added; none by default. */
  filters: Filter[];
  /** Panel id → chosen tab; a panel not listed shows its first tab. */
  tabs: Record<string, string>;
  /** The funnel shown; unset: the site's first. */
  funnel?: string;
};

export function defaultDashboardState(period: DashboardPeriod): DashboardState {
  return { period, comparison: NO_COMPARISON, metric: "visitors", filters: [], tabs: {} };
}

const TAB_PREFIX = "tab_";

function dates(params: URLSearchParams, from: string, to: string): CustomRange | undefined {
  const range = { from: params.get(from) ?? "", to: params.get(to) ?? "" };
  return parseDateInput(range.from) !== undefined && parseDateInput(range.to) !== undefined
    ? range
    : undefined;
}

function oneOf<T extends string>(values: readonly T[], value: string | null): T | undefined {
  return (values as readonly (string | null)[]).includes(value) ? (value as T) : undefined;
}

/** The state a query string describes; anything missing or malformed is the default. */
export function readDashboardState(
  params: URLSearchParams,
  defaults: DashboardState,
): DashboardState {
  const periodParam = params.get("period");
  const period: DashboardPeriod | undefined =
    periodParam === "realtime" || (periodParam !== null && isPreset(periodParam))
      ? periodParam
      : periodParam === "custom"
        ? dates(params, "from", "to")
        : undefined;
  const mode = oneOf(COMPARISON_MODES, params.get("comparison"));
  const comparison: Comparison = mode
    ? {
        mode,
        matchDayOfWeek: params.get("match_day_of_week") === "true",
        ...(mode === "custom" ? { custom: dates(params, "compare_from", "compare_to") } : {}),
      }
    : defaults.comparison;
  const tabs = { ...defaults.tabs };
  for (const [name, value] of params)
    if (name.startsWith(TAB_PREFIX)) tabs[name.slice(TAB_PREFIX.length)] = value;
  const funnel = params.get("funnel") ?? defaults.funnel;
  return {
    period: period ?? defaults.period,
    interval: oneOf(CHART_INTERVALS, params.get("interval")) ?? defaults.interval,
    comparison,
    metric: oneOf(CHART_METRICS, params.get("metric")) ?? defaults.metric,
    filters: readFilters(params),
    tabs,
    ...(funnel ? { funnel } : {}),
  };
}

const periodKey = (period: DashboardPeriod) =>
  period === "realtime" ? period : selectionKey(period);

/** The parameters for `state`: every parameter the dashboard owns, null where it is the default. */
export function dashboardParams(
  state: DashboardState,
  defaults: DashboardState,
  knownTabs: readonly string[] = Object.keys(state.tabs),
): ParamChanges {
  const isDefaultPeriod = periodKey(state.period) === periodKey(defaults.period);
  const custom = typeof state.period === "object" ? state.period : null;
  const { comparison } = state;
  const comparing = comparison.mode !== "off";
  const changes: ParamChanges = {
    period: isDefaultPeriod ? null : custom ? "custom" : (state.period as string),
    from: !isDefaultPeriod && custom ? custom.from : null,
    to: !isDefaultPeriod && custom ? custom.to : null,
    interval: state.interval ?? null,
    comparison: comparing ? comparison.mode : null,
    match_day_of_week: comparing && comparison.matchDayOfWeek ? "true" : null,
    compare_from: comparison.mode === "custom" ? (comparison.custom?.from ?? null) : null,
    compare_to: comparison.mode === "custom" ? (comparison.custom?.to ?? null) : null,
    metric: state.metric === defaults.metric ? null : state.metric,
    [FILTER_PARAM]: filtersParam(state.filters),
    funnel: state.funnel ?? null,
  };
  for (const panel of knownTabs) changes[TAB_PREFIX + panel] = state.tabs[panel] ?? null;
  return changes;
}

export type UpdateDashboardState = (changes: Partial<DashboardState>, mode: HistoryMode) => void;

/**
 * The dashboard's state, in the URL when `syncUrl` (the default of AnalyticsDashboard), else
 * in React state. Range, interval, comparison and filter changes push a history entry; tab,
 * metric and funnel changes replace the current one, so the back button steps through
 * ranges and filters, not clicks.
 */
export function useDashboardState(
  defaults: DashboardState,
  syncUrl: boolean,
): [DashboardState, UpdateDashboardState] {
  const [search, updateUrl] = useUrlSearch(syncUrl);
  const [local, setLocal] = useState(defaults);
  const defaultsKey = periodKey(defaults.period);
  const fromUrl = useMemo(
    () => readDashboardState(new URLSearchParams(search), defaults),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `defaultsKey` stands for `defaults`
    [search, defaultsKey],
  );
  const state = syncUrl ? fromUrl : local;
  const update = useCallback<UpdateDashboardState>(
    (changes, mode) => {
      const next = { ...state, ...changes };
      if (syncUrl)
        updateUrl(
          dashboardParams(next, defaults, [...Object.keys(state.tabs), ...Object.keys(next.tabs)]),
          mode,
        );
      else setLocal(next);
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `defaultsKey` stands for `defaults`
    [state, syncUrl, updateUrl, defaultsKey],
  );
  return [state, update];
}
