/**
 * ClickHouse stops for a few seconds in the middle of a run (a relay in front
 * of the shared server is cut, then restored): the recorder spools what it
 * cannot write, catches up by itself, and nothing is lost or doubled: every
 * planned op of the run is in ClickHouse exactly once, the run is complete,
 * and both the terminal and the run's events say the recorder spooled and
 * caught up.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { PG_URL } from './support/database.js';
import { Relay } from './support/relay.js';
import { CLICKHOUSE_URL, opCounts, runIdOf, sharedStore, smallScenario, watchCli } from './hardening-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'hbt-ch-outage-'));
const relay = new Relay(CLICKHOUSE_URL);
afterAll(async () => {
  await relay.stop();
  rmSync(dir, { recursive: true, force: true });
});

const SECONDS = 10;
const RATE = 150;
const OUTAGE_MS = 4_000;

it('spools while ClickHouse is away, catches up, and records every op exactly once', async () => {
  await relay.start();
  const scenario = smallScenario(dir, { seconds: SECONDS, rate: RATE });
  let cutAt = 0;
  let restoredAt = 0;
  const outage = { done: Promise.resolve() };
  const res = await watchCli(
    ['run', '--scenario', scenario, '--strategies', 'atomic', '--pg', PG_URL, '--clickhouse', relay.url(), '--data-dir', join(dir, 'data'), '--out', join(dir, 'out'), '--progress', 'off'],
    {
      onStderr: (stderr) => {
        if (cutAt !== 0 || !/atomic: \d+ ops over/.test(stderr)) return;
        cutAt = Date.now();
        outage.done = (async () => {
          await new Promise((r) => setTimeout(r, 2_500)); // well into the schedule
          await relay.cut();
          await new Promise((r) => setTimeout(r, OUTAGE_MS));
          await relay.restore();
          restoredAt = Date.now();
        })();
      },
    },
  );
  await outage.done;
  expect(restoredAt, res.stderr).toBeGreaterThan(cutAt);
  expect(res.code, res.stderr).toBe(0);
  const runId = runIdOf(res.stderr);
  expect(res.stderr).toMatch(new RegExp(`run ${runId}: complete`));
  // The terminal says it happened, in this order.
  const unavailable = res.stderr.indexOf('recorder: ClickHouse unavailable');
  const caughtUp = res.stderr.search(/recorder: ClickHouse caught up: \d+ spooled rows written/);
  expect(unavailable, res.stderr).toBeGreaterThanOrEqual(0);
  expect(caughtUp, res.stderr).toBeGreaterThan(unavailable);

  const store = await sharedStore();
  try {
    const planned = SECONDS * RATE;
    expect(await opCounts(store, runId)).toEqual({ n: planned, distinct: planned });
    const [replay] = await store.query<{ status: string; planned_ops: number; sent_ops: number; audited: number; conservation_ok: number }>(
      'SELECT status, planned_ops, sent_ops, audited, conservation_ok FROM strategy_runs WHERE run_id = {run:String}',
      { run: runId },
    );
    expect(replay).toEqual({ status: 'completed', planned_ops: planned, sent_ops: planned, audited: 1, conservation_ok: 1 });
    const ends = await store.query<{ status: string }>('SELECT status FROM run_ends WHERE run_id = {run:String}', { run: runId });
    expect(ends).toEqual([{ status: 'complete' }]);
    expect(await store.query('SELECT run_id FROM runs WHERE run_id = {run:String}', { run: runId })).toHaveLength(1);
    // The report's run-level events hold both recorder notes, once each.
    const notes = await store.query<{ detail: string }>(
      "SELECT detail FROM events WHERE run_id = {run:String} AND strategy = '' AND kind = 'recorder' ORDER BY at_us",
      { run: runId },
    );
    expect(notes.map((n) => n.detail.replace(/\(.*$/, '').replace(/\d+/g, 'N').trim())).toEqual(['ClickHouse unavailable', 'ClickHouse caught up: N spooled rows written']);
    const spooled = Number(/caught up: (\d+) spooled/.exec(notes[1]!.detail)?.[1]);
    expect(spooled).toBeGreaterThan(0);
  } finally {
    await store.close();
  }
  // The report says it too (run-level notes).
  const md = readFileSync(join(dir, 'out', runId, 'report.md'), 'utf8');
  expect(md).toMatch(/run note.*recorder: ClickHouse unavailable/);
  expect(md).toMatch(/run note.*recorder: ClickHouse caught up: \d+ spooled rows written/);
  // Everything went through the relay.
  expect(relay.accepted).toBeGreaterThan(0);
}, 180_000);
