export { exposeAnalyticsApi, exposeAdminApi, type AuthFn, type AuthRequest } from "./facades.js";
export { registerRoutes, type RegisterRoutesOptions } from "./routes.js";
export type { ComponentApi } from "../component/_generated/component.js";
export * from "./types.js";
