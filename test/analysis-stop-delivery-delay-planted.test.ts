/**
 * stop-delivery on a planted timeline: threshold crossings in the ledger at
 * known times and budget signals at known times give exactly the planted
 * delays (positive, zero on a tie, negative when the strategy signalled
 * before the ledger got there), a crossing never signalled before the
 * account recovered is an incident, an account that starts below its
 * threshold never "falls" below it, and internal transfers do not cross.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { measureStopDelivery } from '../runner/analysis/stop-delivery.js';
import { createLedger } from '../strategies/ledger.js';
import type { AccountSpec } from '../strategies/contract.js';
import type { Store } from '../results/store.js';
import { freshDatabase, type FreshDatabase } from './support/database.js';
import { analysisContext, CapturedRows, openTestStore, testKey } from './analysis-fixture.js';

const spec = (id: number, balance: number, threshold: number): AccountSpec => ({ id, balance, floor: 0, hot: id === 0, name: id === 0 ? 'hot' : '', threshold });
const accounts = [spec(0, 1000, 300), spec(1, 500, 400), spec(2, 100, 200), spec(3, 800, 0)];
const BASE_US = 1_700_000_000_000_000;

/** [op id, physical row, owner, delta, insert time µs, transfer id] */
const ENTRIES: [number | null, number, number, number, number, number | null][] = [
  [1, 0, 0, -400, 10_000, null], // 600
  [null, 0, 0, -1000, 15_000, 9], // a transfer out of the debit row and back: never a crossing
  [null, 4, 0, 1000, 15_000, 9],
  [2, 0, 0, -400, 20_000, null], // 200: crossing (signalled at 23 ms: 3 ms)
  [3, 4, 0, 500, 30_000, null], // 700: recovery (restored at 31 ms)
  [4, 0, 0, -500, 40_000, null], // 200: crossing, never signalled
  [5, 4, 0, 300, 50_000, null], // 500: recovery
  [6, 0, 0, -300, 60_000, null], // 200: crossing, signalled at the same µs: 0
  [7, 1, 1, -200, 5_000, null], // 300 < 400: crossing, signalled early at 4 ms: -1 ms
  [8, 2, 2, 50, 8_000, null], // 150: started below 200, still below: no crossing
  [9, 3, 3, -800, 9_000, null], // 0, threshold 0: not below
];
/** [account, at µs, kind] */
const SIGNALS: [number, number, 'budget_exhausted' | 'budget_restored'][] = [
  [0, 23_000, 'budget_exhausted'],
  [0, 31_000, 'budget_restored'],
  [0, 60_000, 'budget_exhausted'],
  [1, 4_000, 'budget_exhausted'],
  [2, 1_000, 'budget_exhausted'], // no crossing to pair with
];

let db: FreshDatabase;
let store: Store;
let closeStore: () => Promise<void>;
beforeAll(async () => {
  db = await freshDatabase();
  ({ store, close: closeStore } = await openTestStore());
  await createLedger(db.pool, accounts, {
    physical: [
      { id: 0, owner: 0, role: 'debit', balance: 1000, floor: 0 },
      { id: 1, owner: 1, role: 'main', balance: 500, floor: 0 },
      { id: 2, owner: 2, role: 'main', balance: 100, floor: 0 },
      { id: 3, owner: 3, role: 'main', balance: 800, floor: 0 },
      { id: 4, owner: 0, role: 'credit', balance: 0, floor: 0 },
    ],
  });
  for (const [opId, row, owner, delta, t, transfer] of ENTRIES) {
    await db.pool.query(
      'INSERT INTO entries (op_id, transfer_id, account_id, owner, delta, created_at) VALUES ($1, $2, $3, $4, $5, to_timestamp($6::double precision / 1e6))',
      [opId, transfer, row, owner, delta, BASE_US + t],
    );
  }
});
afterAll(async () => {
  await closeStore?.();
  await db?.drop();
});

it('gives the planted delays per crossing and an incident for the crossing never signalled', async () => {
  const key = testKey();
  await store.insert('events', [
    ...SIGNALS.map(([account, at, kind]) => ({ ...key, at_us: at, type: 'signal' as const, kind, account, detail: '' })),
    // A note is not a signal, and another replay's signals are not this one's.
    { ...key, at_us: 45_000, type: 'note', kind: 'budget_exhausted', account: 0, detail: '' },
    { ...key, strategy: 'other', at_us: 41_000, type: 'signal', kind: 'budget_exhausted', account: 0, detail: '' },
  ]);
  const out = new CapturedRows();
  const result = await measureStopDelivery(analysisContext({ key, ledger: db.pool, store, accounts, rows: out, pgToScheduleUs: (us) => us - BASE_US }));

  expect(result).toEqual({ crossings: 4, signalled: 3 });
  expect(out.tables.samples.map((s) => [s.name, s.t_us, s.value])).toEqual([
    ['stop_delivery_delay_us:0', 20_000, 3_000],
    ['stop_delivery_delay_us:0', 60_000, 0],
    ['stop_delivery_delay_us:1', 5_000, -1_000],
  ]);
  expect(out.tables.incidents.map((i) => [i.kind, i.op_id, i.account, i.amount, i.at_us, i.detail])).toEqual([
    ['stop_delivery_missed', -1, 0, 0, 40_000, 'the balance fell below the threshold 300 at 40000 us and the strategy did not signal budget_exhausted before it recovered at 50000 us'],
  ]);
});

it('a strategy that never signals misses every crossing, up to the end of the run', async () => {
  const out = new CapturedRows();
  const result = await measureStopDelivery(analysisContext({ key: testKey(), ledger: db.pool, store, accounts, rows: out, pgToScheduleUs: (us) => us - BASE_US }));
  expect(result).toEqual({ crossings: 4, signalled: 0 });
  expect(out.tables.samples).toEqual([]);
  expect(out.tables.incidents.map((i) => [i.account, i.at_us, i.detail.split(' budget_exhausted ')[1]])).toEqual([
    [0, 20_000, 'before it recovered at 30000 us'],
    [0, 40_000, 'before it recovered at 50000 us'],
    [0, 60_000, 'before the end of the run'],
    [1, 5_000, 'before the end of the run'],
  ]);
});
