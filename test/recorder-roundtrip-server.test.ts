/**
 * Every table round-trips through the recorder into the ClickHouse server
 * (Debian's 18.16) and back unchanged, in a database of its own: quotes,
 * unicode, control characters, negative Int64, -1 sentinels and the largest
 * safe integers (which 18.16 sends as quoted strings).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { openStore } from '../results/open-store.js';
import { Recorder } from '../runner/record/recorder.js';
import { TABLES, edgeRows, readBack, sortedLikeStore, testRunId } from './recorder-fixture.js';

const CLICKHOUSE_URL = process.env['CLICKHOUSE_URL'] ?? 'http://127.0.0.1:8123';
const database = `hbt_${randomBytes(4).toString('hex')}`;
const dir = mkdtempSync(join(tmpdir(), 'hbt-rt-server-'));
afterAll(async () => {
  await fetch(`${CLICKHOUSE_URL}/`, { method: 'POST', body: `DROP DATABASE IF EXISTS ${database}` });
  rmSync(dir, { recursive: true, force: true });
});

it('writes every table and reads it back exactly, on the server', async () => {
  const store = await openStore({ url: CLICKHOUSE_URL, dataDir: dir, database });
  try {
    await store.migrate();
    const runId = testRunId();
    const rows = edgeRows(runId);
    const recorder = new Recorder(store, { spoolDir: join(dir, 'spool') });
    for (const table of TABLES) for (const row of rows[table]) recorder.push(table, row as never);
    expect(await recorder.close()).toMatchObject({ complete: true, spooled: 0, invalid: 0 });
    for (const table of TABLES) expect(await readBack(store, table, runId), table).toEqual(sortedLikeStore(table, rows[table] as never));
    const stats = recorder.stats();
    const total = TABLES.reduce((n, t) => n + rows[t].length, 0);
    expect(stats).toMatchObject({ pushed: total, written: total, pending: 0, spooled: 0, failures: 0, lastError: '' });
  } finally {
    await store.close();
  }
});
