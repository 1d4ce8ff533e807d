/**
 * cache: 50 concurrent debits of 10 against 200 are decided in Redis, exactly
 * 20 accepted and 30 refused; reads see the Redis balance at once while the
 * ledger still shows 200; the flush posts the 20 (and reports each posting);
 * a withdrawal is in the ledger when its submit returns.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeContext, type TestContext } from '../../test/support/context.js';
import { makeAccounts, makeOps } from '../../test/support/ops.js';
import { redisPort, type RedisFixture } from '../../test/redis-fixture.js';
import { CacheStrategy } from './index.js';
import { cacheParams } from './params.js';

// Account 0 asks upstream to stop delivery below 50 (its threshold).
const accounts = makeAccounts([{ balance: 200, hot: true }, { balance: 100, floor: -50 }]).map((a) => (a.id === 0 ? { ...a, threshold: 50 } : a));
let t: TestContext;
let fx: RedisFixture;
let strategy: CacheStrategy;
beforeAll(async () => {
  fx = await redisPort();
  t = await makeContext(accounts, { connections: 4, ports: { redis: fx.port } });
  strategy = new CacheStrategy(cacheParams.parse({ flush: '1m' })); // no timed flush during the test
  await strategy.setup(t.ctx);
});
afterAll(async () => {
  await strategy?.stop();
  await fx?.close();
  await t?.close();
});

const ledger = async (id: number): Promise<number> => Number((await t.db.pool.query<{ balance: string }>('SELECT balance FROM accounts WHERE id = $1', [id])).rows[0]?.balance);

describe('cache', () => {
  it('decides 50 racing debits of 10 against 200 in Redis: 20 accepted, 30 refused; posted at the flush', async () => {
    const ops = makeOps(Array.from({ length: 50 }, () => ['charge', 0, 10] as const));
    const outcomes = await Promise.all(ops.map((op) => strategy.submit(op)));
    expect(outcomes.filter((o) => o.status === 'accepted')).toHaveLength(20);
    expect(outcomes.filter((o) => o.status === 'rejected' && o.reason === 'insufficient_funds')).toHaveLength(30);

    const [read] = makeOps([['read', 0, 0]], 50);
    expect(await strategy.submit(read!)).toEqual({ status: 'applied', balance: 0 });
    expect(await ledger(0)).toBe(200); // not flushed yet
    expect((await strategy.observe())).toEqual([{ name: 'cache_pending', value: 20 }]);

    await strategy.drain();
    expect(await ledger(0)).toBe(0);
    const accepted = ops.filter((_, i) => outcomes[i]?.status === 'accepted').map((op) => op.id);
    expect(new Set(t.events.postedOps.map((p) => p.op.id))).toEqual(new Set(accepted));
    const entries = await t.db.pool.query<{ n: number; s: string }>('SELECT count(*)::int AS n, sum(delta) AS s FROM entries WHERE owner = 0');
    expect(entries.rows[0]).toEqual({ n: 20, s: '-200' });
    // Signalled when the Redis balance crossed 50, i.e. at accept time, before any posting.
    expect(t.events.signals.filter((s) => s.account === 0).map((s) => s.kind)).toEqual(['budget_exhausted']);
  });

  it('a withdrawal is in the ledger when its submit returns; credits pass below the floor', async () => {
    const ops = makeOps([['withdraw', 1, 151], ['withdraw', 1, 150], ['topup', 1, 7]], 100);
    expect(await strategy.submit(ops[0]!)).toEqual({ status: 'rejected', reason: 'insufficient_funds' });
    expect(await strategy.submit(ops[1]!)).toEqual({ status: 'applied' });
    expect(await ledger(1)).toBe(-50);
    expect(await strategy.submit(ops[2]!)).toEqual({ status: 'accepted' });
    expect(await ledger(1)).toBe(-50);
    await strategy.drain();
    expect(await ledger(1)).toBe(-43);
    expect(t.events.postedOps.some((p) => p.op.id === 101)).toBe(false); // applied at ack, not reported later
  });
});
