/**
 * The telemetry's commit, rollback, deadlock and WAL series add up to what
 * happened in the watched database: C commits, R rollbacks and one planted
 * deadlock, counted exactly (rate × the interval since the previous counter
 * sample, summed), and WAL bytes at least the size of what was inserted.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MonotonicClock } from '../runner/clock.js';
import { PG_SAMPLES, startPgTelemetry, type PgTelemetrySummary } from '../runner/telemetry/pg-telemetry.js';
import { packageRoot } from '../scenarios/index.js';
import { PG_URL, freshDatabase, type FreshDatabase } from './support/database.js';

const run = promisify(execFile);
const COMMITS = 40;
const ROLLBACKS = 7;
const ROW_BYTES = 1_500;

let db: FreshDatabase;
const samples: { name: string; value: number; at: number }[] = [];
let summary: PgTelemetrySummary;
let deadlockErrors = 0;

async function client(url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url });
  c.on('error', () => undefined);
  await c.connect();
  return c;
}

/** Resolves once `database`'s commit and rollback counters stayed the same for a second (at most 15 s). */
async function countersSettle(database: string): Promise<void> {
  const watcher = await client(PG_URL);
  try {
    let last = '';
    for (let i = 0; i < 15; i++) {
      await new Promise((r) => setTimeout(r, 1_000));
      const { rows } = await watcher.query<{ c: string }>("SELECT xact_commit || '/' || xact_rollback AS c FROM pg_stat_database WHERE datname = $1", [database]);
      if (rows[0]!.c === last) return;
      last = rows[0]!.c;
    }
  } finally {
    await watcher.end();
  }
}

beforeAll(async () => {
  db = await freshDatabase();
  await db.pool.query("CREATE TABLE t (id int PRIMARY KEY, pad text NOT NULL); INSERT INTO t VALUES (1, ''), (2, '')");
  // The pool stays connected and idle: its statistics flush (≤ 1 s) before the baseline below.
  await new Promise((r) => setTimeout(r, 1_500));
  const telemetry = startPgTelemetry({ url: PG_URL, database: db.name, clock: new MonotonicClock(), countersEveryMs: 500, sample: (name, value, at) => samples.push({ name, value, at }) });
  // The baseline is the first poll: nothing below may start before it (connecting can take a while on a busy machine).
  while (samples.length === 0) await new Promise((r) => setTimeout(r, 20));

  const a = await client(db.url);
  const b = await client(db.url);
  for (let i = 0; i < COMMITS; i++) await a.query('INSERT INTO t VALUES ($1, $2)', [100 + i, randomBytes(ROW_BYTES / 2).toString('hex')]);
  for (let i = 0; i < ROLLBACKS; i++) {
    await a.query('BEGIN');
    await a.query('UPDATE t SET pad = pad WHERE id = 1');
    await a.query('ROLLBACK');
  }
  // A deadlock: a locks 1 then wants 2, b locks 2 then wants 1; PostgreSQL aborts one (a rollback), the other commits.
  await a.query('BEGIN');
  await b.query('BEGIN');
  await a.query('UPDATE t SET pad = pad WHERE id = 1');
  await b.query('UPDATE t SET pad = pad WHERE id = 2');
  const crossed = [a.query('UPDATE t SET pad = pad WHERE id = 2'), b.query('UPDATE t SET pad = pad WHERE id = 1')];
  const settled = await Promise.allSettled(crossed);
  deadlockErrors = settled.filter((s) => s.status === 'rejected' && (s.reason as { code?: string }).code === '40P01').length;
  // Whichever PostgreSQL chose as the victim rolls back (1 rollback), the other commits (1 commit).
  const aWasVictim = settled[0]!.status === 'rejected';
  await Promise.all([a.query(aWasVictim ? 'ROLLBACK' : 'COMMIT'), b.query(aWasVictim ? 'COMMIT' : 'ROLLBACK')]);
  // Disconnecting flushes each backend's statistics as it exits; wait until the server's counters settle
  // (unchanged for 1 s) so the last poll sees them: the precondition, not the measurement.
  await Promise.all([a.end(), b.end()]);
  await countersSettle(db.name);
  summary = await telemetry.stop();
}, 60_000);

afterAll(async () => {
  await db?.drop();
});

/** Σ rate × seconds since the previous counter sample (the first interval starts at the baseline poll, unknown here: use the counter cadence's own times). */
function total(name: string): number {
  const points = samples.filter((s) => s.name === name);
  const times = samples.filter((s) => s.name === PG_SAMPLES.commitsPerS).map((s) => s.at);
  const baseline = samples.find((s) => s.name === PG_SAMPLES.lockWaiters)!.at;
  return points.reduce((sum, p, i) => sum + p.value * ((p.at - (i === 0 ? baseline : times[i - 1]!)) / 1e6), 0);
}

it('counts the commits and rollbacks of the watched database exactly', () => {
  expect(summary.errors, summary.firstError).toBe(0);
  expect(deadlockErrors).toBe(1);
  // COMMITS inserts + ROLLBACKS rollbacks, the deadlock survivor's commit and the victim's rollback;
  // and each of the 2 new sessions commits one transaction at startup (PostgreSQL reads its catalogs in one).
  expect(Math.round(total(PG_SAMPLES.commitsPerS))).toBe(COMMITS + 1 + 2);
  expect(Math.round(total(PG_SAMPLES.rollbacksPerS))).toBe(ROLLBACKS + 1);
  const deadlocks = samples.filter((s) => s.name === PG_SAMPLES.deadlocks).reduce((a, s) => a + s.value, 0);
  expect(deadlocks).toBe(1);
});

it('measures WAL bytes written (server-wide, so at least what this test wrote)', () => {
  expect(total(PG_SAMPLES.walBytesPerS)).toBeGreaterThan(COMMITS * ROW_BYTES);
});

it('leaves nothing behind when stopped mid-sleep: with a 10-minute poll interval the process still exits at once', async () => {
  // In a child process, so that what keeps the event loop alive is the only thing measured.
  const telemetry = pathToFileURL(join(packageRoot(), 'dist', 'runner', 'telemetry', 'pg-telemetry.js')).href;
  const clock = pathToFileURL(join(packageRoot(), 'dist', 'runner', 'clock.js')).href;
  const script = `
    const { startPgTelemetry } = await import(${JSON.stringify(telemetry)});
    const { MonotonicClock } = await import(${JSON.stringify(clock)});
    let polled = false;
    const t = startPgTelemetry({ url: process.env.URL, database: process.env.DB, clock: new MonotonicClock(), intervalMs: 600000, sample: () => (polled = true) });
    while (!polled) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 50));
    const s = await t.stop();
    console.log(JSON.stringify({ errors: s.errors, firstError: s.firstError, stoppedAt: Date.now() }));`;
  const started = Date.now();
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, URL: PG_URL, DB: db.name }, timeout: 20_000 });
  const exitedAt = Date.now();
  const out = JSON.parse(stdout) as { errors: number; firstError: string; stoppedAt: number };
  expect(out.errors, out.firstError).toBe(0);
  expect(exitedAt - out.stoppedAt).toBeLessThan(3_000);
  expect(exitedAt - started).toBeLessThan(15_000);
});
