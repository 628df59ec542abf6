// The dashboard's only stylesheet. Every selector starts with the root class so nothing
// leaks into the host page and no host rule is needed; a test parses this text to hold
// that line. Layout follows the component's own width (container queries), not the
// viewport, because a dashboard is often embedded in a narrower column.
import { DARK_PALETTE, LIGHT_PALETTE, paletteDeclarations } from "./theme.js";

export const ROOT_CLASS = "cxa-root";
const R = `.${ROOT_CLASS}`;

export const DASHBOARD_CSS = `
${R} { ${paletteDeclarations(LIGHT_PALETTE)} }
${R}[data-theme="dark"] { ${paletteDeclarations(DARK_PALETTE)} color-scheme: dark; }
@media (prefers-color-scheme: dark) {
  ${R}[data-theme="auto"] { ${paletteDeclarations(DARK_PALETTE)} color-scheme: dark; }
}
${R} {
  container-type: inline-size;
  box-sizing: border-box;
  display: flex; flex-direction: column; gap: 16px;
  padding: 16px;
  background: var(--cxa-bg); color: var(--cxa-text);
  font-family: var(--cxa-font); font-size: 14px; line-height: 1.45;
  -webkit-font-smoothing: antialiased;
  border-radius: var(--cxa-radius);
}
${R} *, ${R} *::before, ${R} *::after { box-sizing: inherit; }
${R} :focus-visible { outline: 2px solid var(--cxa-focus); outline-offset: 2px; }
${R} h2, ${R} h3, ${R} p { margin: 0; }
${R} .cxa-sr-only {
  position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; border: 0;
}
${R} .cxa-muted { color: var(--cxa-text-muted); }

/* Header: title, range picker, compare switch. Wraps onto two lines on phones. */
${R} .cxa-header { display: flex; flex-wrap: wrap; align-items: flex-end; justify-content: space-between; gap: 12px; }
${R} .cxa-title { font-size: 20px; font-weight: 700; letter-spacing: -0.01em; }
${R} .cxa-subtitle { font-size: 13px; color: var(--cxa-text-muted); }
${R} .cxa-controls { display: flex; flex-wrap: wrap; align-items: flex-end; gap: 10px; }
${R} .cxa-field { display: flex; flex-direction: column; gap: 4px; font-size: 12px; font-weight: 600; color: var(--cxa-text-muted); }
${R} .cxa-select, ${R} .cxa-input {
  font: inherit; font-size: 14px; font-weight: 500; color: var(--cxa-text);
  background: var(--cxa-surface); border: 1px solid var(--cxa-border-strong); border-radius: 8px;
  padding: 7px 10px; min-height: 36px;
}
${R} .cxa-select { padding-right: 28px; }
${R} .cxa-switch { display: inline-flex; align-items: center; gap: 8px; min-height: 36px; font-size: 14px; font-weight: 500; cursor: pointer; user-select: none; }
${R} .cxa-switch input { width: 16px; height: 16px; margin: 0; accent-color: var(--cxa-accent); cursor: pointer; }
${R} .cxa-period { display: flex; align-items: flex-end; gap: 4px; }
${R} .cxa-arrow { min-width: 36px; min-height: 36px; padding: 0 8px; font-size: 18px; line-height: 1; }

/* Buttons: native button elements, visibly focusable. */
${R} .cxa-button {
  font: inherit; font-size: 13px; font-weight: 600; cursor: pointer;
  color: var(--cxa-text); background: var(--cxa-surface);
  border: 1px solid var(--cxa-border-strong); border-radius: 8px; padding: 6px 12px; min-height: 32px;
}
${R} .cxa-button:hover { background: var(--cxa-surface-muted); }
${R} .cxa-button:disabled { opacity: 0.6; cursor: default; }
${R} .cxa-button-primary { background: var(--cxa-accent); color: var(--cxa-accent-text); border-color: var(--cxa-accent); }
${R} .cxa-button-primary:hover { background: var(--cxa-accent); filter: brightness(1.08); }
${R} .cxa-link-button {
  font: inherit; color: var(--cxa-accent); background: none; border: 0; padding: 2px 0; cursor: pointer; font-weight: 600;
}
${R} .cxa-link-button:hover { text-decoration: underline; }

${R} .cxa-card {
  position: relative; background: var(--cxa-surface); border: 1px solid var(--cxa-border);
  border-radius: var(--cxa-radius); box-shadow: 0 1px 2px rgba(16, 24, 40, 0.04);
}

/* KPI row: one row of all cards when wide, two rows when medium, two columns on phones; the
   last card spans what its row has left (KpiRow sets the counts), so no row has an empty cell. */
${R} .cxa-kpis {
  display: grid; grid-template-columns: repeat(var(--cxa-kpi-cols-medium, 4), minmax(0, 1fr));
  gap: 0; padding: 0; overflow: hidden;
}
${R} .cxa-kpis > .cxa-kpi:last-child { grid-column: span var(--cxa-kpi-last-medium, 1); }
@container (min-width: 1040px) {
  ${R} .cxa-kpis { grid-template-columns: repeat(var(--cxa-kpi-cols, 8), minmax(0, 1fr)); }
  ${R} .cxa-kpis > .cxa-kpi:last-child { grid-column: auto; }
}
@container (max-width: 599px) {
  ${R} .cxa-kpis { grid-template-columns: repeat(2, minmax(0, 1fr)); }
  ${R} .cxa-kpis > .cxa-kpi:last-child { grid-column: span var(--cxa-kpi-last-narrow, 1); }
}
${R} .cxa-kpis-realtime { grid-template-columns: minmax(0, 1fr); }
${R} .cxa-kpis-realtime > .cxa-kpi:last-child { grid-column: auto; }
${R} .cxa-kpi {
  display: flex; flex-direction: column; align-items: flex-start; gap: 2px; min-width: 0;
  padding: 14px 12px; background: var(--cxa-surface); color: inherit; text-align: left;
  font: inherit; border: 0; border-radius: 0; position: relative;
  /* Dividers drawn by each tile, so a row that isn't full leaves no coloured gap. */
  box-shadow: 1px 0 0 var(--cxa-border), 0 1px 0 var(--cxa-border);
}
/* The row clips its corners: the focus ring goes inside the card so it is never cut off. */
${R} .cxa-kpi:focus-visible { outline-offset: -3px; border-radius: 8px; }
${R} button.cxa-kpi { cursor: pointer; }
${R} button.cxa-kpi:hover { background: var(--cxa-surface-muted); }
${R} button.cxa-kpi[aria-pressed="true"]::after {
  content: ""; position: absolute; left: 12px; right: 12px; bottom: 0; height: 3px;
  border-radius: 3px 3px 0 0; background: var(--cxa-accent);
}
${R} .cxa-kpi-label { font-size: 11px; font-weight: 700; letter-spacing: 0.03em; text-transform: uppercase; color: var(--cxa-text-muted); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; max-width: 100%; }
${R} .cxa-kpi-value { font-size: 24px; line-height: 1.25; font-weight: 700; letter-spacing: -0.02em; font-variant-numeric: tabular-nums; }
${R} .cxa-kpi-foot { display: flex; align-items: baseline; gap: 6px; min-height: 18px; font-size: 12px; }
${R} .cxa-delta { font-weight: 700; font-variant-numeric: tabular-nums; }
${R} .cxa-delta-good { color: var(--cxa-positive); }
${R} .cxa-delta-bad { color: var(--cxa-negative); }
${R} .cxa-delta-flat { color: var(--cxa-text-muted); }
${R} .cxa-live-dot {
  display: inline-block; width: 8px; height: 8px; margin-right: 6px; border-radius: 50%;
  background: var(--cxa-positive); animation: cxa-pulse 2s ease-in-out infinite;
}

/* Chart */
${R} .cxa-chart-card { padding: 16px 16px 8px; }
${R} .cxa-chart-head { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: baseline; gap: 8px; margin-bottom: 8px; }
${R} .cxa-chart-title { font-size: 15px; font-weight: 700; }
${R} .cxa-legend { display: flex; gap: 14px; font-size: 12px; color: var(--cxa-text-muted); }
${R} .cxa-legend-swatch { display: inline-block; width: 14px; height: 3px; margin-right: 6px; vertical-align: middle; border-radius: 2px; background: var(--cxa-accent); }
${R} .cxa-legend-swatch-previous { background: repeating-linear-gradient(90deg, var(--cxa-text-muted) 0 4px, transparent 4px 7px); }
${R} .cxa-chart-tools { display: flex; flex-wrap: wrap; align-items: center; gap: 14px; }
${R} .cxa-chart { width: 100%; height: 260px; margin: 0; }
${R} .cxa-chart-short { height: 200px; }
/* recharts makes parts of its chart focusable for its keyboard layer: no box after a click
   or tap, the ring only for keyboard focus. */
${R} .cxa-chart :focus:not(:focus-visible) { outline: none; }
${R} .cxa-chart :focus-visible { outline: 2px solid var(--cxa-focus); outline-offset: 2px; }
${R} .cxa-chart .recharts-cartesian-axis-tick-value { fill: var(--cxa-text-muted); font-size: 12px; }
${R} .cxa-chart .recharts-surface { overflow: visible; }
${R} .cxa-tooltip {
  background: var(--cxa-surface); color: var(--cxa-text); border: 1px solid var(--cxa-border-strong);
  border-radius: 8px; padding: 8px 10px; font-size: 12px; box-shadow: 0 6px 18px rgba(16, 24, 40, 0.14);
}
${R} .cxa-tooltip-title { font-weight: 700; margin-bottom: 4px; }
${R} .cxa-tooltip-row { display: flex; justify-content: space-between; gap: 16px; font-variant-numeric: tabular-nums; }

/* Panels: stacked on phones, two columns from 760 px of dashboard width. */
${R} .cxa-grid { display: grid; grid-template-columns: minmax(0, 1fr); gap: 16px; }
@container (min-width: 760px) {
  ${R} .cxa-grid { grid-template-columns: repeat(2, minmax(0, 1fr)); }
  ${R} .cxa-span-2 { grid-column: 1 / -1; }
}
${R} .cxa-panel { display: flex; flex-direction: column; padding: 14px 16px; min-height: 200px; }
${R} .cxa-panel-head { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: 8px; margin-bottom: 10px; }
${R} .cxa-panel-title { font-size: 15px; font-weight: 700; }
/* Tabs wrap rather than scroll: a tab hidden past the edge is a tab nobody finds. */
${R} .cxa-tabs { display: flex; flex-wrap: wrap; gap: 2px; max-width: 100%; padding: 2px; border-radius: 8px; background: var(--cxa-surface-muted); }
${R} .cxa-tab {
  font: inherit; font-size: 12px; font-weight: 600; white-space: nowrap; cursor: pointer;
  color: var(--cxa-text-muted); background: transparent; border: 0; border-radius: 6px; padding: 5px 10px;
}
${R} .cxa-tab:hover { color: var(--cxa-text); }
${R} .cxa-tab[aria-selected="true"] { color: var(--cxa-text); background: var(--cxa-surface); box-shadow: 0 1px 2px rgba(16, 24, 40, 0.12); }
${R} .cxa-panel-foot { display: flex; flex-wrap: wrap; justify-content: center; align-items: center; gap: 20px; margin-top: auto; padding-top: 10px; }
${R} .cxa-list-tools { display: flex; flex-wrap: wrap; align-items: center; gap: 12px; margin-bottom: 6px; font-size: 13px; }
${R} .cxa-list .cxa-id { display: inline-block; max-width: 18ch; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; vertical-align: bottom; }

/* Breakdown tables: key with a bar proportional to visitors, then the counts. */
${R} .cxa-table { width: 100%; border-collapse: separate; border-spacing: 0 3px; table-layout: fixed; font-variant-numeric: tabular-nums; }
${R} .cxa-table th {
  font-size: 11px; font-weight: 700; letter-spacing: 0.06em; text-transform: uppercase;
  color: var(--cxa-text-muted); text-align: left; padding: 0 8px 4px;
}
${R} .cxa-table td { padding: 0 8px; height: 32px; vertical-align: middle; }
${R} .cxa-table .cxa-num { width: 76px; text-align: right; white-space: nowrap; }
${R} .cxa-table th.cxa-num { text-align: right; }
${R} .cxa-table .cxa-extra { width: 64px; }
${R} .cxa-cell-key { position: relative; padding: 0; }
${R} .cxa-table td.cxa-cell-key { padding: 0; }
${R} .cxa-bar { position: absolute; top: 0; bottom: 0; left: 0; border-radius: 6px; background: var(--cxa-bar); }
${R} .cxa-key-text {
  position: relative; display: block; padding: 0 8px; line-height: 32px;
  overflow: hidden; white-space: nowrap; text-overflow: ellipsis;
}
${R} .cxa-row-button {
  position: relative; display: block; width: 100%; padding: 0 8px; line-height: 32px; text-align: left;
  font: inherit; color: var(--cxa-text); background: none; border: 0; border-radius: 6px; cursor: pointer;
  overflow: hidden; white-space: nowrap; text-overflow: ellipsis;
}
${R} .cxa-row-button:hover { text-decoration: underline; }
${R} .cxa-none { padding: 24px 8px; text-align: center; color: var(--cxa-text-muted); }

/* Goal conversions: three counts; when comparing, each rate's change under it. */
${R} .cxa-goals-table .cxa-num { width: 64px; }
${R} .cxa-goals-table th.cxa-num:nth-child(2), ${R} .cxa-goals-table td.cxa-num:nth-child(2) { width: 76px; }
${R} .cxa-rate-delta { display: block; font-size: 11px; line-height: 1.2; padding-bottom: 3px; }
${R} .cxa-goals-empty { display: flex; flex-direction: column; gap: 10px; padding: 8px 0; }
${R} .cxa-goals-empty code { font-family: var(--cxa-mono); font-size: 12.5px; }

/* An extra button at the end of a breakdown row (an event's properties). */
${R} .cxa-table .cxa-action { width: 92px; padding: 0 4px; text-align: right; white-space: nowrap; }
${R} .cxa-table td.cxa-action .cxa-link-button { font-size: 12px; }

/* Filters: "+ Filter", one chip per filter (edit, ×), clear all, the sampled badge; the
   editor opens under the row as a card over the dashboard. */
${R} .cxa-filter-bar { position: relative; }
${R} .cxa-filter-row { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; }
${R} .cxa-filter-chip {
  display: inline-flex; align-items: stretch; max-width: 100%; min-height: 32px;
  background: var(--cxa-surface); border: 1px solid var(--cxa-border-strong); border-radius: 999px; overflow: hidden;
}
${R} .cxa-filter-chip-label, ${R} .cxa-filter-chip-remove {
  font: inherit; font-size: 13px; color: var(--cxa-text); background: none; border: 0; cursor: pointer;
}
${R} .cxa-filter-chip-label { min-width: 0; padding: 4px 4px 4px 12px; text-align: left; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; max-width: 42ch; }
${R} .cxa-filter-chip-remove { padding: 0 10px; font-size: 16px; line-height: 1; color: var(--cxa-text-muted); }
${R} .cxa-filter-chip-label:hover, ${R} .cxa-filter-chip-remove:hover { background: var(--cxa-surface-muted); }
${R} .cxa-filter-chip-label:focus-visible, ${R} .cxa-filter-chip-remove:focus-visible { outline-offset: -2px; border-radius: 999px; }
${R} .cxa-filter-spacer { flex: 1 1 0; }
${R} .cxa-filter-note { font-size: 13px; }
${R} .cxa-approximate { font-size: 12px; padding: 2px 8px; color: var(--cxa-text-muted); background: transparent; text-decoration: none; cursor: help; }
${R} .cxa-sampled { font-size: 12px; padding: 3px 10px; color: var(--cxa-text); background: var(--cxa-bar); border-color: transparent; cursor: help; }
${R} .cxa-filter-editor {
  position: absolute; z-index: 20; top: calc(100% + 6px); left: 0; width: min(440px, 100%);
  display: flex; flex-direction: column; gap: 12px; padding: 14px 16px;
  box-shadow: 0 12px 32px rgba(16, 24, 40, 0.18);
}
${R} .cxa-filter-fields { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 10px; }
${R} .cxa-field-wide { grid-column: 1 / -1; }
${R} .cxa-filter-values { display: flex; flex-direction: column; gap: 6px; margin: 0; padding: 0; border: 0; min-width: 0; }
${R} .cxa-field-legend { padding: 0; margin-bottom: 4px; font-size: 12px; font-weight: 600; color: var(--cxa-text-muted); }
${R} .cxa-filter-value { display: flex; gap: 6px; }
${R} .cxa-filter-value .cxa-input { flex: 1 1 auto; min-width: 0; }
${R} .cxa-filter-values > .cxa-link-button { align-self: flex-start; }
${R} .cxa-icon-button { min-width: 36px; padding: 0 10px; font-size: 16px; line-height: 1; }
${R} .cxa-field-hint { font-size: 12px; color: var(--cxa-text-muted); }
${R} .cxa-field-error { font-size: 12px; font-weight: 600; color: var(--cxa-negative); }
${R} .cxa-input[aria-invalid="true"] { border-color: var(--cxa-negative); }
${R} .cxa-filter-actions { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }

/* Funnel: per step a bar of its visitors (as a share of step 1), the part lost since the step
   before hatched behind it, and its figures. */
${R} .cxa-field-inline { flex-direction: row; align-items: center; gap: 8px; }
${R} .cxa-funnel-title { font-size: 13px; font-weight: 600; }
${R} .cxa-funnel-summary { margin-bottom: 12px; font-size: 13px; color: var(--cxa-text-muted); }
${R} .cxa-funnel-summary strong { color: var(--cxa-text); }
${R} .cxa-funnel { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 14px; }
${R} .cxa-funnel-step { display: flex; flex-direction: column; gap: 4px; }
${R} .cxa-funnel-head { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: baseline; gap: 4px 12px; }
${R} .cxa-funnel-name { font-weight: 600; display: inline-flex; align-items: baseline; gap: 8px; }
${R} .cxa-funnel-index {
  display: inline-flex; align-items: center; justify-content: center; width: 20px; height: 20px; border-radius: 50%;
  font-size: 11px; font-weight: 700; background: var(--cxa-accent); color: var(--cxa-accent-text);
}
${R} .cxa-funnel-figures { font-size: 13px; font-variant-numeric: tabular-nums; }
${R} .cxa-funnel-visitors, ${R} .cxa-funnel-rate { font-weight: 700; }
${R} .cxa-funnel-track { position: relative; height: 28px; border-radius: 6px; background: var(--cxa-surface-muted); overflow: hidden; }
${R} .cxa-funnel-bar, ${R} .cxa-funnel-lost { position: absolute; top: 0; bottom: 0; left: 0; border-radius: 6px; }
${R} .cxa-funnel-bar { background: var(--cxa-accent); }
${R} .cxa-funnel-lost { background: repeating-linear-gradient(135deg, var(--cxa-bar) 0 6px, transparent 6px 10px); }
${R} .cxa-funnel-drop { font-size: 12px; color: var(--cxa-text-muted); font-variant-numeric: tabular-nums; }

/* Event property drill-down */
${R} .cxa-drill-head { display: flex; align-items: center; gap: 8px; flex-wrap: wrap; margin-bottom: 10px; }
${R} .cxa-chips { display: flex; flex-wrap: wrap; gap: 6px; margin-bottom: 10px; }
${R} .cxa-chip {
  font: inherit; font-size: 12px; font-family: var(--cxa-mono); cursor: pointer;
  color: var(--cxa-text); background: var(--cxa-surface-muted); border: 1px solid var(--cxa-border); border-radius: 999px; padding: 3px 10px;
}
${R} .cxa-chip[aria-pressed="true"] { background: var(--cxa-accent); color: var(--cxa-accent-text); border-color: var(--cxa-accent); }
${R} .cxa-inline-form { display: flex; gap: 8px; align-items: flex-end; flex-wrap: wrap; margin-bottom: 10px; }
${R} .cxa-inline-form .cxa-field { flex: 1 1 160px; }

/* Lists of visits and raw events: scroll sideways on phones rather than squash. */
${R} .cxa-scroll { overflow-x: auto; margin: 0 -16px; padding: 0 16px; }
${R} .cxa-list { width: 100%; min-width: 640px; border-collapse: collapse; font-size: 13px; font-variant-numeric: tabular-nums; }
${R} .cxa-list th {
  font-size: 11px; font-weight: 700; letter-spacing: 0.06em; text-transform: uppercase; text-align: left;
  color: var(--cxa-text-muted); padding: 6px 8px; border-bottom: 1px solid var(--cxa-border); white-space: nowrap;
}
${R} .cxa-list td { padding: 8px; border-bottom: 1px solid var(--cxa-border); vertical-align: top; }
${R} .cxa-list .cxa-num { text-align: right; white-space: nowrap; }
${R} .cxa-list .cxa-nowrap { white-space: nowrap; }
${R} .cxa-list .cxa-path { font-family: var(--cxa-mono); font-size: 12px; word-break: break-all; }
${R} .cxa-badge {
  display: inline-block; font-size: 11px; font-weight: 700; padding: 1px 8px; border-radius: 999px;
  background: var(--cxa-surface-muted); color: var(--cxa-text-muted); border: 1px solid var(--cxa-border);
}
${R} .cxa-badge-event { background: var(--cxa-bar); color: var(--cxa-text); border-color: transparent; }
${R} .cxa-props { font-family: var(--cxa-mono); font-size: 12px; color: var(--cxa-text-muted); word-break: break-word; }

/* Loading skeletons */
${R} .cxa-skeleton { display: block; border-radius: 6px; background: var(--cxa-skeleton); animation: cxa-pulse 1.4s ease-in-out infinite; }
${R} .cxa-skeleton-rows { display: flex; flex-direction: column; gap: 6px; }
${R} .cxa-stale { opacity: 0.6; transition: opacity 0.2s; }

/* Empty and error states */
${R} .cxa-empty { padding: 28px 24px; display: flex; flex-direction: column; gap: 14px; }
${R} .cxa-empty-title { font-size: 18px; font-weight: 700; }
${R} .cxa-snippet { display: flex; flex-direction: column; gap: 6px; }
${R} .cxa-snippet-head { display: flex; justify-content: space-between; align-items: center; gap: 8px; font-size: 13px; font-weight: 600; }
${R} .cxa-code {
  margin: 0; padding: 12px 14px; overflow-x: auto; border-radius: 8px; border: 1px solid var(--cxa-border);
  background: var(--cxa-surface-muted); color: var(--cxa-text); font-family: var(--cxa-mono); font-size: 12.5px; line-height: 1.6; white-space: pre;
}
${R} .cxa-alert { padding: 16px 18px; border-left: 4px solid var(--cxa-negative); display: flex; flex-direction: column; gap: 8px; align-items: flex-start; }
${R} .cxa-alert-title { font-weight: 700; color: var(--cxa-negative); }
${R} .cxa-alert-message { font-family: var(--cxa-mono); font-size: 13px; white-space: pre-wrap; word-break: break-word; }

/* Phones (by the dashboard's width): 44 px touch targets, compact KPIs so the chart shows
   without scrolling. */
@container (max-width: 599px) {
  ${R} .cxa-tab, ${R} .cxa-link-button, ${R} .cxa-button, ${R} .cxa-select, ${R} .cxa-input,
  ${R} .cxa-switch, ${R} .cxa-chip, ${R} .cxa-arrow,
  ${R} .cxa-filter-chip-label, ${R} .cxa-filter-chip-remove { min-height: 44px; }
  ${R} .cxa-icon-button, ${R} .cxa-filter-chip-remove { min-width: 44px; }
  /* Rows are buttons (a click filters): tall enough to tap. */
  ${R} .cxa-table td { height: 44px; }
  ${R} .cxa-row-button { line-height: 44px; }
  /* A row with one more button: narrower counts, so the key keeps room. */
  ${R} .cxa-has-action .cxa-num { width: 62px; padding: 0 2px; }
  ${R} .cxa-has-action th { letter-spacing: 0; }
  ${R} .cxa-table .cxa-action { width: 80px; }
  /* Page rows' engagement columns: the key and its counts keep the room. */
  ${R} .cxa-table .cxa-extra { display: none; }
  ${R} .cxa-filter-chip-label { max-width: none; }
  ${R} .cxa-filter-editor { width: 100%; }
  ${R} .cxa-arrow { min-width: 44px; }
  ${R} .cxa-link-button { padding: 0 8px; }
  ${R} .cxa-tab { padding: 0 12px; }
  ${R} .cxa-kpi { padding: 8px 12px; min-height: 44px; }
  ${R} .cxa-kpi-value { font-size: 19px; }
  ${R} .cxa-kpi-foot { min-height: 16px; }
  ${R} .cxa-header { gap: 8px; }
  ${R} .cxa-controls { gap: 8px; width: 100%; }
  ${R} .cxa-controls .cxa-field { flex: 1 1 40%; }
  ${R} .cxa-period { flex: 1 1 100%; }
  ${R} .cxa-period .cxa-field { flex: 1 1 auto; }
  ${R} .cxa-chart-card { padding: 12px 10px 6px; }
  /* Three counts leave a goal's name little room: narrower counts, and names wrap. */
  ${R} .cxa-goals-table th.cxa-num, ${R} .cxa-goals-table td.cxa-num { width: 56px; padding: 0 4px; }
  ${R} .cxa-goals-table th.cxa-num:nth-child(2), ${R} .cxa-goals-table td.cxa-num:nth-child(2) { width: 68px; }
  ${R} .cxa-goals-table th.cxa-num:nth-child(4), ${R} .cxa-goals-table td.cxa-num:nth-child(4) { width: 60px; }
  ${R} .cxa-goals-table .cxa-key-text, ${R} .cxa-goals-table .cxa-row-button { white-space: normal; line-height: 1.3; padding: 7px 8px; }
  ${R} .cxa-goals-table .cxa-row-button { min-height: 44px; }
}

@keyframes cxa-pulse { 0%, 100% { opacity: 1; } 50% { opacity: 0.45; } }
@media (prefers-reduced-motion: reduce) {
  ${R} .cxa-skeleton, ${R} .cxa-live-dot { animation: none; }
}
`;
