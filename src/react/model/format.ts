// How figures read on the dashboard: short counts (1.2k), durations (3m 12s), rates (45%).

const UNITS: [suffix: string, size: number][] = [
  ["k", 1e3],
  ["M", 1e6],
  ["B", 1e9],
];

/** 999 → "999", 1234 → "1.2k", 123456 → "123k", 1_500_000 → "1.5M". */
export function formatCount(value: number): string {
  if (!Number.isFinite(value)) return "–";
  const sign = value < 0 ? "-" : "";
  const n = Math.round(Math.abs(value));
  if (n < 1000) return sign + String(n);
  for (let i = 0; i < UNITS.length; i++) {
    const [suffix, size] = UNITS[i];
    const scaled = n / size;
    const text = scaled.toFixed(scaled < 100 ? 1 : 0).replace(/\.0$/, "");
    // 999_960 rounds to "1000k": that is written with the next unit up, "1M".
    if (Number(text) < 1000 || i === UNITS.length - 1) return sign + text + suffix;
  }
  return sign + String(n);
}

/** Exact count with grouping, for tooltips: 1234 → "1,234". */
export function formatExact(value: number): string {
  return Math.round(value).toLocaleString("en-US");
}

/** 0 → "0s", 45_000 → "45s", 192_000 → "3m 12s", 3_900_000 → "1h 5m". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return "0s";
  const totalSeconds = Math.round(ms / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (hours > 0) return minutes > 0 ? `${hours}h ${minutes}m` : `${hours}h`;
  if (minutes > 0) return seconds > 0 ? `${minutes}m ${seconds}s` : `${minutes}m`;
  return `${seconds}s`;
}

/** A 0..1 rate as a whole percentage: 0.453 → "45%". */
export function formatPercent(rate: number): string {
  if (!Number.isFinite(rate)) return "–";
  return `${Math.round(rate * 100)}%`;
}

/**
 * A conversion rate, 0..1, to a tenth of a percent: 0.125 → "12.5%", 0.1 → "10%". Goals
 * convert few visitors, so whole percentages would read 0.4% as 0%; a rate above zero but
 * below 0.05% reads "<0.1%", never "0%".
 */
export function formatConversionRate(rate: number): string {
  if (!Number.isFinite(rate)) return "–";
  const tenths = Math.round(rate * 1000) / 10;
  if (tenths === 0 && rate > 0) return "<0.1%";
  return `${tenths}%`;
}

/** Views per visit: at most two decimals, no trailing zeros (2.5, 2.35, 3). */
export function formatRatio(value: number): string {
  if (!Number.isFinite(value)) return "–";
  return String(Math.round(value * 100) / 100);
}

export type Delta = { text: string; direction: "up" | "down" | "flat" };

/** Relative change: "+12%", "-5%", "0%"; "new" when there was nothing before. */
export function relativeDelta(current: number, previous: number): Delta {
  if (previous === 0)
    return current === 0 ? { text: "0%", direction: "flat" } : { text: "new", direction: "up" };
  const pct = Math.round(((current - previous) / previous) * 100);
  if (pct === 0) return { text: "0%", direction: "flat" };
  return pct > 0 ? { text: `+${pct}%`, direction: "up" } : { text: `${pct}%`, direction: "down" };
}

/**
 * Change of a rate in percentage points: a bounce rate of 40% → 43% is "+3 pp", not "+8%".
 * `decimals` for small rates: a conversion rate of 2.1% → 2.5% is "+0.4 pp" with 1.
 */
export function pointsDelta(current: number, previous: number, decimals = 0): Delta {
  const scale = 10 ** decimals;
  const points = Math.round((current - previous) * 100 * scale) / scale;
  if (points === 0) return { text: "0 pp", direction: "flat" };
  return points > 0
    ? { text: `+${points} pp`, direction: "up" }
    : { text: `${points} pp`, direction: "down" };
}

const dateTimeLabel = new Intl.DateTimeFormat(undefined, {
  month: "short",
  day: "numeric",
  hour: "numeric",
  minute: "2-digit",
});

const dateTimeSecondsLabel = new Intl.DateTimeFormat(undefined, {
  month: "short",
  day: "numeric",
  hour: "numeric",
  minute: "2-digit",
  second: "2-digit",
});

export function formatDateTime(ms: number): string {
  return dateTimeLabel.format(ms);
}

/** A raw event's time, to the second: events of one visit are often seconds apart. */
export function formatDateTimeSeconds(ms: number): string {
  return dateTimeSecondsLabel.format(ms);
}

let regionNames: Intl.DisplayNames | null | undefined;

/** "FR" → "🇫🇷 France"; anything that isn't a two-letter code is shown as is. */
export function formatCountry(code: string): string {
  if (!/^[A-Za-z]{2}$/.test(code)) return code;
  const upper = code.toUpperCase();
  if (regionNames === undefined) {
    try {
      regionNames = new Intl.DisplayNames(undefined, { type: "region" });
    } catch {
      regionNames = null;
    }
  }
  const name = regionNames?.of(upper) ?? upper;
  const flag = String.fromCodePoint(...[...upper].map((c) => 0x1f1e6 + c.charCodeAt(0) - 65));
  return `${flag} ${name}`;
}

const rangeDays = new Intl.DateTimeFormat(undefined, {
  month: "short",
  day: "numeric",
  year: "numeric",
});

/** The subtitle under the dashboard title: "Mar 1 – 7, 2025". `to` is exclusive. */
export function formatRange(from: number, to: number): string {
  const last = Math.max(from, to - 1);
  return typeof rangeDays.formatRange === "function"
    ? rangeDays.formatRange(from, last)
    : `${rangeDays.format(from)} – ${rangeDays.format(last)}`;
}
