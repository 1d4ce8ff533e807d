/**
 * `--fault <part>:<action>@<time>` (repeatable): what to break and when, on
 * each replay's schedule clock (`@5s` = 5 s after the replay's first intended
 * send). Known faults:
 *
 * - `redis:restart`: restart the Redis hotbench started (SIGKILL, no
 *   persistence: everything in it is gone), or on a shared Redis delete the
 *   replay's keys and kill its connections (the fault event says which).
 * - `postgres:restart`: crash-restart the embedded PostgreSQL the run started
 *   (immediate shutdown, same port and data; see `postgres.ts`); a run with
 *   an external `--pg` is refused.
 * - `kafka:restart`: crash-restart the embedded Kafka broker the run started
 *   (SIGKILL, same ports and log folder: acknowledged messages survive); a run
 *   with an external `--kafka` is refused.
 * - `consumer:kill`: crash and restart a strategy's consumers (strategies with
 *   the `FaultTarget` capability, e.g. `buffer`) the way a crashed process
 *   would: no goodbye to the consumer group, so the queue notices only after
 *   its timeout (Kafka's session timeout, Redis Streams' `reclaim_idle`).
 */
import { UserError } from '../errors.js';
import { formatUs, parseDurationUs } from '../config/units.js';

/** Every fault hotbench can inject, with what it does (for help and errors). */
export const KNOWN_FAULTS: Readonly<Record<string, { readonly target: 'stack' | 'strategy'; readonly does: string }>> = {
  'redis:restart': { target: 'stack', does: "restart the Redis hotbench started, or delete the replay's keys on a shared one" },
  'postgres:restart': { target: 'stack', does: 'crash-restart the embedded PostgreSQL hotbench started (same port and data); refused with --pg' },
  'kafka:restart': { target: 'stack', does: 'crash-restart the embedded Kafka broker hotbench started (same ports and data); refused with --kafka' },
  'consumer:kill': { target: 'strategy', does: "crash and restart the strategy's consumers (no goodbye: the queue notices after its timeout)" },
};

/** One parsed `--fault`. */
export interface FaultSpec {
  /** As given, normalized: `redis:restart@5s`. */
  readonly text: string;
  /** `redis`, `consumer`. */
  readonly part: string;
  /** `restart`, `kill`. */
  readonly action: string;
  /** `part:action`, a key of {@link KNOWN_FAULTS}. */
  readonly kind: string;
  /** Where it is aimed: a stack part (a provider) or the strategy. */
  readonly target: 'stack' | 'strategy';
  /** When, µs after the replay's schedule start. */
  readonly atUs: number;
}

const FAULT = /^([a-z]+):([a-z]+)@(.+)$/;

/** Parses one `--fault` value; throws a one-line {@link UserError} naming `where` and the fix. */
export function parseFault(text: string, where = '--fault'): FaultSpec {
  const match = FAULT.exec(text.trim().toLowerCase());
  const known = Object.keys(KNOWN_FAULTS).join(', ');
  if (!match) throw new UserError(`${where}: ${JSON.stringify(text)} is not <part>:<action>@<time>; give e.g. redis:restart@8s (known: ${known}).`);
  const [, part, action, time] = match as unknown as [string, string, string, string];
  const kind = `${part}:${action}`;
  const info = KNOWN_FAULTS[kind];
  if (info === undefined) throw new UserError(`${where}: unknown fault ${JSON.stringify(kind)} in ${JSON.stringify(text)}; known: ${known}.`);
  const atUs = parseDurationUs(time, `${where} ${JSON.stringify(text)}`);
  return { text: `${kind}@${formatAt(atUs)}`, part, action, kind, target: info.target, atUs };
}

/** Parses every `--fault` value (a string or a list, as yargs gives it), sorted by time. */
export function parseFaults(values: string | readonly string[] | undefined, where = '--fault'): FaultSpec[] {
  if (values === undefined) return [];
  if (typeof values !== 'string' && values.length === 0) throw new UserError(`${where}: no fault given; give e.g. redis:restart@8s (known: ${Object.keys(KNOWN_FAULTS).join(', ')}).`);
  const list = typeof values === 'string' ? values.split(',').filter((v) => v.trim() !== '') : values;
  return list.map((v) => parseFault(v, where)).sort((a, b) => a.atUs - b.atUs);
}

function formatAt(us: number): string {
  if (us % 1_000_000 === 0) return `${us / 1_000_000}s`;
  if (us % 1_000 === 0) return `${us / 1_000}ms`;
  return formatUs(us);
}
