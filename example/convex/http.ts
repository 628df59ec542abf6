import { httpRouter } from "convex/server";
import { registerPlausibleRoutes, registerRoutes } from "convex-analytics";
import { components } from "./_generated/api.js";

const http = httpRouter();

// POST /analytics/ingest (+ OPTIONS): what the tracker and server-side senders call.
registerRoutes(http, components.analytics);
// options: { pathPrefix: "/stats", countryHeaders: ["cf-ipcountry"] }

// Plausible's protocols: POST /api/event (its tracker, script tag and integrations, with the
// API host set to this deployment's .convex.site URL; sites are found by their `domain`) and
// POST /api/v2/query (its Stats API v2, with a key from createStatsKey).
registerPlausibleRoutes(http, components.analytics);

export default http;
