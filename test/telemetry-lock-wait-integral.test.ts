/**
 * The telemetry's lock-wait integral equals the time sessions really spent
 * waiting: K sessions queue on one locked row for a known time; the sum of
 * the `pg_lock_wait_us` samples must equal the sum of the waits the sessions
 * measured themselves, within K × (the longest gap between two polls + the
 * longest poll round trip): each of the 2 transitions per waiter (it starts
 * waiting, it is granted) falls somewhere inside one poll gap, where the
 * trapezoid rule is off by at most half a gap, and a session's own timing
 * includes up to one round trip of this process's event-loop delay. A waiter
 * in another database is not counted.
 */
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MonotonicClock } from '../runner/clock.js';
import { PG_SAMPLES, startPgTelemetry, type PgTelemetrySummary } from '../runner/telemetry/pg-telemetry.js';
import { PG_URL, freshDatabase, type FreshDatabase } from './support/database.js';

const K = 4;
const HOLD_MS = 1_500;

let db: FreshDatabase;
let other: FreshDatabase;
const samples: { name: string; value: number; at: number }[] = [];
let summary: PgTelemetrySummary;
let measuredWaitUs = 0;
/** When the holders were asked to commit (the run clock): until then the queue is steady. */
let commitAt = 0;

async function client(url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url });
  c.on('error', () => undefined);
  await c.connect();
  return c;
}

/** Locks row 1 of `t` in `url`'s database, then starts `waiters` sessions updating it; returns the holder and the waits (µs, client-measured). */
async function queueOnRow(url: string, waiters: number, clock: MonotonicClock) {
  const holder = await client(url);
  await holder.query('BEGIN');
  await holder.query('SELECT v FROM t WHERE id = 1 FOR UPDATE');
  const clients = await Promise.all(Array.from({ length: waiters }, () => client(url)));
  const waits = clients.map(async (c) => {
    const start = clock.now();
    await c.query('UPDATE t SET v = v + 1 WHERE id = 1');
    return clock.now() - start;
  });
  return { holder, clients, waits };
}

beforeAll(async () => {
  [db, other] = await Promise.all([freshDatabase(), freshDatabase()]);
  for (const d of [db, other]) await d.pool.query('CREATE TABLE t (id int PRIMARY KEY, v int NOT NULL); INSERT INTO t VALUES (1, 0)');
  const clock = new MonotonicClock();
  // The poller sits on the server's default database, like the run's (the maintenance one).
  const telemetry = startPgTelemetry({ url: PG_URL, database: db.name, clock, sample: (name, value, at) => samples.push({ name, value, at }) });
  while (samples.length === 0) await new Promise((r) => setTimeout(r, 20)); // connected and polling
  await new Promise((r) => setTimeout(r, 200));

  const watched = await queueOnRow(db.url, K, clock);
  const elsewhere = await queueOnRow(other.url, 1, clock);
  await new Promise((r) => setTimeout(r, HOLD_MS));
  commitAt = clock.now();
  await Promise.all([watched.holder.query('COMMIT'), elsewhere.holder.query('COMMIT')]);
  measuredWaitUs = (await Promise.all(watched.waits)).reduce((a, b) => a + b, 0);
  await Promise.all(elsewhere.waits);
  await new Promise((r) => setTimeout(r, 300));
  summary = await telemetry.stop();
  await Promise.all([...watched.clients, watched.holder, ...elsewhere.clients, elsewhere.holder].map((c) => c.end()));
}, 60_000);

afterAll(async () => {
  await Promise.all([db?.drop(), other?.drop()]);
});

const series = (name: string) => samples.filter((s) => s.name === name);

it('integrates K waiters × the hold time into lock-wait seconds', () => {
  expect(summary.errors, summary.firstError).toBe(0);
  const integralUs = series(PG_SAMPLES.lockWaitUs).reduce((a, s) => a + s.value, 0);
  expect(integralUs).toBeCloseTo(summary.lockWaitUs, 3);
  // The waits were real: each waiter waited about the hold time.
  expect(measuredWaitUs).toBeGreaterThan(K * HOLD_MS * 1000 * 0.95);
  // Stated tolerance: K × (the longest poll gap + the longest poll round trip). The sampler is off by at
  // most half a gap per transition (2 per waiter); the waiters' own clocks read their answers up to a
  // round trip late when this process's event loop is busy. Seen: 1-3 % of 6 s, tolerance ~4 %.
  const tolerance = K * (summary.maxGapUs + summary.maxPollUs);
  // Polls come every ~50 ms (a busy machine stretches a few gaps; the tolerance above follows the longest).
  const times = series(PG_SAMPLES.lockWaiters).map((s) => s.at);
  const gaps = times.slice(1).map((t, i) => t - times[i]!).sort((a, b) => a - b);
  expect(gaps[Math.floor(gaps.length / 2)]).toBeLessThan(100_000);
  expect(Math.abs(integralUs - measuredWaitUs)).toBeLessThanOrEqual(tolerance);
  // For the report: about 4 × 1.5 s = 6 lock-wait seconds.
  expect(integralUs / 1e6).toBeGreaterThan(5.5);
});

it('counts exactly the K waiters of the watched database, by wait event', () => {
  expect(summary.maxWaiters).toBe(K); // the waiter in the other database is not counted
  expect(Math.max(...series(PG_SAMPLES.lockWaiters).map((s) => s.value))).toBe(K);
  // While the holder holds the row, the first waiter waits for the holder's transaction and the others queue
  // for the row (tuple lock) behind it. (After the commit the queue hands the row on, and a poll can catch two
  // sessions waiting on a transaction for a moment: seen once under CI load. Only the steady queue is exact.)
  const byEvent = (event: string) => Math.max(...series(`${PG_SAMPLES.lockWaitersByEvent}${event}`).filter((s) => s.at < commitAt).map((s) => s.value));
  expect(byEvent('transactionid')).toBe(1);
  expect(byEvent('tuple')).toBe(K - 1);
  expect(Math.max(...series(PG_SAMPLES.ungrantedLocks).map((s) => s.value))).toBe(K);
  // And none before the row was locked nor after the commit.
  const waiters = series(PG_SAMPLES.lockWaiters);
  expect(waiters[0]!.value).toBe(0);
  expect(waiters.at(-1)!.value).toBe(0);
  expect(waiters.length).toBeGreaterThan((HOLD_MS + 600) / 50 / 2); // ~50 ms polls
});
