/**
 * The report of a big run counts every op: a synthetic run of 1 million ops
 * (written by ClickHouse itself, bench/synthetic-run.ts) loads into a report
 * whose counts equal ClickHouse's own.
 *
 * How fast that is, is a benchmark's question, not this test's: `npm run
 * bench:memory` ends with the time to load and render a 10,000,000-op run
 * (target < 5 s). This test used to assert 1 s of CPU time for 1 M ops, and
 * failed on a loaded CI machine at 1.09 s: a timed unit test measures the
 * machine as much as the code.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../results/open-store.js';
import type { Store } from '../results/store.js';
import { timeReport, type ReportTiming } from '../bench/report-timing.js';
import { writeSyntheticRun } from '../bench/synthetic-run.js';

const OPS = 1_000_000;

describe('the report of a 1 M-op run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hotbench-perf-report-'));
  let store: Store;
  let timing: ReportTiming;

  beforeAll(async () => {
    store = await openStore({ dataDir: join(dir, 'clickhouse') });
    await store.migrate();
    await writeSyntheticRun(store, 'synthetic-1m', OPS);
    timing = await timeReport(store, 'synthetic-1m');
  }, 240_000);

  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts every op, as ClickHouse does', async () => {
    const s = timing.report.strategies[0]!;
    const [c] = await store.query<{ applied: number; rejected: number; posted: number }>(
      `SELECT countIf(status = 'applied') AS applied, countIf(status = 'rejected') AS rejected,
              (SELECT count() FROM postings WHERE run_id = {run:String}) AS posted
       FROM ops WHERE run_id = {run:String}`,
      { run: 'synthetic-1m' },
    );
    expect(s.ops.recorded).toBe(OPS);
    expect(s.by_status).toEqual({ applied: c!.applied, accepted: 0, rejected: c!.rejected, unsent: 0, suppressed: 0 });
    expect(s.posting_delay_us.posted).toBe(c!.posted);
    expect(c!.applied + c!.rejected).toBe(OPS);
  });
});
