/**
 * row-lock: concurrent debits on one hot account queue for its row lock (the
 * measured lock wait is large), while the same debits spread over 100
 * accounts barely wait; every debit is posted exactly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeContext, type TestContext } from '../../test/support/context.js';
import { makeAccounts, makeOps } from '../../test/support/ops.js';
import { replay } from '../../test/support/replay.js';
import type { Outcome } from '../contract.js';
import { RowLockStrategy } from './index.js';

const OPS = 160;
// 0 is hot, 1..100 take the spread load, 101 is for the floor case.
const accounts = makeAccounts(Array.from({ length: 102 }, (_, i) => ({ balance: i === 101 ? 100 : 1_000_000, hot: i === 0 })));
let t: TestContext;
let strategy: RowLockStrategy;

beforeAll(async () => {
  t = await makeContext(accounts, { connections: 8 });
  strategy = new RowLockStrategy();
  await strategy.setup(t.ctx);
});
afterAll(async () => {
  await strategy?.stop();
  await t?.close();
});

const meanWait = (outcomes: Outcome[]): number => outcomes.reduce((s, o) => s + (o.lockWaitUs ?? Number.NaN), 0) / outcomes.length;

describe('row-lock', () => {
  it('serializes a hot account: mean lock wait far above the same load spread over 100 accounts', async () => {
    const hot = makeOps(Array.from({ length: OPS }, (_, i) => ['charge', 0, 1 + (i % 5)] as const));
    const spread = makeOps(Array.from({ length: OPS }, (_, i) => ['charge', 1 + (i % 100), 1 + (i % 5)] as const), OPS);
    const hotRun = await replay(strategy, hot, { concurrency: 8 });
    const spreadRun = await replay(strategy, spread, { concurrency: 8 });
    const hotWait = meanWait(hotRun.outcomes);
    const spreadWait = meanWait(spreadRun.outcomes);
    console.log(`row-lock mean lock wait: hot ${Math.round(hotWait)} µs, spread over 100 accounts ${Math.round(spreadWait)} µs`);
    expect(hotRun.outcomes.every((o) => o.status === 'applied')).toBe(true);
    expect(spreadRun.outcomes.every((o) => o.status === 'applied')).toBe(true);
    expect(hotWait).toBeGreaterThan(1_000);
    expect(hotWait).toBeGreaterThan(5 * spreadWait);

    // Hot: amounts cycle 1..5, so 160 ops debit 32 × 15. Account 1 gets ops 0 and 100 (1 + 1), account 100 op 99 (5).
    const balances = await t.db.pool.query<{ id: string; balance: string }>('SELECT id, balance FROM accounts WHERE id IN (0, 1, 100) ORDER BY id');
    expect(balances.rows.map((r) => Number(r.balance))).toEqual([1_000_000 - 32 * 15, 1_000_000 - 2, 1_000_000 - 5]);
  });

  it('refuses a debit that would cross the floor and releases the lock at once', async () => {
    const ops = makeOps([['withdraw', 101, 95], ['withdraw', 101, 6], ['withdraw', 101, 5], ['read', 101, 0]], 1_000);
    const { outcomes } = await replay(strategy, ops, { concurrency: 1 });
    expect(outcomes.map((o) => (o.status === 'rejected' ? o.reason : o.status))).toEqual(['applied', 'insufficient_funds', 'applied', 'applied']);
    expect(outcomes[3]).toEqual({ status: 'applied', balance: 0 });
  });
});
