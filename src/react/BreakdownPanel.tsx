// One breakdown panel (pages, sources, countries, devices): tabs pick the dimension, and
// "Show more" raises the limit from 10 to 100.
import { useId, useState } from "react";
import type { AnalyticsApi } from "./api.js";
import { BarTable } from "./BarTable.js";
import {
  BREAKDOWN_LIMIT,
  BREAKDOWN_LIMIT_EXPANDED,
  type BreakdownPanelConfig,
} from "./breakdownPanels.js";
import { PanelShell, ShowMoreButton } from "./PanelShell.js";
import { useBreakdown } from "./queries.js";
import type { DashboardRange } from "./range.js";
import { SkeletonRows } from "./Skeleton.js";

export function BreakdownPanel(props: {
  api: AnalyticsApi;
  siteId: string;
  range: DashboardRange;
  config: BreakdownPanelConfig;
}) {
  const { api, siteId, range, config } = props;
  const idPrefix = `cxa-${config.id}-${useId().replace(/[^a-zA-Z0-9]/g, "")}`;
  const [tabIndex, setTabIndex] = useState(0);
  const [expanded, setExpanded] = useState(false);
  const tab = config.tabs[tabIndex];
  const limit = expanded ? BREAKDOWN_LIMIT_EXPANDED : BREAKDOWN_LIMIT;
  const { data, isStale } = useBreakdown(api, siteId, range, tab.dimension, limit);

  return (
    <PanelShell
      idPrefix={idPrefix}
      title={config.title}
      tabs={{
        items: config.tabs.map((t) => ({ id: t.dimension, label: t.label })),
        selected: tab.dimension,
        onSelect: (dimension) => {
          setTabIndex(config.tabs.findIndex((t) => t.dimension === dimension));
          setExpanded(false);
        },
      }}
      busy={data === undefined || isStale}
      stale={isStale}
      footer={
        data ? (
          <ShowMoreButton
            expanded={expanded}
            canExpand={data.rows.length >= BREAKDOWN_LIMIT}
            onToggle={() => setExpanded((e) => !e)}
          />
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
          }))}
          keyLabel={tab.keyLabel}
          secondaryLabel="Pageviews"
          formatKey={tab.formatKey}
        />
      ) : (
        <SkeletonRows />
      )}
    </PanelShell>
  );
}
