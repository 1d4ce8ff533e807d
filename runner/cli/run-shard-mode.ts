/**
 * `hotbench run --shard i/n` and `hotbench run --emit k8s`: the two ways the
 * run command reaches beyond one process, kept apart from its plain path.
 */
import { formatShardSpec, parseShardSpec } from '../../scenarios/shard.js';
import { checkRunId } from '../../reports/run/queries.js';
import type { StrategyRegistry } from '../../strategies/registry.js';
import type { ResolvedRunConfig } from '../config/run-config.js';
import type { RunOptions } from '../config/options.js';
import type { ProgressMode } from '../driver/progress.js';
import { UserError } from '../errors.js';
import { newRunId } from '../lifecycle/recorded-run.js';
import { refuseUnshardable, runShard } from '../shard/run-shard.js';
import { parseStartAt } from '../shard/start-at.js';
import { interrupted } from '../stack/lifecycle.js';
import type { PlannedStrategy } from '../replay/plan.js';
import { parseDurationUs, parsePositive } from '../config/units.js';
import { emitShardRun, podArgs } from './emit-k8s.js';
import { say } from './output.js';

/** Runs one load shard; sets the exit code (0 all parts completed, 1 a part failed or was refused, 130 interrupted). */
export async function runOneShard(argv: RunOptions, config: ResolvedRunConfig, strategies: readonly PlannedStrategy[], registry: StrategyRegistry, progress: ProgressMode): Promise<void> {
  const shard = parseShardSpec(argv.shard ?? '');
  if (argv.runId === undefined) throw new UserError(`--shard ${argv.shard} needs --run-id: one id every shard of the run shares, e.g. --run-id ${newRunId()}`);
  const result = await runShard(config, {
    registry,
    strategies,
    log: say,
    progress,
    abort: interrupted,
    runId: checkRunId(argv.runId),
    shard,
    ...(argv.startAt !== undefined ? { startAtMs: parseStartAt(argv.startAt) } : {}),
    ...(argv.barrierTimeout !== undefined ? { barrierTimeoutMs: parseDurationUs(argv.barrierTimeout, '--barrier-timeout') / 1000 } : {}),
  });
  for (const p of result.parts) say(`${p.strategy}: shard ${formatShardSpec(shard)} ${p.status}: sent ${p.sent} of its ${result.shardOps} ops${p.detail ? ` (${p.detail})` : ''}`);
  say(`shard ${formatShardSpec(shard)} of run ${result.runId}: ${result.shardOps} of ${result.plannedOps} ops, stream ${result.streamSha256.slice(0, 16)}…, this shard's ops ${result.shardSha256.slice(0, 16)}…; when every shard has ended: hotbench finalize ${result.runId}`);
  if (interrupted.aborted) process.exitCode = 130;
  else if (result.parts.some((p) => p.status !== 'completed' && p.status !== 'skipped')) process.exitCode = 1;
}

/** `run --emit k8s DIR`: the manifests of a sharded run; no server is contacted. */
export async function emitRun(dir: string, options: RunOptions, config: ResolvedRunConfig, strategies: readonly PlannedStrategy[], registry: StrategyRegistry): Promise<void> {
  const argv = options;
  if (argv.shard !== undefined) throw new UserError('--emit k8s writes every shard of the run: give --load-shards N, not --shard');
  const shards = parsePositive(argv.loadShards ?? 1, '--load-shards', { integer: true, max: 1024 });
  // The pods' PostgreSQL and ClickHouse come from the Secret: check the strategies as if they were given.
  refuseUnshardable({ ...config, pgUrl: config.pgUrl ?? 'secret', clickhouseUrl: config.clickhouseUrl ?? 'secret' }, strategies, registry);
  const runId = argv.runId === undefined ? newRunId() : checkRunId(argv.runId);
  // Duration and seed as resolved here, so every pod replays exactly this stream whatever its defaults.
  const runArgs = podArgs({ ...options, duration: `${config.durationUs}us`, seed: config.seed });
  for (const line of await emitShardRun(dir, argv, { runId, shards, scenarioFile: config.loaded.file, runArgs })) say(line);
}
