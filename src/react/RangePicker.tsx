// The date range select (presets or two dates) and the compare-to-previous switch.
import { useId } from "react";
import {
  isPreset,
  PRESET_LABELS,
  RANGE_PRESETS,
  toDateInput,
  type DashboardRange,
  type RangeSelection,
} from "./range.js";

const CUSTOM = "custom";

export function RangePicker(props: {
  selection: RangeSelection;
  range: DashboardRange;
  onSelect: (selection: RangeSelection) => void;
  compare: boolean;
  onCompareChange: (compare: boolean) => void;
}) {
  const { selection, range, onSelect, compare, onCompareChange } = props;
  const id = useId();
  const custom = typeof selection === "object" ? selection : null;
  const today = toDateInput(Date.now());

  const onPresetChange = (value: string) => {
    if (isPreset(value)) onSelect(value);
    // Starting a custom range from the one on screen is what users expect to adjust.
    else onSelect({ from: toDateInput(range.from), to: toDateInput(range.to - 1) });
  };

  return (
    <div className="cxa-controls" role="group" aria-label="Date range">
      <label className="cxa-field" htmlFor={`${id}-preset`}>
        Range
        <select
          id={`${id}-preset`}
          className="cxa-select"
          value={custom ? CUSTOM : (selection as string)}
          onChange={(e) => onPresetChange(e.target.value)}
        >
          {RANGE_PRESETS.map((preset) => (
            <option key={preset} value={preset}>
              {PRESET_LABELS[preset]}
            </option>
          ))}
          <option value={CUSTOM}>Custom range</option>
        </select>
      </label>
      {custom ? (
        <>
          <label className="cxa-field" htmlFor={`${id}-from`}>
            From
            <input
              id={`${id}-from`}
              type="date"
              className="cxa-input"
              value={custom.from}
              max={custom.to || today}
              onChange={(e) => e.target.value && onSelect({ ...custom, from: e.target.value })}
            />
          </label>
          <label className="cxa-field" htmlFor={`${id}-to`}>
            To
            <input
              id={`${id}-to`}
              type="date"
              className="cxa-input"
              value={custom.to}
              min={custom.from}
              max={today}
              onChange={(e) => e.target.value && onSelect({ ...custom, to: e.target.value })}
            />
          </label>
        </>
      ) : null}
      <label className="cxa-switch">
        <input
          type="checkbox"
          role="switch"
          checked={compare}
          onChange={(e) => onCompareChange(e.target.checked)}
        />
        Compare to previous period
      </label>
    </div>
  );
}
