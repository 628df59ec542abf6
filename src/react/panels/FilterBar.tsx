// The row above the KPIs: "Filter" opens the editor, each filter is a chip (its text edits
// it, × removes it), "Clear all", and the "Sampled" badge when a figure on screen is an
// estimate. The editor is a small non-modal dialog: dimension (prop:<key> with a key field),
// operator, one or more values (OR) with suggestions from the range's breakdown rows. It
// checks the server's limits before applying; a filter the server still refuses is named by
// the dashboard's error alert (FilterRefusal), which can reopen it here.
import { useQuery } from "convex/react";
import { useEffect, useId, useRef, useState, type FormEvent, type RefObject } from "react";
import type { Filter, FilterOperator } from "../../client/types.js";
import type { AnalyticsApi } from "../api.js";
import { errorMessage } from "../model/errors.js";
import {
  checkDraft,
  DIMENSION_GROUPS,
  DIMENSION_LABELS,
  dimensionLabel,
  draftOf,
  emptyDraft,
  filterErrorIndex,
  filterLabel,
  FILTER_OPERATORS,
  formatFilterValue,
  isBreakdownDimension,
  MAX_FILTER_VALUES,
  MAX_FILTERS,
  OPERATOR_LABELS,
  removeFilter,
  takesWildcards,
  withFilters,
  type DraftProblems,
  type FilterDraft,
} from "../model/filters.js";
import type { DashboardRange } from "../model/range.js";
import { SampledBadge } from "../ui/sampling.js";

/** Which filter the editor is open on: a new one (null) or the one at an index. */
export type EditorTarget = number | null;

/** Rows asked for to suggest values: the server's maximum. */
const SUGGESTIONS = 100;

/**
 * Values to offer for a dimension: the range's breakdown rows under the other filters, or the
 * goals' names. getGoals is optional and a hook can't be conditional: without it, getOverview
 * stands in and is skipped.
 */
function useSuggestions(
  api: AnalyticsApi,
  siteId: string,
  range: DashboardRange,
  dimension: string,
  otherFilters: Filter[],
): string[] {
  const base = { siteId, from: range.from, to: range.to };
  const breakdown = useQuery(
    api.getBreakdown,
    isBreakdownDimension(dimension)
      ? withFilters({ ...base, dimension, limit: SUGGESTIONS }, otherFilters)
      : "skip",
  );
  const goals = useQuery(
    api.getGoals ?? api.getOverview,
    api.getGoals && dimension === "goal" ? withFilters(base, otherFilters) : "skip",
  ) as { goals?: { name: string }[] } | undefined;
  if (dimension === "goal") return goals?.goals?.map((g) => g.name) ?? [];
  return isBreakdownDimension(dimension) ? (breakdown?.rows.map((r) => r.key) ?? []) : [];
}

function FilterEditor(props: {
  api: AnalyticsApi;
  siteId: string;
  range: DashboardRange;
  /** The filter being edited, or null for a new one. */
  initial: Filter | null;
  /** The other filters, which narrow the suggestions. */
  otherFilters: Filter[];
  onApply: (filter: Filter) => void;
  /** Closes it and gives focus back to what opened it (Escape, Cancel). */
  onClose: () => void;
  /** Closes it and leaves focus alone (a click or focus elsewhere). */
  onDismiss: () => void;
  /** The filter bar: a click in it (a chip, "+ Filter") is its own, not a click outside. */
  bar: RefObject<HTMLDivElement | null>;
}) {
  const { api, siteId, range, initial, otherFilters, onApply, onClose, onDismiss, bar } = props;
  const id = useId().replace(/[^a-zA-Z0-9]/g, "");
  const [draft, setDraft] = useState<FilterDraft>(() =>
    initial ? draftOf(initial) : emptyDraft(),
  );
  const [problems, setProblems] = useState<DraftProblems>({});
  const first = useRef<HTMLSelectElement>(null);
  const dimension = draft.dimension === "prop" ? `prop:${draft.property}` : draft.dimension;
  const suggestions = useSuggestions(api, siteId, range, draft.dimension, otherFilters);

  useEffect(() => {
    first.current?.focus();
  }, []);
  // A click or a tap outside closes it, as any popover; so does Escape (onKeyDown).
  useEffect(() => {
    const onPointer = (event: PointerEvent) => {
      const target = event.target as Node | null;
      if (bar.current && target && !bar.current.contains(target)) onDismiss();
    };
    document.addEventListener("pointerdown", onPointer);
    return () => document.removeEventListener("pointerdown", onPointer);
  }, [onDismiss, bar]);

  const change = (changes: Partial<FilterDraft>) => {
    setDraft((d) => ({ ...d, ...changes }));
    setProblems({});
  };
  const setValue = (index: number, value: string) =>
    change({ values: draft.values.map((v, i) => (i === index ? value : v)) });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const checked = checkDraft(draft);
    if (checked.problems) setProblems(checked.problems);
    else onApply(checked.filter);
  };

  const wildcards = takesWildcards(draft.dimension, draft.operator);
  const propertyError = `${id}-property-error`;
  const valuesError = `${id}-values-error`;
  const hint = `${id}-hint`;
  return (
    <form
      className="cxa-card cxa-filter-editor"
      role="dialog"
      aria-labelledby={`${id}-title`}
      onSubmit={submit}
      onBlur={(event) => {
        // Tabbing past its last button leaves it: closed, focus where the user moved it.
        const next = event.relatedTarget as Node | null;
        if (next && bar.current && !bar.current.contains(next)) onDismiss();
      }}
      onKeyDown={(event) => {
        if (event.key !== "Escape") return;
        event.preventDefault();
        event.stopPropagation();
        onClose();
      }}
      noValidate
    >
      <h3 className="cxa-panel-title" id={`${id}-title`}>
        {initial ? "Edit filter" : "Add filter"}
      </h3>
      <div className="cxa-filter-fields">
        <label className="cxa-field" htmlFor={`${id}-dimension`}>
          Filter by
          <select
            ref={first}
            id={`${id}-dimension`}
            className="cxa-select"
            value={draft.dimension}
            onChange={(e) => change({ dimension: e.target.value as FilterDraft["dimension"] })}
          >
            {DIMENSION_GROUPS.map((group) => (
              <optgroup key={group.label} label={group.label}>
                {group.dimensions.map((d) => (
                  <option key={d} value={d}>
                    {DIMENSION_LABELS[d]}
                  </option>
                ))}
              </optgroup>
            ))}
            <optgroup label="Custom properties">
              <option value="prop">Property (prop:key)</option>
            </optgroup>
          </select>
        </label>
        <label className="cxa-field" htmlFor={`${id}-operator`}>
          Operator
          <select
            id={`${id}-operator`}
            className="cxa-select"
            value={draft.operator}
            onChange={(e) => change({ operator: e.target.value as FilterOperator })}
          >
            {FILTER_OPERATORS.map((operator) => (
              <option key={operator} value={operator}>
                {OPERATOR_LABELS[operator]}
              </option>
            ))}
          </select>
        </label>
        {draft.dimension === "prop" ? (
          <div className="cxa-field cxa-field-wide">
            <label htmlFor={`${id}-property`}>Property name</label>
            <input
              id={`${id}-property`}
              className="cxa-input"
              value={draft.property}
              placeholder="e.g. plan"
              autoComplete="off"
              spellCheck={false}
              aria-invalid={problems.property ? true : undefined}
              aria-describedby={problems.property ? propertyError : undefined}
              onChange={(e) => change({ property: e.target.value })}
            />
            {problems.property ? (
              <span className="cxa-field-error" id={propertyError} role="alert">
                {problems.property}
              </span>
            ) : null}
          </div>
        ) : null}
      </div>
      <fieldset
        className="cxa-filter-values"
        aria-describedby={problems.values ? `${valuesError} ${hint}` : hint}
      >
        <legend className="cxa-field-legend">Values</legend>
        {draft.values.map((value, index) => (
          <div key={index} className="cxa-filter-value">
            <input
              className="cxa-input"
              aria-label={`Value ${index + 1}`}
              value={value}
              list={suggestions.length > 0 ? `${id}-suggestions` : undefined}
              placeholder={wildcards ? "e.g. /blog/*" : undefined}
              autoComplete="off"
              spellCheck={false}
              aria-invalid={
                problems.values &&
                (problems.valueIndex === undefined || problems.valueIndex === index)
                  ? true
                  : undefined
              }
              onChange={(e) => setValue(index, e.target.value)}
            />
            {draft.values.length > 1 ? (
              <button
                type="button"
                className="cxa-button cxa-icon-button"
                aria-label={`Remove value ${index + 1}`}
                onClick={() => change({ values: draft.values.filter((_, i) => i !== index) })}
              >
                ×
              </button>
            ) : null}
          </div>
        ))}
        {suggestions.length > 0 ? (
          <datalist id={`${id}-suggestions`}>
            {suggestions.map((s) => (
              <option key={s} value={s} label={formatFilterValue(draft.dimension, s)} />
            ))}
          </datalist>
        ) : null}
        {draft.values.length < MAX_FILTER_VALUES ? (
          <button
            type="button"
            className="cxa-link-button"
            onClick={() => change({ values: [...draft.values, ""] })}
          >
            + Or another value
          </button>
        ) : null}
        <p className="cxa-field-hint" id={hint}>
          A visit matches if any value does
          {wildcards ? "; * stands for any characters, e.g. /blog/*" : ""}.
        </p>
        {problems.values ? (
          <p className="cxa-field-error" id={valuesError} role="alert">
            {problems.values}
          </p>
        ) : null}
      </fieldset>
      <div className="cxa-filter-actions">
        <button type="submit" className="cxa-button cxa-button-primary">
          {initial ? "Apply" : "Add filter"}
        </button>
        <button type="button" className="cxa-button" onClick={onClose}>
          Cancel
        </button>
        <span className="cxa-sr-only" aria-live="polite">
          {dimensionLabel(dimension)} {OPERATOR_LABELS[draft.operator]}
        </span>
      </div>
    </form>
  );
}

export function FilterBar(props: {
  api: AnalyticsApi;
  siteId: string;
  range: DashboardRange;
  filters: Filter[];
  onChange: (filters: Filter[]) => void;
  /** Which filter the editor is open on; undefined: closed. Lifted so an error can reopen it. */
  editing: EditorTarget | undefined;
  onEdit: (target: EditorTarget | undefined) => void;
}) {
  const { api, siteId, range, filters, onChange, editing, onEdit } = props;
  const barRef = useRef<HTMLDivElement>(null);
  const addButton = useRef<HTMLButtonElement>(null);
  const chipButtons = useRef<(HTMLButtonElement | null)[]>([]);
  const full = filters.length >= MAX_FILTERS;
  const editingIndex = editing === undefined || editing === null ? null : editing;
  const initial = editingIndex !== null ? (filters[editingIndex] ?? null) : null;

  /** Closes the editor and gives focus back to what opened it. */
  const close = () => {
    const opener = editingIndex !== null ? chipButtons.current[editingIndex] : addButton.current;
    onEdit(undefined);
    opener?.focus();
  };
  const apply = (filter: Filter) => {
    const next =
      editingIndex !== null && editingIndex < filters.length
        ? filters.map((f, i) => (i === editingIndex ? filter : f))
        : [...filters, filter];
    onEdit(undefined);
    onChange(next);
    addButton.current?.focus();
  };

  return (
    <div className="cxa-filter-bar" ref={barRef}>
      <div className="cxa-filter-row" role="group" aria-label="Filters">
        <button
          ref={addButton}
          type="button"
          className="cxa-button"
          aria-haspopup="dialog"
          aria-expanded={editing === null}
          disabled={full}
          title={full ? `At most ${MAX_FILTERS} filters` : "Add a filter"}
          onClick={() => onEdit(editing === null ? undefined : null)}
        >
          + Filter
        </button>
        {filters.map((filter, index) => {
          const [operator, dimension, values] = filter;
          const label = filterLabel(filter);
          const shown = values.slice(0, 2).map((v) => formatFilterValue(dimension, v));
          return (
            <span key={`${index}:${label}`} className="cxa-filter-chip">
              <button
                ref={(el) => {
                  chipButtons.current[index] = el;
                }}
                type="button"
                className="cxa-filter-chip-label"
                aria-label={`Edit filter: ${label}`}
                aria-haspopup="dialog"
                aria-expanded={editing === index}
                title={label}
                onClick={() => onEdit(editing === index ? undefined : index)}
              >
                <span className="cxa-muted">{dimensionLabel(dimension)}</span>{" "}
                {OPERATOR_LABELS[operator]}{" "}
                <strong>
                  {shown.join(" or ")}
                  {values.length > shown.length ? ` +${values.length - shown.length}` : ""}
                </strong>
              </button>
              <button
                type="button"
                className="cxa-filter-chip-remove"
                aria-label={`Remove filter: ${label}`}
                title="Remove this filter"
                onClick={() => {
                  if (editing !== undefined) onEdit(undefined);
                  onChange(removeFilter(filters, index));
                  addButton.current?.focus();
                }}
              >
                ×
              </button>
            </span>
          );
        })}
        {filters.length > 0 ? (
          <button
            type="button"
            className="cxa-link-button"
            onClick={() => {
              onEdit(undefined);
              onChange([]);
              addButton.current?.focus();
            }}
          >
            Clear all
          </button>
        ) : null}
        <span className="cxa-filter-spacer" />
        <SampledBadge />
      </div>
      {editing !== undefined ? (
        <FilterEditor
          // A new target is a new draft.
          key={String(editing)}
          api={api}
          siteId={siteId}
          range={range}
          initial={initial}
          otherFilters={filters.filter((_, i) => i !== editingIndex)}
          onApply={apply}
          onClose={close}
          onDismiss={() => onEdit(undefined)}
          bar={barRef}
        />
      ) : null}
    </div>
  );
}

/**
 * The dashboard's alert for a read the server refused because of a filter: its message, the
 * filter it names (by index), and a way to edit or remove it, or to clear them all.
 */
export function FilterRefusal(props: {
  error: unknown;
  filters: Filter[];
  onEdit: (index: number) => void;
  onChange: (filters: Filter[]) => void;
}) {
  const { error, filters, onEdit, onChange } = props;
  const message = errorMessage(error);
  const index = filterErrorIndex(message);
  const filter = index !== null ? filters[index] : undefined;
  return (
    <div className="cxa-card cxa-alert" role="alert">
      <p className="cxa-alert-title">
        {filter
          ? `The server refused the filter “${filterLabel(filter)}”`
          : "The server refused the filters"}
      </p>
      <p className="cxa-alert-message">{message}</p>
      <div className="cxa-filter-actions">
        {filter && index !== null ? (
          <>
            <button type="button" className="cxa-button" onClick={() => onEdit(index)}>
              Edit this filter
            </button>
            <button
              type="button"
              className="cxa-button"
              onClick={() => onChange(removeFilter(filters, index))}
            >
              Remove it
            </button>
          </>
        ) : (
          <button type="button" className="cxa-button" onClick={() => onChange([])}>
            Clear all filters
          </button>
        )}
      </div>
    </div>
  );
}
