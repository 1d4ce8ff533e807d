/**
 * A recorded run measures pool wait per op and counts a batch's waits once:
 * with 64 ops in flight on a pool of 2 connections, row-lock's ops wait for
 * a connection (pool wait > 0) apart from their lock wait; aggregate's lock
 * and pool waits sit on each batch's first op (the others are marked as
 * counted there) and every write carries its time queued in the batcher.
 * The report's figures equal ClickHouse's own SQL over the raw rows.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunReport, StrategyReport } from '../reports/run/queries.js';
import type { Store } from '../results/store.js';
import { recordJsonRun } from './support/json-run.js';

describe('pool wait and batched waits in a recorded run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hotbench-waits-'));
  let report: RunReport;
  let store: Store;
  const args = ['run', '--scenario', 'advertiser-burst', '--strategies', 'row-lock,aggregate', '--connections', '2', '--concurrency', '64', '--duration', '2s'];

  beforeAll(async () => {
    ({ report, store } = await recordJsonRun(dir, args));
  }, 240_000);

  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const of = (label: string): StrategyReport => report.strategies.find((s) => s.label === label)!;
  const raw = async (label: string) =>
    (
      await store.query<{ pool_ops: number; pool_sum: number; pool_p99: number; lock_ops: number; lock_sum: number; on_head: number; queued: number; writes: number }>(
        `SELECT countIf(pool_wait_us >= 0) AS pool_ops, sumIf(pool_wait_us, pool_wait_us >= 0) AS pool_sum,
                quantileExactIf(0.99)(pool_wait_us, pool_wait_us >= 0) AS pool_p99,
                countIf(lock_wait_us >= 0) AS lock_ops, sumIf(lock_wait_us, lock_wait_us >= 0) AS lock_sum,
                countIf(lock_wait_us = -3) AS on_head, countIf(queue_us >= 0) AS queued,
                countIf(kind != 'read' AND status IN ('applied', 'rejected') AND reason IN ('', 'insufficient_funds')) AS writes
         FROM ops WHERE run_id = {run:String} AND strategy = {s:String}`,
        { run: report.run.run_id, s: label },
      )
    )[0]!;

  it('row-lock: with 64 ops in flight on 2 connections, ops wait for a connection, apart from the lock', async () => {
    const s = of('row-lock');
    expect(s.ops.concurrency).toBe(64);
    expect(s.pool_wait.shown).toBe('measured');
    expect(s.pool_wait.p99_us).toBeGreaterThan(1_000);
    expect(s.pool_wait.total_s).toBeGreaterThan(0);
    expect(s.batch_queue.shown).toBe('not_applicable');
    const r = await raw('row-lock');
    expect(s.pool_wait.ops).toBe(r.pool_ops);
    expect(s.pool_wait.total_s).toBeCloseTo(r.pool_sum / 1e6, 6);
    expect(s.pool_wait.p99_us).toBe(r.pool_p99);
    expect(r.on_head).toBe(0);
  });

  it("aggregate: each batch's waits are on its first op, the others are marked, every write was queued", async () => {
    const s = of('aggregate');
    const r = await raw('aggregate');
    expect(r.on_head).toBeGreaterThan(0);
    expect(s.lock_wait.in_batch).toBe(r.on_head);
    expect(s.lock_wait.ops).toBe(r.lock_ops);
    expect(s.lock_wait.total_s).toBeCloseTo(r.lock_sum / 1e6, 6);
    expect(s.batch_queue.shown).toBe('measured');
    expect(r.queued).toBeGreaterThanOrEqual(r.writes);
    expect(s.pool_wait.in_batch).toBe(r.on_head);
  });
});
