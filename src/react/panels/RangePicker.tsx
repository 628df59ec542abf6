// The header controls: the period (presets, realtime, custom dates) with previous/next
// arrows, the chart interval, and what to compare with. Native selects and inputs: keyboard,
// screen reader and phone friendly without a menu of our own. The shortcut of each preset is
// in aria-keyshortcuts and in its option's title.
import { useId } from "react";
import {
  COMPARISON_LABELS,
  COMPARISON_MODES,
  type Comparison,
  type ComparisonMode,
} from "../model/comparison.js";
import type { DashboardState, UpdateDashboardState } from "../hooks/dashboardState.js";
import {
  allowedIntervals,
  INTERVAL_LABELS,
  resolveInterval,
  type ChartInterval,
} from "../model/intervals.js";
import {
  isPreset,
  PRESET_LABELS,
  RANGE_PRESETS,
  shiftSelection,
  toDateInput,
  type CustomRange,
  type DashboardRange,
} from "../model/range.js";
import { PRESET_SHORTCUTS, REALTIME_SHORTCUT } from "../hooks/shortcuts.js";

const CUSTOM = "custom";
const REALTIME = "realtime";

function DateInputs(props: {
  idPrefix: string;
  labels: [string, string];
  value: CustomRange;
  max: string;
  onChange: (value: CustomRange) => void;
}) {
  const { idPrefix, labels, value, max, onChange } = props;
  return (
    <>
      <label className="cxa-field" htmlFor={`${idPrefix}-from`}>
        {labels[0]}
        <input
          id={`${idPrefix}-from`}
          type="date"
          className="cxa-input"
          value={value.from}
          max={value.to || max}
          onChange={(e) => e.target.value && onChange({ ...value, from: e.target.value })}
        />
      </label>
      <label className="cxa-field" htmlFor={`${idPrefix}-to`}>
        {labels[1]}
        <input
          id={`${idPrefix}-to`}
          type="date"
          className="cxa-input"
          value={value.to}
          min={value.from}
          max={max}
          onChange={(e) => e.target.value && onChange({ ...value, to: e.target.value })}
        />
      </label>
    </>
  );
}

/** ‹ or ›: disabled when there is no such period (none in the future, none for "all"). */
function ArrowButton(props: {
  direction: "previous" | "next";
  target: CustomRange | null;
  onGo: (period: CustomRange) => void;
}) {
  const { direction, target, onGo } = props;
  const key = direction === "previous" ? "←" : "→";
  return (
    <button
      type="button"
      className="cxa-button cxa-arrow"
      aria-label={direction === "previous" ? "Previous period" : "Next period"}
      aria-keyshortcuts={direction === "previous" ? "ArrowLeft" : "ArrowRight"}
      title={`${direction === "previous" ? "Previous" : "Next"} period (${key})`}
      disabled={!target}
      onClick={() => target && onGo(target)}
    >
      {direction === "previous" ? "‹" : "›"}
    </button>
  );
}

export function RangePicker(props: {
  state: DashboardState;
  /** Null in the realtime view. */
  range: DashboardRange | null;
  onChange: UpdateDashboardState;
  now: number;
}) {
  const { state, range, onChange, now } = props;
  const id = useId();
  const today = toDateInput(now);
  const { period, comparison } = state;
  const custom = typeof period === "object" ? period : null;
  const selection = period === REALTIME ? null : period;

  const onPeriodChange = (value: string) => {
    if (value === REALTIME) onChange({ period: REALTIME }, "push");
    else if (isPreset(value)) onChange({ period: value }, "push");
    // Starting a custom range from the one on screen is what users expect to adjust.
    else if (range)
      onChange(
        { period: { from: toDateInput(range.from), to: toDateInput(range.to - 1) } },
        "push",
      );
    else onChange({ period: { from: today, to: today } }, "push");
  };
  const previous = selection && range ? shiftSelection(selection, range, -1, now) : null;
  const next = selection && range ? shiftSelection(selection, range, 1, now) : null;

  const intervals = range ? allowedIntervals(range) : [];
  const interval = range ? resolveInterval(range, state.interval) : null;
  const canCompare = range !== null && period !== "all";
  const setComparison = (changes: Partial<Comparison>) =>
    onChange({ comparison: { ...comparison, ...changes } }, "push");
  const onModeChange = (mode: ComparisonMode) =>
    setComparison(
      mode === "custom" && !comparison.custom && range
        ? {
            mode,
            custom: {
              from: toDateInput(range.from - (range.to - range.from)),
              to: toDateInput(range.from - 1),
            },
          }
        : { mode },
    );

  return (
    <div className="cxa-controls" role="group" aria-label="Date range">
      <div className="cxa-period">
        {range ? (
          <ArrowButton
            direction="previous"
            target={previous}
            onGo={(p) => onChange({ period: p }, "push")}
          />
        ) : null}
        <label className="cxa-field" htmlFor={`${id}-preset`}>
          Range
          <select
            id={`${id}-preset`}
            className="cxa-select"
            value={custom ? CUSTOM : (period as string)}
            aria-keyshortcuts={[...Object.values(PRESET_SHORTCUTS), REALTIME_SHORTCUT].join(" ")}
            onChange={(e) => onPeriodChange(e.target.value)}
          >
            <option value={REALTIME} title={`Shortcut: ${REALTIME_SHORTCUT}`}>
              Realtime
            </option>
            {RANGE_PRESETS.map((preset) => (
              <option
                key={preset}
                value={preset}
                title={
                  PRESET_SHORTCUTS[preset] ? `Shortcut: ${PRESET_SHORTCUTS[preset]}` : undefined
                }
              >
                {PRESET_LABELS[preset]}
              </option>
            ))}
            <option value={CUSTOM}>Custom range</option>
          </select>
        </label>
        {range ? (
          <ArrowButton
            direction="next"
            target={next}
            onGo={(p) => onChange({ period: p }, "push")}
          />
        ) : null}
      </div>
      {custom ? (
        <DateInputs
          idPrefix={`${id}-range`}
          labels={["From", "To"]}
          value={custom}
          max={today}
          onChange={(value) => onChange({ period: value }, "push")}
        />
      ) : null}
      {interval && intervals.length > 1 ? (
        <label className="cxa-field" htmlFor={`${id}-interval`}>
          Interval
          <select
            id={`${id}-interval`}
            className="cxa-select"
            value={interval}
            onChange={(e) => onChange({ interval: e.target.value as ChartInterval }, "push")}
          >
            {intervals.map((option) => (
              <option key={option} value={option}>
                {INTERVAL_LABELS[option]}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      {canCompare ? (
        <label className="cxa-field" htmlFor={`${id}-compare`}>
          Compare
          <select
            id={`${id}-compare`}
            className="cxa-select"
            value={comparison.mode}
            aria-keyshortcuts="X"
            onChange={(e) => onModeChange(e.target.value as ComparisonMode)}
          >
            {COMPARISON_MODES.map((mode) => (
              <option key={mode} value={mode}>
                {COMPARISON_LABELS[mode]}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      {canCompare && comparison.mode === "custom" && comparison.custom ? (
        <DateInputs
          idPrefix={`${id}-compare-range`}
          labels={["Compare from", "Compare to"]}
          value={comparison.custom}
          max={today}
          onChange={(value) => setComparison({ custom: value })}
        />
      ) : null}
      {canCompare && (comparison.mode === "previous" || comparison.mode === "year") ? (
        <label className="cxa-switch">
          <input
            type="checkbox"
            checked={comparison.matchDayOfWeek}
            onChange={(e) => setComparison({ matchDayOfWeek: e.target.checked })}
          />
          Match day of week
        </label>
      ) : null}
    </div>
  );
}
