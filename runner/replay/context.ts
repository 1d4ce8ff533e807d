/**
 * The `StrategyContext` a replay hands to `setup`: pools on the replay's own
 * database (each one kept so the replay ends it, on every path), the ports
 * the providers prepared, the schedule clock, the event sink, the accounts.
 */
import pg from 'pg';
import type { AccountSpec, Clock, EventSink, PostgresPort, StrategyContext } from '../../strategies/contract.js';
import type { PostgresStack, StrategyDatabase } from '../stack/postgres.js';
import type { PlannedStrategy } from './plan.js';

/** What the context is built from. */
export interface ContextParts {
  readonly postgres: PostgresStack;
  readonly database: StrategyDatabase;
  /** The replay's database on every ledger shard, in shard order, for a strategy that spreads its ledger (`sharded(...)`); absent otherwise. */
  readonly shards?: readonly { readonly postgres: PostgresStack; readonly database: StrategyDatabase }[];
  /** Default pool size. */
  readonly connections: number;
  readonly planned: PlannedStrategy;
  readonly ports: StrategyContext['ports'];
  readonly clock: Clock;
  readonly events: EventSink;
  readonly accounts: readonly AccountSpec[];
  /** Aborted when the replay stops the strategy. */
  readonly abort: AbortSignal;
  /** Every pool the strategy opens is pushed here; the replay ends them. */
  readonly pools: pg.Pool[];
  log(line: string): void;
}

/** The strategy's context for one replay; its log lines are prefixed with the strategy's label. */
export function strategyContext(parts: ContextParts): StrategyContext {
  const main = postgresPort(parts, parts.postgres, parts.database);
  return {
    postgres: parts.shards ? { ...main, shards: parts.shards.map((s) => postgresPort(parts, s.postgres, s.database)) } : main,
    ports: parts.ports,
    clock: parts.clock,
    events: parts.events,
    accounts: parts.accounts,
    abort: parts.abort,
    log: (line) => parts.log(`${parts.planned.label}: ${line}`),
  };
}

/** A port whose pools open on `database` (of `server`) and are kept for the replay to end. */
function postgresPort(parts: ContextParts, server: PostgresStack, database: StrategyDatabase): PostgresPort {
  return {
    serverVersion: server.version,
    connections: parts.connections,
    pool: (options = {}) => {
      const pool = new pg.Pool({ connectionString: database.url, max: options.max ?? parts.connections, application_name: options.applicationName ?? `hotbench:${parts.planned.name}` });
      pool.on('error', () => undefined); // idle-client errors surface on the next query
      parts.pools.push(pool);
      return pool;
    },
  };
}
