// How the bench prints numbers, in the table, docs/benchmark.md and the section notes alike.

/** A number with thousands separators and at most `digits` decimals: 12,345.68. */
export const num = (x: number, digits = 2) =>
  x.toLocaleString("en", { maximumFractionDigits: digits });
/** Bytes as KiB, one decimal. */
export const kib = (bytes: number) => `${num(bytes / 1024, 1)} KiB`;
/** Bytes as MiB, two decimals. */
export const mib = (bytes: number) => `${num(bytes / 2 ** 20, 2)} MiB`;
/** A fraction as a percentage: 0.1234 → "12.34 %". */
export const pct = (x: number, digits = 2) => `${num(x * 100, digits)} %`;
