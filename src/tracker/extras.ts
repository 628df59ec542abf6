// Opt-in automatic events, off by default: outbound-link clicks, file downloads and 404 pages.
// Kept out of the core so the script tag's tracker.js stays within its size budget; script-tag
// users add tracker-extras.js after tracker.js, npm users pass the options to createTracker.
import { NAVIGATE_EVENT, type Tracker } from "./core.js";

/** What `fileDownloads: true` tracks. */
export const DOWNLOAD_EXTENSIONS = [
  "pdf",
  "zip",
  "dmg",
  "exe",
  "msi",
  "csv",
  "xlsx",
  "docx",
  "pptx",
  "txt",
  "gz",
  "7z",
  "mp3",
  "mp4",
  "mov",
];
/** Event names, as Plausible names them, so dashboards and goals read the same. */
export const OUTBOUND_LINK_EVENT = "Outbound Link: Click";
export const FILE_DOWNLOAD_EVENT = "File Download";
export const NOT_FOUND_EVENT = "404";

export type ExtrasOptions = {
  /** Clicks on links to other hosts become `Outbound Link: Click` events `{ url }`. Default false. */
  outboundLinks?: boolean;
  /** Clicks on links to files become `File Download` events `{ url }`; true = DOWNLOAD_EXTENSIONS. */
  fileDownloads?: boolean | string[];
  /** Asked on start and after every navigation; true tracks a `404` event `{ path }`. */
  notFound?: () => boolean;
};

/** The last URL reported as a 404, page-wide: a StrictMode remount must not report it again. */
let lastNotFoundUrl: string | undefined;

/** Installs the listeners the options ask for; the returned function removes them. */
export function trackExtras(tracker: Tracker, options: ExtrasOptions): () => void {
  const listening = new AbortController();
  const on = (target: EventTarget, type: string, listener: (event: MouseEvent) => void) =>
    target.addEventListener(type, listener as EventListener, { signal: listening.signal });
  const extensions =
    options.fileDownloads === true ? DOWNLOAD_EXTENSIONS : options.fileDownloads || [];

  // A middle click (auxclick, button 1) opens the link too; right clicks open a menu only.
  const onClick = (event: MouseEvent) => {
    const link = (event.target as Element | null)?.closest?.("a");
    if (
      !link ||
      !/^https?:$/.test(link.protocol) ||
      (event.type == "auxclick" && event.button != 1)
    )
      return;
    const extension = /\.([a-z0-9]+)$/i.exec(link.pathname)?.[1]?.toLowerCase();
    if (extension && extensions.includes(extension))
      tracker.track(FILE_DOWNLOAD_EVENT, { url: link.href });
    else if (options.outboundLinks && link.host != location.host)
      tracker.track(OUTBOUND_LINK_EVENT, { url: link.href });
  };
  if (options.outboundLinks || extensions.length) {
    on(document, "click", onClick);
    on(document, "auxclick", onClick);
  }

  const { notFound } = options;
  if (notFound) {
    const check = () => {
      if (location.href != lastNotFoundUrl && notFound()) {
        lastNotFoundUrl = location.href;
        tracker.track(NOT_FOUND_EVENT, { path: location.pathname });
      }
    };
    on(window, NAVIGATE_EVENT, check);
    on(window, "popstate", check);
    check();
  }
  return () => listening.abort();
}
