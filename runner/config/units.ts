/**
 * Parsing the few units that reach the command line: durations, rates and
 * positive numbers. Errors name the flag and say what was expected.
 */
import { MAX_DURATION_US, readDuration } from '../../units/duration.js';
import { MAX_RATE_PER_S, readRate } from '../../units/rate.js';
import { UserError } from '../errors.js';

/**
 * `10s`, `500ms`, `2m`, `1.5s`, `250us` → µs (integer), with the one
 * duration grammar (units/duration.ts). A number without a unit is refused
 * rather than guessed (its rule: text carries its unit): a person typing
 * `--duration 10` usually means seconds.
 * @param where the flag or variable it came from, for the error message.
 */
export function parseDurationUs(text: string, where: string): number {
  const trimmed = text.trim();
  const reading = readDuration(trimmed);
  if (!reading.ok && reading.problem === 'bare-number') throw new UserError(`${where}: ${JSON.stringify(text)} has no unit; write e.g. ${trimmed}s or ${trimmed}ms.`);
  const us = reading.ok ? reading.us : undefined;
  if (us === undefined) throw new UserError(`${where}: ${JSON.stringify(text)} is not a duration; use e.g. 10s, 500ms, 2m.`);
  if (!Number.isSafeInteger(us) || us <= 0) throw new UserError(`${where}: ${JSON.stringify(text)} must be a positive duration.`);
  if (us > MAX_DURATION_US) throw new UserError(`${where}: ${JSON.stringify(text)} is too long; at most ${MAX_DURATION_US / 3_600_000_000} h.`);
  return us;
}

/** A finite number > 0 (optionally an integer, optionally ≤ max). */
export function parsePositive(value: unknown, where: string, opts: { integer?: boolean; max?: number } = {}): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  const kind = opts.integer ? 'a positive integer' : 'a positive number';
  if (!Number.isFinite(n) || n <= 0 || (opts.integer && !Number.isInteger(n))) {
    throw new UserError(`${where}: ${shown(value)} is not ${kind}.`);
  }
  if (opts.max !== undefined && n > opts.max) throw new UserError(`${where}: ${n} is too large; at most ${opts.max}.`);
  return n;
}

/** An integer from `min` to `max` (blast's counts, capacity's bisection steps). */
export function parseInteger(value: unknown, where: string, min: number, max: number): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new UserError(`${where}: ${shown(value)} is not an integer from ${min} to ${max}.`);
  return n;
}

/** A rate with the one rate grammar (units/rate.ts: `800`, `800/s`, `1.5k/s`) → ops/s, 1 to 10,000,000, rounded. */
export function parseRate(value: unknown, where: string): number {
  const text = String(value);
  const rate = typeof value === 'number' || typeof value === 'string' ? readRate(value) : undefined;
  if (rate === undefined || !(rate >= 1 && rate <= MAX_RATE_PER_S)) throw new UserError(`${where}: ${JSON.stringify(text)} is not a rate; write ops per second from 1 to 10,000,000, e.g. 100/s or 2k/s`);
  return Math.round(rate);
}

/** A non-negative safe integer (seeds). */
export function parseSeed(value: unknown, where: string): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 0) throw new UserError(`${where}: ${shown(value)} is not a seed; use an integer from 0 to ${Number.MAX_SAFE_INTEGER}.`);
  return n;
}

/** A flag value for a message: yargs turns a non-numeric `--seed abc` into NaN, which JSON shows as `null`. */
function shown(value: unknown): string {
  if (typeof value === 'number' && Number.isNaN(value)) return 'the value given (not a number)';
  return JSON.stringify(value) ?? String(value);
}

export { formatUs } from '../../units/duration.js';
