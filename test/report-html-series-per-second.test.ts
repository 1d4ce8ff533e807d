/**
 * The per-second series behind the charts, and the report's sampled
 * lock-wait and stop-delivery figures, equal what plain JS computes from a
 * hand-made run's rows, on chdb and on the ClickHouse 18.16 server; buckets
 * widen so a long run never has more than 200 points.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { bucketsFor } from '../reports/run/html/load-series.js';
import { loadRunReport, type RunReport } from '../reports/run/queries.js';
import { openStore } from '../results/open-store.js';
import type { IncidentRow, OpRow, PostingRow, SampleRow } from '../results/rows.js';
import type { Store } from '../results/store.js';
import { testRunId } from './recorder-fixture.js';
import { fakeRunRows, insertFakeRun, type FakeRows } from './report-fixture.js';

const CLICKHOUSE_URL = process.env['CLICKHOUSE_URL'] ?? 'http://127.0.0.1:8123';
const database = `hbt_${randomBytes(4).toString('hex')}`;
const dir = mkdtempSync(join(tmpdir(), 'hbt-series-'));
afterAll(async () => {
  await fetch(`${CLICKHOUSE_URL}/`, { method: 'POST', body: `DROP DATABASE IF EXISTS ${database}` });
  rmSync(dir, { recursive: true, force: true });
});

/** A two-replay run over a 3 s schedule: row-lock (acks late: elapsed 3.5 s) and wal (overdraws account 7). */
function rows(runId: string): FakeRows {
  const base = fakeRunRows(runId);
  const key = (strategy: string) => ({ run_id: runId, strategy, rep: 0 });
  const ops: OpRow[] = [];
  const postings: PostingRow[] = [];
  for (const strategy of ['row-lock', 'wal']) {
    for (let i = 0; i < 30; i++) {
      const intended = i * 100_000;
      const acked = intended + (strategy === 'row-lock' ? 600_000 : 1_000);
      const status = i % 3 === 2 ? 'rejected' : i % 3 === 1 && strategy === 'wal' ? 'accepted' : 'applied';
      ops.push({ ...key(strategy), op_id: i, kind: 'charge', account: 7, amount: 100, job: -1, intended_us: intended, sent_us: intended, acked_us: acked, status, reason: status === 'rejected' ? 'insufficient_funds' : '', lock_wait_us: -1, pool_wait_us: -1, queue_us: -1, attempts: 1, balance: 0, detail: '' });
      if (status !== 'rejected') postings.push({ ...key(strategy), op_id: i, intended_us: intended, posted_us: acked + (status === 'accepted' ? 250_000 : 0) });
    }
  }
  const samples: SampleRow[] = [];
  const sample = (strategy: string, name: string, t: number, value: number) => samples.push({ ...key(strategy), t_us: t, name, value });
  for (let t = -100_000; t <= 3_600_000; t += 50_000) {
    const waiters = t >= 500_000 && t < 2_000_000 ? 3 + (t % 100_000 === 0 ? 1 : 0) : 0; // 3 or 4 waiters for 1.5 s
    sample('row-lock', 'pg_lock_waiters', t, waiters);
    if (waiters > 0) sample('row-lock', 'pg_lock_wait_us', t, waiters * 50_000);
    if (t % 1_000_000 === 0) sample('row-lock', 'pg_commits_per_s', t, 40 + t / 1e5);
  }
  for (let t = 0; t <= 3_000_000; t += 500_000) {
    sample('row-lock', 'balance:7', t, 10_000 - t / 1000);
    sample('wal', 'balance:7', t, 5_000 - t / 500); // goes negative
    sample('wal', 'consumer_lag', t, (t / 100_000) % 7);
  }
  sample('wal', 'consumer_lag', -50_000, 99); // before the schedule: left out
  sample('wal', 'stop_delivery_delay_us:7', 1_200_000, 35_000);
  sample('wal', 'stop_delivery_delay_us:7', 2_400_000, -2_000);
  const incidents: IncidentRow[] = [
    { ...key('wal'), kind: 'overdraft', op_id: 24, account: 7, amount: 150, at_us: -1, detail: '' },
    { ...key('wal'), kind: 'overdraft', op_id: 28, account: 7, amount: 50, at_us: -1, detail: '' },
    { ...key('wal'), kind: 'overdraft', op_id: 9, account: 7, amount: 10, at_us: -1, detail: '' },
    { ...key('row-lock'), kind: 'stop_delivery_missed', op_id: -1, account: 7, amount: 0, at_us: 900_000, detail: '' },
  ];
  const summary = (strategy: string, idx: number, elapsed: number) => ({
    ...key(strategy), idx, name: strategy, backend: 'postgres', params_json: '{}', status: 'completed' as const, detail: '', started_at: '2024-05-01 12:00:00',
    schedule_us: 3_000_000, elapsed_us: elapsed, planned_ops: 30, sent_ops: 30, late_ops: 0, late_threshold_us: 5000, concurrency: 64, audited: 1, conservation_ok: 1, accounts_checked: 500,
  });
  return {
    ...base,
    runs: [{ ...base.runs[0]!, planned_ops: 30, schedule_us: 3_000_000 }],
    strategy_runs: [summary('row-lock', 0, 3_500_000), summary('wal', 1, 3_000_000)],
    ops, postings, samples, incidents, events: [],
  };
}

/** The series by the definitions in series-types.ts, in plain JS (1 s buckets; 4 of them for the 3.5 s row-lock replay). */
function expected(r: FakeRows, strategy: string) {
  const n = 4;
  const bucket = (t: number) => Math.min(n - 1, Math.floor(t / 1e6));
  const ops = r.ops.filter((o) => o.strategy === strategy);
  const offered = new Array(n).fill(0);
  const achieved = new Array(n).fill(0);
  for (const o of ops) {
    offered[bucket(o.intended_us)]++;
    if (o.status === 'applied' || o.status === 'accepted') achieved[bucket(o.acked_us)]++;
  }
  const of = (name: string, pick: (v: number[]) => number) => {
    const out: (number | null)[] = new Array(n).fill(null);
    const by = new Map<number, number[]>();
    for (const s of r.samples.filter((x) => x.strategy === strategy && x.name === name && x.t_us >= 0)) by.set(Math.floor(s.t_us / 1e6), [...(by.get(Math.floor(s.t_us / 1e6)) ?? []), s.value]);
    // Buckets past the last fold into it: with 1 s buckets and samples up to 3.6 s there is only bucket 3 here.
    for (const [i, v] of by) out[Math.min(n - 1, i)] = pick(v);
    return out;
  };
  const avg = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  return { offered, achieved, waiters: of('pg_lock_waiters', avg), waitersMax: of('pg_lock_waiters', (v) => Math.max(...v)), commits: of('pg_commits_per_s', avg), balance: of('balance:7', (v) => Math.min(...v)), lag: of('consumer_lag', (v) => Math.max(...v)) };
}

async function check(store: Store): Promise<void> {
  await store.migrate();
  const r = rows(testRunId('series'));
  await insertFakeRun(store, r);
  await insertFakeRun(store, rows(testRunId('other'))); // another run must not leak in
  const report: RunReport = await loadRunReport(store, r.runs[0]!.run_id);

  expect([report.series.bucket_us, report.series.points]).toEqual([1_000_000, 4]);
  const [rowLock, wal] = report.series.strategies;
  const e = expected(r, 'row-lock');
  expect(rowLock).toMatchObject({ label: 'row-lock', rep: 0, offered_per_s: e.offered, achieved_per_s: e.achieved, lock_waiters_max: e.waitersMax, pg_commits_per_s: e.commits });
  rowLock!.lock_waiters_avg.forEach((v, i) => expect(v).toBeCloseTo(e.waiters[i]!, 9));
  expect(rowLock!.balances).toEqual({ '7': e.balance });
  expect(rowLock!.overdrafts).toEqual([]);
  expect(rowLock!.lags).toEqual({});
  const w = expected(r, 'wal');
  expect(wal).toMatchObject({ offered_per_s: w.offered, achieved_per_s: w.achieved, balances: { '7': w.balance }, lags: { consumer_lag: w.lag } });
  expect(wal!.lock_waiters_avg).toEqual([null, null, null, null]);
  // Overdrafts by their op's posting: op 9 applied, posted at 0.901 s → bucket 0; op 24 applied at 2.401 s → 2;
  // op 28 accepted (28 % 3 = 1), posted 250 ms after its ack at 2.801 s → 3.051 s → bucket 3.
  expect(wal!.overdrafts).toEqual([{ bucket: 0, account: 7, count: 1, amount: 10 }, { bucket: 2, account: 7, count: 1, amount: 150 }, { bucket: 3, account: 7, count: 1, amount: 50 }]);

  // The run-level figures: the sum of pg_lock_wait_us, the most waiters; stop delivery from its samples and incidents.
  const lockWaitUs = r.samples.filter((s) => s.strategy === 'row-lock' && s.name === 'pg_lock_wait_us').reduce((a, s) => a + s.value, 0);
  const polls = r.samples.filter((s) => s.strategy === 'row-lock' && s.name === 'pg_lock_waiters').length;
  expect(report.strategies[0]!.lock_wait_sampled).toEqual({ polls, total_s: lockWaitUs / 1e6, max_waiters: 4 });
  expect(lockWaitUs).toBe(30 * 3 * 50_000 + 15 * 50_000); // 30 polls of 3 waiters, 15 of them with a 4th
  expect(report.strategies[1]!.lock_wait_sampled).toEqual({ polls: 0, total_s: null, max_waiters: null });
  expect(report.strategies[0]!.stop_delivery).toEqual({ signalled: 0, missed: 1, max_delay_us: null });
  expect(report.strategies[1]!.stop_delivery).toEqual({ signalled: 2, missed: 0, max_delay_us: 35_000 });
}

it('computes the series and run-level figures exactly on chdb', async () => {
  const store = await openStore({ dataDir: join(dir, 'ch') });
  try {
    await check(store);
  } finally {
    await store.close();
  }
});

it('computes the same on the ClickHouse 18.16 server', async () => {
  const store = await openStore({ url: CLICKHOUSE_URL, dataDir: join(dir, 'server'), database });
  try {
    await check(store);
  } finally {
    await store.close();
  }
});

it('widens buckets to whole seconds so no series has more than 200 points', () => {
  expect(bucketsFor(0)).toEqual({ bucketUs: 1_000_000, points: 1 });
  expect(bucketsFor(40_000_000)).toEqual({ bucketUs: 1_000_000, points: 40 });
  expect(bucketsFor(200_000_000)).toEqual({ bucketUs: 1_000_000, points: 200 });
  expect(bucketsFor(200_000_001)).toEqual({ bucketUs: 2_000_000, points: 101 });
  expect(bucketsFor(600_000_000)).toEqual({ bucketUs: 3_000_000, points: 200 });
  expect(bucketsFor(3_600_000_000)).toEqual({ bucketUs: 18_000_000, points: 200 });
});
