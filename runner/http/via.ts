/**
 * Putting a strategy behind HTTP for one replay (`run --via http` or
 * `--via http-inprocess`; the modes are described in ./via-mode.ts).
 */
import type { Strategy } from '../../strategies/contract.js';
import type { ResolvedRunConfig } from '../config/run-config.js';
import type { PlannedStrategy } from '../replay/replay.js';
import type { PostgresStack, StrategyDatabase } from '../stack/postgres.js';
import { ChildHttpStrategy } from './child-strategy.js';
import { InProcessHttpStrategy } from './in-process.js';
import type { Via } from './via-mode.js';

/** What a replay needs to put a strategy behind HTTP. Contains URLs with passwords: never print. */
export interface HttpVia {
  readonly mode: Exclude<Via, 'direct'>;
  readonly redisUrl: string | undefined;
  readonly kafkaBrokers: readonly string[];
  readonly pgReplicaUrl: string | undefined;
}

/** The replay's HTTP setting from the run configuration; undefined for `direct`. */
export function httpViaOf(config: Pick<ResolvedRunConfig, 'via' | 'redisUrl' | 'kafkaBrokers' | 'pgReplicaUrl'>): HttpVia | undefined {
  if (config.via === 'direct') return undefined;
  return { mode: config.via, redisUrl: config.redisUrl, kafkaBrokers: config.kafkaBrokers, pgReplicaUrl: config.pgReplicaUrl };
}

/** The replay facts the HTTP wrappers need. */
export interface ViaReplay {
  readonly postgres: PostgresStack;
  readonly database: StrategyDatabase;
  readonly namespace: string;
  readonly connections: number;
}

/** `planned` wrapped for `via` (a new instance per replay). */
export function viaHttp(planned: PlannedStrategy, via: HttpVia, replay: ViaReplay): Strategy {
  if (via.mode === 'http-inprocess') return new InProcessHttpStrategy(planned.create(), { label: planned.label });
  return new ChildHttpStrategy(planned.label, {
    label: planned.label,
    adminUrl: replay.postgres.adminUrl,
    databaseUrl: replay.database.url,
    databaseName: replay.database.name,
    // The parent also provides ports under its namespace (unused): the child's keys and topics must not collide.
    namespace: `${replay.namespace}_h`,
    connections: replay.connections,
    redisUrl: via.redisUrl,
    kafkaBrokers: via.kafkaBrokers,
    pgReplicaUrl: via.pgReplicaUrl,
  }, { needs: planned.needs });
}
