// CSV export (RFC 4180) that is safe to open in a spreadsheet: a text cell starting with
// = + - @ (or a tab or carriage return) would run as a formula, so it gets a leading quote
// (OWASP's "CSV injection" advice). Numbers are written as numbers, negative ones included.
import type { BreakdownRow, GoalsReport, TimeseriesPoint } from "../../client/types.js";
import { ENGAGEMENT_DIMENSIONS } from "../../component/lib/engagement.js";

export type CsvCell = string | number | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: CsvCell): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Rows joined with CRLF, as RFC 4180 and spreadsheet apps expect. */
export function toCsv(rows: readonly (readonly CsvCell[])[]): string {
  return rows.map((row) => row.map(csvCell).join(",")).join("\r\n") + "\r\n";
}

/**
 * Page, entry page and exit page rows add time_on_page_ms and scroll_depth (percent), empty
 * for a page no visit sent engagement for.
 */
export function breakdownCsv(dimension: string, rows: readonly BreakdownRow[]): string {
  const withEngagement = ENGAGEMENT_DIMENSIONS.has(dimension);
  const counts = (r: BreakdownRow) => [r.key, r.visitors, r.pageviews, r.sessions, r.events];
  return toCsv([
    [
      dimension,
      "visitors",
      "pageviews",
      "sessions",
      "events",
      ...(withEngagement ? ["time_on_page_ms", "scroll_depth"] : []),
    ],
    ...rows.map((r) =>
      withEngagement ? [...counts(r), r.timeOnPageMs, r.scrollDepth] : counts(r),
    ),
  ]);
}

/** One line per goal; the conversion rate as getGoals gives it, 0..1, like bounce_rate. */
export function goalsCsv(goals: GoalsReport["goals"]): string {
  return toCsv([
    ["goal", "visitors", "events", "conversion_rate"],
    ...goals.map((g) => [g.name, g.visitors, g.events, g.conversionRate]),
  ]);
}

/** One line per chart point; `t` as an ISO instant so any time zone reads it unambiguously. */
export function timeseriesCsv(points: readonly TimeseriesPoint[]): string {
  return toCsv([
    ["time", "visitors", "pageviews", "sessions", "bounce_rate", "avg_duration_ms"],
    ...points.map((p) => [
      new Date(p.t).toISOString(),
      p.visitors,
      p.pageviews,
      p.sessions,
      p.bounceRate,
      p.avgDurationMs,
    ]),
  ]);
}

/** Saves `csv` as a file through a temporary link (no dependency, works in every browser). */
export function downloadCsv(filename: string, csv: string) {
  const url = URL.createObjectURL(new Blob([csv], { type: "text/csv;charset=utf-8" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  link.style.display = "none";
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
