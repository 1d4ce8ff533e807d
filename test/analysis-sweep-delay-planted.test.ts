/**
 * sweep-delay on a planted ledger: each credit on a credit row is paired with
 * the first sweep leg on the same row after it (not a leg on another row, not
 * an earlier one), giving the exact delays; a credit no sweep reached is
 * reported as unswept; a ledger without credit rows is left alone.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { measureSweepDelay } from '../runner/analysis/sweep-delay.js';
import { createLedger } from '../strategies/ledger.js';
import type { AccountSpec } from '../strategies/contract.js';
import type { Store } from '../results/store.js';
import { freshDatabase, type FreshDatabase } from './support/database.js';
import { analysisContext, CapturedRows, testKey } from './analysis-fixture.js';

const accounts: AccountSpec[] = [{ id: 0, balance: 100, floor: 0, hot: true, name: 'hot', threshold: 0 }];
const BASE_US = 1_700_000_000_000_000;
/** Row 0 is the debit row, rows 1 and 2 credit rows. [op id, row, delta, insert time µs, transfer id] */
const ENTRIES: [number | null, number, number, number, number | null][] = [
  [1, 1, 10, 1_000, null], // swept by transfer 1 at 250 ms: 249 ms
  [2, 2, 20, 2_000, null], // swept by transfer 1 at 250 ms (its leg on row 2): 248 ms
  [3, 1, 30, 100_000, null], // swept at 250 ms: 150 ms
  [null, 1, -40, 250_000, 1],
  [null, 2, -20, 250_000, 1],
  [null, 0, 60, 250_000, 1],
  [4, 1, 5, 260_000, null], // swept by transfer 2 at 600 ms: 340 ms (row 2's leg does not sweep row 1)
  [5, 2, 7, 400_000, null], // after row 2's last sweep: never swept
  [null, 1, -5, 600_000, 2],
  [null, 0, 5, 600_000, 2],
  [6, 0, -50, 700_000, null], // a debit on the debit row: not a credit
];

const dummyStore = undefined as unknown as Store; // sweep-delay reads only the ledger
let db: FreshDatabase;
beforeAll(async () => {
  db = await freshDatabase();
});
afterAll(async () => {
  await db?.drop();
});

it('pairs every credit with the sweep that moved it, and reports the ones never swept', async () => {
  await createLedger(db.pool, accounts, {
    physical: [
      { id: 0, owner: 0, role: 'debit', balance: 100, floor: 0 },
      { id: 1, owner: 0, role: 'credit', balance: 0, floor: 0 },
      { id: 2, owner: 0, role: 'credit', balance: 0, floor: 0 },
    ],
  });
  for (const [opId, row, delta, t, transfer] of ENTRIES) {
    await db.pool.query(
      'INSERT INTO entries (op_id, transfer_id, account_id, owner, delta, created_at) VALUES ($1, $2, $3, 0, $4, to_timestamp($5::double precision / 1e6))',
      [opId, transfer, row, delta, BASE_US + t],
    );
  }
  const key = testKey();
  const out = new CapturedRows();
  const result = await measureSweepDelay(analysisContext({ key, ledger: db.pool, store: dummyStore, accounts, rows: out, pgToScheduleUs: (us) => us - BASE_US }));
  expect(result).toEqual({ swept: 4, maxDelayUs: 340_000, unswept: 1 });
  expect(out.tables.samples.map((s) => [s.name, s.t_us, s.value])).toEqual([
    ['sweep_delay_us', 1_000, 249_000],
    ['sweep_delay_us', 2_000, 248_000],
    ['sweep_delay_us', 100_000, 150_000],
    ['sweep_delay_us', 260_000, 340_000],
  ]);
  expect(out.tables.events).toEqual([{ ...key, at_us: -1, type: 'note', kind: 'unswept_credits', account: -1, detail: '1 credit was never swept into the debit account (7 in total)' }]);
});

it('leaves a ledger without credit rows alone', async () => {
  const other = await freshDatabase();
  try {
    await createLedger(other.pool, accounts);
    const out = new CapturedRows();
    expect(await measureSweepDelay(analysisContext({ key: testKey(), ledger: other.pool, store: dummyStore, accounts, rows: out }))).toEqual({ swept: 0, maxDelayUs: 0, unswept: 0 });
    expect(out.tables.samples).toEqual([]);
  } finally {
    await other.drop();
  }
});
