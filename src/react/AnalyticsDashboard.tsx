// <AnalyticsDashboard api={api.analytics} siteId={id} />: a Plausible-like page of figures,
// chart, breakdowns, goals, a funnel and recent activity for one site, built from the hooks
// in queries.ts. A click on any breakdown row filters all of it; the filter bar edits the
// filters. What it shows (range, interval, comparison, filters, tabs, funnel) lives in the
// query string by default.
import { useCallback, useState, type ReactNode } from "react";
import type { Filter } from "../client/types.js";
import { ActivityPanel } from "./panels/ActivityPanel.js";
import type { AnalyticsApi } from "./api.js";
import { BreakdownPanel } from "./panels/BreakdownPanel.js";
import { BREAKDOWN_PANELS } from "./panels/breakdownPanels.js";
import { COMPARISON_LABELS, comparisonRange } from "./model/comparison.js";
import {
  defaultDashboardState,
  useDashboardState,
  type DashboardState,
  type UpdateDashboardState,
} from "./hooks/dashboardState.js";
import { EmptyState } from "./panels/EmptyState.js";
import { DashboardErrorBoundary, ErrorAlertContext } from "./ui/ErrorBoundary.js";
import { errorMessage } from "./model/errors.js";
import { EventsPanel } from "./panels/EventsPanel.js";
import { FilterBar, FilterRefusal, type EditorTarget } from "./panels/FilterBar.js";
import { addRowFilter, filtersKey, isFilterError } from "./model/filters.js";
import { formatRange } from "./model/format.js";
import { FunnelPanel } from "./panels/FunnelPanel.js";
import { GoalsPanel } from "./panels/GoalsPanel.js";
import { resolveInterval } from "./model/intervals.js";
import { KpiRow } from "./panels/KpiRow.js";
import { useComparedOverview, useHasAnyEvents, useOverview } from "./hooks/queries.js";
import {
  shiftSelection,
  toDateInput,
  type DashboardRange,
  type RangeSelection,
} from "./model/range.js";
import { RangePicker } from "./panels/RangePicker.js";
import { RealtimeView } from "./panels/RealtimeView.js";
import { createSampleStore, SampleContext } from "./ui/sampling.js";
import { useShortcuts, type ShortcutAction } from "./hooks/shortcuts.js";
import { DASHBOARD_CSS, ROOT_CLASS } from "./ui/styles.js";
import { resolveTheme, type DashboardTheme } from "./ui/theme.js";
import { TimeseriesChart } from "./panels/TimeseriesChart.js";
import { useDashboardRange, useHourClock } from "./hooks/useDashboardRange.js";

export type AnalyticsDashboardProps = {
  /** The module the host re-exported from `exposeAnalyticsApi`, e.g. `api.analytics`. */
  api: AnalyticsApi;
  siteId: string;
  /** A preset ("today", "7d", "month", "all"…) or `{ from, to }` dates; default "7d". */
  defaultRange?: RangeSelection;
  className?: string;
  /** "auto" (default) follows prefers-color-scheme; or `{ mode, vars }` to override colours. */
  theme?: DashboardTheme;
  /** The heading, also the accessible name of the dashboard region. */
  title?: string;
  /** The ingest URL shown in the first-event snippet; derived from the Convex client by default. */
  ingestUrl?: string;
  /**
   * Keep the range, comparison, interval, filters, tabs and funnel in the page's query string
   * (default true), so links share the view and the back button works (a filter too). Turn off
   * for two dashboards on a page.
   */
  syncUrl?: boolean;
  /** Plausible's keyboard shortcuts (D, E, W, T, M, P, Y, L, A, R, C, X, ← →); default true. */
  shortcuts?: boolean;
};

type ContentProps = {
  api: AnalyticsApi;
  siteId: string;
  range: DashboardRange;
  state: DashboardState;
  update: UpdateDashboardState;
  resetKey: string;
  ingestUrl?: string;
};

function DashboardContent(props: ContentProps) {
  const { api, siteId, range, state, update, resetKey, ingestUrl } = props;
  const { filters } = state;
  const compared = comparisonRange(range, state.comparison);
  const overview = useOverview(api, siteId, range, false, filters);
  const previous = useComparedOverview(api, siteId, compared, filters);
  // The onboarding snippet is for sites that have never had an event, not for a quiet week
  // (or filters nothing matches): an empty range only prompts one more (tiny) read to tell
  // the two apart.
  const emptyRange =
    filters.length === 0 &&
    overview.data !== undefined &&
    !overview.isStale &&
    overview.data.pageviews === 0;
  const hasAnyEvents = useHasAnyEvents(api, siteId, emptyRange);
  if (emptyRange && hasAnyEvents === false) return <EmptyState ingestUrl={ingestUrl} />;

  // A click on a row narrows everything to it; a history entry, so Back undoes it.
  const onFilter = (dimension: string, key: string) =>
    update({ filters: addRowFilter(filters, dimension, key) }, "push");
  const panel = { api, siteId, range, filters };
  const setTab = (panelId: string) => (dimension: string | null) => {
    const tabs = { ...state.tabs };
    if (dimension === null) delete tabs[panelId];
    else tabs[panelId] = dimension;
    update({ tabs }, "replace");
  };
  const eventsPanel = (
    <DashboardErrorBoundary resetKey={resetKey} title="Couldn't load events">
      <EventsPanel {...panel} onFilter={onFilter} />
    </DashboardErrorBoundary>
  );
  return (
    <>
      <KpiRow
        api={api}
        siteId={siteId}
        overview={overview.data}
        previous={compared ? previous.data : undefined}
        comparedWith={COMPARISON_LABELS[state.comparison.mode]}
        isStale={overview.isStale || (compared !== null && previous.isStale)}
        selectedMetric={state.metric}
        onSelectMetric={(metric) => update({ metric }, "replace")}
        onOpenRealtime={() => update({ period: "realtime" }, "push")}
      />
      <DashboardErrorBoundary resetKey={resetKey} title="Couldn't load the chart">
        <TimeseriesChart
          {...panel}
          interval={resolveInterval(range, state.interval)}
          comparison={compared}
          metric={state.metric}
          filters={filters}
        />
      </DashboardErrorBoundary>
      <div className="cxa-grid">
        {BREAKDOWN_PANELS.map((config) => (
          <DashboardErrorBoundary
            key={config.id}
            resetKey={resetKey}
            title={`Couldn't load ${config.title.toLowerCase()}`}
          >
            <BreakdownPanel
              {...panel}
              config={config}
              selectedTab={state.tabs[config.id]}
              onSelectTab={setTab(config.id)}
              onFilter={onFilter}
            />
          </DashboardErrorBoundary>
        ))}
        {/* Events and goal conversions side by side, as in Plausible; events alone span both. */}
        {api.getGoals ? (
          <>
            {eventsPanel}
            <DashboardErrorBoundary resetKey={resetKey} title="Couldn't load goal conversions">
              <GoalsPanel
                getGoals={api.getGoals}
                getRangePart={api.getRangePart}
                siteId={siteId}
                range={range}
                comparison={compared}
                comparedWith={COMPARISON_LABELS[state.comparison.mode]}
                filters={filters}
                onFilter={onFilter}
              />
            </DashboardErrorBoundary>
          </>
        ) : (
          <div className="cxa-span-2">{eventsPanel}</div>
        )}
        {api.getFunnel && api.listFunnels ? (
          <div className="cxa-span-2">
            <DashboardErrorBoundary resetKey={resetKey} title="Couldn't load the funnel">
              <FunnelPanel
                getFunnel={api.getFunnel}
                listFunnels={api.listFunnels}
                siteId={siteId}
                range={range}
                filters={filters}
                selected={state.funnel}
                onSelect={(funnel) => update({ funnel: funnel ?? undefined }, "replace")}
              />
            </DashboardErrorBoundary>
          </div>
        ) : null}
        <div className="cxa-span-2">
          <DashboardErrorBoundary resetKey={resetKey} title="Couldn't load recent activity">
            <ActivityPanel {...panel} />
          </DashboardErrorBoundary>
        </div>
      </div>
    </>
  );
}

export function AnalyticsDashboard(props: AnalyticsDashboardProps) {
  const {
    api,
    siteId,
    defaultRange = "7d",
    className,
    theme,
    title = "Analytics",
    ingestUrl,
    syncUrl = true,
    shortcuts = true,
  } = props;
  const [state, update] = useDashboardState(defaultDashboardState(defaultRange), syncUrl);
  const realtime = state.period === "realtime";
  const selection = realtime ? defaultRange : (state.period as RangeSelection);
  const range = useDashboardRange(selection);
  const now = useHourClock();
  const { mode, style } = resolveTheme(theme);
  // A new site, range, comparison or filter is a new question: retry whatever failed before.
  const resetKey = `${siteId}:${realtime}:${range.from}:${range.to}:${JSON.stringify(state.comparison)}:${filtersKey(state.filters)}`;
  const [sampleStore] = useState(createSampleStore);
  const [editing, setEditing] = useState<EditorTarget | undefined>(undefined);
  const setFilters = useCallback((filters: Filter[]) => update({ filters }, "push"), [update]);
  // A read the server refused for a filter: say which, and offer to edit or drop it.
  const filterAlert = useCallback(
    (error: unknown): ReactNode | null =>
      isFilterError(errorMessage(error)) ? (
        <FilterRefusal
          error={error}
          filters={state.filters}
          onEdit={setEditing}
          onChange={setFilters}
        />
      ) : null,
    [state.filters, setFilters],
  );

  useShortcuts(shortcuts, (action: ShortcutAction) => {
    switch (action.kind) {
      case "preset":
        return update({ period: action.preset }, "push");
      case "realtime":
        return update({ period: "realtime" }, "push");
      case "custom":
        return update(
          { period: { from: toDateInput(range.from), to: toDateInput(range.to - 1) } },
          "push",
        );
      case "compare":
        if (realtime) return;
        return update(
          {
            comparison: {
              ...state.comparison,
              mode: state.comparison.mode === "off" ? "previous" : "off",
            },
          },
          "push",
        );
      case "shift": {
        const shifted = realtime ? null : shiftSelection(selection, range, action.direction, now);
        if (shifted) update({ period: shifted }, "push");
      }
    }
  });

  return (
    <section
      className={className ? `${ROOT_CLASS} ${className}` : ROOT_CLASS}
      data-theme={mode}
      style={style}
      aria-label={title}
    >
      {/* The CSS is a constant of this package, never user input. */}
      <style data-cxa-styles="" dangerouslySetInnerHTML={{ __html: DASHBOARD_CSS }} />
      <header className="cxa-header">
        <div>
          <h2 className="cxa-title">{title}</h2>
          <p className="cxa-subtitle">
            {realtime ? "Realtime: the last 30 minutes" : formatRange(range.from, range.to)}
            {!realtime && range.clamped ? (
              <span className="cxa-muted">
                {" "}
                · the last 3 years only: the longest range the read API allows
              </span>
            ) : null}
          </p>
        </div>
        <RangePicker
          state={state}
          range={realtime ? null : range}
          onChange={update}
          now={Date.now()}
        />
      </header>
      <SampleContext.Provider value={sampleStore}>
        <ErrorAlertContext.Provider value={filterAlert}>
          {realtime ? (
            state.filters.length > 0 ? (
              <p className="cxa-muted cxa-filter-note">
                The realtime view shows every visit: filters apply to the other ranges.
              </p>
            ) : null
          ) : (
            <FilterBar
              api={api}
              siteId={siteId}
              range={range}
              filters={state.filters}
              onChange={setFilters}
              editing={editing}
              onEdit={setEditing}
            />
          )}
          <DashboardErrorBoundary resetKey={resetKey}>
            {realtime ? (
              <RealtimeView api={api} siteId={siteId} />
            ) : (
              <DashboardContent
                api={api}
                siteId={siteId}
                range={range}
                state={state}
                update={update}
                resetKey={resetKey}
                ingestUrl={ingestUrl}
              />
            )}
          </DashboardErrorBoundary>
        </ErrorAlertContext.Provider>
      </SampleContext.Provider>
    </section>
  );
}
