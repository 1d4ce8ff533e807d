/**
 * `listRuns` lists runs newest first with status (incomplete when no end was
 * recorded), strategies in run order and planned ops; `runExists` and
 * `loadRunReport` refuse malformed ids and name a missing run in one line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { listRuns, loadRunReport, runExists } from '../reports/run/queries.js';
import { StoreError } from '../results/errors.js';
import { openStore } from '../results/open-store.js';
import { testRunId } from './recorder-fixture.js';
import { CACHE_LABEL, fakeRunRows, insertFakeRun } from './report-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'hbt-list-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('lists runs newest first and checks run ids', async () => {
  const store = await openStore({ dataDir: dir });
  try {
    await store.migrate();
    expect(await listRuns(store)).toEqual([]);
    const older = fakeRunRows(testRunId('old'), '2024-05-01 10:00:00');
    const newer = fakeRunRows(testRunId('new'), '2024-05-02 10:00:00');
    newer.run_ends = []; // killed: no end row
    newer.strategy_runs = newer.strategy_runs.filter((s) => s.strategy === 'buffer');
    await insertFakeRun(store, older);
    await insertFakeRun(store, newer);

    const runs = await listRuns(store, { limit: 10 });
    expect(runs).toEqual([
      { run_id: newer.runs[0]!.run_id, started_at: '2024-05-02 10:00:00', scenario: newer.runs[0]!.scenario, status: 'incomplete', strategies: ['buffer'], planned_ops: 1000, command: 'hotbench run' },
      { run_id: older.runs[0]!.run_id, started_at: '2024-05-01 10:00:00', scenario: older.runs[0]!.scenario, status: 'complete', strategies: ['row-lock', CACHE_LABEL, 'buffer'], planned_ops: 1000, command: 'hotbench run' },
    ]);
    expect((await listRuns(store, { limit: 1 })).map((r) => r.run_id)).toEqual([newer.runs[0]!.run_id]);

    // The killed run: replays with ops but no summary row are reported as interrupted, after the summarised ones, by label.
    const killed = await loadRunReport(store, newer.runs[0]!.run_id);
    expect(killed.run.status).toBe('incomplete');
    expect(killed.run.finished_at).toBeNull();
    expect(killed.strategies.map((s) => [s.label, s.status])).toEqual([['buffer', 'skipped'], [CACHE_LABEL, 'interrupted'], ['row-lock', 'interrupted']]);
    expect(killed.strategies[2]!.ack_latency_us.p50).toBe(49_600);
    expect(killed.strategies[2]!.detail).toBe('no summary was recorded: the run stopped during this replay');

    expect(await runExists(store, older.runs[0]!.run_id)).toBe(true);
    expect(await runExists(store, 'never-recorded')).toBe(false);
    await expect(runExists(store, "x' OR 1=1 --")).rejects.toThrow(StoreError);
    await expect(runExists(store, "x' OR 1=1 --")).rejects.toThrow(`run id "x' OR 1=1 --" is not valid`);
    await expect(loadRunReport(store, 'a'.repeat(65))).rejects.toThrow('is not valid');
    await expect(loadRunReport(store, 'never-recorded')).rejects.toThrow(`no run never-recorded in chdb at ${dir}: see \`hotbench runs\``);
  } finally {
    await store.close();
  }
});
