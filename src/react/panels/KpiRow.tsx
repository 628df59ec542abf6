// The row of headline figures. Cards for figures the chart can plot are toggle buttons
// that pick the chart's metric, as in Plausible; the others are plain cards. The grid has
// as many columns as cards on wide screens, half as many on medium ones and two on phones,
// the last card widening to fill its row, so no row ends in an empty cell. A figure the
// overview doesn't have (identified users, under filters) reads "—" in its card, so the
// row keeps its shape when filters come and go.
import type { CSSProperties } from "react";
import type { OverviewFigures } from "../../client/types.js";
import type { AnalyticsApi } from "../api.js";
import { ComparedDelta } from "../ui/ComparedDelta.js";
import { formatCount, formatExact } from "../model/format.js";
import { KPIS, type ChartMetric, type KpiDefinition } from "../model/metrics.js";
import { useRealtime } from "../hooks/queries.js";
import { SkeletonBlock } from "../ui/Skeleton.js";

/** A period without a single visit: nothing to compare with, or to compare. */
export function isEmptyPeriod(figures: OverviewFigures): boolean {
  return figures.sessions === 0 && figures.pageviews === 0 && figures.events === 0;
}

function KpiCard(props: {
  kpi: KpiDefinition;
  figures: OverviewFigures;
  previous: OverviewFigures | undefined;
  comparedWith: string;
  selectedMetric: ChartMetric;
  onSelectMetric: (metric: ChartMetric) => void;
}) {
  const { kpi, figures, previous, comparedWith, selectedMetric, onSelectMetric } = props;
  const value = figures[kpi.key];
  const previousValue = previous?.[kpi.key];
  const content =
    value === undefined ? (
      <>
        <span className="cxa-kpi-label">{kpi.label}</span>
        <span className="cxa-kpi-value" aria-hidden="true">
          —
        </span>
        <span className="cxa-kpi-foot cxa-muted">not with filters</span>
      </>
    ) : (
      <>
        <span className="cxa-kpi-label">{kpi.label}</span>
        <span
          className="cxa-kpi-value"
          title={kpi.format === formatCount ? formatExact(value) : undefined}
        >
          {kpi.format(value)}
        </span>
        <span className="cxa-kpi-foot">
          {previous && previousValue !== undefined ? (
            <ComparedDelta
              measure={kpi}
              current={value}
              previous={previousValue}
              empty={isEmptyPeriod(figures) || isEmptyPeriod(previous)}
              comparedWith={comparedWith}
            />
          ) : null}
        </span>
      </>
    );
  const metric = kpi.chartMetric;
  if (!metric)
    return (
      <div
        className="cxa-kpi"
        data-kpi={kpi.key}
        {...(value === undefined
          ? {
              role: "group",
              "aria-label": `${kpi.label}: not counted under filters`,
              title: "Not known per visit, so not counted under filters",
            }
          : {})}
      >
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
  onOpen,
}: {
  getRealtime: NonNullable<AnalyticsApi["getRealtime"]>;
  siteId: string;
  onOpen: () => void;
}) {
  const realtime = useRealtime(getRealtime, siteId);
  return (
    <button
      type="button"
      className="cxa-kpi"
      data-kpi="realtime"
      aria-busy={realtime === undefined}
      aria-label={`Visitors now: ${realtime ? formatCount(realtime.activeVisitors) : "loading"}. Open the realtime view`}
      onClick={onOpen}
    >
      <span className="cxa-kpi-label">
        <span className="cxa-live-dot" aria-hidden="true" />
        Visitors now
      </span>
      <span className="cxa-kpi-value">
        {realtime ? formatCount(realtime.activeVisitors) : <SkeletonBlock width={40} height={28} />}
      </span>
      <span className="cxa-kpi-foot cxa-muted">live · details</span>
    </button>
  );
}

/** Column counts and the last card's span per layout, as CSS variables (see styles.ts). */
export function kpiGridStyle(cards: number): CSSProperties {
  const lastSpan = (columns: number) => {
    const rest = cards % columns;
    return rest === 0 ? 1 : columns - rest + 1;
  };
  const medium = Math.ceil(cards / 2);
  return {
    "--cxa-kpi-cols": cards,
    "--cxa-kpi-cols-medium": medium,
    "--cxa-kpi-last-medium": lastSpan(medium),
    "--cxa-kpi-last-narrow": lastSpan(2),
  } as CSSProperties;
}

export function KpiRow(props: {
  api: AnalyticsApi;
  siteId: string;
  overview: OverviewFigures | undefined;
  /** The compared period's figures, when comparing. */
  previous: OverviewFigures | undefined;
  /** What `previous` is, e.g. "Previous period", for titles and screen readers. */
  comparedWith: string;
  isStale: boolean;
  selectedMetric: ChartMetric;
  onSelectMetric: (metric: ChartMetric) => void;
  onOpenRealtime: () => void;
}) {
  const { api, siteId, overview, previous, comparedWith, isStale } = props;
  const { selectedMetric, onSelectMetric, onOpenRealtime } = props;
  return (
    <section
      className={`cxa-card cxa-kpis${isStale ? " cxa-stale" : ""}`}
      aria-label="Key figures"
      aria-busy={overview === undefined || isStale}
      style={kpiGridStyle(KPIS.length + (api.getRealtime ? 1 : 0))}
    >
      {api.getRealtime ? (
        <RealtimeKpi getRealtime={api.getRealtime} siteId={siteId} onOpen={onOpenRealtime} />
      ) : null}
      {KPIS.map((kpi) =>
        overview ? (
          <KpiCard
            key={kpi.key}
            kpi={kpi}
            figures={overview}
            previous={previous}
            comparedWith={comparedWith}
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
