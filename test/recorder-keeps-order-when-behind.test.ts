/**
 * Order and exactly-once survive the hardest path: ClickHouse (chdb here)
 * stalls on an insert, the buffer outgrows its bound so newer rows are
 * spooled, then the stalled insert fails. The failed batch must go back in
 * front of the spooled rows, and every row must land once, in push order.
 * The store is real; a gate in front of it only holds or fails inserts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { EncodedBody, RowFormat } from '../results/encode.js';
import { columnNamesOf } from '../results/schema.js';

/** Where op_id sits in a TabSeparated ops line. */
const OP_ID = columnNamesOf('ops').indexOf('op_id');
import { openStore } from '../results/open-store.js';
import type { OpRow, RowOf, TableName } from '../results/rows.js';
import type { SqlValue, Store } from '../results/store.js';
import { Recorder } from '../runner/record/recorder.js';
import { readBack, testRunId } from './recorder-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'hbt-order-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Passes inserts to a real store, except that it can hold the next one and then fail it. */
class GatedStore implements Store {
  readonly kind = 'chdb' as const;
  readonly description = 'gated chdb';
  /** op_ids of ops rows the real store accepted, in the order they were sent. */
  readonly landed: number[] = [];
  /** Set while the next insert is to be held: resolve `started` when it arrives, then wait for `failed`. */
  #hold: { started: () => void; failed: Promise<void> } | undefined;

  constructor(private readonly inner: Store) {}

  /** Holds the next insert until `fail()` is called, then fails it. `started` resolves when it arrived. */
  holdNext(): { started: Promise<void>; fail: () => void } {
    let started!: () => void;
    let fail!: () => void;
    const arrived = new Promise<void>((ok) => (started = ok));
    this.#hold = { started, failed: new Promise<void>((ok) => (fail = ok)) };
    return { started: arrived, fail };
  }

  async insertEncoded(table: TableName, body: EncodedBody, format: RowFormat): Promise<void> {
    const hold = this.#hold;
    if (hold) {
      this.#hold = undefined;
      hold.started();
      await hold.failed;
      throw new Error('insert timed out (held by the test)');
    }
    await this.inner.insertEncoded(table, body, format);
    if (table === 'ops') for (const line of body.toString().split('\n')) if (line) this.landed.push(Number(line.split('\t')[OP_ID]));
  }

  insert<T extends TableName>(table: T, rows: readonly RowOf[T][]): Promise<void> {
    return this.inner.insert(table, rows);
  }
  query<T>(sql: string, params?: Readonly<Record<string, SqlValue>>): Promise<T[]> {
    return this.inner.query<T>(sql, params);
  }
  version(): Promise<string> {
    return this.inner.version();
  }
  migrate(): Promise<void> {
    return this.inner.migrate();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

it('a failed in-flight batch goes back in front of rows spooled meanwhile; all land once, in order', async () => {
  const real = await openStore({ dataDir: join(dir, 'ch') });
  const store = new GatedStore(real);
  try {
    await store.migrate();
    const runId = testRunId('order');
    const ops: OpRow[] = Array.from({ length: 250 }, (_, i) => ({
      run_id: runId, strategy: 'wal', rep: 0, op_id: i, kind: 'charge', account: 0, amount: 1, job: -1, intended_us: i, sent_us: i, acked_us: i + 1,
      status: 'applied', reason: '', lock_wait_us: 0, pool_wait_us: -1, queue_us: -1, attempts: 1, balance: 0, detail: '',
    }));
    const notes: string[] = [];
    const recorder = new Recorder(store, { spoolDir: join(dir, 'spool'), onNote: (l) => notes.push(l), batchRows: 50, maxBufferedRows: 100, flushIntervalMs: 10, retryMinMs: 10, retryMaxMs: 20 });

    const held = store.holdNext();
    for (const row of ops.slice(0, 50)) recorder.push('ops', row); // a full batch: sent at once, and held
    await held.started;
    for (const row of ops.slice(50)) recorder.push('ops', row); // 200 > 100 while the insert hangs
    for (let i = 0; i < 200 && recorder.stats().spooled < 200; i++) await new Promise((r) => setTimeout(r, 10));
    expect(recorder.stats().tables.ops).toMatchObject({ written: 0, spooled: 200, pending: 50 });

    held.fail();
    expect(await recorder.close()).toMatchObject({ complete: true, spooled: 0 });
    expect(store.landed).toEqual(ops.map((o) => o.op_id));
    expect(await readBack(real, 'ops', runId)).toEqual(ops);
    expect(notes[0]).toBe(`ClickHouse is not keeping up (over 100 ops rows waiting); spooling rows to ${join(dir, 'spool')}`);
    expect(notes.at(-1)).toBe('ClickHouse caught up: 250 spooled rows written');
  } finally {
    await store.close();
  }
});
