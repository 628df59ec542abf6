// The realtime view (Plausible's "Realtime" period): visitors now, visitors per minute over
// the last 30 minutes, the pages they are on and where they came from. Everything comes from
// getRealtime, the one summary the component's refresh loop rewrites every few seconds.
import { useEffect, useRef, useState } from "react";
import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis } from "recharts";
import type { Realtime } from "../../client/types.js";
import type { AnalyticsApi } from "../api.js";
import { BarTable } from "../ui/BarTable.js";
import { formatCount } from "../model/format.js";
import { useRealtime } from "../hooks/queries.js";
import { MINUTE_MS } from "../model/range.js";
import { SkeletonBlock, SkeletonRows } from "../ui/Skeleton.js";
import { niceTicks } from "../model/ticks.js";
import { useElementWidth } from "../hooks/useElementWidth.js";

export const REALTIME_WINDOW_MINUTES = 30;
const CHART_HEIGHT = 200;

/**
 * The 30 minutes ending with the one `now` is in, from the summary's minutes (which end at
 * its last refresh: minutes after it, when nobody was live, are zeros).
 */
export function realtimeMinutes(
  minutes: Realtime["minutes"],
  now: number,
): { t: number; visitors: number }[] {
  const last = Math.floor(now / MINUTE_MS) * MINUTE_MS;
  const byT = new Map((minutes ?? []).map((m) => [m.t, m.visitors]));
  return Array.from({ length: REALTIME_WINDOW_MINUTES }, (_, i) => {
    const t = last - (REALTIME_WINDOW_MINUTES - 1 - i) * MINUTE_MS;
    return { t, visitors: byT.get(t) ?? 0 };
  });
}

/** The time, re-read every `everyMs`, so the minute axis moves on when nothing else changes. */
function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

const clock = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" });

function MinutesChart({ realtime }: { realtime: Realtime }) {
  const now = useNow(10_000);
  const container = useRef<HTMLDivElement>(null);
  const width = useElementWidth(container, 640);
  const data = realtimeMinutes(realtime.minutes, now);
  const ticks = niceTicks(Math.max(...data.map((d) => d.visitors)), "count");
  const total = data.reduce((sum, d) => sum + d.visitors, 0);
  return (
    <section className="cxa-card cxa-chart-card" aria-label="Visitors per minute, last 30 minutes">
      <div className="cxa-chart-head">
        <h3 className="cxa-chart-title">
          Visitors <span className="cxa-muted">per minute, last 30 minutes</span>
        </h3>
      </div>
      <div ref={container} className="cxa-chart cxa-chart-short">
        <figure style={{ margin: 0 }}>
          <figcaption className="cxa-sr-only">
            {total === 0
              ? "No visitors in the last 30 minutes"
              : `Visitors per minute, last 30 minutes; ${formatCount(data[data.length - 1].visitors)} this minute`}
          </figcaption>
          <BarChart
            width={width}
            height={CHART_HEIGHT}
            data={data}
            margin={{ top: 8, right: 12, bottom: 0, left: 0 }}
          >
            <CartesianGrid vertical={false} stroke="var(--cxa-border)" />
            <XAxis
              dataKey="t"
              tickFormatter={(t: number) => clock.format(t)}
              tickLine={false}
              axisLine={false}
              minTickGap={32}
              tickMargin={8}
            />
            <YAxis
              width={40}
              ticks={ticks}
              domain={[0, ticks[ticks.length - 1]]}
              allowDecimals={false}
              tickLine={false}
              axisLine={false}
            />
            <Tooltip
              cursor={{ fill: "var(--cxa-surface-muted)" }}
              isAnimationActive={false}
              content={(p) => {
                const datum = p.active ? data.find((d) => d.t === Number(p.label)) : undefined;
                return datum ? (
                  <div className="cxa-tooltip">
                    <div className="cxa-tooltip-title">{clock.format(datum.t)}</div>
                    <div className="cxa-tooltip-row">
                      <span>Visitors</span>
                      <strong>{formatCount(datum.visitors)}</strong>
                    </div>
                  </div>
                ) : null;
              }}
            />
            <Bar
              dataKey="visitors"
              fill="var(--cxa-accent)"
              radius={[3, 3, 0, 0]}
              isAnimationActive={false}
            />
          </BarChart>
        </figure>
      </div>
    </section>
  );
}

function LiveList(props: {
  title: string;
  keyLabel: string;
  rows: { key: string; visitors: number }[] | undefined;
  empty: string;
}) {
  return (
    <section className="cxa-card cxa-panel" aria-label={props.title}>
      <div className="cxa-panel-head">
        <h3 className="cxa-panel-title">{props.title}</h3>
      </div>
      {props.rows ? (
        <BarTable
          caption={`${props.title}, by visitors now`}
          rows={props.rows.map((row) => ({ ...row, secondary: 0 }))}
          keyLabel={props.keyLabel}
          emptyText={props.empty}
        />
      ) : (
        <SkeletonRows count={3} />
      )}
    </section>
  );
}

export function RealtimeView(props: { api: AnalyticsApi; siteId: string }) {
  const { api, siteId } = props;
  if (!api.getRealtime)
    return (
      <p className="cxa-card cxa-empty">
        The realtime view needs getRealtime: re-export it from exposeAnalyticsApi.
      </p>
    );
  return <RealtimeContent getRealtime={api.getRealtime} siteId={siteId} />;
}

function RealtimeContent(props: {
  getRealtime: NonNullable<AnalyticsApi["getRealtime"]>;
  siteId: string;
}) {
  const realtime = useRealtime(props.getRealtime, props.siteId);
  return (
    <>
      <section
        className="cxa-card cxa-kpis cxa-kpis-realtime"
        aria-label="Key figures"
        aria-busy={realtime === undefined}
      >
        <div className="cxa-kpi" data-kpi="realtime">
          <span className="cxa-kpi-label">
            <span className="cxa-live-dot" aria-hidden="true" />
            Visitors now
          </span>
          <span className="cxa-kpi-value">
            {realtime ? (
              formatCount(realtime.activeVisitors)
            ) : (
              <SkeletonBlock width={40} height={28} />
            )}
          </span>
          <span className="cxa-kpi-foot cxa-muted">
            {realtime && realtime.updatedAt > 0
              ? `updated ${clock.format(realtime.updatedAt)}`
              : "live"}
          </span>
        </div>
      </section>
      {realtime ? <MinutesChart realtime={realtime} /> : <SkeletonBlock height={CHART_HEIGHT} />}
      <div className="cxa-grid">
        <LiveList
          title="Live pages"
          keyLabel="Page"
          rows={realtime?.pages.map((p) => ({ key: p.path, visitors: p.visitors }))}
          empty="Nobody is on the site right now"
        />
        <LiveList
          title="Top sources now"
          keyLabel="Source"
          rows={realtime?.sources?.map((s) => ({ key: s.source, visitors: s.visitors }))}
          empty="No live visits with a known source yet"
        />
      </div>
    </>
  );
}
