// The figures of the KPI row and the chart: label, formatting and which way is "better",
// in one table so that the cards, the chart axis and the tooltips agree.
import type { OverviewFigures, TimeseriesPoint } from "../../client/types.js";
import {
  formatCount,
  formatDuration,
  formatPercent,
  formatRatio,
  pointsDelta,
  relativeDelta,
  type Delta,
} from "./format.js";

/** The figures a time series has a point value for, i.e. the ones the chart can draw. */
export type ChartMetric = keyof Omit<TimeseriesPoint, "t">;
export type KpiKey = keyof Omit<OverviewFigures, "events">;

export type KpiDefinition = {
  key: KpiKey;
  label: string;
  format: (value: number) => string;
  delta: (current: number, previous: number) => Delta;
  /** False for bounce rate: a drop is good news and is coloured as such. */
  higherIsBetter: boolean;
  /** Set when the chart can plot this figure over time. */
  chartMetric?: ChartMetric;
};

export const KPIS: KpiDefinition[] = [
  {
    key: "visitors",
    label: "Unique visitors",
    format: formatCount,
    delta: relativeDelta,
    higherIsBetter: true,
    chartMetric: "visitors",
  },
  {
    key: "pageviews",
    label: "Total pageviews",
    format: formatCount,
    delta: relativeDelta,
    higherIsBetter: true,
    chartMetric: "pageviews",
  },
  {
    key: "sessions",
    label: "Visits",
    format: formatCount,
    delta: relativeDelta,
    higherIsBetter: true,
    chartMetric: "sessions",
  },
  {
    key: "bounceRate",
    label: "Bounce rate",
    format: formatPercent,
    delta: pointsDelta,
    higherIsBetter: false,
    chartMetric: "bounceRate",
  },
  {
    key: "avgDurationMs",
    label: "Visit duration",
    format: formatDuration,
    delta: relativeDelta,
    higherIsBetter: true,
    chartMetric: "avgDurationMs",
  },
  {
    key: "viewsPerSession",
    label: "Views per visit",
    format: formatRatio,
    delta: relativeDelta,
    higherIsBetter: true,
  },
  {
    key: "identifiedUsers",
    label: "Identified users",
    format: formatCount,
    delta: relativeDelta,
    higherIsBetter: true,
  },
];

export const CHART_METRICS: ChartMetric[] = [
  "visitors",
  "pageviews",
  "sessions",
  "bounceRate",
  "avgDurationMs",
];

export function kpiForMetric(metric: ChartMetric): KpiDefinition {
  return KPIS.find((kpi) => kpi.chartMetric === metric)!;
}
