/**
 * Batch means of a replay recorded once, computed in ClickHouse (chdb):
 * on planted ops whose goodput and latency are known per batch, the
 * intervals are labelled batch-means, hold the planted values, and widen
 * when the replay's second half is slower than its first.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { batchIntervalsOf, batchLengthUs, selectBatchIntervals } from '../reports/noise/batch-sql.js';
import { openStore } from '../results/open-store.js';
import type { OpRow, PostingRow } from '../results/rows.js';
import { testRunId } from './recorder-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'hbt-batch-means-'));
const CLICKHOUSE_URL = process.env['CLICKHOUSE_URL'] ?? 'http://127.0.0.1:8123';
const database = `hbt_${randomBytes(4).toString('hex')}`;
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await fetch(`${CLICKHOUSE_URL}/`, { method: 'POST', body: `DROP DATABASE IF EXISTS ${database}` });
});

/** 10 s of ops at 100/s; op i acked `latency(i)` µs after its intended time, applied and posted then. */
function plant(runId: string, strategy: string, latency: (i: number) => number): { ops: OpRow[]; postings: PostingRow[] } {
  const ops: OpRow[] = [];
  const postings: PostingRow[] = [];
  for (let i = 0; i < 1000; i++) {
    const intended = i * 10_000;
    const acked = intended + latency(i);
    ops.push({ run_id: runId, strategy, rep: 0, op_id: i, kind: 'charge', account: 0, amount: 1, job: -1, intended_us: intended, sent_us: intended, acked_us: acked, status: 'applied', reason: '', lock_wait_us: -1, pool_wait_us: -1, queue_us: -1, attempts: 1, balance: 0, detail: '' });
    postings.push({ run_id: runId, strategy, rep: 0, op_id: i, intended_us: intended, posted_us: acked });
  }
  return { ops, postings };
}

describe('batch means over one replay', () => {
  it.each([
    ['chdb', () => openStore({ dataDir: join(dir, 'chdb') })],
    ['the ClickHouse 18.16 server', () => openStore({ url: CLICKHOUSE_URL, dataDir: join(dir, 'server'), database })],
  ])('holds planted per-batch figures, and is wider for a replay that slows half way, on %s', async (_, open) => {
    const store = await open();
    try {
      await store.migrate();
      const runId = testRunId('batch');
      const steady = plant(runId, 'steady', () => 2_000);
      const slowing = plant(runId, 'slowing', (i) => (i < 500 ? 2_000 : 20_000));
      await store.insert('ops', [...steady.ops, ...slowing.ops]);
      await store.insert('postings', [...steady.postings, ...slowing.postings]);
      expect(batchLengthUs(10_000_000)).toBe(1_000_000);
      const map = await selectBatchIntervals(store, runId, 10_000_000);
      const s = batchIntervalsOf(map, 'steady', 0)!;
      expect(s.goodput).toMatchObject({ method: 'batch-means', n: 10 });
      expect(s.goodput!.point).toBeCloseTo(100, 0);
      expect(s.ackP99!.point).toBeCloseTo(2_000, -1);
      expect(s.ackP99!.hi - s.ackP99!.lo).toBeLessThan(50);
      const w = batchIntervalsOf(map, 'slowing', 0)!;
      expect(w.ackP99!.lo).toBeLessThan(10_000);
      expect(w.ackP99!.hi).toBeGreaterThan(12_000);
      expect(w.postingP99!.method).toBe('batch-means');
      expect(batchIntervalsOf(map, 'absent', 0)).toBeUndefined();
    } finally {
      await store.close();
    }
  }, 60_000);
});
