// One newest-first page of a site's events or sessions, by an index cursor (`.paginate()` is
// not available inside a component on a real deployment). Shared by the plain lists in
// reports.ts and the filtered ones in filteredLists.ts.
import { getPage } from "convex-helpers/server/pagination";
import type { Doc } from "../_generated/dataModel.js";
import type { QueryCtx } from "../_generated/server.js";
import { MAX_PAGE_SIZE } from "../lib/limits.js";
import schema from "../schema.js";
import { invalidArgument } from "../ingest/validate.js";

export function pageSize(numItems: number) {
  if (!Number.isInteger(numItems) || numItems < 1)
    throw invalidArgument("paginationOpts.numItems must be a positive integer");
  return Math.min(numItems, MAX_PAGE_SIZE);
}

const BAD_CURSOR =
  "paginationOpts.cursor is not a cursor this list returned for this site and range";

/**
 * A cursor is handed back by the caller, so it is checked before it becomes an index bound
 * (invariant 10): exactly the key getPage returns for this index ([siteId, time,
 * _creationTime, _id]), of this site, and inside [from, to). A forged one would otherwise
 * start the page in another site's part of the index.
 */
export function decodeCursor(
  cursor: string | null,
  siteId: string,
  range: { from?: number; to?: number },
): [string, number, number, string] | undefined {
  if (cursor === null || cursor === "") return undefined;
  let key: unknown;
  try {
    key = JSON.parse(cursor);
  } catch {
    throw invalidArgument(BAD_CURSOR);
  }
  if (
    !Array.isArray(key) ||
    key.length !== 4 ||
    key[0] !== siteId ||
    typeof key[1] !== "number" ||
    !Number.isFinite(key[1]) ||
    typeof key[2] !== "number" ||
    !Number.isFinite(key[2]) ||
    typeof key[3] !== "string" ||
    (range.from !== undefined && key[1] < range.from) ||
    (range.to !== undefined && key[1] >= range.to)
  ) {
    throw invalidArgument(BAD_CURSOR);
  }
  return key as [string, number, number, string];
}

export type ListRequest = {
  from?: number;
  to?: number;
  paginationOpts: { numItems: number; cursor: string | null };
};

/**
 * One index page of a list, newest first: `rows` documents after the request's cursor, with
 * each one's index key (the cursor that resumes after it).
 */
export async function indexPage<T extends "events" | "sessions">(
  ctx: QueryCtx,
  table: T,
  index: "by_ts" | "by_start",
  site: Doc<"sites">,
  args: ListRequest,
  rows: number,
) {
  const after = decodeCursor(args.paginationOpts.cursor, site._id, args);
  const { page, hasMore, indexKeys } = await getPage(ctx, {
    table,
    index,
    schema,
    order: "desc",
    startIndexKey: after ?? (args.to !== undefined ? [site._id, args.to] : [site._id]),
    startInclusive: false,
    endIndexKey: args.from !== undefined ? [site._id, args.from] : [site._id],
    endInclusive: true,
    // convex-helpers ignores targetMaxRows once endIndexKey is set; the absolute bound holds.
    absoluteMaxRows: rows,
  } as never);
  return {
    page: page as unknown as Doc<T>[],
    hasMore,
    cursors: indexKeys.map((key) => JSON.stringify(key)),
  };
}
