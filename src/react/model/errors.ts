// Turns what a Convex query threw into one readable sentence. Server errors reach the
// client wrapped ("[CONVEX Q(analytics:getOverview)] [Request ID: …] Server Error
// Uncaught Error: Sign in …  at handler …"); ConvexErrors carry `data` instead, and a client
// that lost `data` on the way may still carry it as JSON in the message.

type ErrorData = { code?: string; message?: string };

function dataOf(error: unknown): unknown {
  if (error && typeof error === "object" && "data" in error)
    return (error as { data: unknown }).data;
  const raw = error instanceof Error ? error.message : typeof error === "string" ? error : "";
  const json = /\{[\s\S]*"message"[\s\S]*\}/.exec(raw);
  if (!json) return undefined;
  try {
    return JSON.parse(json[0]) as unknown;
  } catch {
    return undefined;
  }
}

/** What went wrong, for a person: the cases a dashboard user can act on get their own words. */
function explain(data: ErrorData): string | undefined {
  if (typeof data.message !== "string") return undefined;
  const unknownSite = /^siteId: no site with id (.*)$/.exec(data.message);
  if (unknownSite)
    return `There is no site with the id "${unknownSite[1]}". Check the siteId given to the dashboard (createSite and listSites show the ids).`;
  return data.message;
}

export function errorMessage(error: unknown): string {
  const data = dataOf(error);
  if (typeof data === "string") return data;
  if (data && typeof data === "object") {
    const text = explain(data as ErrorData);
    if (text) return text;
  }
  const raw = error instanceof Error ? error.message : String(error);
  if (isTransientError(error)) return "The connection to the server was lost. Retrying…";
  const uncaught = /Uncaught (?:[A-Za-z]*Error: )?([\s\S]*?)(?:\n\s+at |\n\s*Called by|$)/.exec(
    raw,
  );
  const text = uncaught ? uncaught[1] : raw.replace(/^(\[[^\]]*\]\s*)+/, "");
  return text.trim() || "Something went wrong.";
}

const NETWORK_FAILURE =
  /failed to fetch|networkerror|network error|load failed|network request failed|connection (?:lost|closed|reset)|timed? ?out|ECONNREFUSED|offline/i;

/**
 * Whether retrying can help: the network failed (fetch's TypeError and its wording in each
 * browser), not the server refusing. A ConvexError or a server error never is.
 */
export function isTransientError(error: unknown): boolean {
  if (dataOf(error) !== undefined) return false;
  const raw = error instanceof Error ? error.message : String(error);
  if (/Server Error|Uncaught/.test(raw)) return false;
  return NETWORK_FAILURE.test(raw);
}
