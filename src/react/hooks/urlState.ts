// The query string as shared state: links carry what's on screen, the back button undoes a
// change. Only the parameters a caller names are touched; the host's own parameters (and
// whatever else the page keeps there) pass through unchanged. Written for the dashboard's
// state (dashboardState.ts), filters included.
import { useCallback, useSyncExternalStore } from "react";

/** New values by parameter name; null removes the parameter, a list repeats it (?f=a&f=b). */
export type ParamChanges = Record<string, string | readonly string[] | null>;
/** "push" makes a history entry (a new range: back returns to the old one); "replace" doesn't. */
export type HistoryMode = "push" | "replace";

/**
 * Characters URLSearchParams escapes though a query string may hold them as they are (RFC 3986
 * §3.4), and that parse back the same: left readable, so a shared link says ?f=is,page,/blog/*.
 */
const READABLE = { "%2C": ",", "%2F": "/", "%3A": ":", "%40": "@" } as Record<string, string>;

/** `search` with `changes` applied, other parameters kept in their order: "?a=1&b=2" or "". */
export function withParams(search: string, changes: ParamChanges): string {
  const params = new URLSearchParams(search);
  for (const [name, value] of Object.entries(changes)) {
    if (value === null) params.delete(name);
    else if (typeof value === "string") params.set(name, value);
    else {
      params.delete(name);
      for (const item of value) params.append(name, item);
    }
  }
  const text = params.toString().replace(/%2C|%2F|%3A|%40/g, (code) => READABLE[code]!);
  return text ? `?${text}` : "";
}

/** pushState and replaceState fire no event: this one tells other hooks on the page. */
const CHANGE_EVENT = "cxa-urlchange";

function subscribe(onChange: () => void) {
  window.addEventListener("popstate", onChange);
  window.addEventListener(CHANGE_EVENT, onChange);
  return () => {
    window.removeEventListener("popstate", onChange);
    window.removeEventListener(CHANGE_EVENT, onChange);
  };
}

const noSubscription = () => () => {};

/**
 * The page's query string and a way to change it. When `enabled` is false the string is
 * always "" and changes are ignored, for hosts that keep the state themselves.
 */
export function useUrlSearch(
  enabled: boolean,
): [search: string, update: (changes: ParamChanges, mode: HistoryMode) => void] {
  const search = useSyncExternalStore(
    enabled ? subscribe : noSubscription,
    () => (enabled ? window.location.search : ""),
    () => "",
  );
  const update = useCallback(
    (changes: ParamChanges, mode: HistoryMode) => {
      if (!enabled) return;
      const next = withParams(window.location.search, changes);
      if (next === window.location.search) return;
      const url = `${window.location.pathname}${next}${window.location.hash}`;
      if (mode === "push") window.history.pushState(window.history.state, "", url);
      else window.history.replaceState(window.history.state, "", url);
      window.dispatchEvent(new Event(CHANGE_EVENT));
    },
    [enabled],
  );
  return [search, update];
}
