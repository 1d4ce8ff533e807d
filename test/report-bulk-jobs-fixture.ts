/**
 * A hand-made run with bulk jobs, whose completion times are known in
 * advance (first op intended → last op posted or declined):
 *
 * buffer (deferred: ops are acked at once and posted later):
 * - job 0: 4 ops intended at 1 s, accepted and acked by 1.0004 s, posted at
 *   3.000 s .. 3.003 s → completes in 2,003,000 µs (ack would say 400 µs).
 * - job 1: 3 ops at 2 s: two posted at 2.5 s and 2.6 s, one declined
 *   (insufficient funds) at its ack, 2.7 s → completes in 700,000 µs, 1 decline.
 * - job 2: 3 ops at 3 s: one applied (posted at ack), one accepted and never
 *   posted (lost), one timed out → not completed, 2 unsettled.
 * - job 3: 2 ops at 4 s, posted at 4.05 s and 4.1 s and each posted again at
 *   9 s (duplicates) → completes in 100,000 µs (first posting counts).
 * - background ops (job -1) posted at 9.5 s: not part of any job.
 * Completed: 100,000, 700,000, 2,003,000 → p50 (rank 1) 700,000, p99 (rank 2)
 * and max 2,003,000.
 *
 * row-lock: 150 jobs of 2 applied ops, job j intended at j·10 ms, its ops
 * posted at ack (j+1)·50 and (j+1)·100 µs later, plus one rate-limited op
 * declined at (j+1)·20 µs → job j completes in (j+1)·100 µs; p50 (rank 75)
 * 7,600, p99 (rank 148) 14,900, max 15,000 µs; 150 declines.
 *
 * atomic: skipped, no ops: no bulk jobs.
 */
import type { OpRow, PostingRow } from '../results/rows.js';
import type { FakeRows } from './report-fixture.js';

type Key = Pick<OpRow, 'run_id' | 'strategy' | 'rep'>;

function op(key: Key, id: number, job: number, intended: number, acked: number, status: OpRow['status'], reason = ''): OpRow {
  return {
    ...key, op_id: id, kind: job >= 0 ? 'adjust' : 'charge', account: job >= 0 ? 0 : 1 + (id % 7), amount: -100, job, intended_us: intended,
    sent_us: acked >= 0 ? intended + 1 : -1, acked_us: acked, status, reason, lock_wait_us: -1, attempts: 1, balance: 0, detail: '',
  };
}

function posting(key: Key, id: number, intended: number, posted: number): PostingRow {
  return { ...key, op_id: id, intended_us: intended, posted_us: posted };
}

/** The rows of the bulk-jobs run `runId`. */
export function bulkJobRunRows(runId: string): FakeRows {
  const ops: OpRow[] = [];
  const postings: PostingRow[] = [];
  const buffer = { run_id: runId, strategy: 'buffer', rep: 0 };
  const accepted = (id: number, job: number, at: number, acked: number, posted: number | null) => {
    ops.push(op(buffer, id, job, at, acked, 'accepted'));
    if (posted !== null) postings.push(posting(buffer, id, at, posted));
  };
  for (let k = 0; k < 4; k++) accepted(10 + k, 0, 1_000_000, 1_000_000 + 100 * (k + 1), 3_000_000 + 1000 * k);
  accepted(20, 1, 2_000_000, 2_000_100, 2_500_000);
  accepted(21, 1, 2_000_000, 2_000_200, 2_600_000);
  ops.push(op(buffer, 22, 1, 2_000_000, 2_700_000, 'rejected', 'insufficient_funds'));
  ops.push(op(buffer, 30, 2, 3_000_000, 3_000_050, 'applied'));
  postings.push(posting(buffer, 30, 3_000_000, 3_000_050));
  accepted(31, 2, 3_000_000, 3_000_060, null);
  ops.push(op(buffer, 32, 2, 3_000_000, 3_500_000, 'rejected', 'timeout'));
  accepted(40, 3, 4_000_000, 4_000_010, 4_050_000);
  accepted(41, 3, 4_000_000, 4_000_020, 4_100_000);
  postings.push(posting(buffer, 40, 4_000_000, 9_000_000), posting(buffer, 41, 4_000_000, 9_000_000));
  for (let i = 0; i < 5; i++) accepted(50 + i, -1, 500_000 * i, 500_000 * i + 10, 9_500_000);

  const rowLock = { run_id: runId, strategy: 'row-lock', rep: 0 };
  for (let j = 0; j < 150; j++) {
    const at = j * 10_000;
    const ids = [1000 + 3 * j, 1001 + 3 * j, 1002 + 3 * j] as const;
    ops.push(op(rowLock, ids[0], j, at, at + (j + 1) * 50, 'applied'), op(rowLock, ids[1], j, at, at + (j + 1) * 100, 'applied'));
    ops.push(op(rowLock, ids[2], j, at, at + (j + 1) * 20, 'rejected', 'rate_limited'));
    postings.push(posting(rowLock, ids[0], at, at + (j + 1) * 50), posting(rowLock, ids[1], at, at + (j + 1) * 100));
  }

  const summary = { run_id: runId, rep: 0, started_at: '2024-05-01 12:00:00', schedule_us: 10_000_000, planned_ops: ops.length, late_threshold_us: 5000, concurrency: 64, audited: 0, conservation_ok: 0, accounts_checked: 0 };
  const done = { status: 'completed' as const, detail: '', params_json: '{}', elapsed_us: 10_000_000, sent_ops: 0, late_ops: 0 };
  return {
    runs: [{
      run_id: runId, started_at: '2024-05-01 12:00:00', scenario: 'fleet-bulk', scenario_file: 'scenarios/library/fleet-bulk.yaml', seed: 1, stream_sha256: 'b'.repeat(64),
      planned_ops: ops.length, schedule_us: 10_000_000, config_json: '{}', git_rev: 'abc1234', git_branch: 'bulkjobs', hotbench_version: '0.1.0', pg_version: '15.18',
      clickhouse_version: '', redis_version: '', node_version: 'v20', host_name: 'bench-host', host_cores: 2, host_mem_bytes: 8 * 1024 ** 3, command: 'hotbench run',
    }],
    run_ends: [{ run_id: runId, finished_at: '2024-05-01 12:00:30', status: 'complete', reason: '' }],
    strategy_runs: [
      { ...summary, ...done, strategy: 'buffer', idx: 0, name: 'buffer', backend: 'redis-streams' },
      { ...summary, ...done, strategy: 'row-lock', idx: 1, name: 'row-lock', backend: 'postgres' },
      { ...summary, ...done, strategy: 'atomic', idx: 2, name: 'atomic', backend: 'postgres', status: 'skipped', detail: 'skipped on purpose', elapsed_us: 0 },
    ],
    ops,
    postings,
    samples: [],
    incidents: [],
    events: [],
    shard_runs: [],
    sweep_cells: [],
  };
}
