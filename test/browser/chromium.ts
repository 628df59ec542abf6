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
