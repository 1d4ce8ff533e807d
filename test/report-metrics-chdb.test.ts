/**
 * loadRunReport on chdb returns exactly the metrics of a hand-made run:
 * percentiles by quantileExact's rank rule, goodput over max(schedule, last
 * ack), rejects by reason, lock wait, posting delay, incidents, events.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { loadRunReport } from '../reports/run/queries.js';
import { openStore } from '../results/open-store.js';
import { testRunId } from './recorder-fixture.js';
import { expectFakeReport, fakeRunRows, insertFakeRun } from './report-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'hbt-report-chdb-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('computes every metric of the fake run exactly, on chdb', async () => {
  const store = await openStore({ dataDir: dir });
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
