// The row of headline figures. Cards for figures the chart can plot are toggle buttons
// that pick the chart's metric, as in Plausible; the others are plain cards.
import type { Overview, OverviewFigures } from "../client/types.js";
import type { AnalyticsApi } from "./api.js";
import { formatCount, formatExact } from "./format.js";
import { KPIS, type ChartMetric, type KpiDefinition } from "./metrics.js";
import { useRealtime } from "./queries.js";
import { SkeletonBlock } from "./Skeleton.js";

function KpiDelta({
  kpi,
  current,
  previous,
}: {
  kpi: KpiDefinition;
  current: number;
  previous: number;
}) {
  const delta = kpi.delta(current, previous);
  const good =
    delta.direction === "flat" ? null : (delta.direction === "up") === kpi.higherIsBetter;
  const tone = good === null ? "cxa-delta-flat" : good ? "cxa-delta-good" : "cxa-delta-bad";
  return (
    <>
      <span className={`cxa-delta ${tone}`} title={`Previous period: ${kpi.format(previous)}`}>
        {delta.text}
      </span>
      <span className="cxa-sr-only">
        {" "}
        compared with {kpi.format(previous)} in the previous period
      </span>
    </>
  );
}

function KpiCard(props: {
  kpi: KpiDefinition;
  figures: OverviewFigures;
  previous: OverviewFigures | undefined;
  selectedMetric: ChartMetric;
  onSelectMetric: (metric: ChartMetric) => void;
}) {
  const { kpi, figures, previous, selectedMetric, onSelectMetric } = props;
  const value = figures[kpi.key];
  const content = (
    <>
      <span className="cxa-kpi-label">{kpi.label}</span>
      <span
        className="cxa-kpi-value"
        title={kpi.format === formatCount ? formatExact(value) : undefined}
      >
        {kpi.format(value)}
      </span>
      <span className="cxa-kpi-foot">
        {previous ? <KpiDelta kpi={kpi} current={value} previous={previous[kpi.key]} /> : null}
      </span>
    </>
  );
  const metric = kpi.chartMetric;
  if (!metric)
    return (
      <div className="cxa-kpi" data-kpi={kpi.key}>
        {content}
      </div>
    );
  return (
    <button
      type="button"
      className="cxa-kpi"
      data-kpi={kpi.key}
      aria-pressed={selectedMetric === metric}
      onClick={() => onSelectMetric(metric)}
    >
      {content}
    </button>
  );
}

function RealtimeKpi({
  getRealtime,
  siteId,
}: {
  getRealtime: NonNullable<AnalyticsApi["getRealtime"]>;
  siteId: string;
}) {
  const realtime = useRealtime(getRealtime, siteId);
  return (
    <div className="cxa-kpi" data-kpi="realtime" aria-busy={realtime === undefined}>
      <span className="cxa-kpi-label">
        <span className="cxa-live-dot" aria-hidden="true" />
        Visitors now
      </span>
      <span className="cxa-kpi-value">
        {realtime ? formatCount(realtime.activeVisitors) : <SkeletonBlock width={40} height={28} />}
      </span>
      <span className="cxa-kpi-foot cxa-muted">live</span>
    </div>
  );
}

export function KpiRow(props: {
  api: AnalyticsApi;
  siteId: string;
  overview: Overview | undefined;
  isStale: boolean;
  selectedMetric: ChartMetric;
  onSelectMetric: (metric: ChartMetric) => void;
}) {
  const { api, siteId, overview, isStale, selectedMetric, onSelectMetric } = props;
  return (
    <section
      className={`cxa-card cxa-kpis${isStale ? " cxa-stale" : ""}`}
      aria-label="Key figures"
      aria-busy={overview === undefined || isStale}
    >
      {api.getRealtime ? <RealtimeKpi getRealtime={api.getRealtime} siteId={siteId} /> : null}
      {KPIS.map((kpi) =>
        overview ? (
          <KpiCard
            key={kpi.key}
            kpi={kpi}
            figures={overview}
            previous={overview.previous}
            selectedMetric={selectedMetric}
            onSelectMetric={onSelectMetric}
          />
        ) : (
          <div key={kpi.key} className="cxa-kpi" data-kpi={kpi.key}>
            <span className="cxa-kpi-label">{kpi.label}</span>
            <span className="cxa-kpi-value">
              <SkeletonBlock width={72} height={28} />
            </span>
            <span className="cxa-kpi-foot" />
          </div>
        ),
      )}
    </section>
  );
}
