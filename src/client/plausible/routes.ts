// Plausible's two public protocols, mounted on the host's router: the Events API that its
// tracker and integrations send to, and the Stats API v2 that its tools read from.
import {
  httpActionGeneric,
  type GenericActionCtx,
  type GenericDataModel,
  type HttpRouter,
} from "convex/server";
import { ConvexError } from "convex/values";
import {
  DEFAULT_COUNTRY_HEADERS,
  countryFromHeaders,
  isBotUserAgent,
} from "../../component/ingest/enrich.js";
import { sha256Hex } from "../../component/lib/keys.js";
import { MAX_BODY_BYTES } from "../../component/lib/limits.js";
import { validateEvents } from "../../component/ingest/pipeline.js";
import type { ComponentApi } from "../../component/_generated/component.js";
import { clientIp, parsePlausibleBody, saltDay, toWireEvent, visitorHash } from "./events.js";
import { StatsQueryError, answerStatsQuery, parseStatsQuery, type StatsReads } from "./stats.js";

export type PlausibleRoutesOptions = {
  /** Where Plausible's Events API is mounted. Default "/api/event", as Plausible's. */
  eventPath?: string;
  /** Where its Stats API v2 is mounted. Default "/api/v2/query". Pass null to leave it out. */
  statsPath?: string | null;
  /** As registerRoutes' option: headers trusted to carry the visitor's ISO country code. */
  countryHeaders?: readonly string[];
};

type Ctx = GenericActionCtx<GenericDataModel>;
type Refusal = { status: number; code: string; message: string; retryAfterSec?: number };

function cors(request: Request, methods: string, headers: string): Record<string, string> {
  return {
    "Access-Control-Allow-Origin": request.headers.get("Origin") ?? "*",
    "Access-Control-Allow-Methods": methods,
    "Access-Control-Allow-Headers": headers,
    "Access-Control-Expose-Headers": "x-plausible-dropped, Retry-After",
    "Access-Control-Max-Age": "86400",
    Vary: "Origin",
  };
}

const eventCors = (request: Request) => cors(request, "POST, OPTIONS", "Content-Type");

function respond(
  request: Request,
  status: number,
  body: unknown,
  extra: Record<string, string> = {},
) {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  const type = typeof body === "string" ? "text/plain" : "application/json";
  return new Response(text, {
    status,
    headers: { "Content-Type": type, ...eventCors(request), ...extra },
  });
}

/** 202, recorded nothing, and why: what Plausible answers bots and unknown sites. */
const dropped = (request: Request, reason: string) =>
  respond(request, 202, "ok", { "x-plausible-dropped": reason });

/**
 * Our own route's step for one site's events (routes.ts): the ingest mutation, which admits the
 * request (key, status, origin, rate limit), validates, drops bots and stores, in one
 * transaction. Keyed by the site's key hash so that every Plausible event meets exactly what
 * our own events meet.
 */
async function ingestLikeOurRoute(
  ctx: Ctx,
  component: ComponentApi,
  args: {
    keyHash: string;
    origin?: string;
    userAgent: string;
    country: string;
    events: unknown[];
  },
): Promise<{ ok: true } | { ok: false; refusal: Refusal }> {
  const { keyHash, origin } = args;
  const outcome = await ctx.runMutation(component.ingest.ingest, {
    keyHash,
    ...(origin ? { origin } : {}),
    userAgent: args.userAgent,
    country: args.country,
    events: args.events,
  });
  return outcome.ok ? { ok: true } : outcome;
}

function eventHandler(component: ComponentApi, countryHeaders: readonly string[]) {
  return httpActionGeneric(async (ctx, request) => {
    const bytes = await request.arrayBuffer();
    if (bytes.byteLength > MAX_BODY_BYTES)
      return respond(request, 413, {
        errors: { request: [`the body must be at most ${MAX_BODY_BYTES} bytes`] },
      });
    const parsed = parsePlausibleBody(new TextDecoder().decode(bytes));
    if (!parsed.ok) return respond(request, 400, { errors: parsed.errors });
    const event = parsed.event;
    const userAgent = request.headers.get("User-Agent") ?? "";
    // Checked here too (ingest checks again) so a bot costs no salt or site look-up.
    if (isBotUserAgent(userAgent)) return dropped(request, "bot");

    const now = Date.now();
    const day = saltDay(now);
    const ip = clientIp(request.headers);
    const origin = request.headers.get("Origin") ?? undefined;
    const country = countryFromHeaders(request.headers, countryHeaders);
    const sites = [];
    const reasons = [];
    for (const domain of event.domains) {
      const site = await ctx.runQuery(component.plausible.resolveSite, { domain, day });
      if (!site.found) {
        reasons.push(site.reason);
        continue;
      }
      const salt = site.salt ?? (await ctx.runMutation(component.plausible.dailySalt, { day }));
      const wire = toWireEvent(
        event,
        crypto.randomUUID(),
        await visitorHash(salt, site.siteId, ip, userAgent),
      );
      // Checked before any site stores it: a bad event is a 400, never half-recorded.
      // Validated as our route validates: `$` and non-ASCII prop keys come out escaped.
      const { valid, rejected } = validateEvents([wire], "live", now);
      if (rejected.length > 0)
        return respond(request, 400, { errors: { event: [rejected[0].reason] } });
      sites.push({ keyHash: site.keyHash, wire: valid[0]!.event });
    }
    if (sites.length === 0) return dropped(request, reasons.join(", "));
    for (const { keyHash, wire } of sites) {
      const outcome = await ingestLikeOurRoute(ctx, component, {
        keyHash,
        ...(origin ? { origin } : {}),
        userAgent,
        country,
        events: [wire],
      });
      if (!outcome.ok) {
        const { status, message, retryAfterSec } = outcome.refusal;
        return respond(
          request,
          status,
          { errors: { request: [message] } },
          retryAfterSec ? { "Retry-After": String(retryAfterSec) } : {},
        );
      }
    }
    return respond(
      request,
      202,
      "ok",
      reasons.length > 0 ? { "x-plausible-dropped": reasons.join(", ") } : {},
    );
  });
}

function statsReads(ctx: Ctx, component: ComponentApi): StatsReads {
  const r = component.reports;
  return {
    overview: (args) => ctx.runQuery(r.getOverview, args),
    timeseries: (args) => ctx.runQuery(r.getTimeseries, args),
    breakdown: (args) => ctx.runQuery(r.getBreakdown, args),
    goals: (args) => ctx.runQuery(component.goals.getGoals, args),
  };
}

function statsHandler(component: ComponentApi) {
  return httpActionGeneric(async (ctx, request) => {
    const json = (status: number, body: unknown) =>
      new Response(JSON.stringify(body), {
        status,
        headers: {
          "Content-Type": "application/json",
          ...cors(request, "POST, OPTIONS", "Authorization, Content-Type"),
        },
      });
    const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.get("Authorization") ?? "");
    if (!bearer)
      return json(401, {
        error: "Missing API key. Please use a valid Plausible API key as a Bearer Token.",
      });
    let body: unknown;
    try {
      body = JSON.parse(await request.text());
    } catch {
      return json(400, { error: "#: Invalid JSON body" });
    }
    const siteId = (body as { site_id?: unknown } | null)?.site_id;
    if (typeof siteId !== "string" || siteId === "")
      return json(400, { error: "#: Required property site_id was not present." });
    const auth = await ctx.runQuery(component.statsKeys.authorizeStatsQuery, {
      keyHash: await sha256Hex(bearer[1]),
      domain: siteId,
    });
    if (!auth.ok) return json(auth.status, { error: auth.error });
    try {
      const plan = parseStatsQuery(body, auth, Date.now());
      return json(200, await answerStatsQuery(plan, statsReads(ctx, component)));
    } catch (error) {
      if (error instanceof StatsQueryError) return json(400, { error: error.message });
      // The component's own bounds (a range too long, a read too wide) name what to change.
      if (error instanceof ConvexError) {
        const data = error.data as { message?: unknown } | string;
        const message = typeof data === "string" ? data : String(data?.message ?? error.message);
        return json(400, { error: message });
      }
      throw error;
    }
  });
}

/**
 * Mounts Plausible's Events API (`POST /api/event`) and Stats API v2 (`POST /api/v2/query`),
 * with their CORS preflights. Point a Plausible tracker's API host at the deployment's
 * `.convex.site` URL: sites are found by their `domain`.
 */
export function registerPlausibleRoutes(
  http: HttpRouter,
  component: ComponentApi,
  options: PlausibleRoutesOptions = {},
) {
  const eventPath = options.eventPath ?? "/api/event";
  const statsPath = options.statsPath === undefined ? "/api/v2/query" : options.statsPath;
  const preflight = (methods: string, headers: string) =>
    httpActionGeneric(
      async (_ctx, request) =>
        new Response(null, { status: 204, headers: cors(request, methods, headers) }),
    );
  http.route({
    path: eventPath,
    method: "POST",
    handler: eventHandler(component, options.countryHeaders ?? DEFAULT_COUNTRY_HEADERS),
  });
  http.route({
    path: eventPath,
    method: "OPTIONS",
    handler: preflight("POST, OPTIONS", "Content-Type"),
  });
  if (statsPath !== null) {
    http.route({ path: statsPath, method: "POST", handler: statsHandler(component) });
    http.route({
      path: statsPath,
      method: "OPTIONS",
      handler: preflight("POST, OPTIONS", "Authorization, Content-Type"),
    });
  }
}
