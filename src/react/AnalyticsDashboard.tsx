// <AnalyticsDashboard api={api.analytics} siteId={id} />: a Plausible-like page of figures,
// chart, breakdowns and recent activity for one site, built from the hooks in queries.ts.
import { useState } from "react";
import { ActivityPanel } from "./ActivityPanel.js";
import type { AnalyticsApi } from "./api.js";
import { BreakdownPanel } from "./BreakdownPanel.js";
import { BREAKDOWN_PANELS } from "./breakdownPanels.js";
import { EmptyState } from "./EmptyState.js";
import { DashboardErrorBoundary } from "./ErrorBoundary.js";
import { EventsPanel } from "./EventsPanel.js";
import { formatRange } from "./format.js";
import { KpiRow } from "./KpiRow.js";
import type { ChartMetric } from "./metrics.js";
import { useHasAnyEvents, useOverview } from "./queries.js";
import type { DashboardRange, RangeSelection } from "./range.js";
import { RangePicker } from "./RangePicker.js";
import { DASHBOARD_CSS, ROOT_CLASS } from "./styles.js";
import { resolveTheme, type DashboardTheme } from "./theme.js";
import { TimeseriesChart } from "./TimeseriesChart.js";
import { useDashboardRange } from "./useDashboardRange.js";

export type AnalyticsDashboardProps = {
  /** The module the host re-exported from `exposeAnalyticsApi`, e.g. `api.analytics`. */
  api: AnalyticsApi;
  siteId: string;
  /** A preset ("today", "24h", "7d", "30d", "12mo") or `{ from, to }` dates; default "7d". */
  defaultRange?: RangeSelection;
  className?: string;
  /** "auto" (default) follows prefers-color-scheme; or `{ mode, vars }` to override colours. */
  theme?: DashboardTheme;
  /** The heading, also the accessible name of the dashboard region. */
  title?: string;
  /** The ingest URL shown in the first-event snippet; derived from the Convex client by default. */
  ingestUrl?: string;
};

type ContentProps = {
  api: AnalyticsApi;
  siteId: string;
  range: DashboardRange;
  compare: boolean;
  metric: ChartMetric;
  onSelectMetric: (metric: ChartMetric) => void;
  resetKey: string;
  ingestUrl?: string;
};

function DashboardContent(props: ContentProps) {
  const { api, siteId, range, compare, metric, onSelectMetric, resetKey, ingestUrl } = props;
  const overview = useOverview(api, siteId, range, compare);
  // The onboarding snippet is for sites that have never had an event, not for a quiet week:
  // an empty range only prompts one more (tiny) read to tell the two apart.
  const emptyRange =
    overview.data !== undefined && !overview.isStale && overview.data.pageviews === 0;
  const hasAnyEvents = useHasAnyEvents(api, siteId, emptyRange);
  if (emptyRange && hasAnyEvents === false) return <EmptyState ingestUrl={ingestUrl} />;

  const panel = { api, siteId, range };
  return (
    <>
      <KpiRow
        api={api}
        siteId={siteId}
        overview={overview.data}
        isStale={overview.isStale}
        selectedMetric={metric}
        onSelectMetric={onSelectMetric}
      />
      <DashboardErrorBoundary resetKey={resetKey} title="Couldn't load the chart">
        <TimeseriesChart {...panel} compare={compare} metric={metric} />
      </DashboardErrorBoundary>
      <div className="cxa-grid">
        {BREAKDOWN_PANELS.map((config) => (
          <DashboardErrorBoundary
            key={config.id}
            resetKey={resetKey}
            title={`Couldn't load ${config.title.toLowerCase()}`}
          >
            <BreakdownPanel {...panel} config={config} />
          </DashboardErrorBoundary>
        ))}
        <div className="cxa-span-2">
          <DashboardErrorBoundary resetKey={resetKey} title="Couldn't load events">
            <EventsPanel {...panel} />
          </DashboardErrorBoundary>
        </div>
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
  } = props;
  const [selection, setSelection] = useState<RangeSelection>(defaultRange);
  const [compare, setCompare] = useState(false);
  const [metric, setMetric] = useState<ChartMetric>("visitors");
  const range = useDashboardRange(selection);
  const { mode, style } = resolveTheme(theme);
  // A new site, range or comparison is a new question: retry whatever failed before.
  const resetKey = `${siteId}:${range.from}:${range.to}:${compare}`;

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
          <p className="cxa-subtitle">{formatRange(range.from, range.to)}</p>
        </div>
        <RangePicker
          selection={selection}
          range={range}
          onSelect={setSelection}
          compare={compare}
          onCompareChange={setCompare}
        />
      </header>
      <DashboardErrorBoundary resetKey={resetKey}>
        <DashboardContent
          api={api}
          siteId={siteId}
          range={range}
          compare={compare}
          metric={metric}
          onSelectMetric={setMetric}
          resetKey={resetKey}
          ingestUrl={ingestUrl}
        />
      </DashboardErrorBoundary>
    </section>
  );
}
