export { exposeAnalyticsApi, exposeAdminApi, type AuthFn, type AuthRequest } from "./facades.js";
export { registerRoutes, type RegisterRoutesOptions } from "./routes.js";
export { registerPlausibleRoutes, type PlausibleRoutesOptions } from "./plausible/routes.js";
export {
  Analytics,
  type EventProps,
  type IdentifyArgs,
  type TrackArgs,
  type TrackCtx,
} from "./analytics.js";
export {
  decodePropKey,
  decodePropKeys,
  encodePropKey,
  encodePropKeys,
} from "../component/ingest/propKeys.js";
export {
  exposeMaintenance,
  registerDefaultAnalyticsCrons,
  ANALYTICS_CRON_NAMES,
  DEFAULT_CRON_OPTIONS,
  type DefaultCronOptions,
  type MaintenanceTask,
} from "./crons.js";
export * from "./accessLog.js";
export {
  importAccessLog,
  type ImportEventsRef,
  type ImportLogResult,
  type MutationCaller,
} from "./importLog.js";
export type { ComponentApi } from "../component/_generated/component.js";
/** The `error.code` values of the ingest route's refusals (README "Limits and error codes"). */
export type { RefusalCode } from "../component/ingest/admission.js";
export * from "./types.js";
