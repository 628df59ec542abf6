// Light and dark palettes as CSS custom properties. "auto" follows prefers-color-scheme;
// hosts can force a mode and override any variable to match their brand.
import type { CSSProperties } from "react";

export type ThemeMode = "light" | "dark" | "auto";

export const THEME_VARIABLES = [
  "--cxa-bg",
  "--cxa-surface",
  "--cxa-surface-muted",
  "--cxa-border",
  "--cxa-border-strong",
  "--cxa-text",
  "--cxa-text-muted",
  "--cxa-accent",
  "--cxa-accent-text",
  "--cxa-bar",
  "--cxa-positive",
  "--cxa-negative",
  "--cxa-skeleton",
  "--cxa-focus",
  "--cxa-font",
  "--cxa-mono",
  "--cxa-radius",
] as const;
export type ThemeVariable = (typeof THEME_VARIABLES)[number];
export type ThemeVariables = Partial<Record<ThemeVariable, string>>;

/** `"auto"` (default), a forced mode, or a mode plus variable overrides. */
export type DashboardTheme = ThemeMode | { mode?: ThemeMode; vars?: ThemeVariables };

type Palette = Record<ThemeVariable, string>;

const SHARED = {
  "--cxa-font":
    'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif',
  "--cxa-mono": 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace',
  "--cxa-radius": "10px",
};

// Text colours keep at least 4.5:1 against the surfaces they sit on (WCAG AA).
export const LIGHT_PALETTE: Palette = {
  ...SHARED,
  "--cxa-bg": "#f6f7fb",
  "--cxa-surface": "#ffffff",
  "--cxa-surface-muted": "#f1f3f9",
  "--cxa-border": "#e4e7ef",
  "--cxa-border-strong": "#c9cedb",
  "--cxa-text": "#141827",
  "--cxa-text-muted": "#555d70",
  "--cxa-accent": "#4f46e5",
  "--cxa-accent-text": "#ffffff",
  "--cxa-bar": "#e3e5fd",
  "--cxa-positive": "#047857",
  "--cxa-negative": "#b91c1c",
  "--cxa-skeleton": "#e7e9f1",
  "--cxa-focus": "#4f46e5",
};

export const DARK_PALETTE: Palette = {
  ...SHARED,
  "--cxa-bg": "#0d111c",
  "--cxa-surface": "#151a28",
  "--cxa-surface-muted": "#1b2132",
  "--cxa-border": "#262d40",
  "--cxa-border-strong": "#3a4359",
  "--cxa-text": "#eef0f6",
  "--cxa-text-muted": "#a3aabb",
  "--cxa-accent": "#8b8cf8",
  "--cxa-accent-text": "#0d111c",
  "--cxa-bar": "#2a2f57",
  "--cxa-positive": "#34d399",
  "--cxa-negative": "#f87171",
  "--cxa-skeleton": "#222939",
  "--cxa-focus": "#a5b4fc",
};

export function paletteDeclarations(palette: Palette): string {
  return THEME_VARIABLES.map((name) => `${name}: ${palette[name]};`).join(" ");
}

/** The `data-theme` value and inline variable overrides for the root element. */
export function resolveTheme(theme: DashboardTheme | undefined): {
  mode: ThemeMode;
  style: CSSProperties;
} {
  if (theme === undefined || typeof theme === "string") return { mode: theme ?? "auto", style: {} };
  const style: Record<string, string> = {};
  for (const [name, value] of Object.entries(theme.vars ?? {})) {
    // Only known variables: an override can't smuggle arbitrary inline styles in.
    if ((THEME_VARIABLES as readonly string[]).includes(name) && typeof value === "string")
      style[name] = value;
  }
  return { mode: theme.mode ?? "auto", style: style as CSSProperties };
}
