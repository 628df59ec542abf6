// A figure's change from the compared period, as the KPI cards and the goals panel show it:
// coloured by whether the change is good news, the compared figure in the tooltip and for
// screen readers, and "—" when one side has no visits (a percentage or "new" would be noise).
import type { Delta } from "../model/format.js";

/** How a figure reads and changes; a KpiDefinition is one. */
export type ComparedMeasure = {
  format: (value: number) => string;
  delta: (current: number, previous: number) => Delta;
  /** False for bounce rate: a drop is good news and is coloured as such. */
  higherIsBetter: boolean;
};

export function ComparedDelta(props: {
  measure: ComparedMeasure;
  current: number;
  previous: number;
  /** One side has no visits. */
  empty: boolean;
  /** What `previous` is, e.g. "Previous period". */
  comparedWith: string;
}) {
  const { measure, current, previous, empty, comparedWith } = props;
  if (empty)
    return (
      <>
        <span className="cxa-delta cxa-delta-flat" aria-hidden="true">
          —
        </span>
        <span className="cxa-sr-only">
          {" "}
          no visits to compare with in the {comparedWith.toLowerCase()}
        </span>
      </>
    );
  const delta = measure.delta(current, previous);
  const good =
    delta.direction === "flat" ? null : (delta.direction === "up") === measure.higherIsBetter;
  const tone = good === null ? "cxa-delta-flat" : good ? "cxa-delta-good" : "cxa-delta-bad";
  return (
    <>
      <span className={`cxa-delta ${tone}`} title={`${comparedWith}: ${measure.format(previous)}`}>
        {delta.text}
      </span>
      <span className="cxa-sr-only">
        {" "}
        compared with {measure.format(previous)} in the {comparedWith.toLowerCase()}
      </span>
    </>
  );
}
