/**
 * The report's percentiles stay exact where values are large or negative:
 * ack latencies and lock waits above 2^32 µs (71.6 min, several narrowing
 * passes in ./reports/run/exact-quantiles.ts) and negative posting delays. Any
 * UInt32 shortcut would clamp them (p99.9 to 4,294,967,295; the delays' p50
 * to 0): the report must equal the values computed in JS, on chdb and 18.16.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRunReport } from '../reports/run/queries.js';
import { openStore, type StoreLocation } from '../results/open-store.js';
import { testRunId } from './recorder-fixture.js';
import { expectedRowLock, fakeRunRows, insertFakeRun, quantile, type FakeRows } from './report-fixture.js';

const CLICKHOUSE_URL = process.env['CLICKHOUSE_URL'] ?? 'http://127.0.0.1:8123';
const UINT32_MAX = 4_294_967_295;
const database = `hbt_${randomBytes(4).toString('hex')}`;
const dir = mkdtempSync(join(tmpdir(), 'hbt-report-wide-'));
afterAll(async () => {
  await fetch(`${CLICKHOUSE_URL}/`, { method: 'POST', body: `DROP DATABASE IF EXISTS ${database}` });
  rmSync(dir, { recursive: true, force: true });
});

/**
 * The fake run with 3 ops acked 83+ min late, 10 lock waits of 100+ min and
 * every row-lock posting 1..n µs before its intended time.
 */
function wideRows(runId: string): FakeRows {
  const rows = fakeRunRows(runId);
  for (const o of rows.ops) {
    if (o.strategy !== 'row-lock') continue;
    if (o.op_id >= 986 && o.op_id <= 988) o.acked_us = o.intended_us + 5_000_000_000 + o.op_id;
    if (o.lock_wait_us >= 0 && o.op_id >= 900) o.lock_wait_us = 6_000_000_000 + o.op_id;
  }
  rows.postings.forEach((p, i) => {
    if (p.strategy === 'row-lock') p.posted_us = p.intended_us - (i + 1);
  });
  return rows;
}

describe.each<[string, StoreLocation]>([
  ['chdb', { dataDir: join(dir, 'chdb') }],
  ['the ClickHouse 18.16 server', { url: CLICKHOUSE_URL, dataDir: join(dir, 'server'), database }],
])('percentiles beyond UInt32, on %s', (_name, location) => {
  it('equal the JS values over the raw Int64 differences', async () => {
    const store = await openStore(location);
    try {
      await store.migrate();
      const rows = wideRows(testRunId('wide'));
      await insertFakeRun(store, rows);
      const report = await loadRunReport(store, rows.runs[0]!.run_id);
      const rowLock = report.strategies.find((s) => s.label === 'row-lock')!;
      const ack = rows.ops.filter((o) => o.strategy === 'row-lock' && o.acked_us >= 0).map((o) => o.acked_us - o.intended_us);
      const delays = rows.postings.filter((p) => p.strategy === 'row-lock').map((p) => p.posted_us - p.intended_us);
      const locks = rows.ops.filter((o) => o.strategy === 'row-lock' && o.lock_wait_us >= 0).map((o) => o.lock_wait_us);
      // The planted values sit where the narrow form would clamp them.
      expect(quantile(ack, 0.999)).toBeGreaterThan(UINT32_MAX);
      expect(quantile(locks, 0.99)).toBeGreaterThan(UINT32_MAX);
      expect(quantile(delays, 0.5)).toBeLessThan(0);
      const js = expectedRowLock(rows);
      expect(rowLock.ack_latency_us).toEqual(js.ack_latency_us);
      expect(rowLock.ack_latency_us.max).toBe(5_000_000_000 + 988);
      expect(rowLock.lock_wait).toEqual(js.lock_wait);
      expect(rowLock.posting_delay_us).toEqual(js.posting_delay_us);
    } finally {
      await store.close();
    }
  });
});
