/**
 * Run-level lock-wait telemetry (DESIGN.md §5 "lock wait ... per run"): while
 * a strategy replays, one connection polls PostgreSQL every ~50 ms and
 * records what the server itself says about contention in the strategy's
 * database, next to the per-op waits the strategies measure.
 *
 * Sample rows written (`samples.name`, value, at `t_us` on the replay's
 * schedule clock = when the poll query was sent):
 *
 * | name | value | cadence |
 * | --- | --- | --- |
 * | `pg_lock_waiters` | sessions of the database waiting on a heavyweight lock (`pg_stat_activity.wait_event_type = 'Lock'`) | every poll |
 * | `pg_lock_waiters:<wait_event>` | the same, for one wait event (`transactionid`, `tuple`, `relation`, `advisory`...); once an event was seen, written every poll (0 included) so the series steps down | every poll |
 * | `pg_ungranted_locks` | `pg_locks` rows with `granted = false` held by sessions of the database | every poll |
 * | `pg_lock_wait_us` | lock-wait µs accrued since the previous poll: (waiters then + waiters now) / 2 × µs between the polls (the trapezoid rule); written only when not 0. Their sum is the run's lock-wait integral | every poll |
 * | `pg_commits_per_s` | committed transactions of the database per second since the previous counter sample (`pg_stat_database.xact_commit` delta) | ~1 s |
 * | `pg_rollbacks_per_s` | the same for `xact_rollback` | ~1 s |
 * | `pg_deadlocks` | deadlocks detected in the database since the previous counter sample (a count, not a rate) | ~1 s |
 * | `pg_wal_bytes_per_s` | WAL bytes written per second (`pg_wal_lsn_diff` of `pg_current_wal_lsn()`): server-wide, so it includes other databases' writes on a shared server | ~1 s |
 *
 * Why counters every second, not every poll: PostgreSQL 15 backends flush
 * their statistics at most once a second, so a 50 ms delta is mostly 0 with a
 * burst each second. Totals are exact once every backend has flushed (at the
 * latest ~1 s after it goes idle, or when it disconnects).
 *
 * The poller connects to the server's maintenance database (not the watched
 * one), so its own transactions never count in the watched database's
 * commits; its own session is also excluded by pid. `pg_locks` briefly takes
 * the lock manager's partition locks, which is the one cost this adds to the
 * measured system (20 times a second).
 */
import pg from 'pg';
import type { Clock } from '../../strategies/contract.js';
import { describePgError } from '../stack/postgres.js';

/** Poll period, ms. */
export const TELEMETRY_INTERVAL_MS = 50;
/** Period of the `pg_stat_database` / WAL counter samples, ms. */
export const COUNTERS_INTERVAL_MS = 1_000;

/** Sample names (see the module docs for each one's meaning). */
export const PG_SAMPLES = {
  lockWaiters: 'pg_lock_waiters',
  /** Prefix of the per-wait-event series: `pg_lock_waiters:<wait_event>`. */
  lockWaitersByEvent: 'pg_lock_waiters:',
  ungrantedLocks: 'pg_ungranted_locks',
  lockWaitUs: 'pg_lock_wait_us',
  commitsPerS: 'pg_commits_per_s',
  rollbacksPerS: 'pg_rollbacks_per_s',
  deadlocks: 'pg_deadlocks',
  walBytesPerS: 'pg_wal_bytes_per_s',
} as const;

/** What {@link startPgTelemetry} needs. */
export interface PgTelemetryOptions {
  /** Connection URL of the server (its maintenance database is best: see the module docs). Contains the password: never printed. */
  readonly url: string;
  /** Name of the watched database (the strategy's). */
  readonly database: string;
  /** Time base of the samples, µs. */
  readonly clock: Clock;
  /** Receives each sample: name, value, time (µs on `clock`). */
  sample(name: string, value: number, atUs: number): void;
  /** Poll period, ms. Default {@link TELEMETRY_INTERVAL_MS}. */
  readonly intervalMs?: number;
  /** Counter sample period, ms. Default {@link COUNTERS_INTERVAL_MS}. */
  readonly countersEveryMs?: number;
}

/** What a telemetry session measured, returned by `stop()`. */
export interface PgTelemetrySummary {
  /** Polls that returned. */
  readonly polls: number;
  /** The lock-wait integral, µs (the sum of the `pg_lock_wait_us` samples). */
  readonly lockWaitUs: number;
  /** Most sessions seen waiting on a lock at once. */
  readonly maxWaiters: number;
  /** Longest time between two consecutive polls, µs (bounds the integral's error: see the test). */
  readonly maxGapUs: number;
  /** Longest poll round trip, µs. */
  readonly maxPollUs: number;
  /** Polls that failed. */
  readonly errors: number;
  /** The first failure (one line, password-free), or ''. */
  readonly firstError: string;
}

/** A running telemetry session. */
export interface PgTelemetry {
  /** Takes a last poll (closing the integral and the counters), disconnects, resolves with the summary. Idempotent. */
  stop(): Promise<PgTelemetrySummary>;
}

const POLL_SQL = `
  SELECT
    (SELECT coalesce(json_object_agg(ev, n), '{}'::json)::text
       FROM (SELECT wait_event AS ev, count(*) AS n FROM pg_stat_activity
             WHERE datname = $1 AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'
             GROUP BY wait_event) w) AS waiters,
    (SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
       WHERE NOT l.granted AND a.datname = $1 AND l.pid <> pg_backend_pid())::int AS ungranted,
    (SELECT xact_commit FROM pg_stat_database WHERE datname = $1)::text AS commits,
    (SELECT xact_rollback FROM pg_stat_database WHERE datname = $1)::text AS rollbacks,
    (SELECT deadlocks FROM pg_stat_database WHERE datname = $1)::text AS deadlocks,
    pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::text AS wal`;

interface PollRow {
  waiters: string;
  ungranted: number;
  commits: string | null;
  rollbacks: string | null;
  deadlocks: string | null;
  wal: string;
}

interface Counters {
  readonly at: number;
  readonly commits: number;
  readonly rollbacks: number;
  readonly deadlocks: number;
  readonly wal: number;
}

/**
 * Connects and starts polling. Never throws: when PostgreSQL cannot be
 * reached the session records nothing and `stop()` says why (`firstError`),
 * so telemetry can never fail a replay.
 */
export function startPgTelemetry(options: PgTelemetryOptions): PgTelemetry {
  const interval = options.intervalMs ?? TELEMETRY_INTERVAL_MS;
  const countersEveryUs = (options.countersEveryMs ?? COUNTERS_INTERVAL_MS) * 1000;
  const client = new pg.Client({ connectionString: options.url, application_name: 'hotbench:telemetry' });
  client.on('error', () => undefined); // a dropped connection surfaces as a failed poll
  const state = { polls: 0, lockWaitUs: 0, maxWaiters: 0, maxGapUs: 0, maxPollUs: 0, errors: 0, firstError: '' };
  const seenEvents = new Set<string>();
  let last: { at: number; waiters: number } | undefined;
  let counters: Counters | undefined;
  let stopped = false;
  let wake: (() => void) | undefined;

  const fail = (err: unknown): void => {
    state.errors += 1;
    if (state.firstError === '') state.firstError = describePgError(err, options.url);
  };

  const poll = async (final: boolean): Promise<void> => {
    const before = options.clock.now();
    let row: PollRow | undefined;
    try {
      row = (await client.query<PollRow>(POLL_SQL, [options.database])).rows[0];
    } catch (err) {
      fail(err);
      return;
    }
    if (!row) return;
    // The server takes its snapshot as the query arrives; the answer may wait behind a busy event loop, so the send time is the better estimate.
    const at = before;
    state.maxPollUs = Math.max(state.maxPollUs, options.clock.now() - before);
    state.polls += 1;
    recordWaiters(row, at);
    recordCounters(row, at, final);
  };

  const recordWaiters = (row: PollRow, at: number): void => {
    const byEvent = JSON.parse(row.waiters) as Record<string, number>;
    let waiters = 0;
    for (const [event, n] of Object.entries(byEvent)) {
      waiters += n;
      seenEvents.add(event);
    }
    options.sample(PG_SAMPLES.lockWaiters, waiters, at);
    for (const event of seenEvents) options.sample(`${PG_SAMPLES.lockWaitersByEvent}${event}`, byEvent[event] ?? 0, at);
    options.sample(PG_SAMPLES.ungrantedLocks, row.ungranted, at);
    state.maxWaiters = Math.max(state.maxWaiters, waiters);
    if (last) {
      const gap = at - last.at;
      state.maxGapUs = Math.max(state.maxGapUs, gap);
      const accrued = ((last.waiters + waiters) / 2) * gap;
      if (accrued > 0) {
        state.lockWaitUs += accrued;
        options.sample(PG_SAMPLES.lockWaitUs, accrued, at);
      }
    }
    last = { at, waiters };
  };

  const recordCounters = (row: PollRow, at: number, final: boolean): void => {
    if (row.commits === null || row.rollbacks === null || row.deadlocks === null) return; // database not (yet) in pg_stat_database
    const now: Counters = { at, commits: Number(row.commits), rollbacks: Number(row.rollbacks), deadlocks: Number(row.deadlocks), wal: Number(row.wal) };
    if (!counters) {
      counters = now;
      return;
    }
    const gap = at - counters.at;
    if (gap <= 0 || (!final && gap < countersEveryUs)) return;
    const perS = (d: number) => d / (gap / 1e6);
    options.sample(PG_SAMPLES.commitsPerS, perS(now.commits - counters.commits), at);
    options.sample(PG_SAMPLES.rollbacksPerS, perS(now.rollbacks - counters.rollbacks), at);
    options.sample(PG_SAMPLES.deadlocks, now.deadlocks - counters.deadlocks, at);
    options.sample(PG_SAMPLES.walBytesPerS, perS(now.wal - counters.wal), at);
    counters = now;
  };

  const loop = (async () => {
    try {
      await client.connect();
    } catch (err) {
      fail(err);
      return false;
    }
    while (!stopped) {
      const started = Date.now();
      await poll(false);
      const rest = interval - (Date.now() - started);
      if (rest > 0 && !stopped) {
        await new Promise<void>((resolve) => {
          // stop() wakes the sleep early; the timer goes with it, so a long interval cannot hold the process open.
          const timer = setTimeout(resolve, rest);
          wake = () => (clearTimeout(timer), resolve());
        });
      }
    }
    return true;
  })();

  let summary: Promise<PgTelemetrySummary> | undefined;
  return {
    stop() {
      summary ??= (async () => {
        stopped = true;
        wake?.();
        const connected = await loop;
        if (connected) await poll(true);
        await client.end().catch(() => undefined);
        return { ...state };
      })();
      return summary;
    },
  };
}
