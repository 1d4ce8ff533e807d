/**
 * What one replay is given (runner/replay/replay.ts), in a module of its own
 * so the replay's parts can take it without importing the replay.
 */
import type { Plan } from '../../scenarios/index.js';
import type { Clock } from '../../strategies/contract.js';
import type { Store } from '../../results/store.js';
import type { ResolvedRunConfig } from '../config/run-config.js';
import type { ProgressMode } from '../driver/progress.js';
import type { FaultSpec } from '../faults/spec.js';
import type { PortProviders } from '../stack/needs.js';
import type { PostgresStack } from '../stack/postgres.js';
import type { PlannedStrategy } from './plan.js';
import type { RowSink } from './sink.js';
import type { ShardReplay } from '../shard/shard-replay.js';

/** Everything one replay needs. */
export interface ReplayArgs {
  readonly runId: string;
  readonly rep: number;
  readonly idx: number;
  readonly planned: PlannedStrategy;
  readonly plan: Plan;
  readonly plannedOps: number;
  readonly postgres: PostgresStack;
  /** The run's ledger shards (index 0 is {@link postgres}), for a strategy that spreads its ledger (`sharded(...)`). Default: [postgres]. */
  readonly ledgerShards?: readonly PostgresStack[];
  readonly providers: PortProviders;
  /** The recorder: rows are pushed as they happen; `flush` makes them readable in `store`. */
  readonly rows: RowSink & { flush(): Promise<unknown> };
  /** The results store (post-replay analyses read the recorded ops back). */
  readonly store: Store;
  /** The run's monotonic clock; each replay's schedule clock is an offset of it. */
  readonly clock: Clock;
  readonly concurrency: number;
  readonly connections: number;
  readonly lateThresholdUs: number;
  readonly keepDatabases: boolean;
  /** `--fault`s fired on this replay's schedule clock (none by default). */
  readonly faults?: readonly FaultSpec[];
  /** Aborted by Ctrl-C: stop sending, record what was measured. */
  readonly abort: AbortSignal;
  /**
   * Load-shard mode (`run --shard i/n`): replay only this shard's ops into the
   * ledger the run's shards share, start at the agreed time, record a
   * `shard_runs` row instead of `strategy_runs`, and leave the audit, the
   * analyses and dropping the ledger to `hotbench finalize`.
   */
  readonly shard?: ShardReplay;
  readonly progress: ProgressMode;
  log(line: string): void;
}

/** The part of {@link ReplayArgs} every replay of one recorded run shares. */
export type SharedReplayArgs = Omit<ReplayArgs, 'rep' | 'idx' | 'planned' | 'plan' | 'plannedOps'>;

/**
 * The shared part of every replay's arguments, from the run's settings, the
 * recorded-run lifecycle's context and the caller's options: `run` and
 * `capacity` replay the same way, only the plan and the label differ.
 */
export function sharedReplayArgs(
  config: Pick<ResolvedRunConfig, 'concurrency' | 'connections' | 'lateThresholdUs' | 'keepDatabases' | 'faults'>,
  ctx: { readonly runId: string; readonly recorder: ReplayArgs['rows']; readonly store: Store; readonly clock: Clock; readonly stack: { readonly postgres: PostgresStack; readonly ledgerShards?: readonly PostgresStack[]; readonly providers: PortProviders } },
  options: Pick<ReplayArgs, 'abort' | 'progress' | 'log'>,
): SharedReplayArgs {
  return {
    runId: ctx.runId,
    postgres: ctx.stack.postgres,
    ...(ctx.stack.ledgerShards ? { ledgerShards: ctx.stack.ledgerShards } : {}),
    providers: ctx.stack.providers,
    rows: ctx.recorder,
    store: ctx.store,
    clock: ctx.clock,
    concurrency: config.concurrency,
    connections: config.connections,
    lateThresholdUs: config.lateThresholdUs,
    keepDatabases: config.keepDatabases,
    faults: config.faults,
    abort: options.abort,
    progress: options.progress,
    log: options.log,
  };
}
