/**
 * The start barrier through PostgreSQL: shards that all join start at one
 * instant; two shards with one index, a shard of another count, a shard that
 * never comes and a shard that comes too late each get one line.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { joinStartBarrier, type BarrierOptions } from '../runner/shard/barrier.js';
import { checkNotLate, parseStartAt } from '../runner/shard/start-at.js';
import { freshDatabase, type FreshDatabase } from './support/database.js';

let db: FreshDatabase;
beforeAll(async () => {
  db = await freshDatabase();
});
afterAll(async () => db?.drop());

const join = (stage: string, index: number, count: number, extra: Partial<BarrierOptions> = {}) =>
  joinStartBarrier({ url: db.url, runId: 'barrier-test', stage, shard: { index, count }, leadMs: 300, timeoutMs: 5_000, ...extra });

/** Waits until `shard` has joined `stage` (a fixed sleep is not enough on a loaded machine). */
async function joined(stage: string, shard: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const res = await db.pool.query('SELECT 1 FROM hotbench_shard_barrier WHERE run_id = $1 AND stage = $2 AND shard = $3', ['barrier-test', stage, shard]).catch(() => ({ rowCount: 0 }));
    if ((res.rowCount ?? 0) > 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`shard ${shard} never joined ${stage}`);
}

async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('shard start barrier', () => {
  it('starts every shard at the same instant, a lead after the last one joined', async () => {
    const first = join('all-join', 0, 3);
    await joined('all-join', 0);
    await new Promise((r) => setTimeout(r, 400)); // shard 0 waits for the others
    const t = Date.now();
    const [a, b, c] = await Promise.all([first, join('all-join', 1, 3), join('all-join', 2, 3)]);
    expect(b.startAtPgMs).toBe(a.startAtPgMs);
    expect(c.startAtPgMs).toBe(a.startAtPgMs);
    // Same host, same clock: the start is ~300 ms after the last join, in the future when it resolves.
    expect(a.startAtLocalMs - t).toBeGreaterThan(200);
    expect(a.startAtLocalMs - t).toBeLessThan(1_500);
    expect(a.waitedMs).toBeGreaterThanOrEqual(400);
  });

  it('refuses a second shard with the same index, naming who holds it', async () => {
    const zero = join('duplicate', 0, 2);
    await joined('duplicate', 0);
    const line = await failure(join('duplicate', 0, 2));
    expect(line, line).toMatch(/^shard 0\/2 of run barrier-test \(duplicate\): shard index 0 is already taken by host \S+ pid \d+ .*give each process its own --shard i\/2$/);
    expect(line).not.toContain('\n');
    await join('duplicate', 1, 2);
    await zero;
  });

  it('refuses a shard started with another shard count', async () => {
    const zero = join('count', 0, 2, { timeoutMs: 1_500 }).catch((e: Error) => e.message);
    await joined('count', 0);
    expect(await failure(join('count', 1, 3))).toMatch(/was started with 2 shards, this one with 3: start every shard of a run with the same n/);
    expect(await zero).toMatch(/did not join|started with/);
  });

  it('gives up on a shard that never comes, naming it, and refuses it when it comes after all', async () => {
    const zero = join('missing', 0, 3, { timeoutMs: 800 });
    const one = join('missing', 1, 3, { timeoutMs: 800 });
    const [l0, l1] = await Promise.all([failure(zero), failure(one)]);
    // The first to time out abandons the barrier and names the missing shard; the other may see the abandonment first.
    const lines = [l0, l1].sort();
    for (const line of lines) expect(line).toMatch(/: shard 2 of 3 did not join within \d+ s.*; nothing was sent\. Start/);
    expect(lines.join('\n')).toMatch(/Start the missing shard with --run-id barrier-test --shard 2\/3/);
    expect(await failure(join('missing', 2, 3))).toMatch(/arrived after the start barrier was abandoned \(shard 2 of 3 did not join within \d+ s\); start every shard again with a new --run-id/);
  });

  it('refuses a shard that joins after the others started', async () => {
    await Promise.all([join('late', 0, 2), join('late', 1, 2)]);
    // A third process with a taken index would be refused anyway: a rerun of shard 1 after the start is "late".
    expect(await failure(join('late', 1, 2))).toMatch(/joined after the other shards started \(.* ago|starting in .*\): this shard's ops would all be late, so it sends nothing/);
  });
});

describe('--start-at', () => {
  it('reads ISO 8601 times with a zone and refuses the rest in one line', () => {
    expect(parseStartAt('2026-12-07T18:30:00Z')).toBe(Date.UTC(2026, 11, 7, 18, 30, 0));
    expect(parseStartAt('2026-12-07T19:30:00+01:00')).toBe(Date.UTC(2026, 11, 7, 18, 30, 0));
    expect(() => parseStartAt('2026-12-07T18:30:00')).toThrow(/expected an ISO 8601 time with its zone/);
    expect(() => parseStartAt('in a minute')).toThrow(/expected an ISO 8601 time with its zone/);
  });

  it('lets a shard start within the grace and refuses a later one, saying how late', () => {
    const t = Date.UTC(2026, 11, 7, 18, 30, 0);
    expect(() => checkNotLate(t, t + 200, { index: 1, count: 4 }, 'r1')).not.toThrow();
    expect(() => checkNotLate(t, t - 5_000, { index: 1, count: 4 }, 'r1')).not.toThrow();
    expect(() => checkNotLate(t, t + 3_200, { index: 1, count: 4 }, 'r1')).toThrow(/^shard 1\/4 of run r1 was ready 3\.2 s after --start-at 2026-12-07T18:30:00\.000Z: its ops would go out that late, so it sends nothing/);
  });
});
