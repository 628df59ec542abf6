// The dashboard's clock. It reads the time once a minute but only changes state when the
// hour changes, so the whole dashboard re-renders (and its query arguments move) at most
// once an hour, not on every render and not every minute.
import { useEffect, useMemo, useState } from "react";
import {
  floorHour,
  MINUTE_MS,
  rangeFor,
  selectionKey,
  type DashboardRange,
  type RangeSelection,
} from "../model/range.js";

/** The start of the current hour; updates within a minute of the hour changing. */
export function useHourClock(): number {
  const [hour, setHour] = useState(() => floorHour(Date.now()));
  useEffect(() => {
    // Setting the same number is a no-op for React, so most ticks cost nothing.
    const check = () => setHour(floorHour(Date.now()));
    const timer = setInterval(check, MINUTE_MS);
    // A laptop waking from sleep shouldn't show a stale range for up to a minute.
    document.addEventListener("visibilitychange", check);
    return () => {
      clearInterval(timer);
      document.removeEventListener("visibilitychange", check);
    };
  }, []);
  return hour;
}

/** The memoized range for a selection: the same object for as long as the hour lasts. */
export function useDashboardRange(selection: RangeSelection): DashboardRange {
  const hour = useHourClock();
  const key = selectionKey(selection);
  // eslint-disable-next-line react-hooks/exhaustive-deps -- `key` stands for `selection`
  return useMemo(() => rangeFor(selection, hour), [key, hour]);
}
