// The functions the dashboard calls, as the host app re-exports them from
// `exposeAnalyticsApi` (SPEC §3). Typed structurally so that `api.analytics` from the host's
// generated `_generated/api` fits without casts.
import type { DefaultFunctionArgs, FunctionReference, PaginationOptions } from "convex/server";
import type {
  Breakdown,
  Dimension,
  EventItem,
  EventProperties,
  GoalsReport,
  Interval,
  Overview,
  PaginationResult,
  Realtime,
  SessionItem,
  Timeseries,
} from "../client/types.js";

type PublicQuery<Args extends DefaultFunctionArgs, Return> = FunctionReference<
  "query",
  "public",
  Args,
  Return
>;

export type RangeArgs = { siteId: string; from: number; to: number };
export type OverviewArgs = RangeArgs & { compare?: boolean };
export type TimeseriesArgs = RangeArgs & { interval: Interval };
export type BreakdownArgs = RangeArgs & { dimension: Dimension; limit?: number };
export type EventPropertiesArgs = RangeArgs & {
  eventName: string;
  property: string;
  limit?: number;
};
export type ListArgs = {
  siteId: string;
  from?: number;
  to?: number;
  paginationOpts: PaginationOptions;
};
export type RealtimeArgs = { siteId: string };

export type AnalyticsApi = {
  getOverview: PublicQuery<OverviewArgs, Overview>;
  getTimeseries: PublicQuery<TimeseriesArgs, Timeseries>;
  getBreakdown: PublicQuery<BreakdownArgs, Breakdown>;
  getEventProperties: PublicQuery<EventPropertiesArgs, EventProperties>;
  listEvents: PublicQuery<ListArgs, PaginationResult<EventItem>>;
  listSessions: PublicQuery<ListArgs, PaginationResult<SessionItem>>;
  /** Optional: hosts that don't re-export it get no "visitors now" figure. */
  getRealtime?: PublicQuery<RealtimeArgs, Realtime>;
  /** Optional: hosts that don't re-export it get no goals panel. */
  getGoals?: PublicQuery<RangeArgs, GoalsReport>;
};
