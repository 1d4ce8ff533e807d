/**
 * Global conservation (double entry) flags exactly what was planted: an op
 * posted without its counterparty leg, a counterparty leg of the wrong size,
 * and money created by a balance change that no entry explains; and says
 * "single entry" (not applicable) where there is no clearing account.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { audit, type AuditIncident } from '../runner/audit/auditor.js';
import { OpFates } from '../runner/audit/fates.js';
import { createLedger } from '../strategies/ledger.js';
import type { AccountSpec, Op } from '../strategies/contract.js';
import { freshDatabase, type FreshDatabase } from './support/database.js';
import { doubleEntryAccounts, makeAccounts, makeOps } from './support/ops.js';

// customers 0, 1; revenue 2, settlement 3, clearing 4
const accounts = doubleEntryAccounts([{ balance: 1_000 }, { balance: 1_000 }]);
const ops = makeOps([['charge', 0, 100], ['charge', 1, 40], ['topup', 1, 500]]);

let db: FreshDatabase | undefined;
afterEach(async () => {
  await db?.drop();
  db = undefined;
});

/** Posts the ops' legs as given (`[opId|null, counterOp|null, account, delta]`) and sets balances from them, plus `extra` per account. */
async function ledgerWith(accts: readonly AccountSpec[], legs: readonly (readonly [number | null, number | null, number, number])[], extra: Record<number, number> = {}) {
  db = await freshDatabase();
  await createLedger(db.pool, accts);
  for (const [opId, counterOp, account, delta] of legs) {
    await db.pool.query('INSERT INTO entries (op_id, counter_op, account_id, owner, delta) VALUES ($1, $2, $3, $4, $5)', [opId, counterOp, account, account, delta]);
    await db.pool.query('UPDATE accounts SET balance = balance + $2 WHERE id = $1', [account, delta]);
  }
  for (const [account, amount] of Object.entries(extra)) await db.pool.query('UPDATE accounts SET balance = balance + $2, initial = initial + $2 WHERE id = $1', [Number(account), amount]);
  const fates = new OpFates(ops.length);
  for (const op of ops) fates.set(op.id, 'promised');
  const incidents: AuditIncident[] = [];
  const summary = await audit({ pool: db.pool, accounts: accts, ops: () => ops as Op[], fates }, (i) => incidents.push(i));
  return { summary, incidents: incidents.filter((i) => i.kind === 'global_conservation') };
}

const BALANCED = [
  [0, null, 0, -100], [null, 0, 2, 100],
  [1, null, 1, -40], [null, 1, 2, 40],
  [2, null, 1, 500], [null, 2, 4, -500],
] as const;

describe('global conservation', () => {
  it('passes a balanced ledger and reports the external inflow through clearing', async () => {
    const { summary, incidents } = await ledgerWith(accounts, BALANCED);
    expect(incidents).toEqual([]);
    expect(summary).toMatchObject({ conservationOk: true, global: { model: 'double', drift: 0, unbalancedOps: 0, externalIn: 500 } });
  });

  it('flags an op posted without its counterparty leg, with its amount, and money created by it', async () => {
    const { summary, incidents } = await ledgerWith(accounts, BALANCED.filter((l) => l[1] !== 1));
    expect(summary).toMatchObject({ conservationOk: false, global: { drift: -40, unbalancedOps: 1 } });
    expect(incidents.map((i) => [i.opId, i.amount])).toEqual([[-1, 40], [1, 40]]);
    expect(incidents[1]?.detail).toContain('without its counterparty leg');
  });

  it('flags a counterparty leg of the wrong size', async () => {
    const legs = BALANCED.map((l) => (l[1] === 0 ? ([null, 0, 2, 90] as const) : l));
    const { summary, incidents } = await ledgerWith(accounts, legs);
    expect(summary).toMatchObject({ conservationOk: false, global: { drift: -10, unbalancedOps: 1 } });
    expect(incidents.map((i) => [i.opId, i.amount])).toEqual([[-1, 10], [0, 10]]);
  });

  it('flags money that appeared without any entry (every leg balanced, yet the total grew)', async () => {
    const { summary, incidents } = await ledgerWith(accounts, BALANCED, { 3: 700 });
    // Seeded with more than the scenario gave it: the global sum sees the money that appeared.
    expect(summary.global).toMatchObject({ drift: 700, unbalancedOps: 0 });
    expect(incidents.map((i) => [i.opId, i.amount])).toEqual([[-1, 700]]);
  });

  it('is not applicable under single entry', async () => {
    const single = makeAccounts([{ balance: 1_000 }, { balance: 1_000 }]);
    const { summary, incidents } = await ledgerWith(single, [[0, null, 0, -100], [1, null, 1, -40], [2, null, 1, 500]]);
    expect(incidents).toEqual([]);
    expect(summary).toMatchObject({ conservationOk: true, global: { model: 'single', drift: 0, unbalancedOps: 0 } });
  });
});
