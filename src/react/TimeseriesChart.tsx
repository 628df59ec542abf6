// The time series under the KPI row: the selected metric per hour (ranges up to two days)
// or per day, with the previous period dashed behind it when comparing.
import { useId, useMemo, useRef } from "react";
import { Area, AreaChart, CartesianGrid, Tooltip, XAxis, YAxis } from "recharts";
import type { Interval, Timeseries } from "../client/types.js";
import type { AnalyticsApi } from "./api.js";
import { formatBucket, formatBucketLong } from "./format.js";
import { kpiForMetric, type ChartMetric } from "./metrics.js";
import { previousRange, useTimeseries } from "./queries.js";
import type { DashboardRange } from "./range.js";
import { SkeletonBlock } from "./Skeleton.js";
import { useElementWidth } from "./useElementWidth.js";

const CHART_HEIGHT = 260;
/** Used until the container has been measured (and in DOMs that never lay out). */
const FALLBACK_WIDTH = 640;

type ChartDatum = { t: number; value: number; previous?: number; previousT?: number };

function chartData(
  metric: ChartMetric,
  current: Timeseries,
  previous: Timeseries | undefined,
): ChartDatum[] {
  // Previous points are paired by position: both series have one point per bucket of
  // ranges of equal length.
  return current.points.map((point, i) => {
    const before = previous?.points[i];
    return before
      ? { t: point.t, value: point[metric], previous: before[metric], previousT: before.t }
      : { t: point.t, value: point[metric] };
  });
}

function ChartTooltip(props: {
  active?: boolean;
  label?: string | number;
  byT: Map<number, ChartDatum>;
  metric: ChartMetric;
  interval: Interval;
}) {
  const datum =
    props.active && props.label !== undefined ? props.byT.get(Number(props.label)) : undefined;
  if (!datum) return null;
  const kpi = kpiForMetric(props.metric);
  return (
    <div className="cxa-tooltip">
      <div className="cxa-tooltip-title">{formatBucketLong(datum.t, props.interval)}</div>
      <div className="cxa-tooltip-row">
        <span>{kpi.label}</span>
        <strong>{kpi.format(datum.value)}</strong>
      </div>
      {datum.previous !== undefined && datum.previousT !== undefined ? (
        <div className="cxa-tooltip-row cxa-muted">
          <span>{formatBucketLong(datum.previousT, props.interval)}</span>
          <span>{kpi.format(datum.previous)}</span>
        </div>
      ) : null}
    </div>
  );
}

function describe(metric: ChartMetric, interval: Interval, data: ChartDatum[]): string {
  const kpi = kpiForMetric(metric);
  const peak = data.reduce<ChartDatum | undefined>(
    (best, d) => (!best || d.value > best.value ? d : best),
    undefined,
  );
  const per = `${kpi.label} per ${interval}`;
  if (!peak) return `${per}: no data`;
  return `${per}, ${data.length} points; highest ${kpi.format(peak.value)} at ${formatBucketLong(peak.t, interval)}`;
}

export function TimeseriesChart(props: {
  api: AnalyticsApi;
  siteId: string;
  range: DashboardRange;
  compare: boolean;
  metric: ChartMetric;
}) {
  const { api, siteId, range, compare, metric } = props;
  const current = useTimeseries(api, siteId, range);
  const previous = useTimeseries(api, siteId, compare ? previousRange(range) : null);
  const container = useRef<HTMLDivElement>(null);
  const width = useElementWidth(container, FALLBACK_WIDTH);
  // useId's ":r1:" isn't safe inside url(#…): keep letters and digits only.
  const gradientId = `cxa-fill-${useId().replace(/[^a-zA-Z0-9]/g, "")}`;
  const kpi = kpiForMetric(metric);
  const series = current.data;
  const interval = series?.interval ?? range.interval;

  const data = useMemo(
    () => (series ? chartData(metric, series, compare ? previous.data : undefined) : []),
    [series, previous.data, compare, metric],
  );
  const byT = useMemo(() => new Map(data.map((d) => [d.t, d])), [data]);

  return (
    <section
      className="cxa-card cxa-chart-card"
      aria-label={`${kpi.label} over time`}
      aria-busy={series === undefined}
    >
      <div className="cxa-chart-head">
        <h3 className="cxa-chart-title">
          {kpi.label} <span className="cxa-muted">per {interval}</span>
        </h3>
        {compare ? (
          <div className="cxa-legend" aria-hidden="true">
            <span>
              <span className="cxa-legend-swatch" />
              This period
            </span>
            <span>
              <span className="cxa-legend-swatch cxa-legend-swatch-previous" />
              Previous period
            </span>
          </div>
        ) : null}
      </div>
      <div ref={container} className={`cxa-chart${current.isStale ? " cxa-stale" : ""}`}>
        {series === undefined ? (
          <SkeletonBlock height={CHART_HEIGHT - 10} />
        ) : (
          <figure style={{ margin: 0 }}>
            {/* recharts' own keyboard layer (arrow keys walk the points) stays usable; this
                caption gives screen readers the gist without walking them. */}
            <figcaption className="cxa-sr-only">{describe(metric, interval, data)}</figcaption>
            <AreaChart
              width={width}
              height={CHART_HEIGHT}
              data={data}
              margin={{ top: 8, right: 8, bottom: 0, left: 0 }}
            >
              <defs>
                <linearGradient id={gradientId} x1="0" y1="0" x2="0" y2="1">
                  <stop offset="0%" stopColor="var(--cxa-accent)" stopOpacity={0.28} />
                  <stop offset="100%" stopColor="var(--cxa-accent)" stopOpacity={0} />
                </linearGradient>
              </defs>
              <CartesianGrid vertical={false} stroke="var(--cxa-border)" />
              <XAxis
                dataKey="t"
                tickFormatter={(t: number) => formatBucket(t, interval)}
                tickLine={false}
                axisLine={false}
                minTickGap={28}
                tickMargin={8}
              />
              <YAxis
                width={52}
                tickFormatter={(v: number) => kpi.format(v)}
                tickLine={false}
                axisLine={false}
                allowDecimals={metric === "bounceRate"}
              />
              <Tooltip
                cursor={{ stroke: "var(--cxa-border-strong)" }}
                isAnimationActive={false}
                content={(p) => (
                  <ChartTooltip
                    active={p.active}
                    label={p.label}
                    byT={byT}
                    metric={metric}
                    interval={interval}
                  />
                )}
              />
              {compare ? (
                <Area
                  type="monotone"
                  dataKey="previous"
                  stroke="var(--cxa-text-muted)"
                  strokeDasharray="4 4"
                  strokeWidth={1.5}
                  fill="none"
                  dot={false}
                  activeDot={false}
                  isAnimationActive={false}
                />
              ) : null}
              <Area
                type="monotone"
                dataKey="value"
                stroke="var(--cxa-accent)"
                strokeWidth={2}
                fill={`url(#${gradientId})`}
                fillOpacity={1}
                dot={false}
                activeDot={{
                  r: 4,
                  fill: "var(--cxa-accent)",
                  stroke: "var(--cxa-surface)",
                  strokeWidth: 2,
                }}
                isAnimationActive={false}
              />
            </AreaChart>
          </figure>
        )}
      </div>
    </section>
  );
}
