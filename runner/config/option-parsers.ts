/**
 * The parsers the option table (./options.ts) names, one per kind of value.
 * Each takes the raw value of whichever layer gave it (flag, environment,
 * stack preset, scenario file or default: yargs hands numbers and booleans,
 * the environment and defaults text) and `where` (the flag or variable, for
 * the one-line error), and returns the value the run uses; `undefined` means
 * "not given" (e.g. a blank URL).
 */
import { resolve } from 'node:path';
import { SloError, parseSloText, type Slo, type SloKey } from '../../reports/common/slo.js';
import { UserError } from '../errors.js';
import { parseFaults, type FaultSpec } from '../faults/spec.js';
import { parseVia, type Via } from '../http/via-mode.js';
import { stackPreset } from '../stack/compose.js';
import { redactUrl } from './redact.js';
import { parseDurationUs, parseInteger, parsePositive, parseRate, parseSeed } from './units.js';
import { checkServiceUrl, type SERVICE_URLS } from './url-check.js';

/** A value as a layer gives it. */
export type RawValue = string | number | boolean | readonly string[];

/** Trimmed text; blank ⇒ undefined (an empty `--strategies ''` means "not given"). */
export function optionalText(raw: RawValue): string | undefined {
  const text = String(raw).trim();
  return text === '' ? undefined : text;
}

/** Text as given (the scenario reference: the loader says what is wrong with it). */
export function text(raw: RawValue): string {
  return String(raw);
}

/** A duration with its unit → µs (the one grammar, units/duration.ts). */
export function durationUs(raw: RawValue, where: string): number {
  return parseDurationUs(String(raw), where);
}

/** A positive integer up to `max`. */
export function positiveInteger(max: number): (raw: RawValue, where: string) => number {
  return (raw, where) => parsePositive(raw, where, { integer: true, max });
}

/** A positive number up to `max`. */
export function positiveNumber(max: number): (raw: RawValue, where: string) => number {
  return (raw, where) => parsePositive(raw, where, { max });
}

/** An integer from `min` to `max`. */
export function integer(min: number, max: number): (raw: RawValue, where: string) => number {
  return (raw, where) => parseInteger(raw, where, min, max);
}

/** A seed (non-negative safe integer). */
export function seed(raw: RawValue, where: string): number {
  return parseSeed(raw, where);
}

/** An offered rate, `100/s`, `2k/s` → ops/s. */
export function rate(raw: RawValue, where: string): number {
  return parseRate(raw, where);
}

/** The growth factor of capacity's ladder: above 1.05 (else the ladder barely climbs), at most 100. */
export function factor(raw: RawValue, where: string): number {
  const f = parsePositive(raw, where, { max: 100 });
  if (f <= 1.05) throw new UserError(`${where} ${f}: must be above 1.05 (e.g. 2 doubles the rate each step)`);
  return f;
}

/** A service URL of the right scheme (shape only: `--dry-run` contacts no server); blank ⇒ not given. */
export function serviceUrl(service: keyof typeof SERVICE_URLS): (raw: RawValue, where: string) => string | undefined {
  return (raw, where) => {
    const given = optionalText(raw);
    return given === undefined ? undefined : checkServiceUrl(service, given, where);
  };
}

/**
 * One PostgreSQL URL, or several comma-separated (one ledger shard each, for
 * `sharded(...)`), each checked like {@link serviceUrl}'s; returned joined by
 * commas, blank ⇒ not given. A comma inside a URL must be written `%2C`.
 */
export function pgUrls(raw: RawValue, where: string): string | undefined {
  const list = String(raw).split(',').map((u) => u.trim());
  if (list.every((u) => u === '')) return undefined;
  list.forEach((u, i) => {
    if (u === '') throw new UserError(`${where}: URL ${i + 1} of ${list.length} is empty (two commas in a row, or a trailing comma?); give postgres://user@host:5432/db[,postgres://...]`);
    checkServiceUrl('pg', u, list.length > 1 ? `${where} (URL ${i + 1} of ${list.length})` : where);
  });
  return list.join(',');
}

/** Kafka brokers `host:port[,host:port]`; blank ⇒ none given. */
export function brokers(raw: RawValue, where: string): readonly string[] | undefined {
  const list = String(raw).split(',').map((b) => b.trim()).filter((b) => b !== '');
  if (list.length === 0) return undefined;
  for (const b of list) {
    if (!/^[A-Za-z0-9.-]+:\d{1,5}$/.test(b)) throw new UserError(`${where}: ${JSON.stringify(b)} is not host:port; give e.g. localhost:9092 (comma-separated for several).`);
  }
  return list;
}

/** A folder, made absolute; an empty one is refused (resolve('') would silently mean the working directory). */
export function folder(fallback: string): (raw: RawValue, where: string) => string {
  return (raw, where) => {
    if (String(raw).trim() === '') throw new UserError(`${where}: empty; give a folder, or omit it for the default (${fallback}).`);
    return resolve(String(raw));
  };
}

/** A switch: a flag's boolean, or the environment's `1`/`true`/`yes` (anything else is off). */
export function onOff(raw: RawValue): boolean {
  return typeof raw === 'boolean' ? raw : /^(1|true|yes)$/i.test(String(raw).trim());
}

/** One of `values` (case-insensitive); anything else is a one-line UserError naming where it came from. */
export function choice<T extends string>(values: readonly T[]): (raw: RawValue, where: string) => T {
  return (raw, where) => {
    const v = String(raw).trim().toLowerCase();
    const found = values.find((c) => c === v);
    if (found === undefined) throw new UserError(`${where} must be ${values.join(', ')} (got ${JSON.stringify(raw)})`);
    return found;
  };
}

/** A repeatable text option (`--emit k8s DIR`, `--param a:b=1,2`): every value as given, trimmed; an environment variable's text is one value. */
export function textList(raw: RawValue): readonly string[] {
  const values = Array.isArray(raw) ? raw : [raw];
  return values.map((v) => String(v).trim()).filter((v) => v !== '');
}

/** `--via`: how ops reach each strategy. */
export function via(raw: RawValue, where: string): Via {
  return parseVia(raw, where);
}

/** `--stack`: a known preset's name (runner/stack/compose.ts). */
export function stackName(raw: RawValue, where: string): string | undefined {
  return stackPreset(raw, where)?.name;
}

/** `--fault` (repeatable) or HOTBENCH_FAULTS (comma-separated), sorted by schedule time. */
export function faults(raw: RawValue, where: string): readonly FaultSpec[] {
  return parseFaults(typeof raw === 'string' || Array.isArray(raw) ? (raw as string | readonly string[]) : String(raw), where);
}

/** `--slo` text: the limits it sets and the ones it drops (merged over the scenario's slo block by run-config). */
export function sloText(raw: RawValue, where: string): { readonly slo: Slo; readonly off: readonly SloKey[] } | undefined {
  const given = optionalText(raw);
  if (given === undefined) return undefined;
  try {
    const read = parseSloText(given, where);
    for (const note of read.notes) process.stderr.write(`hotbench: ${note}\n`);
    return { slo: read.slo, off: read.off };
  } catch (err) {
    if (err instanceof SloError) throw new UserError(err.message);
    throw err;
  }
}

/** How a URL is recorded: the password masked. */
export function recordUrl(value: unknown): unknown {
  return typeof value === 'string' ? redactUrl(value) : value;
}

/** How `--pg` is recorded: each of its comma-separated URLs with the password masked. */
export function recordUrls(value: unknown): unknown {
  return typeof value === 'string' ? value.split(',').map(redactUrl).join(',') : value;
}

/** How faults are recorded: as written. */
export function recordFaults(value: unknown): unknown {
  return (value as readonly FaultSpec[]).map((f) => f.text);
}
