/**
 * Under a steady stream of rows (256 every ~12 ms: some 20,000 rows/s, as
 * a 20,000 ops/s run records, for a few flush intervals), the recorder inserts full batches plus at most one partial
 * batch per flush interval, not one tiny batch per turn: every insert is a
 * ClickHouse part, and small parts cost far more per row (measured on chdb:
 * ~9 µs per `ops` row in 5,000-row inserts vs ~6 µs in 20,000-row ones, more
 * below that). Every row still lands exactly once, on real chdb.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, expect, it } from 'vitest';
import { openStore } from '../results/open-store.js';
import type { OpRow, TableName } from '../results/rows.js';
import type { Store } from '../results/store.js';
import type { EncodedBody, RowFormat } from '../results/encode.js';
import { Recorder } from '../runner/record/recorder.js';
import { testRunId } from './recorder-fixture.js';

const N = 40_000;
const PER_TURN = 256;
const BATCH = 10_000;
const INTERVAL_MS = 250;

const dir = mkdtempSync(join(tmpdir(), 'hbt-batches-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('inserts full batches and one partial per interval while rows keep coming; every row once', async () => {
  const chdb = await openStore({ dataDir: join(dir, 'clickhouse') });
  const inserts: number[] = [];
  // The real store, with each insert's row count noted on the way through.
  const counted: Store = Object.assign(Object.create(chdb) as Store, {
    insertEncoded: (table: TableName, body: EncodedBody, format: RowFormat) => {
      if (table === 'ops') inserts.push(body.toString().split('\n').length - 1);
      return chdb.insertEncoded(table, body, format);
    },
  });
  try {
    await chdb.migrate();
    const runId = testRunId('batches');
    const recorder = new Recorder(counted, { spoolDir: join(dir, 'spool'), batchRows: BATCH, flushIntervalMs: INTERVAL_MS });
    const started = performance.now();
    for (let i = 0; i < N; i++) {
      const row: OpRow = {
        run_id: runId, strategy: 'noop', rep: 0, op_id: i, kind: 'charge', account: i % 1000, amount: 1, job: -1,
        intended_us: i * 10, sent_us: i * 10, acked_us: i * 10 + 5, status: 'applied', reason: '', lock_wait_us: -1, pool_wait_us: -1, queue_us: -1, attempts: 1, balance: 0, detail: '',
      };
      recorder.push('ops', row);
      if (i % PER_TURN === PER_TURN - 1) await sleep(12);
    }
    const elapsedMs = performance.now() - started;
    expect((await recorder.close()).complete).toBe(true);

    const [c] = await chdb.query<{ n: number; ids: number }>('SELECT count() AS n, uniqExact(op_id) AS ids FROM ops WHERE run_id = {run:String}', { run: runId });
    expect(c).toEqual({ n: N, ids: N });
    expect(inserts.reduce((a, b) => a + b, 0)).toBe(N);
    // Full batches, plus one partial per interval that passed, plus the final flush.
    const bound = Math.ceil(N / BATCH) + Math.ceil(elapsedMs / INTERVAL_MS) + 2;
    console.info(`${inserts.length} inserts in ${elapsedMs.toFixed(0)} ms (bound ${bound}): ${inserts.join(' ')}`);
    expect(inserts.length).toBeLessThanOrEqual(bound);
  } finally {
    await chdb.close();
  }
}, 120_000);
