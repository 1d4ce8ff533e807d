/**
 * atomic: when 50 concurrent debits race for a balance that covers 20 of
 * them, exactly 20 succeed and the balance lands on the floor; credits
 * succeed even below the floor.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeContext, type TestContext } from '../../test/support/context.js';
import { makeAccounts, makeOps } from '../../test/support/ops.js';
import { replay } from '../../test/support/replay.js';
import { AtomicCopyStrategy } from './index.js';

const accounts = makeAccounts([{ balance: 200 }, { balance: -10, floor: 0 }, { balance: 100, floor: -300 }]);
let t: TestContext;
let strategy: AtomicCopyStrategy;
beforeAll(async () => {
  t = await makeContext(accounts, { connections: 8 });
  strategy = new AtomicCopyStrategy();
  await strategy.setup(t.ctx);
});
afterAll(async () => {
  await strategy?.stop();
  await t?.close();
});

const balances = async (): Promise<number[]> =>
  (await t.db.pool.query<{ balance: string }>('SELECT balance FROM accounts ORDER BY id')).rows.map((r) => Number(r.balance));

describe('atomic', () => {
  it('50 concurrent debits of 10 against 200: exactly 20 applied, 30 insufficient_funds', async () => {
    const ops = makeOps(Array.from({ length: 50 }, () => ['charge', 0, 10] as const));
    const { outcomes } = await replay(strategy, ops, { concurrency: 50 });
    expect(outcomes.filter((o) => o.status === 'applied')).toHaveLength(20);
    expect(outcomes.filter((o) => o.status === 'rejected' && o.reason === 'insufficient_funds')).toHaveLength(30);
    expect(outcomes.every((o) => Number.isInteger(o.lockWaitUs) && (o.lockWaitUs ?? -1) >= 0)).toBe(true);
    expect((await balances())[0]).toBe(0);
    const entries = await t.db.pool.query<{ n: number; s: string }>('SELECT count(*)::int AS n, sum(delta) AS s FROM entries WHERE owner = 0');
    expect(entries.rows[0]).toEqual({ n: 20, s: '-200' });
  });

  it('credits never fail, even on an account below its floor; debits use a credit limit down to the floor', async () => {
    const ops = makeOps([['topup', 1, 5], ['adjust', 1, 3], ['withdraw', 1, 1], ['withdraw', 2, 400], ['charge', 2, 1], ['adjust', 2, -1]], 100);
    const { outcomes } = await replay(strategy, ops, { concurrency: 1 });
    expect(outcomes.map((o) => (o.status === 'rejected' ? o.reason : o.status))).toEqual([
      'applied', 'applied', 'insufficient_funds', 'applied', 'insufficient_funds', 'insufficient_funds',
    ]);
    expect((await balances()).slice(1)).toEqual([-2, -300]);
  });
});
