// A funnel (contract §7): 2 to 8 goals a visitor completes in order within one visit. Per step,
// a horizontal bar of the visitors who reached it, the share of step 1 they are (step 1: of
// all the range's visitors), and the drop-off from the step before, drawn as the hatched
// part of the bar the previous step had. A picker chooses among the site's funnels (kept in
// the URL); everything follows the dashboard's filters. Shown only when the host re-exports
// getFunnel and listFunnels.
import { useId } from "react";
import type { Filter, FunnelReport } from "../../client/types.js";
import type { AnalyticsApi } from "../api.js";
import { formatConversionRate, formatCount, formatExact } from "../model/format.js";
import { PanelShell } from "../ui/PanelShell.js";
import { useFunnel, useFunnels } from "../hooks/queries.js";
import type { DashboardRange } from "../model/range.js";
import { SkeletonRows } from "../ui/Skeleton.js";

/** A share as a bar width: 0..100 %, 0 when there is nothing to divide by. */
const width = (part: number, whole: number) =>
  `${whole > 0 ? Math.min(100, (100 * part) / whole) : 0}%`;

function FunnelSteps({ report }: { report: FunnelReport }) {
  const { steps } = report;
  const entered = steps[0]?.visitors ?? 0;
  const last = steps[steps.length - 1];
  return (
    <>
      <p className="cxa-funnel-summary">
        <strong title={formatExact(entered)}>{formatCount(entered)}</strong> of{" "}
        {formatExact(report.visitors)} visitors entered;{" "}
        <strong className="cxa-funnel-completed" title={formatExact(last?.visitors ?? 0)}>
          {formatConversionRate(last?.conversionRate ?? 0)}
        </strong>{" "}
        of them completed all {steps.length} steps.
      </p>
      <ol className="cxa-funnel" aria-label={`${report.name}, step by step`}>
        {steps.map((step, i) => {
          const previous = i > 0 ? steps[i - 1]!.visitors : null;
          const rateOf = i === 0 ? "of all visitors" : "of step 1";
          return (
            <li key={`${i}:${step.goalId}`} className="cxa-funnel-step" data-goal-id={step.goalId}>
              <div className="cxa-funnel-head">
                <span className="cxa-funnel-name">
                  <span className="cxa-funnel-index" aria-hidden="true">
                    {i + 1}
                  </span>
                  <span className="cxa-sr-only">Step {i + 1}: </span>
                  {step.name}
                </span>
                <span className="cxa-funnel-figures">
                  <span className="cxa-funnel-visitors" title={formatExact(step.visitors)}>
                    {formatCount(step.visitors)}
                  </span>{" "}
                  {step.visitors === 1 ? "visitor" : "visitors"} ·{" "}
                  <span className="cxa-funnel-rate">
                    {formatConversionRate(step.conversionRate)}
                  </span>{" "}
                  <span className="cxa-muted">{rateOf}</span>
                </span>
              </div>
              <div className="cxa-funnel-track" aria-hidden="true">
                {previous !== null ? (
                  <span className="cxa-funnel-lost" style={{ width: width(previous, entered) }} />
                ) : null}
                <span className="cxa-funnel-bar" style={{ width: width(step.visitors, entered) }} />
              </div>
              {previous !== null ? (
                <p className="cxa-funnel-drop">
                  <span className="cxa-funnel-drop-count" title={formatExact(step.dropOff)}>
                    {formatCount(step.dropOff)}
                  </span>{" "}
                  dropped off after step {i} (
                  {formatConversionRate(previous > 0 ? step.dropOff / previous : 0)})
                </p>
              ) : null}
            </li>
          );
        })}
      </ol>
    </>
  );
}

/** A site without funnels: what a funnel is and the admin call that creates one. */
function NoFunnels({ siteId }: { siteId: string }) {
  const site = JSON.stringify(siteId);
  return (
    <div className="cxa-goals-empty">
      <p className="cxa-muted">
        No funnels yet. A funnel counts the visitors who complete 2 to 8 goals in order within one
        visit, and where the others drop off. Create one from goal ids (<code>listGoals</code>) with{" "}
        <code>createFunnel</code> from the admin API (<code>exposeAdminApi</code>):
      </p>
      <pre className="cxa-code">
        {`createFunnel({ siteId: ${site}, name: "Signup to checkout",\n  steps: [signupGoalId, checkoutGoalId] })`}
      </pre>
    </div>
  );
}

export function FunnelPanel(props: {
  getFunnel: NonNullable<AnalyticsApi["getFunnel"]>;
  listFunnels: NonNullable<AnalyticsApi["listFunnels"]>;
  siteId: string;
  range: DashboardRange;
  filters?: Filter[];
  /** The chosen funnel's id; the first funnel when unset or no longer there. */
  selected?: string;
  /** Null picks the first funnel. */
  onSelect: (funnelId: string | null) => void;
}) {
  const { getFunnel, listFunnels, siteId, range, filters, selected, onSelect } = props;
  const id = useId().replace(/[^a-zA-Z0-9]/g, "");
  const funnels = useFunnels(listFunnels, siteId);
  const chosen = funnels?.find((f) => f.funnelId === selected) ?? funnels?.[0];
  const { data: report, isStale } = useFunnel(
    getFunnel,
    siteId,
    range,
    chosen?.funnelId ?? null,
    filters,
  );
  const picker =
    funnels && funnels.length > 1 && chosen ? (
      <label className="cxa-field cxa-field-inline" htmlFor={`${id}-funnel`}>
        Funnel
        <select
          id={`${id}-funnel`}
          className="cxa-select"
          value={chosen.funnelId}
          onChange={(e) =>
            onSelect(e.target.value === funnels[0]!.funnelId ? null : e.target.value)
          }
        >
          {funnels.map((funnel) => (
            <option key={funnel.funnelId} value={funnel.funnelId}>
              {funnel.name}
            </option>
          ))}
        </select>
      </label>
    ) : chosen ? (
      <span className="cxa-muted cxa-funnel-title">{chosen.name}</span>
    ) : null;
  const loading = funnels === undefined || (chosen !== undefined && report === undefined);
  return (
    <PanelShell
      idPrefix={`cxa-funnel-${id}`}
      title="Funnel"
      actions={picker}
      busy={loading || isStale}
      stale={isStale}
    >
      {funnels === undefined ? (
        <SkeletonRows count={3} />
      ) : chosen === undefined ? (
        <NoFunnels siteId={siteId} />
      ) : report === undefined ? (
        <SkeletonRows count={chosen.steps.length} />
      ) : (
        <FunnelSteps report={report} />
      )}
    </PanelShell>
  );
}
