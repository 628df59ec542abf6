// The newest visits in the range, one row per session (contract §5 "Session").
import type { Filter, SessionItem } from "../../client/types.js";
import type { AnalyticsApi } from "../api.js";
import { formatCountry, formatDateTime, formatDuration } from "../model/format.js";
import { ListTable } from "../ui/ListTable.js";
import { useSessionsList } from "../hooks/queries.js";
import type { DashboardRange } from "../model/range.js";
import { SkeletonRows } from "../ui/Skeleton.js";

const SESSION_COLUMNS = [
  { label: "Started" },
  { label: "Entry → exit" },
  { label: "Source" },
  { label: "Country" },
  { label: "Device" },
  { label: "Pages", numeric: true },
  { label: "Events", numeric: true },
  { label: "Duration", numeric: true },
];

function SessionRow({ session }: { session: SessionItem }) {
  return (
    <tr>
      <td className="cxa-nowrap">{formatDateTime(session.startTs)}</td>
      <td className="cxa-path">
        {session.entryPage ?? "–"}
        {session.exitPage && session.exitPage !== session.entryPage ? (
          <span className="cxa-muted"> → {session.exitPage}</span>
        ) : null}
      </td>
      <td>{session.source}</td>
      <td className="cxa-nowrap">{formatCountry(session.country)}</td>
      <td className="cxa-muted">
        {session.device} · {session.browser} · {session.os}
      </td>
      <td className="cxa-num">{session.pageviews}</td>
      <td className="cxa-num">{session.events}</td>
      <td className="cxa-num">
        {session.bounce ? (
          <span className="cxa-badge">bounce</span>
        ) : (
          formatDuration(session.durationMs)
        )}
      </td>
    </tr>
  );
}

export function SessionsList({
  api,
  siteId,
  range,
  filters,
}: {
  api: AnalyticsApi;
  siteId: string;
  range: DashboardRange;
  filters?: Filter[];
}) {
  const { results, status, loadMore } = useSessionsList(api, siteId, range, filters);
  if (status === "LoadingFirstPage") return <SkeletonRows count={5} />;
  if (results.length === 0) return <p className="cxa-none">No visits in this range</p>;
  return (
    <ListTable
      label="Visits table"
      caption="Recent visits, newest first"
      columns={SESSION_COLUMNS}
      status={status}
      loadMore={loadMore}
    >
      {results.map((session) => (
        <SessionRow key={session._id} session={session} />
      ))}
    </ListTable>
  );
}
