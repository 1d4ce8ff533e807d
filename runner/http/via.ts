/**
 * Putting a strategy behind HTTP (`--via http` or `--via http-inprocess`;
 * the modes are described in ./via-mode.ts), decided when the plan is made:
 * {@link plannedVia} wraps a planned strategy so each replay's `create`
 * serves a new instance over HTTP.
 */
import type { Strategy } from '../../strategies/contract.js';
import type { ResolvedRunConfig } from '../config/run-config.js';
import type { PlannedStrategy, ReplayFacts } from '../replay/plan.js';
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

/**
 * The strategies as the run's `via` setting reaches them: unchanged for
 * `direct`, else each wrapped so the replay's `create` serves it over HTTP.
 * Every recorded command plans through this, so `via` in the recorded config
 * is what was measured.
 */
export function plannedVia(strategies: readonly PlannedStrategy[], via: HttpVia | undefined): PlannedStrategy[] {
  if (via === undefined) return [...strategies];
  return strategies.map((planned) => ({
    ...planned,
    create: (replay?: ReplayFacts): Strategy => {
      if (replay === undefined) throw new Error(`${planned.label} is planned behind HTTP: its replay must pass the database it prepared`);
      return viaHttp(planned, via, replay);
    },
  }));
}

/** `planned` wrapped for `via` (a new instance per replay). */
function viaHttp(planned: PlannedStrategy, via: HttpVia, replay: ReplayFacts): Strategy {
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
    // The broker this run opened (an embedded one has no --kafka to pass on): the child must not start its own.
    kafkaBrokers: via.kafkaBrokers.length > 0 ? via.kafkaBrokers : (replay.kafkaBrokers ?? []),
    pgReplicaUrl: via.pgReplicaUrl,
  }, { needs: planned.needs });
}
