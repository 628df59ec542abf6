// Custom events by name. A click on one filters the dashboard by it; its "Properties" button
// drills into its properties (contract §3 getEventProperties): pick a property name seen on
// recent events, or type one; a click on a value filters by that property value.
import { useId, useState, type FormEvent } from "react";
import type { Filter } from "../../client/types.js";
import type { AnalyticsApi } from "../api.js";
import { BarTable } from "../ui/BarTable.js";
import { ExportBreakdownButton } from "./ExportButton.js";
import { BREAKDOWN_LIMIT, BREAKDOWN_LIMIT_EXPANDED } from "./breakdownPanels.js";
import { PROP_PREFIX, rowFilterLabel } from "../model/filters.js";
import { ApproximateMark, PanelShell, ShowMoreButton } from "../ui/PanelShell.js";
import { useBreakdown, useEventProperties, useRecentEventPropertyNames } from "../hooks/queries.js";
import type { DashboardRange } from "../model/range.js";
import { SkeletonRows } from "../ui/Skeleton.js";

type PanelProps = {
  api: AnalyticsApi;
  siteId: string;
  range: DashboardRange;
  filters?: Filter[];
  /** A click on a row: filter by `dimension is key`. */
  onFilter?: (dimension: string, key: string) => void;
};

function PropertyPicker(
  props: PanelProps & { eventName: string; property: string | null; onPick: (p: string) => void },
) {
  const { api, siteId, range, eventName, property, onPick, filters } = props;
  const names = useRecentEventPropertyNames(api, siteId, range, eventName, filters);
  const [draft, setDraft] = useState("");
  const inputId = `${useId().replace(/[^a-zA-Z0-9]/g, "")}-property`;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (draft.trim()) onPick(draft.trim());
  };
  return (
    <>
      {names && names.length > 0 ? (
        <div className="cxa-chips" role="group" aria-label="Properties seen on recent events">
          {names.map((name) => (
            <button
              key={name}
              type="button"
              className="cxa-chip"
              aria-pressed={name === property}
              onClick={() => onPick(name)}
            >
              {name}
            </button>
          ))}
        </div>
      ) : null}
      <form className="cxa-inline-form" onSubmit={submit}>
        <label className="cxa-field" htmlFor={inputId}>
          Property name
          <input
            id={inputId}
            className="cxa-input"
            value={draft}
            placeholder={names?.[0] ?? "e.g. plan"}
            onChange={(e) => setDraft(e.target.value)}
            autoComplete="off"
            spellCheck={false}
          />
        </label>
        <button type="submit" className="cxa-button">
          Show
        </button>
      </form>
    </>
  );
}

function PropertyValues(props: PanelProps & { eventName: string; property: string }) {
  const { api, siteId, range, eventName, property, filters, onFilter } = props;
  const [expanded, setExpanded] = useState(false);
  const limit = expanded ? BREAKDOWN_LIMIT_EXPANDED : BREAKDOWN_LIMIT;
  const { data, isStale } = useEventProperties(
    api,
    siteId,
    range,
    eventName,
    property,
    limit,
    filters,
  );
  const dimension = PROP_PREFIX + property;
  if (!data) return <SkeletonRows count={4} />;
  return (
    <div className={isStale ? "cxa-stale" : undefined} aria-busy={isStale}>
      <BarTable
        caption={`Values of ${property} on ${eventName} events`}
        rows={data.rows.map((row) => ({
          key: row.key,
          visitors: row.visitors,
          secondary: row.events,
        }))}
        keyLabel={property}
        secondaryLabel="Events"
        onSelectKey={onFilter ? (key) => onFilter(dimension, key) : undefined}
        selectLabel={(key) => rowFilterLabel(dimension, key)}
      />
      <div className="cxa-panel-foot">
        <ShowMoreButton
          expanded={expanded}
          canExpand={data.rows.length >= BREAKDOWN_LIMIT}
          onToggle={() => setExpanded((e) => !e)}
        />
        <ApproximateMark approximate={data.approximate} />
      </div>
    </div>
  );
}

function EventDrilldown(props: PanelProps & { eventName: string; onBack: () => void }) {
  const [property, setProperty] = useState<string | null>(null);
  return (
    <div>
      <div className="cxa-drill-head">
        <button type="button" className="cxa-link-button" onClick={props.onBack}>
          ← All events
        </button>
        <span className="cxa-muted" aria-hidden="true">
          /
        </span>
        <strong>{props.eventName}</strong>
      </div>
      <PropertyPicker {...props} property={property} onPick={setProperty} />
      {property ? (
        <PropertyValues {...props} property={property} />
      ) : (
        <p className="cxa-none">Choose a property to see its values.</p>
      )}
    </div>
  );
}

export function EventsPanel(props: PanelProps) {
  const { api, siteId, range, filters, onFilter } = props;
  const idPrefix = `cxa-events-${useId().replace(/[^a-zA-Z0-9]/g, "")}`;
  const [selected, setSelected] = useState<string | null>(null);
  const [expanded, setExpanded] = useState(false);
  const limit = expanded ? BREAKDOWN_LIMIT_EXPANDED : BREAKDOWN_LIMIT;
  const { data, isStale } = useBreakdown(api, siteId, range, "event", limit, filters);

  if (selected !== null) {
    return (
      <PanelShell idPrefix={idPrefix} title="Events" busy={false}>
        <EventDrilldown {...props} eventName={selected} onBack={() => setSelected(null)} />
      </PanelShell>
    );
  }
  return (
    <PanelShell
      idPrefix={idPrefix}
      title="Events"
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
      tools={
        <ExportBreakdownButton
          api={api}
          siteId={siteId}
          range={range}
          dimension="event"
          label="events"
          filters={filters}
        />
      }
    >
      {data ? (
        <BarTable
          caption="Custom events by number of events"
          rows={data.rows.map((row) => ({
            key: row.key,
            visitors: row.visitors,
            secondary: row.events,
          }))}
          keyLabel="Event"
          secondaryLabel="Events"
          onSelectKey={onFilter ? (name) => onFilter("event", name) : undefined}
          selectLabel={(name) => rowFilterLabel("event", name)}
          rowAction={{
            text: "Properties",
            label: (name) => `${name}: show properties`,
            onSelect: setSelected,
          }}
        />
      ) : (
        <SkeletonRows />
      )}
    </PanelShell>
  );
}
