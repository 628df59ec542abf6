// The points of the chart for a range and interval: which queries to subscribe to. Hours and
// days come from getTimeseries; a week or month point is one getOverview over that week or
// month (model/intervals.ts says why). How points are drawn is model/chartData.ts.
import { useQueries } from "convex/react";
import { getFunctionName } from "convex/server";
import { useMemo } from "react";
import type { Filter, Overview } from "../../client/types.js";
import type { AnalyticsApi } from "../api.js";
import { bucketEnd, type SeriesPoint } from "../model/chartData.js";
import { withFilters } from "../model/filters.js";
import { groupedBuckets, type ChartInterval } from "../model/intervals.js";
import { useKeepPrevious, useTimeseries, type QueryState } from "./queries.js";
import type { DashboardRange } from "../model/range.js";
import { useReportSample } from "../ui/sampling.js";

function useGroupedSeries(
  api: AnalyticsApi,
  siteId: string,
  range: DashboardRange | null,
  interval: "week" | "month" | null,
  filters: Filter[] | undefined,
): QueryState<SeriesPoint[]> {
  const buckets = range && interval ? groupedBuckets(range, interval) : [];
  // useQueries resubscribes whenever it gets a new object: one per set of buckets, not per
  // render. The function is named by its name: `api.x` of a generated api is a new object on
  // every access.
  const key = JSON.stringify([getFunctionName(api.getOverview), siteId, buckets, filters ?? []]);
  const requests = useMemo(
    () =>
      Object.fromEntries(
        buckets.map((b, i) => [
          String(i),
          {
            query: api.getOverview,
            args: withFilters({ siteId, from: b.from, to: b.to }, filters),
          },
        ]),
      ),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `key` stands for all four
    [key],
  );
  const results = useQueries(requests);
  let points: SeriesPoint[] | undefined = buckets.length > 0 ? [] : undefined;
  let fraction: number | undefined;
  buckets.forEach((bucket, i) => {
    const result = results[String(i)] as Overview | Error | undefined;
    // Thrown like useQuery does, for the chart's error boundary.
    if (result instanceof Error) throw result;
    if (result?.sample) fraction = Math.min(fraction ?? 1, result.sample.fraction);
    if (result === undefined || points === undefined) points = undefined;
    else
      points.push({
        t: bucket.from,
        end: bucket.to,
        visitors: result.visitors,
        pageviews: result.pageviews,
        sessions: result.sessions,
        bounceRate: result.bounceRate,
        avgDurationMs: result.avgDurationMs,
      });
  });
  useReportSample(fraction);
  return useKeepPrevious(points, `${siteId}:${interval}`);
}

/** The chart's points for `range` (null: none, e.g. no comparison) grouped by `interval`. */
export function useChartSeries(
  api: AnalyticsApi,
  siteId: string,
  range: DashboardRange | null,
  interval: ChartInterval,
  filters?: Filter[],
): QueryState<SeriesPoint[]> {
  const direct = interval === "hour" || interval === "day" ? interval : null;
  const grouping = interval === "week" || interval === "month" ? interval : null;
  const timeseries = useTimeseries(
    api,
    siteId,
    range && direct ? { ...range, interval: direct } : null,
    filters,
  );
  const grouped = useGroupedSeries(api, siteId, grouping ? range : null, grouping, filters);
  if (!direct) return grouped;
  const data = timeseries.data?.points.map((p) => ({ ...p, end: bucketEnd(p.t, direct) }));
  return { data, isStale: timeseries.isStale };
}
