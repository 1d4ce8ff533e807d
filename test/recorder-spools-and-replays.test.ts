/**
 * When ClickHouse refuses connections, pushed rows go to the spool
 * (TabSeparated lines per table) and nothing is lost; once the recorder has a working store
 * again (swapped in, or a later process replaying the folder) every row
 * lands exactly once and the spool is gone.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openStore } from '../results/open-store.js';
import { encodeTsvRow } from '../results/encode.js';
import { openServerStore } from '../results/server-store.js';
import type { OpRow, EventRow } from '../results/rows.js';
import type { Store } from '../results/store.js';
import { Recorder } from '../runner/record/recorder.js';
import { replaySpool } from '../runner/record/replay-spool.js';
import { readBack, refusedPort, testRunId } from './recorder-fixture.js';

const CLICKHOUSE_URL = process.env['CLICKHOUSE_URL'] ?? 'http://127.0.0.1:8123';
const database = `hbt_${randomBytes(4).toString('hex')}`;
const dir = mkdtempSync(join(tmpdir(), 'hbt-spool-'));
let good: Store;
let dead: Store;


beforeAll(async () => {
  good = await openStore({ url: CLICKHOUSE_URL, dataDir: dir, database });
  await good.migrate();
  dead = await openServerStore({ url: `http://127.0.0.1:${await refusedPort()}`, database, verify: false });
});
afterAll(async () => {
  await good.close();
  await dead.close();
  await fetch(`${CLICKHOUSE_URL}/`, { method: 'POST', body: `DROP DATABASE IF EXISTS ${database}` });
  rmSync(dir, { recursive: true, force: true });
});

function op(runId: string, i: number): OpRow {
  return {
    run_id: runId, strategy: 'cache', rep: 0, op_id: i, kind: 'charge', account: i % 3, amount: i + 1, job: -1, intended_us: i * 100, sent_us: i * 100,
    acked_us: i * 100 + 7, status: 'accepted', reason: '', lock_wait_us: -1, pool_wait_us: -1, queue_us: -1, attempts: 1, balance: 0, detail: `op "${i}" ✓`,
  };
}
function event(runId: string, i: number): EventRow {
  return { run_id: runId, strategy: 'cache', rep: 0, at_us: i, type: 'note', kind: 'spool', account: -1, detail: `note\n${i}` };
}
function spooledLines(spoolDir: string, table: string): string[] {
  const file = join(spoolDir, `${table}.tsv`);
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(0, -1) : [];
}

it('spools while ClickHouse refuses, then replays into a swapped-in store exactly once', async () => {
  const runId = testRunId('spool');
  const spoolDir = join(dir, 'swap');
  const notes: string[] = [];
  const recorder = new Recorder(dead, { spoolDir, onNote: (l) => notes.push(l), flushIntervalMs: 20, retryMinMs: 20, retryMaxMs: 100 });
  const ops = Array.from({ length: 3000 }, (_, i) => op(runId, i));
  const events = Array.from({ length: 5 }, (_, i) => event(runId, i));
  for (const row of ops.slice(0, 2000)) recorder.push('ops', row);
  for (const row of events) recorder.push('events', row);

  const down = await recorder.flush({ deadlineMs: 300 });
  expect(down).toMatchObject({ complete: false, spooled: 2005, spoolDir });
  expect(down.lastError).toContain('is unreachable (ECONNREFUSED)');
  expect(spooledLines(spoolDir, 'ops')).toEqual(ops.slice(0, 2000).map((r) => encodeTsvRow('ops', r)));
  expect(spooledLines(spoolDir, 'events')).toEqual(events.map((r) => encodeTsvRow('events', r)));
  // Still down: later rows queue behind the spooled ones.
  for (const row of ops.slice(2000)) recorder.push('ops', row);
  await new Promise((r) => setTimeout(r, 100));
  expect(recorder.stats()).toMatchObject({ spooling: true, written: 0 });
  expect(recorder.stats().failures).toBeGreaterThan(0);

  recorder.setStore(good);
  const up = await recorder.close();
  expect(up).toMatchObject({ complete: true, spooled: 0 });
  expect(await readBack(good, 'ops', runId)).toEqual(ops);
  expect(await readBack(good, 'events', runId)).toEqual(events);
  expect(recorder.stats()).toMatchObject({ pushed: 3005, written: 3005, pending: 0, spooled: 0, spooling: false });
  expect(existsSync(join(spoolDir, 'ops.tsv'))).toBe(false);
  expect(notes).toHaveLength(2);
  expect(notes[0]).toMatch(/^ClickHouse unavailable \(ClickHouse server at http:\/\/127\.0\.0\.1:\d+ is unreachable \(ECONNREFUSED\)\. .*\); spooling/);
  expect(notes[1]).toBe('ClickHouse caught up: 3005 spooled rows written');
});

it('a spool left by a process that gave up is replayed later, exactly once, by replaySpool or a new recorder', async () => {
  const runId = testRunId('later');
  const spoolDir = join(dir, 'later');
  const first = new Recorder(dead, { spoolDir, flushDeadlineMs: 200, retryMinMs: 20 });
  const ops = Array.from({ length: 1500 }, (_, i) => op(runId, i));
  for (const row of ops.slice(0, 1000)) first.push('ops', row);
  expect(await first.close()).toMatchObject({ complete: false, spooled: 1000 });

  expect(await replaySpool(spoolDir, good, 300)).toMatchObject({ ops: 1000, events: 0 });
  expect(await replaySpool(spoolDir, good)).toMatchObject({ ops: 0 });
  expect(await readBack(good, 'ops', runId)).toEqual(ops.slice(0, 1000));

  const second = new Recorder(dead, { spoolDir, flushDeadlineMs: 200, retryMinMs: 20 });
  for (const row of ops.slice(1000)) second.push('ops', row);
  expect(await second.close()).toMatchObject({ complete: false, spooled: 500 });
  const notes: string[] = [];
  const third = new Recorder(good, { spoolDir, onNote: (l) => notes.push(l) });
  expect(await third.close()).toMatchObject({ complete: true, spooled: 0 });
  expect(notes).toEqual([`replaying 500 rows an earlier run spooled under ${spoolDir}`, 'ClickHouse caught up: 500 spooled rows written']);
  expect(await readBack(good, 'ops', runId)).toEqual(ops);
});
