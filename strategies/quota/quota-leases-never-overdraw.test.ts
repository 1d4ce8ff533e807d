/**
 * quota: account 0 holds 1,000; 2 workers lease slices of 300 out of it and
 * deduct 14 charges of 100 locally (op i on worker i mod 2), in order. The
 * leases go 300, 300, 300 and the last 100: 10 charges are accepted, exactly
 * the budget, and 4 declined. The first decline (op 9, worker 1) comes while
 * worker 0 still holds 100 of the budget: the false-decline analysis counts
 * it, and only it. After the flush the ledger holds every accepted charge on
 * the lease rows, the main row never went below its floor, the audit finds
 * no overdraft, and drain() returns what the leases still hold.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audit } from '../../runner/audit/auditor.js';
import { OpFates } from '../../runner/audit/fates.js';
import { findFalseDeclines } from '../../runner/analysis/false-declines.js';
import { analysisContext, CapturedRows, openTestStore, recorderFor, testKey } from '../../test/analysis-fixture.js';
import { makeContext, type TestContext } from '../../test/support/context.js';
import { makeAccounts, makeOps } from '../../test/support/ops.js';
import type { Outcome } from '../contract.js';
import { QuotaStrategy } from './index.js';
import { quotaParams } from './params.js';

const accounts = makeAccounts([{ balance: 1_000, hot: true }, { balance: 5_000 }]);
const ops = makeOps(Array.from({ length: 14 }, () => ['charge', 0, 100] as const));

describe('quota, 2 workers, slices of 300', () => {
  let t: TestContext;
  let strategy: QuotaStrategy;
  let outcomes: Outcome[];
  const rows = new CapturedRows();
  const key = testKey('quota');
  const recorder = recorderFor(key, rows, ops.length);
  beforeAll(async () => {
    t = await makeContext(accounts, { connections: 4 });
    strategy = new QuotaStrategy(quotaParams.parse({ workers: 2, slice: 300, flush: '10s' }));
    await strategy.setup({ ...t.ctx, events: recorder });
    outcomes = [];
    for (const op of ops) {
      const sent = t.ctx.clock.now();
      const outcome = await strategy.submit(op);
      recorder.settled(op, sent, t.ctx.clock.now(), outcome);
      outcomes.push(outcome);
    }
  });
  afterAll(async () => {
    await strategy?.stop();
    await t?.close();
  });

  it('accepts exactly the budget (10 charges) from the leases and declines the rest', async () => {
    expect(outcomes.map((o) => (o.status === 'rejected' ? o.reason : o.status))).toEqual([
      ...Array.from({ length: 9 }, () => 'accepted'),
      'insufficient_funds', // op 9, worker 1: its lease and the main row are empty, worker 0 holds 100
      'accepted', // op 10, worker 0: the last 100
      'insufficient_funds',
      'insufficient_funds',
      'insufficient_funds',
    ]);
    // Nothing posted yet (flush every 10 s): the leases hold the budget, the main row is empty.
    const before = await t.db.pool.query<{ role: string; balance: string }>('SELECT role, balance FROM accounts WHERE owner = 0 ORDER BY id');
    expect(before.rows.map((r) => [r.role, Number(r.balance)])).toEqual([['main', 0], ['lease', 600], ['lease', 400]]);
  });

  it('counts the decline while the other worker held budget as the one false decline', async () => {
    const store = await openTestStore();
    try {
      await rows.flushTo(store.store);
      const ctx = analysisContext({ key, ledger: t.db.pool, store: store.store, accounts, rows: new CapturedRows() });
      // Before the flush: the ledger's rows hold 1,000, of which 900 are promised to accepted charges at op 9.
      const result = await findFalseDeclines(ctx);
      expect(result).toEqual({ declines: 4, falseDeclines: 1 });
    } finally {
      await store.close();
    }
  });

  it('posts every accepted charge on drain, returns nothing left, and never overdraws', async () => {
    await strategy.drain();
    const after = await t.db.pool.query<{ role: string; balance: string }>('SELECT role, balance FROM accounts WHERE owner = 0 ORDER BY id');
    expect(after.rows.map((r) => [r.role, Number(r.balance)])).toEqual([['main', 0], ['lease', 0], ['lease', 0]]);
    const posted = await t.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM entries WHERE op_id IS NOT NULL');
    expect(posted.rows[0]?.n).toBe(10);
    const fates = recorderFates(outcomes);
    const summary = await audit({ pool: t.db.pool, accounts, ops: () => ops, fates }, () => {});
    expect(summary).toMatchObject({ conservationOk: true, overdraftCount: 0, lost: 0, phantom: 0, duplicated: 0 });
  });
});

function recorderFates(outcomes: readonly Outcome[]): OpFates {
  const fates = new OpFates(outcomes.length);
  outcomes.forEach((o, id) => fates.set(id, o.status === 'rejected' ? 'rejected' : 'promised'));
  return fates;
}
