/**
 * What `ctx.ports.replica` holds: the strategy's own database on a streaming
 * replica of the primary. Typed here so the strategy never imports the runner
 * (DESIGN.md §1); the runner's provider (`runner/stack/replica.ts`) builds an
 * object of exactly this shape.
 */
import type { Pool } from 'pg';
import type { StrategyContext } from '../contract.js';

/** A read-only view of this replay's database, served by a replica of the primary. */
export interface ReplicaPort {
  /**
   * Opens a pool on the same database, on the replica (read-only: writes
   * fail with SQLSTATE 25006). Default `max` is the run's `--connections`.
   * The runner ends every pool it handed out when the replay is released.
   */
  pool(options?: { readonly max?: number; readonly applicationName?: string }): Pool;
  /**
   * Replication lag right now, µs: how long a change committed on the primary
   * now takes to become visible on the replica. Measured by reading the
   * primary's WAL flush position (`pg_current_wal_flush_lsn()`: every commit
   * visible there is flushed) and polling the replica's
   * `pg_last_wal_replay_lsn()` until it has replayed that far; 0 when the
   * replica had already replayed it at the first poll (caught up within one
   * round trip). Capped at 10 s (a lower bound past that).
   */
  lagUs(): Promise<number>;
}

/** A port the strategy needs is not in its context. `.message` is one line. */
export class ReplicaPortMissingError extends Error {
  override readonly name = 'ReplicaPortMissingError';
}

/** `ctx.ports.replica`, checked; throws {@link ReplicaPortMissingError} when the runner did not provide it. */
export function replicaPortOf(ctx: StrategyContext): ReplicaPort {
  const port = ctx.ports.replica as Partial<ReplicaPort> | undefined;
  if (port === undefined || typeof port.pool !== 'function' || typeof port.lagUs !== 'function') {
    throw new ReplicaPortMissingError('needs replica: use the embedded PostgreSQL (it starts a replica), or give --pg-replica URL (or PG_REPLICA_URL)');
  }
  return port as ReplicaPort;
}
