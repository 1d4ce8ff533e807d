/**
 * The SQL behind the report's run-level telemetry figures: the sampled
 * lock-wait integral and most lock waiters (samples written by
 * `runner/telemetry/pg-telemetry.ts`) and the stop-delivery delays (samples
 * written by the stop-delivery analysis). Portable to ClickHouse 18.16.
 */
import type { Store } from '../../results/store.js';

/** Run-level telemetry and stop-delivery figures per replay (from `samples`). */
export interface TelemetryStats {
  readonly strategy: string;
  readonly rep: number;
  /** `pg_lock_waiters` samples (telemetry polls). */
  readonly polls: number;
  /** Sum of `pg_lock_wait_us` (the lock-wait integral), µs. */
  readonly lock_wait_us: number;
  readonly max_waiters: number;
  /** `stop_delivery_delay_us:<account>` samples (signalled crossings). */
  readonly signalled: number;
  readonly max_stop_delay_us: number;
  /** `consumer_lag` samples and their maximum, ops. */
  readonly consumer_lag_polls: number;
  readonly max_consumer_lag: number;
  /** `replication_lag_us` samples and their maximum, µs. */
  readonly replication_lag_polls: number;
  readonly max_replication_lag_us: number;
}

/** Lock-wait integral, most waiters, stop-delivery delays and the largest consumer and replication lags per replay. */
export function selectTelemetryStats(store: Store, runId: string): Promise<TelemetryStats[]> {
  return store.query(
    `SELECT strategy, rep,
       countIf(name = 'pg_lock_waiters') AS polls,
       sumIf(value, name = 'pg_lock_wait_us') AS lock_wait_us,
       maxIf(value, name = 'pg_lock_waiters') AS max_waiters,
       countIf(startsWith(name, 'stop_delivery_delay_us:')) AS signalled,
       maxIf(value, startsWith(name, 'stop_delivery_delay_us:')) AS max_stop_delay_us,
       countIf(name = 'consumer_lag') AS consumer_lag_polls,
       maxIf(value, name = 'consumer_lag') AS max_consumer_lag,
       countIf(name = 'replication_lag_us') AS replication_lag_polls,
       maxIf(value, name = 'replication_lag_us') AS max_replication_lag_us
     FROM samples
     WHERE run_id = {run:String} AND (name IN ('pg_lock_waiters', 'pg_lock_wait_us', 'consumer_lag', 'replication_lag_us') OR startsWith(name, 'stop_delivery_delay_us:'))
     GROUP BY strategy, rep`,
    { run: runId },
  );
}
