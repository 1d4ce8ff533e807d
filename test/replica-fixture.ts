/**
 * An embedded PostgreSQL primary with its streaming replica (the runner's own
 * `openReplica`), and strategy contexts on fresh databases of it whose
 * `ports.replica` is the real replica port. For the read-write-split and
 * stale-read tests; about two seconds to start.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { AccountSpec, EventSink, StrategyContext } from '../strategies/contract.js';
import type { ReplicaPort } from '../strategies/ports.js';
import { PortProviders, type PortRequest } from '../runner/stack/needs.js';
import { openPostgres, type PostgresStack } from '../runner/stack/postgres.js';
import { openReplica } from '../runner/stack/replica.js';
import type { ResolvedRunConfig } from '../runner/config/run-config.js';
import { MemoryEvents, TestClock } from './support/context.js';

/** A primary, its replica, and a way to get contexts on fresh databases. */
export interface ReplicatedStack {
  readonly postgres: PostgresStack;
  readonly providers: PortProviders;
  /** A context on a new database (created on the primary, waited for on the replica). */
  context(accounts: readonly AccountSpec[], events?: EventSink): Promise<ReplicatedContext>;
  /** Stops the replica, then the primary. */
  close(): Promise<void>;
}

/** A strategy context whose `ports.replica` is set, plus direct pools on both sides. */
export interface ReplicatedContext {
  readonly ctx: StrategyContext;
  readonly clock: TestClock;
  readonly events: EventSink;
  readonly port: ReplicaPort;
  /** A pool on the database, on the primary. */
  readonly primary: pg.Pool;
  /** A pool on the database, on the replica (superuser: may pause and resume replay). */
  readonly replica: pg.Pool;
}

/** Starts an embedded primary and (through `openReplica`) its streaming replica. */
export async function startReplicatedStack(connections = 4): Promise<ReplicatedStack> {
  const postgres = await openPostgres();
  const providers = new PortProviders();
  const pools: pg.Pool[] = [];
  const requests: PortRequest[] = [];
  try {
    const config = { pgReplicaUrl: undefined, connections } as unknown as ResolvedRunConfig; // the opener reads only these two
    await openReplica(providers, { config, postgres, log: () => undefined });
    const unmet = providers.unmet(['replica']);
    if (unmet.length > 0) throw new Error(unmet.join('; '));
  } catch (err) {
    await postgres.stop();
    throw err;
  }
  const newPool = (url: string, max: number): pg.Pool => {
    const pool = new pg.Pool({ connectionString: url, max });
    pool.on('error', () => undefined);
    pools.push(pool);
    return pool;
  };
  return {
    postgres,
    providers,
    async context(accounts, events = new MemoryEvents()) {
      const namespace = `hbt_${randomBytes(5).toString('hex')}`;
      const database = await postgres.createDatabase(namespace);
      const request = { database, namespace };
      requests.push(request);
      const port = (await providers.provide(['replica'], request)).replica as ReplicaPort;
      const clock = new TestClock();
      const ctx: StrategyContext = {
        postgres: { pool: (o = {}) => newPool(database.url, o.max ?? connections), serverVersion: postgres.version, connections },
        ports: { replica: port },
        clock,
        events,
        accounts,
        abort: new AbortController().signal,
        log: () => undefined,
      };
      return { ctx, clock, events, port, primary: newPool(database.url, 2), replica: port.pool({ max: 2 }) };
    },
    async close() {
      await Promise.all(pools.map((p) => p.end().catch(() => undefined)));
      for (const r of requests) await providers.release(['replica'], r);
      await providers.stop();
      await postgres.stop();
    },
  };
}
