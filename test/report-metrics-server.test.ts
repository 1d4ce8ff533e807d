/**
 * loadRunReport on the ClickHouse 18.16 server returns exactly the metrics of a hand-made run:
 * percentiles by quantileExact's rank rule, goodput over max(schedule, last
 * ack), rejects by reason, lock wait, posting delay, incidents, events.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { loadRunReport } from '../reports/run/queries.js';
import { openStore } from '../results/open-store.js';
import { testRunId } from './recorder-fixture.js';
import { expectFakeReport, fakeRunRows, insertFakeRun } from './report-fixture.js';

const CLICKHOUSE_URL = process.env['CLICKHOUSE_URL'] ?? 'http://127.0.0.1:8123';
const database = `hbt_${randomBytes(4).toString('hex')}`;
const dir = mkdtempSync(join(tmpdir(), 'hbt-report-server-'));
afterAll(async () => {
  await fetch(`${CLICKHOUSE_URL}/`, { method: 'POST', body: `DROP DATABASE IF EXISTS ${database}` });
  rmSync(dir, { recursive: true, force: true });
});

it('computes every metric of the fake run exactly, on the ClickHouse 18.16 server', async () => {
  const store = await openStore({ url: CLICKHOUSE_URL, dataDir: dir, database });
  try {
    await store.migrate();
    const rows = fakeRunRows(testRunId('report'));
    await insertFakeRun(store, rows);
    await insertFakeRun(store, fakeRunRows(testRunId('other'))); // another run must not leak in
    expectFakeReport(await loadRunReport(store, rows.runs[0]!.run_id), rows, expect);
  } finally {
    await store.close();
  }
});
