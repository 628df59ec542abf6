// Which shown results were computed from a sample (contract §7: a filtered read over many visits
// takes a deterministic share of them and scales its counts up). Each query hook reports the
// `sample.fraction` of the result it returns; the dashboard's badge shows the smallest one.
// Outside a dashboard (a host's own view over the hooks) there is no store and reports are
// dropped.
import { createContext, useContext, useEffect, useId, useSyncExternalStore } from "react";
import type { Sample } from "../../client/types.js";
import { formatConversionRate } from "../model/format.js";

export type SampleStore = {
  report: (id: string, fraction: number | undefined) => void;
  subscribe: (onChange: () => void) => () => void;
  /** The smallest fraction below 1 among the results shown, or undefined if none is sampled. */
  smallest: () => number | undefined;
};

export function createSampleStore(): SampleStore {
  const fractions = new Map<string, number>();
  const listeners = new Set<() => void>();
  let smallest: number | undefined;
  return {
    report(id, fraction) {
      const sampled = fraction !== undefined && fraction < 1;
      if (sampled ? fractions.get(id) === fraction : !fractions.has(id)) return;
      if (sampled) fractions.set(id, fraction);
      else fractions.delete(id);
      const values = [...fractions.values()];
      smallest = values.length > 0 ? Math.min(...values) : undefined;
      for (const listener of listeners) listener();
    },
    subscribe(onChange) {
      listeners.add(onChange);
      return () => listeners.delete(onChange);
    },
    smallest: () => smallest,
  };
}

export const SampleContext = createContext<SampleStore | null>(null);

/** The sample of a read's result, if it has one (only filtered reads do). */
export function sampleOf(value: unknown): Sample | undefined {
  if (value === null || typeof value !== "object" || !("sample" in value)) return undefined;
  const sample = (value as { sample?: unknown }).sample;
  return sample && typeof sample === "object" && typeof (sample as Sample).fraction === "number"
    ? (sample as Sample)
    : undefined;
}

/** Tells the dashboard that a shown result has this sample fraction, for as long as it's shown. */
export function useReportSample(fraction: number | undefined) {
  const store = useContext(SampleContext);
  const id = useId();
  useEffect(() => {
    if (!store) return;
    store.report(id, fraction);
    return () => store.report(id, undefined);
  }, [store, id, fraction]);
}

const noStore = () => () => {};

/** "Sampled: 20% of visits", shown while any result on screen was computed from a sample. */
export function SampledBadge() {
  const store = useContext(SampleContext);
  const fraction = useSyncExternalStore(
    store ? store.subscribe : noStore,
    () => store?.smallest(),
    () => undefined,
  );
  if (fraction === undefined) return null;
  const share = formatConversionRate(fraction);
  return (
    <span
      className="cxa-badge cxa-sampled"
      role="status"
      title={`These figures were computed from ${share} of the range's visits and scaled up to the whole: close, not exact. A shorter range or fewer visits reads them all.`}
    >
      Sampled: {share} of visits
    </span>
  );
}
