/**
 * `hotbench history` over runs recorded in ClickHouse (the server, a
 * database of its own): ten runs of one scenario, one strategy whose p99
 * doubles from the sixth run on (a planted regression) and one that stays
 * flat; the change point is placed on the sixth run's revision, the flat
 * strategy has none; branch and strategy filters narrow what is read.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openStore } from '../results/open-store.js';
import type { RowOf } from '../results/rows.js';
import type { Store } from '../results/store.js';
import { createRng } from '../scenarios/random.js';
import { HistoryInputError, loadHistory } from '../reports/history/history.js';
import { renderHistoryText } from '../reports/history/render.js';
import { historyHtml } from '../reports/history/render-svg.js';
import { edgeRows } from './recorder-fixture.js';

const CLICKHOUSE_URL = process.env['CLICKHOUSE_URL'] ?? 'http://127.0.0.1:8123';
const database = `hbt_${randomBytes(4).toString('hex')}`;
const dir = mkdtempSync(join(tmpdir(), 'hbt-hist-'));
let store: Store;
const OPS = 200;
const runIds: string[] = [];
const revs: string[] = [];

/** One completed replay of `strategy` whose acks take `latencyUs` (± 5%, seeded). */
async function replay(runId: string, strategy: string, idx: number, latencyUs: number, seed: number): Promise<void> {
  const template = edgeRows(runId).strategy_runs[0]!;
  await store.insert('strategy_runs', [{ ...template, strategy, rep: 0, idx, name: strategy, status: 'completed', detail: '', schedule_us: 1_000_000, elapsed_us: 1_000_000, planned_ops: OPS, sent_ops: OPS, late_ops: 0, conservation_ok: 1 }]);
  const rng = createRng(seed, strategy);
  const ops: RowOf['ops'][] = Array.from({ length: OPS }, (_, i) => ({
    run_id: runId, strategy, rep: 0, op_id: i, kind: 'charge', account: 1, amount: 10, job: -1, intended_us: i * 5000, sent_us: i * 5000,
    acked_us: i * 5000 + Math.round(latencyUs * (0.95 + 0.1 * rng.float())), status: 'applied', reason: '', lock_wait_us: -1, pool_wait_us: -1, queue_us: -1, attempts: 1, balance: 0, detail: '',
  }));
  await store.insert('ops', ops);
}

beforeAll(async () => {
  store = await openStore({ url: CLICKHOUSE_URL, dataDir: dir, database });
  await store.migrate();
  for (let i = 0; i < 10; i++) {
    const runId = `hist-${i}`;
    const rev = randomBytes(20).toString('hex');
    runIds.push(runId);
    revs.push(rev);
    const run = edgeRows(runId).runs[0]!;
    await store.insert('runs', [{ ...run, scenario: 'advertiser-burst', command: 'hotbench run', git_rev: rev, git_branch: i === 9 ? 'feature' : 'main', started_at: `2026-12-01 ${10 + i}:00:00` }]);
    await store.insert('run_ends', [{ run_id: runId, finished_at: '2026-12-03 00:00:00', status: 'complete', reason: '' }]);
    await replay(runId, 'atomic', 0, i < 5 ? 10_000 : 20_000, i + 1);
    await replay(runId, 'aggregate', 1, 8_000, i + 100);
  }
  // Not history: another scenario, and a failed run.
  await store.insert('runs', [{ ...edgeRows('other').runs[0]!, run_id: 'other-scenario', scenario: 'settlement', command: 'hotbench run', started_at: '2026-12-01 12:30:00' }]);
  await store.insert('run_ends', [{ run_id: 'other-scenario', finished_at: '2026-12-03 00:00:00', status: 'complete', reason: '' }]);
}, 120_000);
afterAll(async () => {
  await store?.close();
  await fetch(`${CLICKHOUSE_URL}/`, { method: 'POST', body: `DROP DATABASE IF EXISTS ${database}` });
  rmSync(dir, { recursive: true, force: true });
});

it('places the change point on the first slow run, and finds none in the flat strategy', async () => {
  const h = await loadHistory(store, { scenario: 'advertiser-burst' });
  expect(h.metric).toBe('p99_ack_ms');
  const atomic = h.series.find((s) => s.label === 'atomic')!;
  const aggregate = h.series.find((s) => s.label === 'aggregate')!;
  expect(atomic.points.map((p) => p.run_id)).toEqual(runIds);
  expect(atomic.points[0]!.value).toBeGreaterThan(9.5);
  expect(atomic.points[0]!.value).toBeLessThan(10.6);
  expect(atomic.changes).toHaveLength(1);
  expect(atomic.changes[0]).toMatchObject({ index: 5, run_id: 'hist-5', git_rev: revs[5], worse: true });
  expect(atomic.changes[0]!.relative_change).toBeGreaterThan(0.8);
  expect(aggregate.changes).toEqual([]);
  const text = renderHistoryText(h);
  expect(text).toMatch(new RegExp(`◆ ${revs[5]!.slice(0, 10)}\\s+hist-5 .*◆ change: \\+\\d+\\.\\d% \\(10\\.\\d+ ms → 20\\.\\d+ ms\\), worse, p = `));
  const svg = historyHtml(h);
  expect(svg.match(/class="change-point"/g)).toHaveLength(1);
  expect(svg).toContain(`change at ${revs[5]!.slice(0, 10)}`);
});

it('narrows to a branch and a strategy', async () => {
  const h = await loadHistory(store, { scenario: 'advertiser-burst', branch: 'main', strategy: 'aggregate' });
  expect(h.series.map((s) => s.label)).toEqual(['aggregate']);
  expect(h.series[0]!.points.map((p) => p.run_id)).toEqual(runIds.slice(0, 9));
});

it('says when the history is too short to find a step, and what to do about an unknown query', async () => {
  const short = await loadHistory(store, { scenario: 'advertiser-burst', limit: 5 });
  expect(short.notes.join(' ')).toMatch(/5 runs with a value: a step needs about 4 runs on each side/);
  await expect(loadHistory(store, { scenario: 'fleet-bulk' })).rejects.toThrow(HistoryInputError);
  await expect(loadHistory(store, { scenario: 'advertiser-burst', strategy: 'cache' })).rejects.toThrow(/--strategy cache: none of the 10 complete runs/);
  await expect(loadHistory(store, { scenario: 'advertiser-burst', metric: 'p98' })).rejects.toThrow(/--metric "p98" is not a metric/);
});
