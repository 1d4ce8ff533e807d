/**
 * `--start-at <time>`: shards started by a scheduler that can give them all
 * one instant (a Kubernetes Job's spec, a cron line, a shell loop) need no
 * barrier: each sets up, then starts its schedule at that wall-clock time.
 *
 * The time must carry its zone (`Z` or `+01:00`): a bare local time means
 * different instants on hosts in different zones. Hosts' clocks must agree
 * (NTP keeps them within milliseconds); the barrier does not need that.
 */
import { formatShardSpec, type ShardSpec } from '../../scenarios/shard.js';
import { UserError } from '../errors.js';

/**
 * How late a shard may be ready after `--start-at` and still start, ms
 * (default 250): its first ops then go out up to that late and are counted
 * as late by the driver; later than that, it refuses instead of sending a
 * schedule the other shards have already sent past.
 */
export const DEFAULT_START_GRACE_MS = 250;

const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** Parses `--start-at` (ISO 8601 with a zone) into ms since the Unix epoch; throws a one-line {@link UserError}. */
export function parseStartAt(text: string, flag = '--start-at'): number {
  const t = text.trim();
  if (!ISO_WITH_ZONE.test(t)) throw new UserError(`${flag} ${JSON.stringify(text)}: expected an ISO 8601 time with its zone, e.g. 2026-12-07T18:30:00Z (date -u -d '+1 min' +%FT%TZ gives one a minute ahead)`);
  const ms = Date.parse(t.replace(' ', 'T'));
  if (!Number.isFinite(ms)) throw new UserError(`${flag} ${JSON.stringify(text)}: not a valid date and time`);
  return ms;
}

/**
 * Refuses a shard that is ready more than `graceMs` after `startAtMs`
 * (wall-clock ms): one line saying how late and what to do. `nowMs` is the
 * wall clock when the shard is ready to send (after its setup).
 */
export function checkNotLate(startAtMs: number, nowMs: number, shard: ShardSpec, runId: string, graceMs = DEFAULT_START_GRACE_MS): void {
  const lateMs = nowMs - startAtMs;
  if (lateMs <= graceMs) return;
  throw new UserError(
    `shard ${formatShardSpec(shard)} of run ${runId} was ready ${(lateMs / 1000).toFixed(1)} s after --start-at ${new Date(startAtMs).toISOString()}: ` +
      `its ops would go out that late, so it sends nothing (the other shards' records are kept). Rerun every shard with a new --run-id and a later --start-at, or use the start barrier (no --start-at)`,
  );
}
