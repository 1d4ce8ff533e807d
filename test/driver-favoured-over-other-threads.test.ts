/**
 * During a replay the driver's thread keeps its priority and every other
 * thread of the process (here: chdb's, libuv's, V8's) runs at nice 10,
 * including threads that appear after it started; `HOTBENCH_FAVOUR_DRIVER=0`
 * leaves every thread alone. (Linux: it reads /proc.)
 */
import { mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { getPriority } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, expect, it } from 'vitest';
import { BACKGROUND_NICE, favourDriverThread } from '../runner/driver/favour-driver.js';
import { openStore } from '../results/open-store.js';
import type { Store } from '../results/store.js';

const dir = mkdtempSync(join(tmpdir(), 'hbt-favour-'));
let store: Store | undefined;
afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const own = (): number => Number(readlinkSync('/proc/thread-self').split('/').pop());

/** Nice value of every other live thread. */
function others(): number[] {
  const nices: number[] = [];
  for (const name of readdirSync('/proc/self/task')) {
    if (Number(name) === own()) continue;
    try {
      nices.push(getPriority(Number(name)));
    } catch {
      // ended meanwhile
    }
  }
  return nices;
}

it.runIf(process.platform === 'linux')('lowers every other thread, also later ones, and not its own; =0 turns it off', async () => {
  store = await openStore({ dataDir: join(dir, 'clickhouse'), database: 'hbt_favour' });
  await store.migrate();
  const ownBefore = getPriority(own());
  const before = others();
  expect(before.length).toBeGreaterThan(5); // chdb, libuv and V8 threads exist

  process.env['HOTBENCH_FAVOUR_DRIVER'] = '0';
  favourDriverThread()();
  expect(others()).toEqual(before);
  delete process.env['HOTBENCH_FAVOUR_DRIVER'];

  const stop = favourDriverThread();
  try {
    expect(others().every((n) => n >= BACKGROUND_NICE)).toBe(true);
    // New threads: a worker thread started from this one inherits this one's priority (0); ClickHouse's
    // pools may grow too. The recheck, within a second, lowers them.
    const tidsBefore = new Set(readdirSync('/proc/self/task'));
    const worker = new Worker('setInterval(() => {}, 1000)', { eval: true });
    try {
      await new Promise((r) => worker.once('online', r));
      for (let i = 0; i < 3; i++) await store.query(`INSERT INTO samples SELECT 'r', 's', 0, number, 'x', 1.5 FROM numbers(100000)`);
      const born = readdirSync('/proc/self/task').filter((t) => !tidsBefore.has(t));
      expect(born.length).toBeGreaterThan(0);
      expect(born.some((t) => getPriority(Number(t)) < BACKGROUND_NICE)).toBe(true); // not lowered yet
      await new Promise((r) => setTimeout(r, 1_300));
      expect(others().every((n) => n >= BACKGROUND_NICE)).toBe(true);
      expect(getPriority(own())).toBe(ownBefore);
    } finally {
      await worker.terminate();
    }
  } finally {
    stop();
  }
});
