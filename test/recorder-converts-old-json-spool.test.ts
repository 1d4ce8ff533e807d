/**
 * A spool written before the recorder switched to TabSeparated (JSONEachRow
 * lines in `<table>.ndjson`, replay position in `<table>.pos`) is not lost on
 * upgrade: the next recorder converts what is left of it and writes it,
 * exactly once, from the old replay position, without the torn last line;
 * a column the old line lacks gets ClickHouse's default, and a line that
 * cannot be converted is set aside with its reason and said so. A crash
 * after the converted file took the spool's name removes only the old file.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { encodeRow, encodeTsvRow } from '../results/encode.js';
import { openStore } from '../results/open-store.js';
import type { OpRow } from '../results/rows.js';
import type { Store } from '../results/store.js';
import { Recorder } from '../runner/record/recorder.js';
import { SpoolFile } from '../runner/record/spool.js';
import { readBack, testRunId } from './recorder-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'hbt-oldspool-'));
let store: Store;
beforeAll(async () => {
  store = await openStore({ dataDir: join(dir, 'clickhouse') });
  await store.migrate();
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function op(runId: string, i: number): OpRow {
  return {
    run_id: runId, strategy: 'cache', rep: 0, op_id: i, kind: 'charge', account: i % 3, amount: i + 1, job: -1, intended_us: i * 100, sent_us: i * 100,
    acked_us: i * 100 + 7, status: 'applied', reason: '', lock_wait_us: -1, pool_wait_us: -1, queue_us: -1, attempts: 1, balance: 0, detail: `old "${i}"\ttab`,
  };
}

it('converts an old JSONEachRow spool from its replay position and writes it exactly once', async () => {
  const runId = testRunId('old');
  const spoolDir = join(dir, 'spool');
  mkdirSync(spoolDir, { recursive: true });
  const ops = Array.from({ length: 6 }, (_, i) => op(runId, i));
  const lines = ops.map((r) => `${encodeRow('ops', r)}\n`);
  const { detail: _, ...withoutDetail } = ops[4]!; // a line from a schema without `detail`
  lines[4] = `${JSON.stringify(withoutDetail)}\n`;
  lines[3] = '{"run_id": oops\n'; // not JSON
  writeFileSync(join(spoolDir, 'ops.ndjson'), `${lines.join('')}{"run_id":"${runId}","op_id":9`); // the old process died mid-append
  writeFileSync(join(spoolDir, 'ops.pos'), String(Buffer.byteLength(lines[0]!))); // line 0 was already replayed

  const notes: string[] = [];
  const recorder = new Recorder(store, { spoolDir, onNote: (l) => notes.push(l) });
  expect(await recorder.close()).toMatchObject({ complete: true, spooled: 0, invalid: 1 });

  expect(await readBack(store, 'ops', runId)).toEqual([ops[1], ops[2], { ...ops[4], detail: '' }, ops[5]]);
  const setAside = readFileSync(join(spoolDir, 'ops.invalid.ndjson'), 'utf8').trim().split('\n');
  expect(setAside).toHaveLength(1);
  expect(JSON.parse(setAside[0]!)).toMatchObject({ table: 'ops', line: '{"run_id": oops' });
  expect(notes[0]).toMatch(/^1 ops row\(s\) did not fit their columns \(an old spool line could not be converted: .*JSON.*\); kept in .*ops\.invalid\.ndjson, not written$/);
  expect(notes).toContain(`replaying 4 rows an earlier run spooled under ${spoolDir}`);
  expect(readdirSync(spoolDir).filter((f) => f.startsWith('ops.') && f !== 'ops.invalid.ndjson')).toEqual([]);
});

it('after a crash between the rename and the delete, drops only the old file (nothing twice)', async () => {
  const runId = testRunId('crash');
  const spoolDir = join(dir, 'crash');
  mkdirSync(spoolDir, { recursive: true });
  const ops = Array.from({ length: 3 }, (_, i) => op(runId, i));
  writeFileSync(join(spoolDir, 'events.ndjson'), ops.map((r) => `${encodeRow('ops', r)}\n`).join('')); // stands for any table
  writeFileSync(join(spoolDir, 'events.tsv'), 'converted\nlines\n');
  const spool = await SpoolFile.open(spoolDir, 'events');
  expect([spool.unreplayed, spool.legacy?.converted]).toEqual([2, 0]);
  expect(existsSync(join(spoolDir, 'events.ndjson'))).toBe(false);
  expect((await spool.read(10))!.body).toBe('converted\nlines\n');
});

it('a conversion of the byte writer agrees with the store encoder line for line', async () => {
  const spoolDir = join(dir, 'agree');
  mkdirSync(spoolDir, { recursive: true });
  const ops = Array.from({ length: 50 }, (_, i) => op('agree', i));
  writeFileSync(join(spoolDir, 'ops.ndjson'), ops.map((r) => `${encodeRow('ops', r)}\n`).join(''));
  const spool = await SpoolFile.open(spoolDir, 'ops');
  expect(spool.legacy).toMatchObject({ converted: 50, setAside: 0 });
  expect((await spool.read(100))!.body).toBe(ops.map((r) => `${encodeTsvRow('ops', r)}\n`).join(''));
});
