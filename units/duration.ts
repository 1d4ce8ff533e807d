/**
 * The one duration grammar of hotbench: scenario files, command-line flags,
 * `--slo` limits, fault specs and strategy parameters all read durations
 * here, and all print them with the formatters below. Time inside hotbench is
 * integer µs.
 *
 * Grammar: a non-negative decimal number and a unit, optionally separated by
 * spaces, case-insensitive: `250us`, `250µs`, `10ms`, `1.5s`, `2m`, `1h`.
 *
 * **The rule for bare numbers:** text always carries its unit; a bare number
 * in text (`--duration 10`, `aggregate:window=10`, `p99_ack_ms<50`) is refused
 * with a message that suggests the units, because people mean seconds on one
 * flag and milliseconds on another. A *number value* (a YAML/JSON number in a
 * scenario file, a number passed from code) is milliseconds: there the key
 * or the schema says so (`p99_ack_ms: 50`, `duration: 500`).
 *
 * Each caller keeps its own bounds (a scenario's 24 h, an SLO's 1 h) and its
 * own error class; this module only says what a text means.
 */

/** µs per unit, by the unit's spelling in the grammar. */
const UNIT_US: Readonly<Record<string, number>> = { us: 1, µs: 1, ms: 1_000, s: 1_000_000, m: 60_000_000, h: 3_600_000_000 };

/** A duration in text, lowercase (see the module docs; readers lowercase first); capture 1 is the number, capture 2 the unit. Scenario files' JSON Schema uses it as is. */
export const DURATION_PATTERN = /^(\d+(?:\.\d+)?)\s*(us|µs|ms|s|m|h)$/;

/** Examples for messages: what a valid duration looks like. */
export const DURATION_EXAMPLES = '250us, 10ms, 1.5s, 2m or 1h';

/** Longest duration any input may give: 24 h, in µs (a typo must not become a run that never ends). */
export const MAX_DURATION_US = 24 * 3_600_000_000;

/** What a duration text or value means, or why it means nothing. */
export type DurationReading =
  /** `us` rounded to the nearest µs; `whole` false when that rounding changed it (`0.5us`, `1.0000001s`). */
  | { readonly ok: true; readonly us: number; readonly whole: boolean }
  | { readonly ok: false; readonly problem: 'bare-number' | 'not-a-duration' | 'too-large' };

/**
 * Reads a duration (see the module docs for the grammar and the bare-number
 * rule) into integer µs. A number value is milliseconds. The result is not
 * bounded here (beyond a safe integer); callers check their own limits and
 * whether they accept a rounded value.
 */
export function readDuration(value: string | number): DurationReading {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? rounded(value * 1_000) : { ok: false, problem: 'not-a-duration' };
  const text = value.trim().toLowerCase();
  if (/^\d+(?:\.\d+)?$/.test(text)) return { ok: false, problem: 'bare-number' };
  const match = DURATION_PATTERN.exec(text);
  if (!match) return { ok: false, problem: 'not-a-duration' };
  return rounded(Number(match[1]) * UNIT_US[match[2]!]!);
}

/** Within a millionth of a µs of a whole number counts as whole (binary fractions: 1.1 s × 1e6). */
function rounded(us: number): DurationReading {
  const whole = Math.round(us);
  if (!Number.isSafeInteger(whole)) return { ok: false, problem: 'too-large' };
  return { ok: true, us: whole, whole: Math.abs(us - whole) <= 1e-6 };
}

/**
 * A duration's µs, rounded to the nearest µs, or undefined when it is not a
 * duration or is a bare number in text (scenario files: `500ms` or the number
 * 500); Infinity when beyond a safe integer of µs, so a bound check refuses it.
 */
export function durationToMicros(value: string | number): number | undefined {
  const reading = readDuration(value);
  if (!reading.ok) return reading.problem === 'too-large' ? Number.POSITIVE_INFINITY : undefined;
  return reading.us;
}

/** Canonical text, parseable back: the largest unit that keeps it whole. 10000 → `10ms`, 1500000 → `1500ms`, 0 → `0ms`. */
export function formatDuration(us: number): string {
  if (us === 0) return '0ms';
  if (us % 60_000_000 === 0) return `${us / 60_000_000}m`;
  if (us % 1_000_000 === 0) return `${us / 1_000_000}s`;
  if (us % 1_000 === 0) return `${us / 1_000}ms`;
  return `${us}us`;
}

/** µs for people, unit chosen by size: `850µs`, `12.3ms`, `4.20s`. */
export function formatUs(us: number): string {
  if (us < 1_000) return `${Math.round(us)}µs`;
  if (us < 1_000_000) return `${(us / 1_000).toFixed(1)}ms`;
  return `${(us / 1_000_000).toFixed(2)}s`;
}

/** µs as seconds with millisecond precision and the unit: `12.345 s` (plan summaries). */
export function formatUsAsSeconds(us: number): string {
  return `${(us / 1_000_000).toFixed(3)} s`;
}
