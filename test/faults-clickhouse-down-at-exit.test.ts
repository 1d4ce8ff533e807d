/**
 * ClickHouse goes away during a run and is still away when the CLI exits:
 * the rows it could not take are safe in the spool (the CLI says where and
 * how they get in), and the next run on the same --data-dir and
 * --clickhouse writes them first, exactly once: afterwards every planned op
 * of the first run is in ClickHouse once, with its summary and its end row,
 * and `hotbench report` renders it.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { hasStackTrace, runCli } from './support/cli.js';
import { PG_URL } from './support/database.js';
import { Relay } from './support/relay.js';
import { CLICKHOUSE_URL, opCounts, runIdOf, sharedStore, smallScenario, watchCli } from './hardening-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'hbt-ch-down-'));
const relay = new Relay(CLICKHOUSE_URL);
afterAll(async () => {
  await relay.stop();
  rmSync(dir, { recursive: true, force: true });
});

const SECONDS = 6;
const RATE = 150;

it('keeps the rows in the spool when ClickHouse is still down at exit, and the next run writes them exactly once', async () => {
  await relay.start();
  const data = join(dir, 'data');
  const spool = join(data, 'spool');
  const common = ['--strategies', 'atomic', '--pg', PG_URL, '--clickhouse', relay.url(), '--data-dir', data, '--out', join(dir, 'out'), '--progress', 'off'];
  let cut: Promise<void> | undefined;
  const first = await watchCli(['run', '--scenario', smallScenario(dir, { seconds: SECONDS, rate: RATE }), ...common], {
    onStderr: (stderr) => {
      if (cut === undefined && /atomic: \d+ ops over/.test(stderr)) cut = new Promise((r) => setTimeout(r, 2_000)).then(() => relay.cut());
    },
  });
  await cut;
  expect(first.code, first.stderr).toBe(0);
  expect(hasStackTrace(first.stderr)).toBe(false);
  const runId = runIdOf(first.stderr);
  // Where the rows are and how they get in, on the terminal.
  const told = /recorder: ClickHouse is still unreachable \(.*\): (\d+) rows are safe in the spool (\S+); the next `hotbench run` with the same --data-dir and --clickhouse writes them first, then `hotbench report (\S+)` renders this run/.exec(first.stderr);
  expect(told, first.stderr).not.toBeNull();
  expect(told![2]).toBe(spool);
  expect(told![3]).toBe(runId);
  const spooledRows = Number(told![1]);
  expect(spooledRows).toBeGreaterThan(0);
  expect(first.stderr).toMatch(new RegExp(`report: could not be rendered .*hotbench report ${runId}`));
  expect(readdirSync(spool)).toContain('ops.tsv');

  const store = await sharedStore();
  try {
    const planned = SECONDS * RATE;
    const before = await opCounts(store, runId);
    expect(before.n).toBeLessThan(planned); // some ops really waited in the spool
    expect(await store.query('SELECT status FROM run_ends WHERE run_id = {run:String}', { run: runId })).toEqual([]);

    await relay.restore();
    const second = await runCli(['run', '--scenario', smallScenario(dir, { seconds: 1, rate: 50 }), ...common], { timeoutMs: 120_000 });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(new RegExp(`recorder: replaying ${spooledRows} rows an earlier run spooled under ${spool}`));
    expect(second.stderr).toMatch(/recorder: ClickHouse caught up: \d+ spooled rows written/);

    expect(await opCounts(store, runId)).toEqual({ n: planned, distinct: planned });
    expect(await store.query('SELECT status FROM run_ends WHERE run_id = {run:String}', { run: runId })).toEqual([{ status: 'complete' }]);
    const replays = await store.query<{ status: string; sent_ops: number }>('SELECT status, sent_ops FROM strategy_runs WHERE run_id = {run:String}', { run: runId });
    expect(replays).toEqual([{ status: 'completed', sent_ops: planned }]);
    // The spool is empty and gone once replayed.
    expect(existsSync(join(spool, 'ops.tsv'))).toBe(false);
    // The second run itself is whole too.
    expect(await opCounts(store, runIdOf(second.stderr))).toEqual({ n: 50, distinct: 50 });
  } finally {
    await store.close();
  }

  const report = await runCli(['report', runId, '--clickhouse', CLICKHOUSE_URL, '--out', join(dir, 'out2')], { timeoutMs: 60_000 });
  expect(report.code, report.stderr).toBe(0);
  expect(report.stdout).toContain(runId);
}, 240_000);
