/**
 * stale-reads on a planted timeline: a ledger whose entries have known
 * insert times and known postings, and reads with known windows and answers.
 * Exactly the reads that no ledger balance of their window explains are
 * stale, with the exact distance, and exactly the one that said "has budget"
 * below the threshold is flagged so. Reads during an in-flight commit are not
 * accused, and internal transfers do not move the logical balance.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { findStaleReads } from '../runner/analysis/stale-reads.js';
import { createLedger } from '../strategies/ledger.js';
import type { AccountSpec } from '../strategies/contract.js';
import { freshDatabase, type FreshDatabase } from './support/database.js';
import { analysisContext, CapturedRows, openTestStore, opRow, testKey } from './analysis-fixture.js';
import type { Store } from '../results/store.js';

const accounts: AccountSpec[] = [
  { id: 0, balance: 1000, floor: 0, hot: true, name: 'hot', threshold: 300 },
  { id: 1, balance: 5000, floor: 0, hot: false, name: '', threshold: 0 },
];
/** PostgreSQL epoch µs of schedule time 0 (any whole second works). */
const BASE_US = 1_700_000_000_000_000;

let db: FreshDatabase;
let store: Store;
let closeStore: () => Promise<void>;
beforeAll(async () => {
  db = await freshDatabase();
  ({ store, close: closeStore } = await openTestStore());
  // Physical row 2 is a second row of owner 0 (for an internal transfer).
  await createLedger(db.pool, accounts, { physical: [
    { id: 0, owner: 0, role: 'debit', balance: 1000, floor: 0 },
    { id: 1, owner: 1, role: 'main', balance: 5000, floor: 0 },
    { id: 2, owner: 0, role: 'credit', balance: 0, floor: 0 },
  ] });
  for (const [opId, account, owner, delta, t, transfer] of ENTRIES) {
    await db.pool.query(
      'INSERT INTO entries (op_id, transfer_id, account_id, owner, delta, created_at) VALUES ($1, $2, $3, $4, $5, to_timestamp($6::double precision / 1e6))',
      [opId, transfer, account, owner, delta, BASE_US + t],
    );
  }
});
afterAll(async () => {
  await closeStore?.();
  await db?.drop();
});

/** [op id, physical account, owner, delta, insert time µs (schedule), transfer id] */
const ENTRIES: [number | null, number, number, number, number, number | null][] = [
  [1, 0, 0, -400, 10_000, null], // 1000 → 600, posted at 12 ms
  [2, 0, 0, -400, 20_000, null], // 600 → 200 (below the threshold 300), posted at 25 ms
  [3, 2, 0, 100, 30_000, null], // 200 → 300 on the credit row, posted at 31 ms
  [null, 2, 0, -100, 35_000, 7], // transfer 7: credit row → debit row; the owner's total stays 300
  [null, 0, 0, 100, 35_000, 7],
];
const POSTED: [number, number][] = [[1, 12_000], [2, 25_000], [3, 31_000]];

/** [read op id, account, sent, acked, answered] */
const READS: [number, number, number, number, number][] = [
  [10, 0, 5_000, 6_000, 1000], // fresh
  [11, 0, 11_000, 11_500, 1000], // op 1 inserted, not yet posted: 600..1000: fresh
  [12, 0, 13_000, 14_000, 1000], // op 1 posted: stale, too high by 400, still had budget (600)
  [13, 0, 21_000, 22_000, 600], // op 2 in flight: 200..600: fresh
  [14, 0, 26_000, 27_000, 600], // stale by 400, and said "has budget" at 200 < 300
  [15, 0, 29_000, 30_500, 200], // op 3 inserted during the read: 200..300: fresh
  [16, 0, 32_000, 33_000, 100], // stale, too low by 200
  [17, 0, 34_000, 36_000, 300], // across the transfer: 300: fresh
  [18, 1, 1_000, 2_000, 5000], // untouched account: fresh
  [19, 1, 40_000, 41_000, 4999], // stale by 1
];

it('counts exactly the planted stale reads, with their distance and the false "has budget"', async () => {
  const key = testKey();
  const kinds: Record<number, 'charge' | 'topup'> = { 1: 'charge', 2: 'charge', 3: 'topup' };
  const rows = [
    ...POSTED.map(([opId, posted]) => opRow(key, { op_id: opId, kind: kinds[opId]!, account: 0, amount: opId === 3 ? 100 : 400, acked_us: posted })),
    ...READS.map(([opId, account, sent, acked, balance]) => opRow(key, { op_id: opId, kind: 'read', account, sent_us: sent, acked_us: acked, balance })),
  ];
  await store.insert('ops', rows);
  await store.insert('postings', [
    ...POSTED.map(([opId, posted]) => ({ ...key, op_id: opId, intended_us: 0, posted_us: posted })),
    // Applied reads get postings rows too; they must not count as ledger changes.
    ...READS.map(([opId, , , acked]) => ({ ...key, op_id: opId, intended_us: 0, posted_us: acked })),
  ]);
  // Another replay's rows in the same store must not leak in.
  await store.insert('ops', [opRow({ ...key, strategy: 'other' }, { op_id: 12, kind: 'read', account: 0, sent_us: 13_000, acked_us: 14_000, balance: 1 })]);

  const out = new CapturedRows();
  const counts = await findStaleReads(analysisContext({ key, ledger: db.pool, store, accounts, rows: out, pgToScheduleUs: (us) => us - BASE_US }));

  expect(counts).toEqual({ reads: 10, stale: 4, falseBudget: 1 });
  const incidents = out.tables.incidents.map((i) => [i.kind, i.op_id, i.account, i.amount, i.at_us, i.detail.startsWith('false "has budget": ')]);
  expect(incidents).toEqual([
    ['stale_read', 12, 0, 400, 13_000, false],
    ['stale_read', 14, 0, 400, 26_000, true],
    ['stale_read', 16, 0, 200, 32_000, false],
    ['stale_read', 19, 1, 1, 40_000, false],
  ]);
  expect(out.tables.incidents[1]!.detail).toBe('false "has budget": answered 600 while the ledger was 200 (too high by 400) during the read, 26000..27000 us');
  expect(out.tables.incidents[2]!.detail).toContain('too low by 200');
});

it('widens insert times by the clock uncertainty: a read just before an insert may have seen it', async () => {
  const key = testKey();
  // Only reads; the ledger is the one above. Read 20 answers 600 at 9.5..9.9 ms: op 1 is inserted at 10 ms.
  await store.insert('ops', [opRow(key, { op_id: 20, kind: 'read', account: 0, sent_us: 9_500, acked_us: 9_900, balance: 600 })]);
  await store.insert('postings', POSTED.map(([opId, posted]) => ({ ...key, op_id: opId, intended_us: 0, posted_us: posted })));
  const strict = await findStaleReads(analysisContext({ key, ledger: db.pool, store, accounts, rows: new CapturedRows(), pgToScheduleUs: (us) => us - BASE_US }));
  expect(strict).toEqual({ reads: 1, stale: 1, falseBudget: 0 });
  const widened = await findStaleReads(analysisContext({ key, ledger: db.pool, store, accounts, rows: new CapturedRows(), pgToScheduleUs: (us) => us - BASE_US, uncertaintyUs: 200 }));
  expect(widened).toEqual({ reads: 1, stale: 0, falseBudget: 0 });
});
