/**
 * cache: pending deltas leave Redis only after the ledger committed them. A
 * flush that fails (here the entries table is briefly renamed away) leaves
 * them pending and the withdrawal that forced it gets `error`; the next flush
 * posts every accepted op exactly once, nothing lost, nothing duplicated.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audit } from '../../runner/audit/auditor.js';
import { OpFates, fateOf } from '../../runner/audit/fates.js';
import { CacheStrategy } from './index.js';
import { cacheParams } from './params.js';
import { makeContext, type TestContext } from '../../test/support/context.js';
import { makeAccounts, makeOps } from '../../test/support/ops.js';
import { redisPort, type RedisFixture } from '../../test/redis-fixture.js';

const accounts = makeAccounts([{ balance: 1_000 }]);
let t: TestContext;
let fx: RedisFixture;
let strategy: CacheStrategy;
beforeAll(async () => {
  fx = await redisPort();
  t = await makeContext(accounts, { connections: 4, ports: { redis: fx.port } });
  strategy = new CacheStrategy(cacheParams.parse({ flush: '1m' }));
  await strategy.setup(t.ctx);
});
afterAll(async () => {
  await strategy?.stop();
  await fx?.close();
  await t?.close();
});

describe('cache flush failure', () => {
  it('keeps pending deltas in Redis until a flush commits them', async () => {
    const ops = makeOps([['charge', 0, 100], ['charge', 0, 200], ['withdraw', 0, 50], ['topup', 0, 5]]);
    const fates = new OpFates(4);
    const submit = async (i: number) => {
      const o = await strategy.submit(ops[i]!);
      fates.set(i, fateOf(o));
      return o;
    };
    expect(await submit(0)).toEqual({ status: 'accepted' });
    expect(await submit(1)).toEqual({ status: 'accepted' });
    await t.db.pool.query('ALTER TABLE entries RENAME TO entries_away');
    const withdrawal = await submit(2);
    expect(withdrawal).toMatchObject({ status: 'rejected', reason: 'error' });
    expect((await strategy.observe())).toEqual([{ name: 'cache_pending', value: 3 }]);
    await t.db.pool.query('ALTER TABLE entries_away RENAME TO entries');
    expect(await submit(3)).toEqual({ status: 'accepted' });
    await strategy.drain();
    expect((await strategy.observe())).toEqual([{ name: 'cache_pending', value: 0 }]);
    const summary = await audit({ pool: t.db.pool, accounts, ops: () => ops, fates }, () => {});
    // The withdrawal's caller was told `error` (fate unknown) and it was posted later: counted as such, not lost.
    expect(summary).toMatchObject({ conservationOk: true, lost: 0, duplicated: 0, unknownPosted: 1, entries: 4 });
    const balance = await t.db.pool.query<{ balance: string }>('SELECT balance FROM accounts WHERE id = 0');
    expect(Number(balance.rows[0]?.balance)).toBe(1_000 - 100 - 200 - 50 + 5);
  });
});
