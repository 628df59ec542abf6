// The functions the dashboard calls, as the host app re-exports them from
// `exposeAnalyticsApi` (contract §3). Typed structurally so that `api.analytics` from the host's
// generated `_generated/api` fits without casts.
import type { DefaultFunctionArgs, FunctionReference, PaginationOptions } from "convex/server";
import type {
  Breakdown,
  Dimension,
  EventItem,
  EventProperties,
  Filter,
  Funnel,
  FunnelReport,
  GoalsReport,
  Interval,
  Overview,
  PaginationResult,
  RangePartResult,
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

/**
 * Every read but getRealtime takes filters (contract §7): `[operator, dimension, values]`, values
 * OR, filters AND. Left out, a read is exactly the unfiltered one.
 */
export type FilterArgs = { filters?: Filter[] };
export type RangeArgs = { siteId: string; from: number; to: number } & FilterArgs;
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
} & FilterArgs;
export type RealtimeArgs = { siteId: string };
export type RangePartArgs = {
  siteId: string;
  from: number;
  to: number;
  dimension: "all" | "goals" | Dimension;
  keys?: string[];
};
export type FunnelArgs = RangeArgs & { funnelId: string };
export type ListFunnelsArgs = { siteId: string };

export type AnalyticsApi = {
  getOverview: PublicQuery<OverviewArgs, Overview>;
  getTimeseries: PublicQuery<TimeseriesArgs, Timeseries>;
  getBreakdown: PublicQuery<BreakdownArgs, Breakdown>;
  getEventProperties: PublicQuery<EventPropertiesArgs, EventProperties>;
  listEvents: PublicQuery<ListArgs, PaginationResult<EventItem>>;
  listSessions: PublicQuery<ListArgs, PaginationResult<SessionItem>>;
  /**
   * Optional: with it the dashboard reads a range that reaches the present as its closed days
   * (cached by Convex until a day closes) and today (the only part new events re-run), instead
   * of re-reading the whole range on every worker run; without it, the whole range.
   */
  getRangePart?: PublicQuery<RangePartArgs, RangePartResult>;
  /** Optional: hosts that don't re-export it get no "visitors now" figure. */
  getRealtime?: PublicQuery<RealtimeArgs, Realtime>;
  /** Optional: hosts that don't re-export it get no goals panel. */
  getGoals?: PublicQuery<RangeArgs, GoalsReport>;
  /** Optional, with listFunnels: hosts that don't re-export both get no funnel panel. */
  getFunnel?: PublicQuery<FunnelArgs, FunnelReport>;
  listFunnels?: PublicQuery<ListFunnelsArgs, Funnel[]>;
};
