/**
 * How numbers are written in every human-facing report (terminal, Markdown,
 * HTML), so the three always show the same figure for the same value.
 * Missing values (null) are written as an em dash.
 */

/** Shown for a value that does not exist (nothing to measure). */
export const NONE = '—';

const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** An integer count or amount with thousands separators: `12,345`, `-7`. */
export function formatInt(n: number | null): string {
  return n === null ? NONE : grouped.format(Math.round(n));
}

/**
 * A rate in ops/s: whole numbers from 100 up (`1,234`), one decimal below
 * (`42.5`, `0.3`).
 */
export function formatRate(perSecond: number | null): string {
  if (perSecond === null) return NONE;
  return Math.abs(perSecond) >= 100 ? formatInt(perSecond) : perSecond.toFixed(1);
}

/**
 * Microseconds shown as milliseconds with three significant-ish digits:
 * `0.412`, `4.12`, `41.2`, `412`, `4,120`.
 */
export function formatMs(us: number | null): string {
  if (us === null) return NONE;
  const ms = us / 1000;
  const abs = Math.abs(ms);
  if (abs >= 100) return formatInt(ms);
  if (abs >= 10) return ms.toFixed(1);
  if (abs >= 1) return ms.toFixed(2);
  return ms.toFixed(3);
}

/** Seconds: `0.123 s`-style precision without the unit: `0.123`, `1.23`, `12.3`, `123`. */
export function formatSeconds(s: number | null): string {
  if (s === null) return NONE;
  const abs = Math.abs(s);
  if (abs >= 100) return formatInt(s);
  if (abs >= 10) return s.toFixed(1);
  if (abs >= 1) return s.toFixed(2);
  return s.toFixed(3);
}

/** A fraction of 1 as a percentage: `5.0%`, `0.8%`, `0.01%` (two decimals below 0.1 %). */
export function formatShare(share: number): string {
  const pct = share * 100;
  return `${pct !== 0 && Math.abs(pct) < 0.1 ? pct.toFixed(2) : pct.toFixed(1)}%`;
}

/** Bytes in binary units: `8.0 GiB`, `512 MiB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}
