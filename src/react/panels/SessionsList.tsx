// The newest visits in the range, one row per session (contract §5 "Session").
import type { Filter, SessionItem } from "../../client/types.js";
import type { AnalyticsApi } from "../api.js";
import { formatCountry, formatDateTime, formatDuration } from "../model/format.js";
import { LoadMore } from "../ui/LoadMore.js";
import { useSessionsList } from "../hooks/queries.js";
import type { DashboardRange } from "../model/range.js";
import { SkeletonRows } from "../ui/Skeleton.js";

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
    <>
      {/* Focusable so keyboard users can scroll it sideways on narrow screens. */}
      <div className="cxa-scroll" tabIndex={0} role="group" aria-label="Visits table">
        <table className="cxa-list">
          <caption className="cxa-sr-only">Recent visits, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Started</th>
              <th scope="col">Entry → exit</th>
              <th scope="col">Source</th>
              <th scope="col">Country</th>
              <th scope="col">Device</th>
              <th scope="col" className="cxa-num">
                Pages
              </th>
              <th scope="col" className="cxa-num">
                Events
              </th>
              <th scope="col" className="cxa-num">
                Duration
              </th>
            </tr>
          </thead>
          <tbody>
            {results.map((session) => (
              <SessionRow key={session._id} session={session} />
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
