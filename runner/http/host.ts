/**
 * Hosting one strategy behind the billing server: its ports, its context,
 * setup, the server, and an orderly stop. Shared by `hotbench serve` (which
 * creates its own database) and the `serve --ipc` child of `run --via http`
 * (which is handed the replay's database).
 */
import pg from 'pg';
import type { AccountSpec, Clock, EventSink, Strategy, StrategyContext } from '../../strategies/contract.js';
import { timePoolWaits } from '../../strategies/pool-wait.js';
import { withTimedReplica } from '../replay/context.js';
import type { PlannedStrategy } from '../replay/plan.js';
import { StackError } from '../stack/stack-error.js';
import type { PortProviders } from '../stack/needs.js';
import type { PostgresStack, StrategyDatabase } from '../stack/postgres.js';
import { BillingServer } from './server.js';

/** What {@link hostStrategy} needs. */
export interface HostArgs {
  readonly planned: PlannedStrategy;
  readonly postgres: PostgresStack;
  readonly database: StrategyDatabase;
  /** Key/topic prefix for the strategy's Redis / Kafka ports, `[a-z0-9_]+`. */
  readonly namespace: string;
  readonly providers: PortProviders;
  /** Default PostgreSQL pool size handed to the strategy. */
  readonly connections: number;
  readonly accounts: readonly AccountSpec[];
  /** Where the accounts come from (shown in unknown-account errors). */
  readonly accountsFrom?: string;
  readonly clock: Clock;
  readonly events: EventSink;
  readonly port: number;
  readonly host: string;
  readonly maxOpId?: number;
  log(line: string): void;
}

/** A strategy being served. */
export interface HostedStrategy {
  readonly url: string;
  readonly strategy: Strategy;
  readonly server: BillingServer;
  /** Stops accepting requests, answers those in flight, drains the strategy (accepted ops get posted). */
  quiesce(): Promise<void>;
  /** Quiesces (if not done), stops the strategy, ends its pools, releases its ports. Idempotent. */
  stop(): Promise<void>;
}

/** Sets the strategy up on `database` and serves it. Throws a one-line error when a need is unmet or setup fails. */
export async function hostStrategy(args: HostArgs): Promise<HostedStrategy> {
  const { planned } = args;
  const unmet = args.providers.unmet(planned.needs);
  if (unmet.length > 0) throw new StackError(`${planned.label} cannot be served: ${unmet.join('; ')}`);
  const request = { database: args.database, namespace: args.namespace };
  const ports = await args.providers.provide(planned.needs, request);
  const pools: pg.Pool[] = [];
  const abort = new AbortController();
  const ctx: StrategyContext = {
    postgres: {
      serverVersion: args.postgres.version,
      connections: args.connections,
      pool: (options = {}) => {
        const pool = new pg.Pool({ connectionString: args.database.url, max: options.max ?? args.connections, application_name: options.applicationName ?? `hotbench-serve:${planned.name}` });
        pool.on('error', () => undefined); // idle-client errors surface on the next query
        pools.push(pool);
        return timePoolWaits(pool, args.clock);
      },
    },
    ports: withTimedReplica(ports, args.clock),
    clock: args.clock,
    events: args.events,
    accounts: args.accounts,
    abort: abort.signal,
    log: (line) => args.log(`${planned.label}: ${line}`),
  };
  const strategy = planned.create();
  const release = async (): Promise<void> => {
    abort.abort();
    await strategy.stop().catch(() => undefined);
    await Promise.all(pools.map((p) => p.end().catch(() => undefined)));
    await args.providers.release(planned.needs, request);
  };
  let server: BillingServer;
  let url: string;
  try {
    await strategy.setup(ctx);
    server = new BillingServer({ strategy, label: planned.label, accounts: args.accounts, clock: args.clock, ...(args.accountsFrom ? { accountsFrom: args.accountsFrom } : {}), ...(args.maxOpId !== undefined ? { maxOpId: args.maxOpId } : {}) });
    url = await server.listen(args.port, args.host).catch((err: NodeJS.ErrnoException) => {
      throw new StackError(
        err.code === 'EADDRINUSE' ? `port ${args.port} on ${args.host} is in use: give --port N (0 picks a free one).` : `cannot listen on ${args.host}:${args.port} (${err.code ?? err.message}): give another --host / --port.`,
      );
    });
  } catch (err) {
    await release();
    throw err;
  }
  let quiesced: Promise<void> | undefined;
  let stopped: Promise<void> | undefined;
  const quiesce = (): Promise<void> =>
    (quiesced ??= (async () => {
      await server.close();
      await strategy.drain();
    })());
  return {
    url,
    strategy,
    server,
    quiesce,
    stop: () =>
      (stopped ??= (async () => {
        try {
          await quiesce();
        } finally {
          await release();
        }
      })()),
  };
}
