// convex-analytics/react: the dashboard component and the hooks and helpers it is built
// from, for hosts that want their own layout over the same subscriptions.
export { AnalyticsDashboard, type AnalyticsDashboardProps } from "./AnalyticsDashboard.js";
export type {
  AnalyticsApi,
  BreakdownArgs,
  EventPropertiesArgs,
  FilterArgs,
  FunnelArgs,
  ListArgs,
  ListFunnelsArgs,
  OverviewArgs,
  RangeArgs,
  RealtimeArgs,
  TimeseriesArgs,
} from "./api.js";
export {
  LIST_PAGE_SIZE,
  previousRange,
  useBreakdown,
  useEventProperties,
  useEventsList,
  useFunnel,
  useFunnels,
  useGoals,
  useHasAnyEvents,
  useOverview,
  useRealtime,
  useRecentEventPropertyNames,
  useSessionsList,
  useTimeseries,
  type QueryState,
} from "./hooks/queries.js";
export { useDashboardRange, useHourClock } from "./hooks/useDashboardRange.js";
export {
  DIMENSION_LABELS,
  FILTER_DIMENSIONS,
  OPERATOR_LABELS,
  decodeFilter,
  encodeFilter,
  filterLabel,
  withFilters,
} from "./model/filters.js";
export {
  PRESET_LABELS,
  RANGE_PRESETS,
  intervalFor,
  rangeFor,
  type CustomRange,
  type DashboardRange,
  type RangePreset,
  type RangeSelection,
} from "./model/range.js";
export {
  formatConversionRate,
  formatCount,
  formatDuration,
  formatPercent,
  formatRatio,
  pointsDelta,
  relativeDelta,
  type Delta,
} from "./model/format.js";
export {
  KPIS,
  CHART_METRICS,
  type ChartMetric,
  type KpiDefinition,
  type KpiKey,
} from "./model/metrics.js";
export {
  DARK_PALETTE,
  LIGHT_PALETTE,
  THEME_VARIABLES,
  type DashboardTheme,
  type ThemeMode,
  type ThemeVariable,
  type ThemeVariables,
} from "./ui/theme.js";
export { DASHBOARD_CSS, ROOT_CLASS } from "./ui/styles.js";
export { ingestEndpointFor } from "./panels/EmptyState.js";
