/**
 * The programmatic API behind `hotbench run --shard i/n --run-id ID`: one
 * load shard of a run. For each strategy (× repetition) it sets the strategy
 * up against the ledger all shards share, waits at the start barrier (or for
 * `--start-at`), replays its part of the stream and records every op under
 * the run id, with a `shard_runs` row saying how its part ended.
 *
 * It writes no `runs`, `strategy_runs` or `run_ends` row and renders no
 * report: `hotbench finalize ID` does that once every shard ended, because
 * only then can the ledger be audited and the percentiles taken over all ops.
 */
import { generateOps, StreamHasher, summarizePlan } from '../../scenarios/index.js';
import { formatShardSpec, shardOps, type ShardSpec } from '../../scenarios/shard.js';
import type { StrategyRegistry } from '../../strategies/registry.js';
import type { ShardRunRow } from '../../results/rows.js';
import { checkRunId } from '../../reports/run/queries.js';
import { recordedConfig, type ResolvedRunConfig } from '../config/run-config.js';
import type { ProgressMode } from '../driver/progress.js';
import { UserError } from '../errors.js';
import { plannedForRun, recordedRun } from '../lifecycle/recorded-run.js';
import { planStrategies, type PlannedStrategy } from '../replay/plan.js';
import { replayStrategy } from '../replay/replay.js';
import { joinStartBarrier, DEFAULT_BARRIER_TIMEOUT_MS } from './barrier.js';
import { checkNotLate } from './start-at.js';
import type { ShardReplay } from './shard-replay.js';

/** Options for {@link runShard}. */
export interface RunShardOptions {
  readonly registry: StrategyRegistry;
  readonly log: (line: string) => void;
  readonly progress: ProgressMode;
  readonly abort: AbortSignal;
  /** The run every shard shares (required: the shards are separate processes). */
  readonly runId: string;
  readonly shard: ShardSpec;
  /** `--start-at`, wall-clock ms since the Unix epoch; absent ⇒ the start barrier. */
  readonly startAtMs?: number;
  /** How long to wait for the other shards at each barrier, ms. Default {@link DEFAULT_BARRIER_TIMEOUT_MS}. */
  readonly barrierTimeoutMs?: number;
  readonly strategies?: readonly PlannedStrategy[];
}

/** What one shard did. */
export interface RunShardResult {
  readonly runId: string;
  readonly shard: ShardSpec;
  /** Ops of this shard per replay, of the whole stream, and both hashes. */
  readonly shardOps: number;
  readonly plannedOps: number;
  readonly streamSha256: string;
  readonly shardSha256: string;
  /** Each replay's part, as recorded. */
  readonly parts: readonly { readonly strategy: string; readonly rep: number; readonly status: ShardRunRow['status'] | string; readonly detail: string; readonly sent: number }[];
}

/**
 * Checks what a sharded run cannot do before anything starts: one line each.
 * Shards share a PostgreSQL and a ClickHouse server, so neither may be embedded.
 */
export function refuseUnshardable(config: ResolvedRunConfig, strategies: readonly PlannedStrategy[], registry: StrategyRegistry): void {
  if (config.pgUrl === undefined) throw new UserError('--shard needs one PostgreSQL every shard reaches: give --pg URL (or PG_URL); an embedded one would be private to each process');
  if (config.pgUrl.includes(',') || (config.pgShards ?? 1) > 1) throw new UserError('--shard splits the load over processes sharing one ledger: give one --pg URL and no --pg-shards (several ledger shards are for sharded(...) in one process)');
  if (config.clickhouseUrl === undefined) throw new UserError('--shard needs one ClickHouse server every shard records into: give --clickhouse URL (or CLICKHOUSE_URL); the embedded chdb is private to each process');
  if (config.faults.length > 0) throw new UserError(`--fault ${config.faults[0]?.text} cannot be combined with --shard: a fault fired by each shard would hit the shared servers n times`);
  const refused = strategies.filter((s) => s.loadShards !== true);
  if (refused.length > 0) {
    const ok = registry.list().filter((d) => d.loadShards === true).map((d) => d.name);
    throw new UserError(`${refused.map((s) => s.label).join(', ')} cannot run in load shards (a queue, cache or background job shared between processes); shardable: ${ok.join(', ')}; run the others without --shard`);
  }
}

/** Runs one load shard; throws only before anything is measured (bad input, unreachable server). */
export async function runShard(config: ResolvedRunConfig, options: RunShardOptions): Promise<RunShardResult> {
  const runId = checkRunId(options.runId);
  const strategies = options.strategies ?? planStrategies(config.strategies, options.registry);
  refuseUnshardable(config, strategies, options.registry);
  const whole = summarizePlan(config.plan);
  const hasher = new StreamHasher();
  for (const op of shardOps(generateOps(config.plan), options.shard)) hasher.add(op);
  const shardCount = hasher.count;
  const shardSha256 = hasher.digest();
  const me = `shard ${formatShardSpec(options.shard)} of run ${runId}`;
  options.log(`${me}: ${shardCount} of the stream's ${whole.totalOps} ops (accounts a with a mod ${options.shard.count} = ${options.shard.index}); ${options.startAtMs === undefined ? 'start barrier through PostgreSQL' : `start at ${new Date(options.startAtMs).toISOString()}`}`);

  const plannedStrategies = plannedForRun(config, strategies);
  // Through the shared lifecycle as one part of the run: its `runs` row goes into every shard_runs row, and finalize writes it once.
  const run = await recordedRun({
    config,
    runId,
    command: 'hotbench run --shard',
    log: options.log,
    partOfRun: true,
    runRow: () => ({ recordedConfig: recordedConfig(config, strategies.map((s) => s.label)), stream: whole, scheduleUs: config.plan.durationUs }),
    body: async ({ recorder, store, clock, runRow, stack: { postgres, providers } }) => {
      const pgUrl = config.pgUrl ?? postgres.adminUrl;
      const shard: ShardReplay = {
        spec: options.shard,
        shardOps: shardCount,
        streamSha256: whole.sha256,
        shardSha256,
        runJson: JSON.stringify(runRow),
        start: async (stage) => {
          if (options.startAtMs === undefined) {
            const start = await joinStartBarrier({ url: pgUrl, runId, stage, shard: options.shard, timeoutMs: options.barrierTimeoutMs ?? DEFAULT_BARRIER_TIMEOUT_MS, abort: options.abort });
            options.log(`${me}: all ${options.shard.count} shards joined (waited ${(start.waitedMs / 1000).toFixed(1)} s); the schedule starts at ${new Date(start.startAtLocalMs).toISOString()}`);
            return start.startAtLocalMs;
          }
          // --start-at: the time is given; the barrier table still refuses a second shard with this index.
          await joinStartBarrier({ url: pgUrl, runId, stage, shard: options.shard, registerOnly: true });
          checkNotLate(options.startAtMs, Date.now(), options.shard, runId);
          return options.startAtMs;
        },
      };
      const parts: RunShardResult['parts'][number][] = [];
      outer: for (let rep = 0; rep < config.repeat; rep++) {
        for (const [idx, planned] of plannedStrategies.entries()) {
          if (options.abort.aborted) break outer;
          options.log(`${planned.label}: ${me}, ${shardCount} ops over ${(config.plan.durationUs / 1e6).toFixed(1)} s`);
          const row = await replayStrategy({
            runId,
            rep,
            idx,
            planned,
            plan: config.plan,
            plannedOps: whole.totalOps,
            postgres,
            providers,
            rows: recorder,
            store,
            clock,
            concurrency: config.concurrency,
            connections: config.connections,
            lateThresholdUs: config.lateThresholdUs,
            keepDatabases: config.keepDatabases,
            shard,
            abort: options.abort,
            progress: options.progress,
            log: options.log,
          });
          parts.push({ strategy: row.strategy, rep, status: row.status, detail: row.detail, sent: row.sent_ops });
        }
      }
      const status = options.abort.aborted ? 'incomplete' : parts.every((p) => p.status === 'completed' || p.status === 'skipped') ? 'complete' : 'failed';
      return { status, value: parts };
    },
  });
  return { runId, shard: options.shard, shardOps: shardCount, plannedOps: whole.totalOps, streamSha256: whole.sha256, shardSha256, parts: run.value };
}
