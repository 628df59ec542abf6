// The footer of a paginated list, driven by usePaginatedQuery's status.
import type { PaginationStatus } from "convex/react";
import { LIST_PAGE_SIZE } from "../hooks/queries.js";

export function LoadMore({
  status,
  loadMore,
}: {
  status: PaginationStatus;
  loadMore: (n: number) => void;
}) {
  if (status === "Exhausted" || status === "LoadingFirstPage") return null;
  const loading = status === "LoadingMore";
  return (
    <button
      type="button"
      className="cxa-button"
      disabled={loading}
      onClick={() => loadMore(LIST_PAGE_SIZE)}
    >
      {loading ? "Loading…" : "Load more"}
    </button>
  );
}
