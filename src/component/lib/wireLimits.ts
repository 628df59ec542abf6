// The contract §2 limits the browser tracker needs too. Apart from limits.ts so that the tracker's
// bundle holds only these: esbuild keeps any constant of a module it can't prove unused, and
// limits.ts holds the component's computed budgets.

/** contract §2: events in one ingest request. */
export const MAX_EVENTS_PER_REQUEST = 100;
export const MAX_URL_LENGTH = 2048;
export const MAX_TITLE_LENGTH = 512;
/** The tracker sends no engagement for less engaged time than this, unless the scroll grew. */
export const ENGAGEMENT_MIN_SEND_MS = 3_000;
