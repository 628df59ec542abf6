// The frame every breakdown panel shares: a titled, labelled card, optional tabs, the
// table area (busy while loading) and a footer for "Show more".
import type { ReactNode } from "react";
import { tabId, tabPanelId, Tabs, type TabItem } from "./Tabs.js";

export function PanelShell<T extends string>(props: {
  idPrefix: string;
  title: string;
  tabs?: { items: TabItem<T>[]; selected: T; onSelect: (id: T) => void };
  busy: boolean;
  stale?: boolean;
  footer?: ReactNode;
  /** Beside "Show more", e.g. the CSV export. */
  tools?: ReactNode;
  /** In the head, after the title (and tabs), e.g. a funnel picker. */
  actions?: ReactNode;
  children: ReactNode;
}) {
  const { idPrefix, title, tabs, busy, stale, footer, tools, actions, children } = props;
  const headingId = `${idPrefix}-heading`;
  const hasTabs = tabs !== undefined && tabs.items.length > 1;
  const body = hasTabs
    ? {
        role: "tabpanel",
        id: tabPanelId(idPrefix),
        "aria-labelledby": tabId(idPrefix, tabs.selected),
      }
    : {};
  return (
    <section className="cxa-card cxa-panel" aria-labelledby={headingId}>
      <div className="cxa-panel-head">
        <h3 className="cxa-panel-title" id={headingId}>
          {title}
        </h3>
        {hasTabs ? (
          <Tabs
            label={title}
            idPrefix={idPrefix}
            tabs={tabs.items}
            selected={tabs.selected}
            onSelect={tabs.onSelect}
          />
        ) : null}
        {actions}
      </div>
      <div {...body} aria-busy={busy} className={stale ? "cxa-stale" : undefined}>
        {children}
      </div>
      {footer || tools ? (
        <div className="cxa-panel-foot">
          {footer}
          {tools}
        </div>
      ) : null}
    </section>
  );
}

/** "Show more" up to the server's maximum, and back. */
export function ShowMoreButton(props: {
  expanded: boolean;
  canExpand: boolean;
  onToggle: () => void;
}) {
  if (!props.expanded && !props.canExpand) return null;
  return (
    <button
      type="button"
      className="cxa-link-button"
      aria-expanded={props.expanded}
      onClick={props.onToggle}
    >
      {props.expanded ? "Show less" : "Show more"}
    </button>
  );
}

/**
 * What an `approximate` breakdown means (README, "Long tails"): the dimension has more keys
 * than the range's leaderboards keep, and one not read could rank above the last rows shown.
 */
export const APPROXIMATE_TITLE =
  "Approximate order: this list has more distinct entries than the dashboard reads for a range, " +
  "so an entry not shown could rank above the last rows. Pageviews and events of the rows " +
  "shown are exact; visitors are exact below 1,024 and within about 2% above.";

/** A small mark beside "Show more" on a breakdown whose order is not certain. */
export function ApproximateMark(props: { approximate?: boolean }) {
  if (!props.approximate) return null;
  return (
    <abbr className="cxa-badge cxa-approximate" title={APPROXIMATE_TITLE} tabIndex={0}>
      ≈ Approximate
    </abbr>
  );
}
