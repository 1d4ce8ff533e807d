/**
 * The programmatic API behind `hotbench serve`: one strategy on a fresh
 * ledger database (embedded PostgreSQL unless `--pg`), seeded with the
 * scenario's accounts, behind the billing API until stopped.
 */
import { randomBytes } from 'node:crypto';
import type { EventSink, Op } from '../../strategies/contract.js';
import type { StrategyRegistry } from '../../strategies/registry.js';
import { MonotonicClock } from '../clock.js';
import type { ResolvedRunConfig } from '../config/run-config.js';
import { UserError } from '../errors.js';
import { PortProviders } from '../stack/needs.js';
import { pgUrlList } from '../config/pg-shards.js';
import { openPostgres, type PostgresStack, type StrategyDatabase } from '../stack/postgres.js';
import { openProviders } from '../stack/providers.js';
import { planStrategies } from '../replay/plan.js';
import { hostStrategy, type HostedStrategy } from './host.js';

/** Options for {@link startServe}. */
export interface ServeOptions {
  readonly registry: StrategyRegistry;
  /** Port to listen on; 0 picks a free one. */
  readonly port: number;
  readonly host: string;
  /** Largest op id accepted (default: the API's). */
  readonly maxOpId?: number;
  /** Keep the ledger database after stopping (external PostgreSQL only). */
  readonly keepDatabase: boolean;
  log(line: string): void;
}

/** A running `hotbench serve`. */
export interface ServeHandle {
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  /** The served strategy's label and backend. */
  readonly label: string;
  readonly backend: string;
  /** The ledger database (name) and where it lives (safe to print). */
  readonly database: string;
  readonly ledger: string;
  /** Counts of what the strategy reported off the request path. */
  readonly events: { posted: number; signals: number };
  readonly hosted: HostedStrategy;
  /** Stops serving, drains, stops the strategy, drops the database (unless kept), stops embedded servers. Idempotent. */
  close(): Promise<void>;
}

/** Starts serving `config.strategies` (exactly one spec). Throws one-line errors before serving. */
export async function startServe(config: ResolvedRunConfig, options: ServeOptions): Promise<ServeHandle> {
  const planned = planStrategies(config.strategies, options.registry);
  if (config.strategies === undefined || planned.length !== 1) {
    throw new UserError(`serve: give exactly one strategy with --strategy, e.g. --strategy row-lock (got ${planned.length === 0 ? 'none' : planned.map((p) => p.label).join(', ')}).`);
  }
  const strategy = planned[0]!;
  let postgres: PostgresStack | undefined;
  let providers = new PortProviders();
  let database: StrategyDatabase | undefined;
  try {
    // A served strategy runs on one server: the first --pg URL.
    const url = pgUrlList(config.pgUrl)[0];
    postgres = await openPostgres(url ? { url } : {});
    // Only what the served strategy needs: an embedded Kafka broker (a JVM) is started for a Kafka-backed strategy alone.
    providers = await openProviders({ config, postgres, log: options.log, needs: strategy.needs });
    const namespace = `hb_serve_${randomBytes(4).toString('hex')}`;
    database = await postgres.createDatabase(namespace);
    const events = new CountingEvents(options.log);
    const hosted = await hostStrategy({
      planned: strategy,
      postgres,
      database,
      namespace,
      providers,
      connections: config.connections,
      accounts: config.plan.accounts,
      accountsFrom: config.plan.name,
      clock: new MonotonicClock(),
      events,
      port: options.port,
      host: options.host,
      ...(options.maxOpId !== undefined ? { maxOpId: options.maxOpId } : {}),
      log: options.log,
    });
    const pg = postgres;
    const db = database;
    let closing: Promise<void> | undefined;
    return {
      url: hosted.url,
      label: strategy.label,
      backend: hosted.strategy.backend,
      database: db.name,
      ledger: pg.description,
      events: events.counts,
      hosted,
      close: () =>
        (closing ??= (async () => {
          try {
            await hosted.stop();
          } finally {
            if (!options.keepDatabase || pg.kind === 'embedded') await db.drop();
            await providers.stop();
            await pg.stop();
          }
        })()),
    };
  } catch (err) {
    await database?.drop();
    await providers.stop();
    await postgres?.stop();
    throw err;
  }
}

/** Standalone serving records nothing: events are counted, signals and notes are logged. */
class CountingEvents implements EventSink {
  readonly counts = { posted: 0, signals: 0 };
  constructor(private readonly log: (line: string) => void) {}
  posted(ops: readonly Op[]): void {
    this.counts.posted += ops.length;
  }
  signal(kind: string, account: number): void {
    this.counts.signals += 1;
    this.log(`signal: ${kind} for account ${account}`);
  }
  sample(): void {}
  note(kind: string, detail: string): void {
    this.log(`note: ${kind}: ${detail}`);
  }
}
