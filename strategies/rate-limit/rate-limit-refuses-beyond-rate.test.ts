/**
 * rate-limit(atomic):rate=500,burst=50: one account offered 3× the rate for
 * one second (1,500 charges on a clock the test drives) gets exactly
 * burst + floor(rate × span) = 549 through to the ledger; the other 951 are
 * `rate_limited` and never reach the inner strategy. Another account has its
 * own bucket; reads bypass the limiter.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeContext, type TestContext } from '../../test/support/context.js';
import { makeAccounts, makeOps } from '../../test/support/ops.js';
import type { Clock, Outcome } from '../contract.js';
import { AtomicStrategy } from '../atomic/index.js';
import { RateLimitStrategy } from './index.js';
import { rateLimitParams } from './params.js';

/** A clock the test sets: the limiter reads it synchronously when an op is submitted. */
class SetClock implements Clock {
  us = 0;
  now(): number {
    return this.us;
  }
}

const RATE = 500;
const BURST = 50;
const OFFERED = 3 * RATE;
const accounts = makeAccounts([{ balance: 1_000_000, hot: true }, { balance: 1_000_000 }]);
const clock = new SetClock();
let t: TestContext;
let strategy: RateLimitStrategy;

beforeAll(async () => {
  t = await makeContext(accounts, { connections: 4 });
  strategy = new RateLimitStrategy(rateLimitParams.parse({ rate: String(RATE), burst: String(BURST) }), { strategy: new AtomicStrategy(), label: 'atomic' });
  await strategy.setup({ ...t.ctx, clock });
});
afterAll(async () => {
  await strategy?.stop();
  await t?.close();
});

/** Submits each op at its `at` on the test clock (the limiter decides synchronously), then awaits all. */
async function offer(ops: ReturnType<typeof makeOps>): Promise<Outcome[]> {
  const pending = ops.map((op) => {
    clock.us = op.at;
    return strategy.submit(op);
  });
  return Promise.all(pending);
}

describe('rate-limit', () => {
  it('admits exactly burst + floor(rate × span) of 3× the rate on one account; the rest are rate_limited', async () => {
    // 1,500 charges of 2 over one second: op i at floor(i × 1e6 / 1,500) µs.
    const ops = makeOps(Array.from({ length: OFFERED }, () => ['charge', 0, 2] as const)).map((op, i) => ({ ...op, at: Math.floor((i * 1e6) / OFFERED) }));
    const spanUs = ops[ops.length - 1]!.at - ops[0]!.at; // 999,333 µs
    const expected = Math.floor(BURST + (RATE * spanUs) / 1e6); // 50 + 499.67 → 549
    expect(expected).toBe(549);
    const outcomes = await offer(ops);
    expect(outcomes.filter((o) => o.status === 'applied')).toHaveLength(expected);
    expect(outcomes.filter((o) => o.status === 'rejected' && o.reason === 'rate_limited')).toHaveLength(OFFERED - expected);
    // The first `burst` went through back to back, then about one in three.
    expect(outcomes.slice(0, BURST).every((o) => o.status === 'applied')).toBe(true);
    // Refused ops never reached the inner strategy: the ledger holds exactly the admitted ones.
    const ledger = await t.db.pool.query<{ n: number; balance: string }>('SELECT count(*)::int AS n, (SELECT balance FROM accounts WHERE id = 0) AS balance FROM entries');
    expect(ledger.rows[0]).toEqual({ n: expected, balance: String(1_000_000 - 2 * expected) });
  });

  it('keeps a bucket per account, and lets reads through without a token', async () => {
    const base = 2_000_000; // the clock moves on: account 0's bucket refills to its burst, no more
    const ops = makeOps([
      ...Array.from({ length: BURST + 1 }, () => ['charge', 1, 1] as const),
      ...Array.from({ length: BURST + 1 }, () => ['charge', 0, 1] as const),
    ], 10_000).map((op) => ({ ...op, at: base }));
    const outcomes = await offer(ops);
    const kinds = outcomes.map((o) => (o.status === 'rejected' ? o.reason : o.status));
    expect(kinds).toEqual([
      ...Array.from({ length: BURST }, () => 'applied'), 'rate_limited',
      ...Array.from({ length: BURST }, () => 'applied'), 'rate_limited',
    ]);
    // Account 0's bucket is empty now, yet a read goes through.
    const [read] = makeOps([['read', 0, 0]], 20_000);
    expect(await offer([{ ...read!, at: base }])).toEqual([{ status: 'applied', balance: 1_000_000 - 2 * 549 - BURST }]);
    expect(strategy.backend).toBe('postgres');
    expect(await strategy.observe()).toEqual([{ name: 'rate_limited_ops', value: 951 + 2 }]);
  });
});
