/**
 * Units a scenario file is written in, and the limits that keep a typo from
 * turning into a run that never ends. Time inside hotbench is integer µs;
 * money is integer minor units (cents).
 */

/** µs per unit suffix accepted in a duration string. */
const UNIT_US: Readonly<Record<string, number>> = { us: 1, µs: 1, ms: 1_000, s: 1_000_000, m: 60_000_000, h: 3_600_000_000 };

/** A duration string: a non-negative decimal number and a unit, e.g. `500ms`, `1.5s`, `2m`. */
export const DURATION_PATTERN = /^(\d+(?:\.\d+)?)\s*(us|µs|ms|s|m|h)$/;

/** Highest rate (ops/s) a scenario or an override may ask for, before burst multipliers. */
export const MAX_RATE = 10_000_000;
/** Highest burst multiplier. */
export const MAX_MULTIPLIER = 1_000;
/** Longest single duration and longest whole schedule: 24 h, in µs. */
export const MAX_DURATION_US = 24 * 3_600_000_000;
/** Most accounts a scenario may define (every one is seeded into each strategy's ledger). */
export const MAX_ACCOUNTS = 1_000_000;
/** Largest single op amount, minor units (10 billion in major units). */
export const MAX_AMOUNT = 1_000_000_000_000;
/** Largest absolute balance or floor, minor units; sums of many stay exact in a double. */
export const MAX_BALANCE = 1_000_000_000_000_000;

/**
 * Converts a duration as written in a scenario (a string with a unit, or an
 * integer number of milliseconds) to integer µs, rounding to the nearest µs.
 * Returns undefined when the text is not a duration.
 */
export function durationToMicros(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? Math.round(value * 1_000) : undefined;
  const match = DURATION_PATTERN.exec(value.trim());
  if (!match) return undefined;
  const [, amount, unit] = match;
  const perUnit = UNIT_US[unit ?? ''];
  if (amount === undefined || perUnit === undefined) return undefined;
  return Math.round(Number(amount) * perUnit);
}

/** Renders µs as seconds with millisecond precision, e.g. `12.345 s`; used by summaries. */
export function formatSeconds(us: number): string {
  return `${(us / 1_000_000).toFixed(3)} s`;
}
