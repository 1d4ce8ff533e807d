/**
 * Building blocks for strategy parameter schemas.
 *
 * Parameters arrive as strings from the command line (`aggregate:window=10ms`)
 * or as plain values from code. Each helper returns a zod schema that accepts
 * both, carries its documented default, and is registered with a description
 * of what it expects and how to print a value back canonically (the spec
 * resolver uses both for error messages and labels, see `./spec.ts`).
 *
 * Units: durations are parsed into integer microseconds (µs).
 */
import { z, type ZodType } from 'zod';
import { DURATION_EXAMPLES, formatDuration, readDuration } from '../units/duration.js';
import { MAX_RATE_PER_S, RATE_EXAMPLES, readRate } from '../units/rate.js';

export { formatDuration } from '../units/duration.js';

/** How the spec resolver describes and prints one parameter. */
export interface ParamInfo {
  /** What a valid value looks like, for error messages, e.g. "a duration such as 10ms, 1s or 250us". */
  readonly expected: string;
  /** Canonical text of a parsed value, used in labels, e.g. 10000 µs → "10ms". */
  format(value: unknown): string;
}

const infos = new WeakMap<ZodType, ParamInfo>();

/** The {@link ParamInfo} of a schema built by these helpers; undefined for any other schema. */
export function paramInfo(schema: ZodType): ParamInfo | undefined {
  return infos.get(schema);
}

function register<T extends ZodType>(schema: T, info: ParamInfo): T {
  infos.set(schema, info);
  return schema;
}

/** A value that cannot be parsed as a parameter. `.message` is one line. */
export class ParamError extends Error {
  override readonly name = 'ParamError';
}

/**
 * Parses a duration into integer µs with the one grammar (units/duration.ts):
 * `250us`, `10ms`, `1.5s`, `2m`, `1h`; a number from code is milliseconds.
 * Text without a unit is refused (`10` could mean ms or s), except `0`.
 * Throws {@link ParamError} for anything else, or when the result is not a
 * whole number of µs.
 */
export function parseDuration(text: string | number): number {
  if (typeof text === 'string' && text.trim() === '0') return 0;
  const reading = readDuration(text);
  if (!reading.ok && reading.problem === 'bare-number') {
    const n = String(text).trim();
    throw new ParamError(`'${String(text)}' has no unit; write e.g. ${n}ms or ${n}s`);
  }
  if (!reading.ok) throw new ParamError(`'${String(text)}' is not a duration (use e.g. ${DURATION_EXAMPLES})`);
  if (!reading.whole) throw new ParamError(`'${String(text)}' is not a whole number of microseconds`);
  return reading.us;
}

/**
 * A duration parameter, parsed to integer µs.
 * @param def the documented default, as text (`'10ms'`) or µs (number).
 * @param bounds optional inclusive bounds, as text or µs.
 */
export function duration(def: string | number, bounds: { min?: string | number; max?: string | number } = {}): ZodType<number> {
  const toUs = (v: string | number): number => (typeof v === 'number' ? v : parseDuration(v));
  const min = bounds.min === undefined ? 0 : toUs(bounds.min);
  const max = bounds.max === undefined ? Number.MAX_SAFE_INTEGER : toUs(bounds.max);
  const range = bounds.max === undefined ? `at least ${formatDuration(min)}` : `between ${formatDuration(min)} and ${formatDuration(max)}`;
  const unbounded = bounds.min === undefined && bounds.max === undefined;
  const expected = `a duration such as 10ms, 1s or 250us${unbounded ? '' : `, ${range}`}`;
  const schema = z
    .union([z.string(), z.number()])
    .transform((raw, ctx) => {
      let us: number;
      try {
        us = parseDuration(raw);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
      if (us < min || us > max) {
        ctx.addIssue({ code: 'custom', message: `${formatDuration(us)} is out of range (${range})` });
        return z.NEVER;
      }
      return us;
    })
    .default(toUs(def));
  return register(schema, { expected, format: (v) => formatDuration(v as number) }) as unknown as ZodType<number>;
}

function integer(def: number, min: number, max: number, what: string): ZodType<number> {
  const expected = max === Number.MAX_SAFE_INTEGER ? what : `${what} up to ${max}`;
  const schema = z
    .union([z.string(), z.number()])
    .transform((raw, ctx) => {
      const text = String(raw).trim();
      const n = /^-?\d+$/.test(text) ? Number(text) : Number.NaN;
      if (!Number.isSafeInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `'${String(raw)}' is not ${expected}` });
        return z.NEVER;
      }
      return n;
    })
    .default(def);
  return register(schema, { expected, format: (v) => String(v) }) as unknown as ZodType<number>;
}

/** A positive integer (≥ 1) parameter with a documented default and an optional maximum. */
export function positiveInt(def: number, max: number = Number.MAX_SAFE_INTEGER): ZodType<number> {
  return integer(def, 1, max, 'a positive integer');
}

/** A non-negative integer (≥ 0) parameter, e.g. a retry count. */
export function nonNegativeInt(def: number, max: number = Number.MAX_SAFE_INTEGER): ZodType<number> {
  return integer(def, 0, max, 'a non-negative integer');
}

/**
 * A rate parameter, ops per second, with the one rate grammar
 * (units/rate.ts): `500`, `500/s`, `2k/s`; a whole number from 1 to `max`.
 * @param def the documented default, ops/s.
 */
export function ratePerS(def: number, max: number = MAX_RATE_PER_S): ZodType<number> {
  const expected = `a rate such as ${RATE_EXAMPLES}, a whole number of ops per second from 1 to ${max}`;
  const schema = z
    .union([z.string(), z.number()])
    .transform((raw, ctx) => {
      const perS = readRate(raw);
      if (perS === undefined || !Number.isSafeInteger(perS) || perS < 1 || perS > max) {
        ctx.addIssue({ code: 'custom', message: `'${String(raw)}' is not ${expected}` });
        return z.NEVER;
      }
      return perS;
    })
    .default(def);
  // Labels keep the bare number (`rate=500`): labels are recorded with runs and compared across them.
  return register(schema, { expected, format: (v) => String(v) }) as unknown as ZodType<number>;
}

/** One of a fixed list of lowercase words, e.g. an isolation level. Input is matched case-insensitively. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T, def: T[number]): ZodType<T[number]> {
  const expected = `one of ${values.join(', ')}`;
  const schema = z
    .string()
    .transform((raw, ctx) => {
      const v = raw.trim().toLowerCase();
      if (!(values as readonly string[]).includes(v)) {
        ctx.addIssue({ code: 'custom', message: `'${raw}' is not ${expected}` });
        return z.NEVER;
      }
      return v as T[number];
    })
    // zod cannot relate the generic T[number] to its own output type; def is one of `values`.
    .default(def as never);
  return register(schema, { expected, format: (v) => String(v) }) as unknown as ZodType<T[number]>;
}

/** A boolean parameter: `true`, `false`, `1` or `0` (or a real boolean from code). */
export function bool(def: boolean): ZodType<boolean> {
  const expected = 'true, false, 1 or 0';
  const schema = z
    .union([z.string(), z.boolean()])
    .transform((raw, ctx) => {
      if (typeof raw === 'boolean') return raw;
      const v = raw.trim().toLowerCase();
      if (v === 'true' || v === '1') return true;
      if (v === 'false' || v === '0') return false;
      ctx.addIssue({ code: 'custom', message: `'${raw}' is not ${expected}` });
      return z.NEVER;
    })
    .default(def);
  return register(schema, { expected, format: (v) => String(v) }) as unknown as ZodType<boolean>;
}
