import type { IncomingMessage, Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser, BrowserContext, BrowserContextOptions, Page } from "playwright-core";

// Debian's Chromium, as the browser tests launch it: no sandbox (containers), no GPU, and none
// of the background traffic (updates, sync, safe browsing) a test machine has no network for.
export const CHROMIUM = "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

/**
 * A visitor's browser. Automated Chromium reports navigator.webdriver = true, which the tracker
 * honours, and "HeadlessChrome" in its User-Agent, which the ingest route filters as a bot:
 * this context does neither.
 */
export const DESKTOP_CHROME =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";
export async function humanContext(
  browser: Browser,
  options: BrowserContextOptions = {},
): Promise<BrowserContext> {
  const context = await browser.newContext({ userAgent: DESKTOP_CHROME, ...options });
  await context.addInitScript(() =>
    Object.defineProperty(Navigator.prototype, "webdriver", { get: () => false }),
  );
  return context;
}

/**
 * Headless Chromium has no other tab to switch to: this does to the document what a tab switch
 * does (visibilityState, then visibilitychange).
 */
export const setVisibility = (page: Page, state: "visible" | "hidden") =>
  page.evaluate((to) => {
    Object.defineProperty(document, "visibilityState", { configurable: true, get: () => to });
    document.dispatchEvent(new Event("visibilitychange"));
  }, state);

/** A request's whole body. */
export async function readBody(request: IncomingMessage) {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Starts `server` on a free local port; its origin. */
export const listen = (server: Server) =>
  new Promise<string>((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
