/**
 * optimistic: a write that lost the version race retries (attempts > 1) and
 * succeeds; with no retries left it gives up without posting; under
 * concurrency on one account conflicts are common. A conflicting attempt's
 * whole duration counts as lock wait (the time it lost), under repeatable
 * read too, where the server reports no wait for a 40001.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { makeContext, type TestContext } from '../../test/support/context.js';
import { makeAccounts, makeOps } from '../../test/support/ops.js';
import { replay } from '../../test/support/replay.js';
import { deltaOf, type Outcome, type Strategy } from '../contract.js';
import { optimistic } from './index.js';
import { optimisticParams } from './params.js';

const HOLD_MS = 200;
const accounts = makeAccounts([{ balance: 10_000, hot: true }]);
const [charge] = makeOps([['charge', 0, 10]]);
let t: TestContext | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function started(params: Record<string, string>): Promise<{ strategy: Strategy; ctx: TestContext }> {
  t = await makeContext(accounts, { connections: 8 });
  const strategy = optimistic.create(optimisticParams.parse(params));
  await strategy.setup(t.ctx);
  return { strategy, ctx: t };
}

/** Bumps account 0's version in another transaction, holding its lock while `submit` runs, and commits after HOLD_MS. */
async function conflictWhile(ctx: TestContext, submit: () => Promise<Outcome>): Promise<Outcome> {
  const holder = await ctx.db.pool.connect();
  try {
    await holder.query('BEGIN');
    await holder.query('UPDATE accounts SET balance = balance + 1, version = version + 1 WHERE id = 0');
    const pending = submit();
    await sleep(HOLD_MS);
    await holder.query('COMMIT');
    return await pending;
  } finally {
    holder.release();
  }
}

async function ledgerOf(ctx: TestContext): Promise<{ balance: number; version: number; entries: number }> {
  const a = await ctx.db.pool.query<{ balance: string; version: string }>('SELECT balance, version FROM accounts WHERE id = 0');
  const e = await ctx.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM entries');
  return { balance: Number(a.rows[0]?.balance), version: Number(a.rows[0]?.version), entries: e.rows[0]?.n ?? -1 };
}

describe('optimistic', () => {
  it('repeatable read: the concurrent commit fails the UPDATE (40001), the retry applies: attempts 2; the lost attempt counts as lock wait', async () => {
    const { strategy, ctx } = await started({});
    const outcome = await conflictWhile(ctx, () => strategy.submit(charge!));
    expect(outcome).toMatchObject({ status: 'applied', attempts: 2 });
    // The first attempt waited HOLD_MS for the holder's lock before its 40001: time lost, not "no contention".
    expect(outcome.lockWaitUs).toBeGreaterThan((HOLD_MS - 50) * 1000);
    expect(outcome.lockWaitUs).toBeLessThan((HOLD_MS + 300) * 1000);
    expect(await ledgerOf(ctx)).toEqual({ balance: 10_000 + 1 - 10, version: 2, entries: 1 });
  });

  it('read committed: the UPDATE waits for the lock, then matches 0 rows; the wait is measured', async () => {
    const { strategy, ctx } = await started({ isolation: 'read-committed' });
    const outcome = await conflictWhile(ctx, () => strategy.submit(charge!));
    expect(outcome).toMatchObject({ status: 'applied', attempts: 2 });
    expect(outcome.lockWaitUs).toBeGreaterThan((HOLD_MS - 50) * 1000);
    expect(outcome.lockWaitUs).toBeLessThan((HOLD_MS + 200) * 1000);
    expect(await ledgerOf(ctx)).toEqual({ balance: 10_000 + 1 - 10, version: 2, entries: 1 });
  });

  it('with retries=0 a conflict gives up without posting', async () => {
    const { strategy, ctx } = await started({ retries: '0' });
    const outcome = await conflictWhile(ctx, () => strategy.submit(charge!));
    expect(outcome).toMatchObject({ status: 'rejected', reason: 'error', detail: 'gave up after 1 version conflicts', attempts: 1 });
    expect(outcome.lockWaitUs).toBeGreaterThan((HOLD_MS - 50) * 1000);
    expect(await ledgerOf(ctx)).toEqual({ balance: 10_000 + 1, version: 1, entries: 0 });
  });

  it('8 concurrent writers on one account: retries happen, tight retries give up, balances stay exact', async () => {
    const { strategy, ctx } = await started({ retries: '1', backoff: '0ms' });
    const ops = makeOps(Array.from({ length: 200 }, (_, i) => [i % 4 === 0 ? 'topup' : 'charge', 0, 1 + (i % 7)] as const));
    const { outcomes } = await replay(strategy, ops, { concurrency: 8 });
    const retried = outcomes.filter((o) => (o.attempts ?? 1) > 1).length;
    const gaveUp = outcomes.filter((o) => o.status === 'rejected' && o.detail === 'gave up after 2 version conflicts').length;
    const applied = ops.filter((_, i) => outcomes[i]?.status === 'applied');
    console.log(`optimistic retries=1, 8 writers on one account: ${applied.length} applied, ${retried} retried, ${gaveUp} gave up`);
    expect(retried).toBeGreaterThan(0);
    expect(gaveUp).toBeGreaterThan(0);
    expect(applied.length + gaveUp).toBe(ops.length);
    expect(await ledgerOf(ctx)).toEqual({
      balance: 10_000 + applied.reduce((s, op) => s + deltaOf(op), 0),
      version: applied.length,
      entries: applied.length,
    });
  });
});
