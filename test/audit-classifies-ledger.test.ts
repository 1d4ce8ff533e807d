/**
 * The auditor classifies a hand-written ledger exactly: conservation per
 * physical row and per transfer, overdraft amounts across a refilling credit,
 * lost / phantom / mismatch / unknown fates, whatever the cursor batch size.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audit, type AuditIncident } from '../runner/audit/auditor.js';
import { OpFates } from '../runner/audit/fates.js';
import { createLedger, splitAccounts } from '../strategies/ledger.js';
import { freshDatabase, type FreshDatabase } from './support/database.js';
import { makeAccounts, makeOps } from './support/ops.js';

const accounts = makeAccounts([{ balance: 100 }, { balance: 100 }, { balance: 100 }]);
const ops = makeOps([
  ['charge', 0, 10], // 0 promised, posted
  ['charge', 0, 10], // 1 promised, never posted: lost 10
  ['topup', 1, 5], // 2 rejected, but posted: phantom
  ['charge', 1, 20], // 3 unknown, posted
  ['charge', 1, 20], // 4 unknown, not posted
  ['topup', 0, 7], // 5 promised, posted as +8: mismatch 1
  ['read', 0, 0], // 6 promised, no entry: fine
  ['withdraw', 1, 5], // 7 unsent, not posted: fine
  ['charge', 0, 95], // 8 promised: 90 -> -5, overdraft 5
  ['charge', 0, 10], // 9 promised: 3 -> -7, overdraft min(10, 7) = 7
  ['topup', 0, 100], // 10 promised: -7 -> 93
]);
const fates = new OpFates(ops.length);
for (const [id, fate] of [
  [0, 'promised'], [1, 'promised'], [2, 'rejected'], [3, 'unknown'], [4, 'unknown'], [5, 'promised'],
  [6, 'promised'], [8, 'promised'], [9, 'promised'], [10, 'promised'],
] as const) fates.set(id, fate);

let db: FreshDatabase;
beforeAll(async () => {
  db = await freshDatabase();
  // Account 2 is split into physical rows 2 and 3 (50 each).
  await createLedger(db.pool, accounts, { physical: splitAccounts(accounts, (a) => (a.id === 2 ? 2 : 1)) });
  // Entries in posting order (seq): account 0's running balance 90, -5, 3, -7, 93, 89.
  const rows: [number | null, number | null, number, number, number][] = [
    [0, null, 0, 0, -10],
    [8, null, 0, 0, -95],
    [5, null, 0, 0, 8],
    [2, null, 1, 1, 5],
    [3, null, 1, 1, -20],
    [9, null, 0, 0, -10],
    [10, null, 0, 0, 100],
    [50, null, 0, 0, -4], // op id 50 is not in the plan: phantom
    [null, 1, 2, 2, -30], // transfer 1 nets to zero
    [null, 1, 3, 2, 30],
    [null, 2, 2, 2, -10], // transfer 2 loses 1
    [null, 2, 3, 2, 9],
  ];
  for (const [opId, transfer, accountId, owner, delta] of rows) {
    await db.pool.query('INSERT INTO entries (op_id, transfer_id, account_id, owner, delta) VALUES ($1, $2, $3, $4, $5)', [opId, transfer, accountId, owner, delta]);
  }
  // Balances agree with the entries, except account 1, which holds 3 too many.
  for (const [id, balance] of [[0, 89], [1, 88], [2, 10], [3, 89]]) {
    await db.pool.query('UPDATE accounts SET balance = $2 WHERE id = $1', [id, balance]);
  }
});
afterAll(() => db?.drop());

describe('audit of a hand-written ledger', () => {
  for (const batchRows of [1, 2, 10_000]) {
    it(`finds exactly the planted findings (cursor batches of ${batchRows})`, async () => {
      const incidents: AuditIncident[] = [];
      const summary = await audit({ pool: db.pool, accounts, ops: () => ops, fates, batchRows }, (i) => incidents.push(i));
      expect(summary).toEqual({
        global: { model: 'single', drift: 0, unbalancedOps: 0, externalIn: 0 },
        conservationOk: false,
        accountsChecked: 3,
        overdraftCount: 2,
        overdraftAmount: 12,
        lost: 1,
        duplicated: 0,
        phantom: 2,
        mismatch: 1,
        unknownPosted: 1,
        unknownUnposted: 1,
        entries: 12,
      });
      const brief = incidents.map((i) => [i.kind, i.opId, i.account, i.amount]);
      expect(brief).toEqual([
        ['conservation', -1, 1, 3],
        ['conservation', -1, 2, 1],
        ['overdraft', 8, 0, 5],
        ['overdraft', 9, 0, 7],
        ['lost', 1, 0, 10],
        ['phantom', 2, 1, 5],
        ['mismatch', 5, 0, 1],
        ['phantom', 50, 0, 4],
      ]);
      for (const i of incidents) expect(i.detail).not.toMatch(/\n/);
    });
  }

  it('rejects an op stream that is out of id order', async () => {
    const shuffled = [ops[1], ops[0], ...ops.slice(2)] as typeof ops;
    await expect(audit({ pool: db.pool, accounts, ops: () => shuffled, fates }, () => {})).rejects.toThrow(
      'the op stream must yield ops in increasing id order from 0, got 0 after 1',
    );
  });
});
