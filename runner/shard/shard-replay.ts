/**
 * What a replay needs to know when it is one load shard of a run, and the
 * `shard_runs` row it records (see `results/rows.ts`).
 */
import { hostname } from 'node:os';
import type { ShardSpec } from '../../scenarios/shard.js';
import type { ShardRunRow, StrategyRunRow } from '../../results/rows.js';
import { wallClockUtc } from '../clock.js';

/** Load-shard mode of one replay. */
export interface ShardReplay {
  readonly spec: ShardSpec;
  /**
   * Called once the strategy is set up and its pools are warm: resolves with
   * the agreed start of the schedule, wall-clock ms since the Unix epoch
   * (through the barrier or `--start-at`), or throws a one-line `UserError`
   * (late, duplicate index, barrier abandoned); the replay then records a
   * `refused` row and sends nothing. `stage` names the replay (rep/idx/label).
   */
  start(stage: string): Promise<number>;
  /** Ops in this shard. */
  readonly shardOps: number;
  /** sha256 of the whole stream (every shard must agree) and of this shard's ops. */
  readonly streamSha256: string;
  readonly shardSha256: string;
  /** The run's `runs` row as JSON: finalize writes it once for the whole run. */
  readonly runJson: string;
}

/** The `shard_runs` row for a replay row as it stands, with `status`. */
export function shardRowOf(shard: ShardReplay, row: StrategyRunRow, startAtMs: number, status: ShardRunRow['status']): ShardRunRow {
  return {
    run_id: row.run_id,
    strategy: row.strategy,
    rep: row.rep,
    idx: row.idx,
    shard: shard.spec.index,
    shards: shard.spec.count,
    status,
    detail: row.detail,
    name: row.name,
    backend: row.backend,
    params_json: row.params_json,
    host_name: hostname(),
    pid: process.pid,
    written_at: wallClockUtc(),
    start_at_ms: Math.round(startAtMs),
    schedule_us: row.schedule_us,
    elapsed_us: row.elapsed_us,
    planned_ops: row.planned_ops,
    shard_ops: shard.shardOps,
    sent_ops: row.sent_ops,
    late_ops: row.late_ops,
    late_threshold_us: row.late_threshold_us,
    concurrency: row.concurrency,
    stream_sha256: shard.streamSha256,
    shard_sha256: shard.shardSha256,
    run_json: shard.runJson,
  };
}
