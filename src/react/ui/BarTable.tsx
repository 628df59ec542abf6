// A ranked table of keys, each with a bar proportional to its visitors (Plausible's list),
// then visitors and one more count. Used by every breakdown panel and the drill-down. A key
// can be a button that filters the dashboard by it; a row can have one more action (an
// event's properties) in a last column.
import type { ReactNode } from "react";
import { formatCount, formatExact } from "../model/format.js";

/** A row's first cell: its key over a bar `share` (0..1) of the cell wide. */
export function BarKeyCell({ share, children }: { share: number; children: ReactNode }) {
  return (
    <td className="cxa-cell-key">
      <span className="cxa-bar" style={{ width: `${share * 100}%` }} aria-hidden="true" />
      {children}
    </td>
  );
}

/** `extra`: the row's texts of the table's `extraColumns`, in their order. */
export type BarRow = { key: string; visitors: number; secondary: number; extra?: string[] };

/** A second button per row, after the counts: its visible text and its accessible name. */
export type RowAction = {
  text: string;
  label: (key: string) => string;
  onSelect: (key: string) => void;
};

export function BarTable(props: {
  caption: string;
  rows: BarRow[];
  keyLabel: string;
  /** Unset: no second count column (e.g. live pages, which only have visitors). */
  secondaryLabel?: string;
  /**
   * More columns after the counts (page rows: time on page, scroll depth): a short header and
   * the full name (its tooltip and what a screen reader reads). Hidden on phones.
   */
  extraColumns?: { label: string; name: string }[];
  /** How a key reads, e.g. a country code as its flag and name. */
  formatKey?: (key: string) => string;
  /** Makes each key a button that adds a filter by it; `selectLabel` names what it does. */
  onSelectKey?: (key: string) => void;
  selectLabel?: (key: string) => string;
  rowAction?: RowAction;
  emptyText?: string;
}) {
  const {
    caption,
    rows,
    keyLabel,
    secondaryLabel,
    extraColumns = [],
    formatKey = (k) => k,
    onSelectKey,
    selectLabel,
    rowAction,
    emptyText = "No data for this range",
  } = props;
  if (rows.length === 0) return <p className="cxa-none">{emptyText}</p>;
  const maxVisitors = Math.max(1, ...rows.map((row) => row.visitors));
  return (
    <table className={rowAction ? "cxa-table cxa-has-action" : "cxa-table"}>
      <caption className="cxa-sr-only">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{keyLabel}</th>
          <th scope="col" className="cxa-num">
            Visitors
          </th>
          {secondaryLabel ? (
            <th scope="col" className="cxa-num">
              {secondaryLabel}
            </th>
          ) : null}
          {extraColumns.map(({ label, name }) => (
            <th key={label} scope="col" className="cxa-num cxa-extra" title={name}>
              <span aria-hidden="true">{label}</span>
              <span className="cxa-sr-only">{name}</span>
            </th>
          ))}
          {rowAction ? (
            <th scope="col" className="cxa-action">
              <span className="cxa-sr-only">Details</span>
            </th>
          ) : null}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => {
          const text = formatKey(row.key);
          return (
            <tr key={row.key}>
              <BarKeyCell share={row.visitors / maxVisitors}>
                {onSelectKey ? (
                  <button
                    type="button"
                    className="cxa-row-button"
                    title={selectLabel ? selectLabel(row.key) : text}
                    aria-label={selectLabel?.(row.key)}
                    onClick={() => onSelectKey(row.key)}
                  >
                    {text}
                  </button>
                ) : (
                  <span className="cxa-key-text" title={text}>
                    {text}
                  </span>
                )}
              </BarKeyCell>
              <td className="cxa-num" title={formatExact(row.visitors)}>
                {formatCount(row.visitors)}
              </td>
              {secondaryLabel ? (
                <td className="cxa-num" title={formatExact(row.secondary)}>
                  {formatCount(row.secondary)}
                </td>
              ) : null}
              {extraColumns.map(({ label }, i) => (
                <td key={label} className="cxa-num cxa-extra">
                  {row.extra?.[i] ?? ""}
                </td>
              ))}
              {rowAction ? (
                <td className="cxa-action">
                  <button
                    type="button"
                    className="cxa-link-button"
                    aria-label={rowAction.label(row.key)}
                    title={rowAction.label(row.key)}
                    onClick={() => rowAction.onSelect(row.key)}
                  >
                    {rowAction.text}
                  </button>
                </td>
              ) : null}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
