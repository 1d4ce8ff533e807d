/**
 * The spool file on its own: lines come back in order and are consumed once;
 * what a dead process left (a replay position, a torn last line) is adopted
 * correctly; a batch put in front goes first; the files go when drained.
 */
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { SpoolFile, acquireSpoolDir } from '../runner/record/spool.js';

const dir = mkdtempSync(join(tmpdir(), 'hbt-spoolfile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const lines = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `{"n":${from + i}}\n`).join('');

it('appends, reads in order, commits once, puts a batch in front, and deletes itself when drained', async () => {
  const spool = await SpoolFile.open(join(dir, 'a'), 'ops');
  await spool.append(lines(10, 20), 10, 10);
  await spool.append(lines(20, 25), 5, 20);
  expect([spool.unreplayed, spool.headSeq]).toEqual([15, 10]);
  const first = (await spool.read(4))!;
  expect(first).toMatchObject({ body: lines(10, 14), lines: 4, firstSeq: 10 });
  expect((await spool.read(4))!.body).toBe(lines(10, 14)); // not consumed until committed
  await spool.commit(first);
  expect([spool.unreplayed, spool.headSeq]).toEqual([11, 14]);
  await spool.prepend(lines(0, 10), 10, 0);
  expect([spool.unreplayed, spool.headSeq]).toEqual([21, 0]);
  let all = '';
  for (let b = await spool.read(7); b; b = await spool.read(7)) {
    all += b.body;
    await spool.commit(b);
  }
  expect(all).toBe(lines(0, 10) + lines(14, 25));
  expect(spool.unreplayed).toBe(0);
  expect(existsSync(spool.path)).toBe(false);
});

it('adopts what a dead process left: its replay position, minus a torn last line', async () => {
  const d = join(dir, 'b');
  const first = await SpoolFile.open(d, 'events');
  await first.append(lines(0, 6), 6, 0);
  await first.commit((await first.read(2))!);
  appendFileSync(first.path, '{"n":6'); // the process died mid-append
  const adopted = await SpoolFile.open(d, 'events');
  expect([adopted.unreplayed, adopted.headSeq]).toEqual([4, 0]);
  expect((await adopted.read(100))!.body).toBe(lines(2, 6));
  expect(readFileSync(adopted.path, 'utf8')).toBe(lines(0, 6));
});

it('a spool folder held by a live process is not shared: the second holder gets a private one', async () => {
  const d = join(dir, 'c');
  const a = await acquireSpoolDir(d);
  const b = await acquireSpoolDir(d);
  expect(a.dir).toBe(d);
  expect(b.dir).toBe(join(d, `${process.pid}-1`));
  await a.release();
  writeFileSync(join(d, 'lock'), '999999999'); // a holder that is gone
  const c = await acquireSpoolDir(d);
  expect(c.dir).toBe(d);
  await c.release();
});
