// The table of a paginated list (events, visits): scrollable sideways on narrow screens, its
// caption for screen readers, and the "Load more" footer.
import type { PaginationStatus } from "convex/react";
import type { ReactNode } from "react";
import { LoadMore } from "./LoadMore.js";

/** A column header; numeric columns are right-aligned like their cells. */
export type ListColumn = { label: string; numeric?: boolean };

export function ListTable({
  label,
  caption,
  columns,
  status,
  loadMore,
  children,
}: {
  /** What the table is, for assistive technology: "Events table". */
  label: string;
  caption: string;
  columns: ListColumn[];
  status: PaginationStatus;
  loadMore: (n: number) => void;
  /** The rows. */
  children: ReactNode;
}) {
  return (
    <>
      {/* Focusable so keyboard users can scroll it sideways on narrow screens. */}
      <div className="cxa-scroll" tabIndex={0} role="group" aria-label={label}>
        <table className="cxa-list">
          <caption className="cxa-sr-only">{caption}</caption>
          <thead>
            <tr>
              {columns.map((column) => (
                <th
                  key={column.label}
                  scope="col"
                  className={column.numeric ? "cxa-num" : undefined}
                >
                  {column.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>{children}</tbody>
        </table>
      </div>
      <div className="cxa-panel-foot">
        <LoadMore status={status} loadMore={loadMore} />
      </div>
    </>
  );
}
