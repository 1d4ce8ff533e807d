/**
 * Every table round-trips through the recorder into chdb and back unchanged:
 * quotes, unicode, control characters, negative Int64, -1 sentinels and the
 * largest safe integers. A row that does not fit its columns is set aside,
 * not written and not lost.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { openStore } from '../results/open-store.js';
import { Recorder } from '../runner/record/recorder.js';
import { TABLES, edgeRows, readBack, sortedLikeStore, testRunId } from './recorder-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'hbt-rt-chdb-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('writes every table and reads it back exactly, on chdb', async () => {
  const store = await openStore({ dataDir: join(dir, 'ch') });
  try {
    await store.migrate();
    const runId = testRunId();
    const rows = edgeRows(runId);
    const notes: string[] = [];
    const recorder = new Recorder(store, { spoolDir: join(dir, 'spool'), onNote: (l) => notes.push(l) });
    for (const table of TABLES) for (const row of rows[table]) recorder.push(table, row as never);
    // A bug upstream: NaN in an Int64 column. Set aside, the rest unaffected.
    recorder.push('postings', { run_id: runId, strategy: 'x', rep: 0, op_id: 7, intended_us: Number.NaN, posted_us: 1 });
    const result = await recorder.close();
    expect(result).toMatchObject({ complete: true, spooled: 0, invalid: 1 });
    for (const table of TABLES) expect(await readBack(store, table, runId), table).toEqual(sortedLikeStore(table, rows[table] as never));
    expect(recorder.stats().tables.postings).toEqual({ pushed: 3, written: 2, pending: 0, spooled: 0, invalid: 1 });
    const setAside = readFileSync(join(dir, 'spool', 'postings.invalid.ndjson'), 'utf8').trim().split('\n');
    expect(setAside).toHaveLength(1);
    expect(JSON.parse(setAside[0]!)).toMatchObject({ table: 'postings', error: 'postings.intended_us: expected a safe integer, got NaN.', row: { op_id: 7 } });
    expect(notes).toEqual([`1 postings row(s) did not fit their columns (postings.intended_us: expected a safe integer, got NaN.); kept in ${join(dir, 'spool', 'postings.invalid.ndjson')}, not written`]);
  } finally {
    await store.close();
  }
});
