import { httpRouter } from "convex/server";
import { registerRoutes } from "convex-analytics";
import { components } from "./_generated/api.js";

const http = httpRouter();

// POST /analytics/ingest (+ OPTIONS): what the tracker and server-side senders call.
registerRoutes(http, components.analytics);
// options: { pathPrefix: "/stats", countryHeaders: ["cf-ipcountry"] }

export default http;
