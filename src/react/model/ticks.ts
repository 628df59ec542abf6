// Axis ticks at round numbers: 0, 5 s, 10 s, 15 s rather than 0, 4 s, 7 s, 11 s.

/** Steps for counts: 1, 2, 5, 10, 20, 50… */
function countSteps(): number[] {
  const steps: number[] = [];
  for (let p = 1; p <= 1e12; p *= 10) steps.push(p, 2 * p, 5 * p);
  return steps;
}
const COUNT_STEPS = countSteps();
/** Steps for rates 0..1: 5, 10, 20, 25, 50 percentage points. */
const RATE_STEPS = [0.05, 0.1, 0.2, 0.25, 0.5];
const S = 1000;
/** Steps for durations: whole seconds, minutes and hours people read at a glance. */
const DURATION_STEPS = [
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400,
].map((s) => s * S);

export type TickKind = "count" | "rate" | "duration";

const STEPS: Record<TickKind, number[]> = {
  count: COUNT_STEPS,
  rate: RATE_STEPS,
  duration: DURATION_STEPS,
};

/**
 * Ticks from 0 to at least `max` at the smallest round step that needs at most `maxTicks`
 * intervals. An all-zero series still gets an axis: 0 and one step.
 */
export function niceTicks(max: number, kind: TickKind, maxTicks = 4): number[] {
  const steps = STEPS[kind];
  const top = Math.max(max, 0);
  const step = steps.find((s) => Math.ceil(top / s) <= maxTicks) ?? steps[steps.length - 1];
  const count = Math.max(1, Math.ceil(top / step));
  return Array.from({ length: count + 1 }, (_, i) => Math.round(i * step * 1e6) / 1e6);
}
