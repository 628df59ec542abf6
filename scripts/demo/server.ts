// The demo's web server: the example page with the real AnalyticsDashboard (bundled by
// esbuild at start), the real HTTP ingest route of the embedded backend, the query
// endpoint the page's stand-in client (bridge.tsx) calls, and /site/: a small single-page
// site with the script-tag tracker (tracker.js), whose visits show up in the dashboard.
// Demo-only.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { makeFunctionReference } from "convex/server";
import { ConvexError, convexToJson, jsonToConvex, type JSONValue, type Value } from "convex/values";
import { buildTrackerScript } from "../build-tracker.js";
import type { EmbeddedBackend } from "../../harness/embedded.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
/** Only the read facade is reachable from the page, as in a real app. */
const READABLE_FUNCTIONS =
  /^analytics:(getOverview|getTimeseries|getBreakdown|getRangePart|getEventProperties|listEvents|listSessions|getRealtime|getGoals|getFunnel|listFunnels)$/;
const MAX_REQUEST_BYTES = 256 * 1024;
/** The dashboard's accent on a rounded square: a tab in a row of tabs is findable. */
const FAVICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#4f46e5"/><path d="M7 22l6-7 5 4 7-9" fill="none" stroke="#fff" stroke-width="3" stroke-linecap="round" stroke-linejoin="round"/></svg>`;
const FAVICON_LINK = '<link rel="icon" type="image/svg+xml" href="/favicon.svg" />';

async function bundlePage() {
  const result = await build({
    entryPoints: [`${root}scripts/demo/bridge.tsx`],
    bundle: true,
    write: false,
    format: "esm",
    minify: true,
    jsx: "automatic",
    target: "es2020",
    tsconfig: `${root}tsconfig.json`,
    define: { "process.env.NODE_ENV": '"production"' },
    logLevel: "silent",
  });
  return result.outputFiles[0]!.text;
}

function page(siteId: string, ingestUrl: string) {
  const config = JSON.stringify({ siteId, ingestUrl }).replace(/</g, "\\u003c");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
<title>convex-analytics demo</title>
${FAVICON_LINK}
<style>body{margin:0;font-family:system-ui,sans-serif}@media (prefers-color-scheme: dark){body{background:#0f1115}}</style>
</head>
<body>
<div id="root"></div>
<script>window.DEMO = ${config};</script>
<script type="module" src="/app.js"></script>
</body>
</html>`;
}

/**
 * The sample site: three routes, a history router, and the script tag a host app would add.
 * Also the page of the tracker's browser test (test/browser/tracker.test.ts).
 */
/** The example app's HTTP routes the demo server serves. */
const FORWARDED_ROUTES = ["/analytics/ingest", "/api/event", "/api/v2/query"];

export function sitePage(ingestUrl: string, writeKey: string) {
  const routes = ["", "pricing", "docs"]
    .map((r) => `<a href="/site/${r}" data-route>${r || "home"}</a>`)
    .join(" · ");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
<title>Sample site</title>
${FAVICON_LINK}
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}</style>
</head>
<body>
<nav>${routes}</nav>
<h1 id="title"></h1>
<p>Every route change here is a pageview; while this tab is visible it sends a heartbeat every 15 s.
Open the <a href="/">dashboard</a> in another tab and watch "Visitors now" and the realtime view (press R there).</p>
<p id="automated" hidden><strong>Nothing is sent from this browser:</strong> it reports itself as automated
(<code>navigator.webdriver</code>, set by Playwright, Puppeteer and Selenium), and the tracker ignores automated
browsers by design so test runs never count as visits. Open this page in an ordinary browser window.</p>
<button id="signup">Sign up (a custom event)</button>
<script>
  function render() {
    document.title = "Sample site " + location.pathname;
    document.getElementById("title").textContent = location.pathname;
    // As routers that restore scroll do: a same-URL replaceState, which is not a new page.
    if (location.pathname.endsWith("/docs")) history.replaceState({ scrollY: 0 }, "", location.href);
  }
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-route]");
    if (!link) return;
    event.preventDefault();
    history.pushState(null, "", link.href);
    render();
  });
  if (navigator.webdriver) document.getElementById("automated").hidden = false;
  document.getElementById("signup").addEventListener("click", () => window.convexAnalytics.track("signup", { plan: "pro" }));
  addEventListener("popstate", render);
  render();
</script>
<script defer src="/tracker.js" data-endpoint="${ingestUrl}" data-key="${writeKey}"></script>
</body>
</html>`;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) throw new Error(`request body over ${MAX_REQUEST_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function send(response: ServerResponse, status: number, type: string, body: string) {
  response.writeHead(status, { "Content-Type": type, "Cache-Control": "no-store" });
  response.end(body);
}

export async function startDemoServer(
  backend: EmbeddedBackend,
  siteId: string,
  writeKey: string,
  port: number,
) {
  const script = await bundlePage();
  const tracker = await buildTrackerScript();
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent)
        send(response, 500, "application/json", JSON.stringify({ error: String(error) }));
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse) {
    const url = new URL(request.url ?? "/", "http://localhost");
    if (request.method === "GET" && url.pathname === "/") {
      return send(
        response,
        200,
        "text/html; charset=utf-8",
        page(siteId, `${origin()}/analytics/ingest`),
      );
    }
    if (request.method === "GET" && url.pathname === "/app.js")
      return send(response, 200, "text/javascript", script);
    if (
      request.method === "GET" &&
      (url.pathname === "/favicon.svg" || url.pathname === "/favicon.ico")
    )
      return send(response, 200, "image/svg+xml", FAVICON);
    if (request.method === "GET" && url.pathname === "/tracker.js")
      return send(response, 200, "text/javascript", tracker.code);
    if (
      request.method === "GET" &&
      (url.pathname === "/site" || url.pathname.startsWith("/site/"))
    ) {
      return send(
        response,
        200,
        "text/html; charset=utf-8",
        sitePage(`${origin()}/analytics/ingest`, writeKey),
      );
    }
    if (url.pathname === "/demo/query" && request.method === "POST") {
      const { name, args } = JSON.parse((await readBody(request)).toString("utf8")) as {
        name: string;
        args: JSONValue;
      };
      if (!READABLE_FUNCTIONS.test(name))
        return send(
          response,
          403,
          "application/json",
          JSON.stringify({ error: `${name} is not readable` }),
        );
      try {
        const value = await backend.admin.query(
          makeFunctionReference<"query">(name),
          jsonToConvex(args) as Record<string, Value>,
        );
        return send(
          response,
          200,
          "application/json",
          JSON.stringify({ value: convexToJson(value as Value) }),
        );
      } catch (error) {
        // A ConvexError travels with its data, as over Convex's own protocol.
        const body =
          error instanceof ConvexError
            ? { error: error.message, errorData: convexToJson(error.data as Value) }
            : { error: error instanceof Error ? error.message : String(error) };
        return send(response, 200, "application/json", JSON.stringify(body));
      }
    }
    if (FORWARDED_ROUTES.includes(url.pathname)) {
      // The real routes of the example app (registerRoutes, registerPlausibleRoutes), status
      // codes and CORS included.
      const body = request.method === "POST" ? await readBody(request) : undefined;
      const headers: Record<string, string> = {};
      for (const [key, value] of Object.entries(request.headers))
        if (typeof value === "string") headers[key] = value;
      const forwarded = await backend.t.fetch(url.pathname, {
        method: request.method ?? "GET",
        headers,
        ...(body ? { body: new Uint8Array(body) } : {}),
      });
      response.writeHead(forwarded.status, Object.fromEntries(forwarded.headers.entries()));
      return response.end(Buffer.from(await forwarded.arrayBuffer()));
    }
    send(response, 404, "text/plain", "not found");
  }

  const origin = () => `http://localhost:${(server.address() as AddressInfo).port}`;
  await new Promise<void>((resolve) => server.listen(port, resolve));
  return { server, url: origin() };
}
