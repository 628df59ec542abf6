// One breakdown panel (pages, sources, countries, devices): tabs pick the dimension (kept in
// the dashboard's URL state), "Show more" raises the limit from 10 to 100, "Export CSV" saves
// up to 100 rows, a click on a row filters the whole dashboard by it. A long tail's list whose
// order is not certain says so (ApproximateMark).
import { useId, useState } from "react";
import type { Filter } from "../../client/types.js";
import type { AnalyticsApi } from "../api.js";
import { BarTable } from "../ui/BarTable.js";
import { ExportBreakdownButton } from "./ExportButton.js";
import {
  BREAKDOWN_LIMIT,
  BREAKDOWN_LIMIT_EXPANDED,
  type BreakdownPanelConfig,
} from "./breakdownPanels.js";
import { rowFilterLabel } from "../model/filters.js";
import { ApproximateMark, PanelShell, ShowMoreButton } from "../ui/PanelShell.js";
import { useBreakdown } from "../hooks/queries.js";
import type { DashboardRange } from "../model/range.js";
import { SkeletonRows } from "../ui/Skeleton.js";
import { ENGAGEMENT_DIMENSIONS } from "../../component/lib/engagement.js";
import type { BreakdownRow } from "../../client/types.js";
import { formatDuration } from "../model/format.js";

/** Page rows' engagement columns, as Plausible's top pages show them. */
const ENGAGEMENT_COLUMNS = [
  { label: "Time", name: "Time on page" },
  { label: "Scroll", name: "Scroll depth" },
];

/** A page row's engagement, or a dash for a page no visit sent engagement for. */
function engagementCells(row: BreakdownRow): string[] {
  return [
    row.timeOnPageMs === undefined ? "—" : formatDuration(row.timeOnPageMs),
    row.scrollDepth === undefined ? "—" : `${row.scrollDepth}%`,
  ];
}

export function BreakdownPanel(props: {
  api: AnalyticsApi;
  siteId: string;
  range: DashboardRange;
  config: BreakdownPanelConfig;
  /** The chosen tab's dimension; the first tab when unset or unknown. */
  selectedTab?: string;
  /** Null picks the first tab. */
  onSelectTab: (dimension: string | null) => void;
  filters?: Filter[];
  /** A click on a row: filter by `dimension is key`. Unset: rows are plain text. */
  onFilter?: (dimension: string, key: string) => void;
}) {
  const { api, siteId, range, config, selectedTab, onSelectTab, filters, onFilter } = props;
  const idPrefix = `cxa-${config.id}-${useId().replace(/[^a-zA-Z0-9]/g, "")}`;
  const [expanded, setExpanded] = useState(false);
  const tab = config.tabs.find((t) => t.dimension === selectedTab) ?? config.tabs[0];
  const limit = expanded ? BREAKDOWN_LIMIT_EXPANDED : BREAKDOWN_LIMIT;
  const { data, isStale } = useBreakdown(api, siteId, range, tab.dimension, limit, filters);
  const withEngagement = ENGAGEMENT_DIMENSIONS.has(tab.dimension);

  return (
    <PanelShell
      idPrefix={idPrefix}
      title={config.title}
      tabs={{
        items: config.tabs.map((t) => ({ id: t.dimension, label: t.label })),
        selected: tab.dimension,
        onSelect: (dimension) => {
          onSelectTab(dimension === config.tabs[0].dimension ? null : dimension);
          setExpanded(false);
        },
      }}
      tools={
        <ExportBreakdownButton
          api={api}
          siteId={siteId}
          range={range}
          dimension={tab.dimension}
          label={tab.label}
          filters={filters}
        />
      }
      busy={data === undefined || isStale}
      stale={isStale}
      footer={
        data ? (
          <>
            <ShowMoreButton
              expanded={expanded}
              canExpand={data.rows.length >= BREAKDOWN_LIMIT}
              onToggle={() => setExpanded((e) => !e)}
            />
            <ApproximateMark approximate={data.approximate} />
          </>
        ) : null
      }
    >
      {data ? (
        <BarTable
          caption={`${tab.label} by visitors`}
          rows={data.rows.map((row) => ({
            key: row.key,
            visitors: row.visitors,
            secondary: row.pageviews,
            ...(withEngagement ? { extra: engagementCells(row) } : {}),
          }))}
          keyLabel={tab.keyLabel}
          secondaryLabel="Pageviews"
          extraColumns={withEngagement ? ENGAGEMENT_COLUMNS : undefined}
          formatKey={tab.formatKey}
          onSelectKey={onFilter ? (key) => onFilter(tab.dimension, key) : undefined}
          selectLabel={(key) => rowFilterLabel(tab.dimension, key)}
        />
      ) : (
        <SkeletonRows />
      )}
    </PanelShell>
  );
}
