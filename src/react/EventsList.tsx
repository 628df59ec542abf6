// The newest raw events in the range: pageviews, custom events, identifies, heartbeats.
import type { EventItem } from "../client/types.js";
import type { AnalyticsApi } from "./api.js";
import { formatCountry, formatDateTime } from "./format.js";
import { LoadMore } from "./LoadMore.js";
import { useEventsList } from "./queries.js";
import type { DashboardRange } from "./range.js";
import { SkeletonRows } from "./Skeleton.js";

function propsText(props: EventItem["props"]): string {
  if (!props) return "";
  return Object.entries(props)
    .map(([key, value]) => `${key}=${JSON.stringify(value)}`)
    .join(" ");
}

function EventRow({ event }: { event: EventItem }) {
  const what =
    event.type === "event" ? event.name : event.type === "identify" ? event.userId : event.path;
  return (
    <tr>
      <td className="cxa-nowrap">{formatDateTime(event.ts)}</td>
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
      <td className="cxa-path cxa-muted" title={event.visitorId}>
        {event.visitorId.slice(0, 8)}
      </td>
    </tr>
  );
}

export function EventsList({
  api,
  siteId,
  range,
}: {
  api: AnalyticsApi;
  siteId: string;
  range: DashboardRange;
}) {
  const { results, status, loadMore } = useEventsList(api, siteId, range);
  if (status === "LoadingFirstPage") return <SkeletonRows count={5} />;
  if (results.length === 0) return <p className="cxa-none">No events in this range</p>;
  return (
    <>
      {/* Focusable so keyboard users can scroll it sideways on narrow screens. */}
      <div className="cxa-scroll" tabIndex={0} role="group" aria-label="Events table">
        <table className="cxa-list">
          <caption className="cxa-sr-only">Recent events, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Type</th>
              <th scope="col">Name or page</th>
              <th scope="col">Country</th>
              <th scope="col">Device</th>
              <th scope="col">Visitor</th>
            </tr>
          </thead>
          <tbody>
            {results.map((event) => (
              <EventRow key={event._id} event={event} />
            ))}
          </tbody>
        </table>
      </div>
      <div className="cxa-panel-foot">
        <LoadMore status={status} loadMore={loadMore} />
      </div>
    </>
  );
}
