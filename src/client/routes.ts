// The HTTP ingest route (contract §2). It runs in the host app: parses and bounds the request,
// drops bots, and hands the events to the component's ingest mutation, which admits the
// request (key, origin, status, rate limit) and stores it in the same transaction: a request
// costs the route and one mutation.
import { httpActionGeneric, type HttpRouter } from "convex/server";
import type { RefusalCode } from "../component/ingest/admission.js";
import { DEFAULT_COUNTRY_HEADERS, countryFromHeaders } from "../component/ingest/enrich.js";
import { sha256Hex } from "../component/lib/keys.js";
import { MAX_BODY_BYTES, MAX_EVENTS_PER_REQUEST } from "../component/lib/limits.js";
import { validateEvents } from "../component/ingest/pipeline.js";
import { describeIssues, ingestBodySchema } from "../component/ingest/validate.js";
import type { ComponentApi } from "../component/_generated/component.js";

export type RegisterRoutesOptions = {
  /** Mount point; the ingest route is `${pathPrefix}/ingest`. Default "/analytics". */
  pathPrefix?: string;
  /**
   * Request headers trusted to carry the visitor's ISO country code, set by the proxy or
   * CDN in front of the deployment. Default: Cloudflare, Vercel and CloudFront's headers.
   * Pass [] if nothing in front of the deployment sets them (a client could forge them).
   */
  countryHeaders?: readonly string[];
};

const ALLOWED_HEADERS = "Content-Type, X-Analytics-Key";

function corsHeaders(request: Request): Record<string, string> {
  const origin = request.headers.get("Origin");
  return {
    "Access-Control-Allow-Origin": origin ?? "*",
    "Access-Control-Allow-Methods": "POST, OPTIONS",
    "Access-Control-Allow-Headers": ALLOWED_HEADERS,
    "Access-Control-Max-Age": "86400",
    // The tracker reads it on a 429 to wait as long as the server asks.
    "Access-Control-Expose-Headers": "Retry-After",
    Vary: "Origin",
  };
}

function json(request: Request, status: number, body: unknown, extra: Record<string, string> = {}) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json", ...corsHeaders(request), ...extra },
  });
}

function error(
  request: Request,
  status: number,
  code: RefusalCode,
  message: string,
  extra?: Record<string, string>,
) {
  return json(request, status, { error: { code, message } }, extra);
}

function refused(
  request: Request,
  refusal: { status: number; code: RefusalCode; message: string; retryAfterSec?: number },
) {
  const { status, code, message, retryAfterSec } = refusal;
  return error(
    request,
    status,
    code,
    message,
    retryAfterSec ? { "Retry-After": String(retryAfterSec) } : {},
  );
}

/** Mounts `POST {pathPrefix}/ingest`, its CORS preflight, and 405 for other methods. */
export function registerRoutes(
  http: HttpRouter,
  component: ComponentApi,
  options: RegisterRoutesOptions = {},
) {
  const path = `${options.pathPrefix ?? "/analytics"}/ingest`;
  const countryHeaders = options.countryHeaders ?? DEFAULT_COUNTRY_HEADERS;

  const ingest = httpActionGeneric(async (ctx, request) => {
    const declaredLength = Number(request.headers.get("Content-Length") ?? "0");
    if (declaredLength > MAX_BODY_BYTES) {
      return error(
        request,
        413,
        "body_too_large",
        `the body must be at most ${MAX_BODY_BYTES} bytes`,
      );
    }
    const bytes = await request.arrayBuffer();
    if (bytes.byteLength > MAX_BODY_BYTES) {
      return error(
        request,
        413,
        "body_too_large",
        `the body must be at most ${MAX_BODY_BYTES} bytes`,
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      return error(request, 400, "invalid_json", "the body is not valid JSON");
    }
    const body = ingestBodySchema.safeParse(parsed);
    if (!body.success) return error(request, 400, "invalid_body", describeIssues(body.error));
    if (body.data.events.length > MAX_EVENTS_PER_REQUEST) {
      return error(
        request,
        400,
        "too_many_events",
        `at most ${MAX_EVENTS_PER_REQUEST} events per request`,
      );
    }
    const key = request.headers.get("X-Analytics-Key") ?? body.data.key;
    if (!key)
      return error(
        request,
        401,
        "missing_key",
        "send the site's write key in X-Analytics-Key or the body's key",
      );

    const keyHash = await sha256Hex(key);
    const origin = request.headers.get("Origin") ?? undefined;
    const userAgent = request.headers.get("User-Agent") ?? "";
    // Validated here as well as in the mutation: only well-formed values (no "$" keys,
    // unknown fields stripped) may cross into a Convex function's arguments.
    const { valid, rejected } = validateEvents(body.data.events, "live", Date.now());
    // One mutation does the rest: key, origin, bots, rate limit, store, presence (ingest.ts).
    const outcome = await ctx.runMutation(component.ingest.ingest, {
      keyHash,
      ...(origin ? { origin } : {}),
      userAgent,
      country: countryFromHeaders(request.headers, countryHeaders),
      events: valid.map((v) => v.event),
    });
    if (!outcome.ok) return refused(request, outcome.refusal);
    const laterRejections = outcome.result.rejected.map((r) => ({
      index: valid[r.index].index,
      reason: r.reason,
    }));
    return json(request, 202, {
      ...outcome.result,
      rejected: [...rejected, ...laterRejections].sort((a, b) => a.index - b.index),
    });
  });

  http.route({ path, method: "POST", handler: ingest });
  http.route({
    path,
    method: "OPTIONS",
    handler: httpActionGeneric(
      async (_ctx, request) => new Response(null, { status: 204, headers: corsHeaders(request) }),
    ),
  });
  for (const method of ["GET", "PUT", "PATCH", "DELETE"] as const) {
    http.route({
      path,
      method,
      handler: httpActionGeneric(async (_ctx, request) =>
        error(request, 405, "method_not_allowed", `use POST ${path}`, { Allow: "POST, OPTIONS" }),
      ),
    });
  }
}
