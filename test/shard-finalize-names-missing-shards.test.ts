/**
 * What finalize waits for, from the shards' own rows: a shard still within
 * its schedule is running, one silent long past its planned end died, one
 * that never recorded anything never started; each named in one line.
 */
import { describe, expect, it } from 'vitest';
import { waitingFor, type StageStatus } from '../runner/shard/finalize-status.js';
import type { ShardRunRow } from '../results/rows.js';

const T0 = Date.UTC(2026, 11, 7, 18, 0, 0);
function row(shard: number, status: ShardRunRow['status']): ShardRunRow {
  return {
    run_id: 'r', strategy: 'atomic', rep: 0, idx: 0, shard, shards: 3, status, detail: '', name: 'atomic', backend: 'postgres', params_json: '{}', host_name: `pod-${shard}`, pid: 100 + shard,
    written_at: '2026-12-07 18:00:00', start_at_ms: T0, schedule_us: 10_000_000, elapsed_us: 0, planned_ops: 30, shard_ops: 10, sent_ops: 0, late_ops: 0, late_threshold_us: 5_000,
    concurrency: 8, stream_sha256: 'a', shard_sha256: 'b', run_json: '{}',
  };
}
const stage = (rows: ShardRunRow[]): StageStatus => ({ rep: 0, idx: 0, strategy: 'atomic', shards: 3, rows: new Map(rows.map((r) => [r.shard, r])) });

describe('finalize: which shards are missing', () => {
  it('waits for a shard inside its schedule and names it', () => {
    const w = waitingFor([stage([row(0, 'completed'), row(1, 'started')])], T0 + 5_000, 60_000);
    expect(w.missing).toEqual([]);
    expect(w.running).toEqual([
      'shard 1/3 of atomic is running on pod-1 (pid 101), due to end 2026-12-07T18:00:10.000Z',
      'shard 2/3 of atomic has not started yet',
    ]);
  });

  it('calls a shard silent long past its planned end dead, and one never seen never started', () => {
    const w = waitingFor([stage([row(0, 'completed'), row(1, 'started')])], T0 + 10_000 + 60_001, 60_000);
    expect(w.running).toEqual([]);
    expect(w.missing).toEqual([
      'shard 1/3 of atomic started on pod-1 (pid 101) and never recorded its end: it died',
      'shard 2/3 of atomic never started (or died before its start)',
    ]);
  });

  it('waits for nothing once every shard recorded an end, whatever the end', () => {
    expect(waitingFor([stage([row(0, 'completed'), row(1, 'refused'), row(2, 'failed')])], T0 + 1e9, 60_000)).toEqual({ running: [], missing: [] });
  });
});
