// Plausible's keyboard shortcuts (its period menu): D today, E yesterday, R realtime, W last
// 7 days, T last 30 days, M month to date, P last month, Y year to date, L last 12 months,
// A all time, C custom range, X toggles the comparison, ← → previous/next period. They are
// ignored while typing, with a modifier held, and when something else handled the key.
import { useEffect, useRef } from "react";
import type { RangePreset } from "../model/range.js";

export const PRESET_SHORTCUTS: Partial<Record<RangePreset, string>> = {
  today: "D",
  yesterday: "E",
  "7d": "W",
  "30d": "T",
  month: "M",
  lastMonth: "P",
  year: "Y",
  "12mo": "L",
  all: "A",
};
export const REALTIME_SHORTCUT = "R";
export const CUSTOM_SHORTCUT = "C";
export const COMPARE_SHORTCUT = "X";

export type ShortcutAction =
  | { kind: "preset"; preset: RangePreset }
  | { kind: "realtime" }
  | { kind: "custom" }
  | { kind: "compare" }
  | { kind: "shift"; direction: -1 | 1 };

const BY_KEY = new Map<string, ShortcutAction>([
  ...Object.entries(PRESET_SHORTCUTS).map(
    ([preset, key]) => [key!, { kind: "preset", preset: preset as RangePreset }] as const,
  ),
  [REALTIME_SHORTCUT, { kind: "realtime" }],
  [CUSTOM_SHORTCUT, { kind: "custom" }],
  [COMPARE_SHORTCUT, { kind: "compare" }],
  ["ARROWLEFT", { kind: "shift", direction: -1 }],
  ["ARROWRIGHT", { kind: "shift", direction: 1 }],
]);

type KeyEvent = Pick<
  KeyboardEvent,
  "key" | "altKey" | "ctrlKey" | "metaKey" | "defaultPrevented" | "target"
>;

/** Where keys belong to the element: text entry, selects, and widgets with their own keys. */
const OWNS_KEYS =
  'input, textarea, select, [contenteditable=""], [contenteditable="true"], [role="tablist"], [role="slider"], svg';

/** The action a key press stands for, or undefined when it isn't a shortcut here. */
export function shortcutFor(event: KeyEvent): ShortcutAction | undefined {
  if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return undefined;
  const target = event.target as Element | null;
  if (target && typeof target.closest === "function" && target.closest(OWNS_KEYS)) return undefined;
  return BY_KEY.get(event.key.toUpperCase());
}

/** Calls `onAction` for shortcut keys pressed anywhere on the page. */
export function useShortcuts(enabled: boolean, onAction: (action: ShortcutAction) => void) {
  const latest = useRef(onAction);
  latest.current = onAction;
  useEffect(() => {
    if (!enabled) return;
    const onKeyDown = (event: KeyboardEvent) => {
      const action = shortcutFor(event);
      if (!action) return;
      event.preventDefault();
      latest.current(action);
    };
    document.addEventListener("keydown", onKeyDown);
    return () => document.removeEventListener("keydown", onKeyDown);
  }, [enabled]);
}
