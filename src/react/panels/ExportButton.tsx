// "Export CSV" for a breakdown: asks getBreakdown once for the server's maximum of rows (not
// only those on screen) and saves them as a CSV file.
import { useConvex } from "convex/react";
import { useState } from "react";
import type { Dimension, Filter } from "../../client/types.js";
import type { AnalyticsApi } from "../api.js";
import { BREAKDOWN_LIMIT_EXPANDED } from "./breakdownPanels.js";
import { breakdownCsv, downloadCsv } from "../model/csv.js";
import { errorMessage } from "../model/errors.js";
import { withFilters } from "../model/filters.js";
import { toDateInput, type DashboardRange } from "../model/range.js";

export function ExportBreakdownButton(props: {
  api: AnalyticsApi;
  siteId: string;
  range: DashboardRange;
  dimension: Dimension;
  label: string;
  /** The dashboard's filters: the file has the rows on screen, all of them. */
  filters?: Filter[];
}) {
  const { api, siteId, range, dimension, label, filters } = props;
  const convex = useConvex();
  const [state, setState] = useState<{ busy: boolean; error?: string }>({ busy: false });
  const exportCsv = async () => {
    setState({ busy: true });
    try {
      const breakdown = await convex.query(
        api.getBreakdown,
        withFilters(
          { siteId, from: range.from, to: range.to, dimension, limit: BREAKDOWN_LIMIT_EXPANDED },
          filters,
        ),
      );
      const dates = `${toDateInput(range.from)}-${toDateInput(range.to - 1)}`;
      downloadCsv(`${dimension}-${dates}.csv`, breakdownCsv(dimension, breakdown.rows));
      setState({ busy: false });
    } catch (error) {
      setState({ busy: false, error: errorMessage(error) });
    }
  };
  return (
    <>
      <button
        type="button"
        className="cxa-link-button"
        onClick={exportCsv}
        disabled={state.busy}
        aria-label={`Export ${label} as CSV`}
      >
        {state.busy ? "Exporting…" : "Export CSV"}
      </button>
      {state.error ? (
        <span className="cxa-muted" role="status">
          {state.error}
        </span>
      ) : null}
    </>
  );
}
