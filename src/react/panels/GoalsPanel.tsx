// Goal conversions (Plausible's panel), from getGoals (contract §7): per goal of the site, the
// visitors who converted, the conversions and the conversion rate over the dashboard's range.
// When the dashboard compares, each rate shows its change from a second getGoals of the
// compared range. Everything follows the dashboard's filters (the rate's denominator is the
// filtered visitors); a click on a goal filters by it. Shown only when the host re-exports
// getGoals.
import { useId, useState } from "react";
import type { Filter, GoalsReport } from "../../client/types.js";
import type { AnalyticsApi } from "../api.js";
import { BarKeyCell } from "../ui/BarTable.js";
import { BREAKDOWN_LIMIT } from "./breakdownPanels.js";
import { ComparedDelta, type ComparedMeasure } from "../ui/ComparedDelta.js";
import { downloadCsv, goalsCsv } from "../model/csv.js";
import { rowFilterLabel } from "../model/filters.js";
import { formatConversionRate, formatCount, formatExact, pointsDelta } from "../model/format.js";
import { PanelShell, ShowMoreButton } from "../ui/PanelShell.js";
import { useGoals } from "../hooks/queries.js";
import { toDateInput, type DashboardRange } from "../model/range.js";
import { SkeletonRows } from "../ui/Skeleton.js";

type GoalRow = GoalsReport["goals"][number];

/** Conversion rates are small: their change is given to a tenth of a point (+0.4 pp). */
const CONVERSION_RATE: ComparedMeasure = {
  format: formatConversionRate,
  delta: (current, previous) => pointsDelta(current, previous, 1),
  higherIsBetter: true,
};

/** A column header: a short visible label, the full name for screen readers and on hover. */
function ColumnHeader({ label, name }: { label: string; name: string }) {
  return (
    <th scope="col" className="cxa-num" title={name}>
      <span aria-hidden="true">{label}</span>
      <span className="cxa-sr-only">{name}</span>
    </th>
  );
}

/** The compared period's report, for the deltas; absent when not comparing or still loading. */
type Compared = { report: GoalsReport; label: string };

function GoalsTable({
  report,
  goals,
  compared,
  onFilter,
}: {
  report: GoalsReport;
  goals: GoalRow[];
  compared?: Compared;
  onFilter?: (name: string) => void;
}) {
  const maxVisitors = Math.max(1, ...goals.map((goal) => goal.visitors));
  const previousById = new Map(compared?.report.goals.map((goal) => [goal.goalId, goal]));
  const empty = report.visitors === 0 || compared?.report.visitors === 0;
  return (
    <table className="cxa-table cxa-goals-table">
      <caption className="cxa-sr-only">Goal conversions by unique conversions</caption>
      <thead>
        <tr>
          <th scope="col">Goal</th>
          <ColumnHeader label="Uniques" name="Unique conversions (visitors)" />
          <ColumnHeader label="Total" name="Total conversions (events)" />
          <ColumnHeader label="CR" name="Conversion rate" />
        </tr>
      </thead>
      <tbody>
        {goals.map((goal) => {
          const previous = previousById.get(goal.goalId);
          return (
            <tr key={goal.goalId} data-goal-id={goal.goalId}>
              <BarKeyCell share={goal.visitors / maxVisitors}>
                {onFilter ? (
                  <button
                    type="button"
                    className="cxa-row-button"
                    title={rowFilterLabel("goal", goal.name)}
                    aria-label={rowFilterLabel("goal", goal.name)}
                    onClick={() => onFilter(goal.name)}
                  >
                    {goal.name}
                  </button>
                ) : (
                  <span className="cxa-key-text" title={goal.name}>
                    {goal.name}
                  </span>
                )}
              </BarKeyCell>
              <td className="cxa-num" title={formatExact(goal.visitors)}>
                {formatCount(goal.visitors)}
              </td>
              <td className="cxa-num" title={formatExact(goal.events)}>
                {formatCount(goal.events)}
              </td>
              <td className="cxa-num">
                <span className="cxa-rate">{formatConversionRate(goal.conversionRate)}</span>
                {compared && previous ? (
                  <span className="cxa-rate-delta">
                    <ComparedDelta
                      measure={CONVERSION_RATE}
                      current={goal.conversionRate}
                      previous={previous.conversionRate}
                      empty={empty}
                      comparedWith={compared.label}
                    />
                  </span>
                ) : null}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** A site without goals: what a goal is and the admin call that creates one. */
function NoGoals({ siteId }: { siteId: string }) {
  const site = JSON.stringify(siteId);
  return (
    <div className="cxa-goals-empty">
      <p className="cxa-muted">
        No goals yet. A goal counts the visitors who send a custom event or view matching pages.
        Create one with <code>createGoal</code> from the admin API (<code>exposeAdminApi</code>):
      </p>
      <pre className="cxa-code">
        {`createGoal({ siteId: ${site}, name: "Signup", kind: "event", eventName: "signup" })\n` +
          `createGoal({ siteId: ${site}, name: "Read the docs", kind: "page", pathPattern: "/docs/*" })`}
      </pre>
    </div>
  );
}

export function GoalsPanel(props: {
  getGoals: NonNullable<AnalyticsApi["getGoals"]>;
  /** Optional: with it, goals over a range that reaches the present are read in two parts. */
  getRangePart?: AnalyticsApi["getRangePart"];
  siteId: string;
  range: DashboardRange;
  /** The compared range, or null when not comparing. */
  comparison: DashboardRange | null;
  /** What the comparison is, e.g. "Previous period". */
  comparedWith: string;
  filters?: Filter[];
  /** A click on a goal: filter by `goal is name`. */
  onFilter?: (dimension: string, key: string) => void;
}) {
  const { getGoals, getRangePart, siteId, range, comparison, comparedWith, filters, onFilter } =
    props;
  const idPrefix = `cxa-goals-${useId().replace(/[^a-zA-Z0-9]/g, "")}`;
  const [expanded, setExpanded] = useState(false);
  const current = useGoals(getGoals, siteId, range, filters, getRangePart);
  const previous = useGoals(getGoals, siteId, comparison, filters, getRangePart);
  const report = current.data;
  const comparing = comparison !== null;
  const stale = current.isStale || (comparing && previous.isStale);

  const exportCsv = () => {
    if (!report) return;
    const dates = `${toDateInput(range.from)}-${toDateInput(range.to - 1)}`;
    downloadCsv(`goals-${dates}.csv`, goalsCsv(report.goals));
  };
  const hasGoals = report !== undefined && report.goals.length > 0;
  return (
    <PanelShell
      idPrefix={idPrefix}
      title="Goal conversions"
      busy={report === undefined || stale}
      stale={stale}
      footer={
        hasGoals ? (
          <ShowMoreButton
            expanded={expanded}
            canExpand={report.goals.length > BREAKDOWN_LIMIT}
            onToggle={() => setExpanded((e) => !e)}
          />
        ) : null
      }
      tools={
        hasGoals ? (
          <button
            type="button"
            className="cxa-link-button"
            onClick={exportCsv}
            aria-label="Export goal conversions as CSV"
          >
            Export CSV
          </button>
        ) : null
      }
    >
      {report === undefined ? (
        <SkeletonRows count={3} />
      ) : hasGoals ? (
        <GoalsTable
          report={report}
          goals={expanded ? report.goals : report.goals.slice(0, BREAKDOWN_LIMIT)}
          compared={
            comparing && previous.data ? { report: previous.data, label: comparedWith } : undefined
          }
          onFilter={onFilter ? (name) => onFilter("goal", name) : undefined}
        />
      ) : (
        <NoGoals siteId={siteId} />
      )}
    </PanelShell>
  );
}
