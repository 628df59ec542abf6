// <AnalyticsDashboard api={api.analytics} siteId={id} />: a Plausible-like page of figures,
// chart, breakdowns and recent activity for one site, built from the hooks in queries.ts.
// What it shows (range, interval, comparison, tabs) lives in the query string by default.
import { ActivityPanel } from "./ActivityPanel.js";
import type { AnalyticsApi } from "./api.js";
import { BreakdownPanel } from "./BreakdownPanel.js";
import { BREAKDOWN_PANELS } from "./breakdownPanels.js";
import { COMPARISON_LABELS, comparisonRange } from "./comparison.js";
import {
  defaultDashboardState,
  useDashboardState,
  type DashboardState,
  type UpdateDashboardState,
} from "./dashboardState.js";
import { EmptyState } from "./EmptyState.js";
import { DashboardErrorBoundary } from "./ErrorBoundary.js";
import { EventsPanel } from "./EventsPanel.js";
import { formatRange } from "./format.js";
import { GoalsPanel } from "./GoalsPanel.js";
import { resolveInterval } from "./intervals.js";
import { KpiRow } from "./KpiRow.js";
import { useComparedOverview, useHasAnyEvents, useOverview } from "./queries.js";
import { shiftSelection, toDateInput, type DashboardRange, type RangeSelection } from "./range.js";
import { RangePicker } from "./RangePicker.js";
import { RealtimeView } from "./RealtimeView.js";
import { useShortcuts, type ShortcutAction } from "./shortcuts.js";
import { DASHBOARD_CSS, ROOT_CLASS } from "./styles.js";
import { resolveTheme, type DashboardTheme } from "./theme.js";
import { TimeseriesChart } from "./TimeseriesChart.js";
import { useDashboardRange, useHourClock } from "./useDashboardRange.js";

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
   * Keep the range, comparison, interval and tabs in the page's query string (default true),
   * so links share the view and the back button works. Turn off for two dashboards on a page.
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
  const compared = comparisonRange(range, state.comparison);
  const overview = useOverview(api, siteId, range, false);
  const previous = useComparedOverview(api, siteId, compared);
  // The onboarding snippet is for sites that have never had an event, not for a quiet week:
  // an empty range only prompts one more (tiny) read to tell the two apart.
  const emptyRange =
    overview.data !== undefined && !overview.isStale && overview.data.pageviews === 0;
  const hasAnyEvents = useHasAnyEvents(api, siteId, emptyRange);
  if (emptyRange && hasAnyEvents === false) return <EmptyState ingestUrl={ingestUrl} />;

  const panel = { api, siteId, range };
  const setTab = (panelId: string) => (dimension: string | null) => {
    const tabs = { ...state.tabs };
    if (dimension === null) delete tabs[panelId];
    else tabs[panelId] = dimension;
    update({ tabs }, "replace");
  };
  const eventsPanel = (
    <DashboardErrorBoundary resetKey={resetKey} title="Couldn't load events">
      <EventsPanel {...panel} />
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
                siteId={siteId}
                range={range}
                comparison={compared}
                comparedWith={COMPARISON_LABELS[state.comparison.mode]}
              />
            </DashboardErrorBoundary>
          </>
        ) : (
          <div className="cxa-span-2">{eventsPanel}</div>
        )}
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
  // A new site, range or comparison is a new question: retry whatever failed before.
  const resetKey = `${siteId}:${realtime}:${range.from}:${range.to}:${JSON.stringify(state.comparison)}`;

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
    </section>
  );
}
