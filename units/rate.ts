/**
 * The one rate grammar of hotbench, beside the duration grammar
 * (./duration.ts): command-line flags (`capacity --start 2k/s`), scenario
 * files (`rate: 800` or `rate: 2k/s`) and strategy parameters
 * (`rate-limit:rate=1k/s`) all read ops-per-second rates here.
 *
 * Grammar: a non-negative decimal number, an optional `k` (thousands), an
 * optional `/s`, spaces allowed between, case-insensitive: `800`, `800/s`,
 * `1.5k/s`, `2k`. A rate has one unit, ops per second, so a bare number
 * cannot be misread and is accepted (unlike a duration's: see ./duration.ts);
 * `/s` is there for people who like to write it.
 *
 * Each caller keeps its own bounds (a CLI rate is a whole number from 1, a
 * scenario's may be 0.5/s) and its own error class; this module only says
 * what a text means, and the highest rate any input may ask for.
 */

/** A rate in text, lowercase (readers lowercase first): capture 1 the number, capture 2 `k` or ''. Scenario files' JSON Schema uses it as is. */
export const RATE_PATTERN = /^(\d+(?:\.\d+)?)\s*(k?)\s*(?:\/s)?$/;

/** Examples for messages: what a valid rate looks like. */
export const RATE_EXAMPLES = '800, 100/s or 2k/s';

/** Highest rate any input may ask for, ops/s (a typo must not become a run that never ends). */
export const MAX_RATE_PER_S = 10_000_000;

/**
 * Reads a rate (see the module docs for the grammar) into ops/s, or
 * undefined when it is not a rate. A number value is ops/s as is (negative
 * and non-finite numbers are not rates). Not bounded here.
 */
export function readRate(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  const match = RATE_PATTERN.exec(value.trim().toLowerCase());
  if (!match) return undefined;
  return Number(match[1]) * (match[2] === 'k' ? 1000 : 1);
}
