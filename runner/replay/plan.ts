/**
 * Which strategies a run replays, and how each is reached: the
 * `--strategies` text resolved against the registry (when absent, every
 * registered strategy that stands on its own: composites such as
 * `rate-limit(...)` need an inner strategy, so they run only when asked
 * for), then, for `--via http` / `http-inprocess`, wrapped so the replay's
 * `create` serves it over HTTP (runner/http/via.ts). The wrapping is decided
 * here, when the plan is made, so the replay itself knows nothing of HTTP.
 */
import type { Need, Strategy } from '../../strategies/contract.js';
import { needsOf, resolveStrategies, type ResolvedStrategy } from '../../strategies/spec.js';
import type { StrategyRegistry } from '../../strategies/registry.js';
import type { PostgresStack, StrategyDatabase } from '../stack/postgres.js';

/** What the replay has prepared when it creates the strategy (a wrapper serving it over HTTP needs it; a direct strategy ignores it). */
export interface ReplayFacts {
  readonly postgres: PostgresStack;
  readonly database: StrategyDatabase;
  /** The replay's namespace (database name, key and topic prefix). */
  readonly namespace: string;
  /** PostgreSQL pool size per strategy. */
  readonly connections: number;
  /** The run's Kafka brokers as opened (the embedded broker's too), so a child behind HTTP reaches the same broker. */
  readonly kafkaBrokers?: readonly string[];
}

/** A strategy chosen for the run, parameters validated. */
export interface PlannedStrategy {
  /** Canonical label, e.g. `aggregate:window=10ms`. */
  readonly label: string;
  readonly name: string;
  readonly needs: readonly Need[];
  /** Resolved parameters (recorded as JSON). */
  readonly params: unknown;
  /** Whether the load shards of one run may each replay it against one ledger (the definition's `loadShards`). Default false. */
  readonly loadShards?: boolean;
  /** Whether some layer spreads its ledger over the run's PostgreSQL servers (a definition's `ledgerShards`, e.g. `sharded(...)`). Default false. */
  readonly ledgerShards?: boolean;
  /** A new instance; the replay passes its facts (required by strategies planned behind HTTP). */
  create(replay?: ReplayFacts): Strategy;
}

/** The strategies to replay, in order. Throws a one-line `SpecError` for a bad spec. */
export function planStrategies(text: string | undefined, registry: StrategyRegistry): PlannedStrategy[] {
  const spec = text ?? registry.list().filter((d) => d.composite !== true).flatMap((d) => d.defaultSpecs ?? [d.name]).join(',');
  return resolveStrategies(spec, registry).map(toPlanned);
}

/** A composite shards only when every layer does (a shared inner queue would not). */
function loadShardsOf(r: ResolvedStrategy): boolean {
  return r.definition.loadShards === true && (r.inner === undefined || loadShardsOf(r.inner));
}

function toPlanned(r: ResolvedStrategy): PlannedStrategy {
  return { label: r.label, name: r.definition.name, needs: needsOf(r), params: r.params, loadShards: loadShardsOf(r), ledgerShards: spreadsLedger(r), create: () => r.create() };
}

/** Whether some layer spreads its ledger over the run's PostgreSQL servers. */
function spreadsLedger(r: ResolvedStrategy): boolean {
  return r.definition.ledgerShards === true || (r.inner !== undefined && spreadsLedger(r.inner));
}
