// The newest raw events in the range: pageviews, custom events, identifies and, on request,
// heartbeats (a live tab sends one every 15 s, so they'd bury everything else). listEvents
// has no type filter: hidden heartbeats are skipped here, and pages are loaded until a
// screenful of other events shows (up to AUTO_LOAD_UP_TO raw events).
import { useEffect, useId, useState } from "react";
import type { EventItem, Filter } from "../../client/types.js";
import { decodePropKeys } from "../../component/ingest/propKeys.js";
import type { AnalyticsApi } from "../api.js";
import { formatCountry, formatDateTimeSeconds } from "../model/format.js";
import { ListTable } from "../ui/ListTable.js";
import { LIST_PAGE_SIZE, useEventsList } from "../hooks/queries.js";
import type { DashboardRange } from "../model/range.js";
import { SkeletonRows } from "../ui/Skeleton.js";

/** Raw events loaded in search of non-heartbeats before waiting for "Load more". */
const AUTO_LOAD_UP_TO = 200;

const EVENT_COLUMNS = [
  { label: "Time" },
  { label: "Type" },
  { label: "Name or page" },
  { label: "Country" },
  { label: "Device" },
  { label: "Visitor" },
];

function propsText(props: EventItem["props"]): string {
  if (!props) return "";
  // Keys Convex can't carry as field names ("$browser") arrive in stored form.
  return Object.entries(decodePropKeys(props))
    .map(([key, value]) => `${key}=${JSON.stringify(value)}`)
    .join(" ");
}

function EventRow({ event }: { event: EventItem }) {
  const what =
    event.type === "event" ? event.name : event.type === "identify" ? event.userId : event.path;
  return (
    <tr>
      <td className="cxa-nowrap">{formatDateTimeSeconds(event.ts)}</td>
      <td>
        <span className={`cxa-badge${event.type === "event" ? " cxa-badge-event" : ""}`}>
          {event.type}
        </span>
      </td>
      <td className={event.type === "event" ? undefined : "cxa-path"}>
        {what ?? "–"}
        {event.props ? <div className="cxa-props">{propsText(event.props)}</div> : null}
      </td>
      <td className="cxa-nowrap">{event.country ? formatCountry(event.country) : "–"}</td>
      <td className="cxa-muted">
        {event.device} · {event.browser} · {event.os}
      </td>
      <td className="cxa-path cxa-muted">
        <span className="cxa-id" title={event.visitorId}>
          {event.visitorId}
        </span>
      </td>
    </tr>
  );
}

export function EventsList({
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
  const { results, status, loadMore } = useEventsList(api, siteId, range, filters);
  const [showHeartbeats, setShowHeartbeats] = useState(false);
  const toggleId = `${useId().replace(/[^a-zA-Z0-9]/g, "")}-heartbeats`;
  const shown = showHeartbeats ? results : results.filter((e) => e.type !== "heartbeat");
  const hidden = results.length - shown.length;
  const needMore =
    status === "CanLoadMore" && shown.length < LIST_PAGE_SIZE && results.length < AUTO_LOAD_UP_TO;
  useEffect(() => {
    if (needMore) loadMore(LIST_PAGE_SIZE);
  }, [needMore, results.length, loadMore]);

  if (status === "LoadingFirstPage") return <SkeletonRows count={5} />;
  const toggle = (
    <div className="cxa-list-tools">
      <label className="cxa-switch" htmlFor={toggleId}>
        <input
          id={toggleId}
          type="checkbox"
          checked={showHeartbeats}
          onChange={(e) => setShowHeartbeats(e.target.checked)}
        />
        Show heartbeats
      </label>
      {hidden > 0 ? (
        <span className="cxa-muted">
          {hidden} heartbeat{hidden === 1 ? "" : "s"} hidden
        </span>
      ) : null}
    </div>
  );
  if (shown.length === 0)
    return (
      <>
        {toggle}
        <p className="cxa-none">
          {needMore || status === "LoadingMore" ? "Loading…" : "No events in this range"}
        </p>
      </>
    );
  return (
    <>
      {toggle}
      <ListTable
        label="Events table"
        caption="Recent events, newest first"
        columns={EVENT_COLUMNS}
        status={status}
        loadMore={loadMore}
      >
        {shown.map((event) => (
          <EventRow key={event._id} event={event} />
        ))}
      </ListTable>
    </>
  );
}
