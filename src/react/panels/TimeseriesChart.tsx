// The time series under the KPI row: the selected metric per hour, day, week or month, the
// compared period dashed behind it, the running period dashed (chartData.ts has the rules).
import { useId, useMemo, useRef } from "react";
import { Area, CartesianGrid, ComposedChart, Line, Tooltip, XAxis, YAxis } from "recharts";
import type { Filter } from "../../client/types.js";
import type { AnalyticsApi } from "../api.js";
import {
  chartData,
  formatBucketTitle,
  formatTick,
  formatValueTick,
  hourTicks,
  valueTicks,
  type ChartDatum,
} from "../model/chartData.js";
import { useChartSeries } from "../hooks/useChartSeries.js";
import { downloadCsv, timeseriesCsv } from "../model/csv.js";
import type { ChartInterval } from "../model/intervals.js";
import { kpiForMetric, type ChartMetric } from "../model/metrics.js";
import { DAY_MS, toDateInput, type DashboardRange } from "../model/range.js";
import { SkeletonBlock } from "../ui/Skeleton.js";
import { useElementWidth } from "../hooks/useElementWidth.js";

const CHART_HEIGHT = 260;
/** Used until the container has been measured (and in DOMs that never lay out). */
const FALLBACK_WIDTH = 640;
/** Room one hourly tick label needs. */
const TICK_WIDTH_PX = 64;
/** Up to this many points each gets a dot; more would be a bead curtain. */
const DOTS_UP_TO = 40;

function ChartTooltip(props: {
  active?: boolean;
  label?: string | number;
  byT: Map<number, ChartDatum>;
  metric: ChartMetric;
  interval: ChartInterval;
}) {
  const datum =
    props.active && props.label !== undefined ? props.byT.get(Number(props.label)) : undefined;
  if (!datum) return null;
  const kpi = kpiForMetric(props.metric);
  const value = datum.value ?? datum.partial;
  return (
    <div className="cxa-tooltip">
      <div className="cxa-tooltip-title">
        {formatBucketTitle(datum.t, props.interval)}
        {datum.incomplete ? <span className="cxa-muted"> (so far)</span> : null}
      </div>
      <div className="cxa-tooltip-row">
        <span>{kpi.label}</span>
        <strong>{value === null ? "—" : kpi.format(value)}</strong>
      </div>
      {datum.previousT !== undefined ? (
        <div className="cxa-tooltip-row cxa-muted">
          <span>{formatBucketTitle(datum.previousT, props.interval)}</span>
          <span>
            {datum.previous === null || datum.previous === undefined
              ? "—"
              : kpi.format(datum.previous)}
          </span>
        </div>
      ) : null}
    </div>
  );
}

function describe(metric: ChartMetric, interval: ChartInterval, data: ChartDatum[]): string {
  const kpi = kpiForMetric(metric);
  let peak: { t: number; value: number } | undefined;
  for (const d of data) {
    const value = d.value ?? d.partial;
    if (value !== null && (!peak || value > peak.value)) peak = { t: d.t, value };
  }
  const per = `${kpi.label} per ${interval}`;
  if (!peak) return `${per}: no data`;
  return `${per}, ${data.length} points; highest ${kpi.format(peak.value)} at ${formatBucketTitle(peak.t, interval)}`;
}

export function TimeseriesChart(props: {
  api: AnalyticsApi;
  siteId: string;
  range: DashboardRange;
  interval: ChartInterval;
  comparison: DashboardRange | null;
  metric: ChartMetric;
  filters?: Filter[];
}) {
  const { api, siteId, range, interval, comparison, metric, filters } = props;
  const current = useChartSeries(api, siteId, range, interval, filters);
  const previous = useChartSeries(api, siteId, comparison, interval, filters);
  const container = useRef<HTMLDivElement>(null);
  const width = useElementWidth(container, FALLBACK_WIDTH);
  // useId's ":r1:" isn't safe inside url(#…): keep letters and digits only.
  const gradientId = `cxa-fill-${useId().replace(/[^a-zA-Z0-9]/g, "")}`;
  const kpi = kpiForMetric(metric);
  const series = current.data;

  const data = useMemo(
    () =>
      series ? chartData(metric, series, comparison ? previous.data : undefined, Date.now()) : [],
    [series, previous.data, comparison, metric],
  );
  const byT = useMemo(() => new Map(data.map((d) => [d.t, d])), [data]);
  const yTicks = useMemo(() => valueTicks(metric, data), [metric, data]);
  const spansDays = range.to - range.from > DAY_MS;
  const xTicks =
    interval === "hour"
      ? hourTicks(
          data.map((d) => d.t),
          Math.max(2, Math.floor(width / TICK_WIDTH_PX)),
        )
      : undefined;
  const dots = data.length <= DOTS_UP_TO;

  const exportCsv = () => {
    if (!series) return;
    const name = `timeseries-${interval}-${toDateInput(range.from)}-${toDateInput(range.to - 1)}.csv`;
    downloadCsv(name, timeseriesCsv(series));
  };

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
        <div className="cxa-chart-tools">
          {comparison ? (
            <div className="cxa-legend" aria-hidden="true">
              <span>
                <span className="cxa-legend-swatch" />
                This period
              </span>
              <span>
                <span className="cxa-legend-swatch cxa-legend-swatch-previous" />
                Compared period
              </span>
            </div>
          ) : null}
          <button type="button" className="cxa-link-button" onClick={exportCsv} disabled={!series}>
            Export CSV
          </button>
        </div>
      </div>
      <div ref={container} className={`cxa-chart${current.isStale ? " cxa-stale" : ""}`}>
        {series === undefined ? (
          <SkeletonBlock height={CHART_HEIGHT - 10} />
        ) : (
          <figure style={{ margin: 0 }}>
            {/* recharts' own keyboard layer (arrow keys walk the points) stays usable; this
                caption gives screen readers the gist without walking them. */}
            <figcaption className="cxa-sr-only">{describe(metric, interval, data)}</figcaption>
            <ComposedChart
              width={width}
              height={CHART_HEIGHT}
              data={data}
              margin={{ top: 8, right: 12, bottom: 0, left: 0 }}
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
                ticks={xTicks}
                interval={xTicks ? 0 : "preserveEnd"}
                tickFormatter={(t: number) => formatTick(t, interval, spansDays)}
                tickLine={false}
                axisLine={false}
                minTickGap={xTicks ? 4 : 28}
                tickMargin={8}
              />
              <YAxis
                width={56}
                ticks={yTicks}
                domain={[0, yTicks[yTicks.length - 1]]}
                tickFormatter={(v: number) => formatValueTick(metric, v)}
                tickLine={false}
                axisLine={false}
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
              {comparison ? (
                <Line
                  type="monotone"
                  dataKey="previous"
                  stroke="var(--cxa-text-muted)"
                  strokeDasharray="4 4"
                  strokeWidth={1.5}
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
                dot={dots ? { r: 2.5, fill: "var(--cxa-accent)", strokeWidth: 0 } : false}
                activeDot={{
                  r: 4,
                  fill: "var(--cxa-accent)",
                  stroke: "var(--cxa-surface)",
                  strokeWidth: 2,
                }}
                isAnimationActive={false}
              />
              {/* The running period: dashed, and its point hollow, so it reads as "so far". */}
              <Line
                type="monotone"
                dataKey="partial"
                stroke="var(--cxa-accent)"
                strokeWidth={2}
                strokeDasharray="5 4"
                dot={(p: { cx?: number; cy?: number; index?: number }) =>
                  p.index === data.length - 1 && p.cx !== undefined && p.cy !== undefined ? (
                    <circle
                      key="incomplete"
                      className="cxa-incomplete-dot"
                      cx={p.cx}
                      cy={p.cy}
                      r={3.5}
                      fill="var(--cxa-surface)"
                      stroke="var(--cxa-accent)"
                      strokeWidth={2}
                    />
                  ) : (
                    <g key={`none-${p.index}`} />
                  )
                }
                activeDot={false}
                legendType="none"
                isAnimationActive={false}
              />
            </ComposedChart>
          </figure>
        )}
      </div>
    </section>
  );
}
