// Turns what a Convex query threw into one readable sentence. Server errors reach the
// client wrapped ("[CONVEX Q(analytics:getOverview)] [Request ID: …] Server Error
// Uncaught Error: Sign in …  at handler …"); ConvexErrors carry `data` instead.

export function errorMessage(error: unknown): string {
  if (error && typeof error === "object" && "data" in error) {
    const data = (error as { data: unknown }).data;
    if (typeof data === "string") return data;
    if (
      data &&
      typeof data === "object" &&
      typeof (data as { message?: unknown }).message === "string"
    ) {
      return (data as { message: string }).message;
    }
  }
  const raw = error instanceof Error ? error.message : String(error);
  const uncaught = /Uncaught (?:[A-Za-z]*Error: )?([\s\S]*?)(?:\n\s+at |\n\s*Called by|$)/.exec(
    raw,
  );
  const text = uncaught ? uncaught[1] : raw.replace(/^(\[[^\]]*\]\s*)+/, "");
  return text.trim() || "Something went wrong.";
}
