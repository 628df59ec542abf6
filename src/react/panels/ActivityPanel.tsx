// Recent visits and raw events behind tabs: one paginated subscription at a time.
import { useId, useState } from "react";
import type { Filter } from "../../client/types.js";
import type { AnalyticsApi } from "../api.js";
import { EventsList } from "./EventsList.js";
import { PanelShell } from "../ui/PanelShell.js";
import type { DashboardRange } from "../model/range.js";
import { SessionsList } from "./SessionsList.js";

type ActivityTab = "sessions" | "events";

export function ActivityPanel(props: {
  api: AnalyticsApi;
  siteId: string;
  range: DashboardRange;
  filters?: Filter[];
}) {
  const idPrefix = `cxa-activity-${useId().replace(/[^a-zA-Z0-9]/g, "")}`;
  const [tab, setTab] = useState<ActivityTab>("sessions");
  return (
    <PanelShell
      idPrefix={idPrefix}
      title="Recent activity"
      tabs={{
        items: [
          { id: "sessions", label: "Visits" },
          { id: "events", label: "Events" },
        ],
        selected: tab,
        onSelect: setTab,
      }}
      busy={false}
    >
      {tab === "sessions" ? <SessionsList {...props} /> : <EventsList {...props} />}
    </PanelShell>
  );
}
