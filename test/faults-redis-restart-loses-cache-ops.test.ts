/**
 * `redis:restart` against `cache`: the 200 charges accepted before the fault
 * were never flushed (flush=1m), so they are lost: accepted, never posted.
 * The auditor counts exactly those 200 from the ledger; the cache reloads its
 * balances from the ledger and the 100 charges after the fault are posted.
 * Both forms of the fault: a redis-server hotbench started is really
 * restarted (SIGKILL); on the shared server the replay's keys are deleted.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { audit } from '../runner/audit/auditor.js';
import { RedisProvider } from '../runner/stack/redis.js';
import { CacheStrategy } from '../strategies/cache/index.js';
import { cacheParams } from '../strategies/cache/params.js';
import { makeContext, type TestContext } from './support/context.js';
import { makeAccounts, makeOps } from './support/ops.js';
import { redisPort, type RedisFixture } from './redis-fixture.js';
import { replayWithFault } from './fault-fixture.js';

const accounts = makeAccounts([{ balance: 1_000_000, hot: true }, { balance: 5_000 }]);
const ops = makeOps(Array.from({ length: 300 }, (_, i) => ['charge', i % 3 === 0 ? 1 : 0, 10] as const));

let t: TestContext | undefined;
let fx: RedisFixture | undefined;
let strategy: CacheStrategy | undefined;
afterEach(async () => {
  await strategy?.stop();
  await fx?.close();
  await t?.close();
});

async function runWithRestart(provider?: RedisProvider): Promise<{ t: TestContext; detail: string }> {
  fx = await redisPort(provider);
  const f = fx;
  t = await makeContext(accounts, { connections: 4, ports: { redis: f.port } });
  strategy = new CacheStrategy(cacheParams.parse({ flush: '1m' }));
  await strategy.setup(t.ctx);
  let detail = '';
  const { outcomes, fates } = await replayWithFault(strategy, ops, { at: 200, inject: async () => void (detail = await f.provider.injectStackFault('restart', f.request)) });
  expect(outcomes.every((o) => o.status === 'accepted')).toBe(true);
  const summary = await audit({ pool: t.db.pool, accounts, ops: () => ops, fates }, () => {});
  expect(summary).toMatchObject({ conservationOk: true, lost: 200, overdraftCount: 0, duplicated: 0, phantom: 0, entries: 100 });
  // Independently: the ledger holds exactly the ops after the fault.
  const posted = await t.db.pool.query<{ op_id: string }>('SELECT op_id FROM entries ORDER BY op_id');
  expect(posted.rows.map((r) => Number(r.op_id))).toEqual(ops.slice(200).map((op) => op.id));
  const balances = await t.db.pool.query<{ balance: string }>('SELECT balance FROM accounts ORDER BY id');
  const after = ops.slice(200);
  expect(balances.rows.map((r) => Number(r.balance))).toEqual([
    1_000_000 - 10 * after.filter((op) => op.account === 0).length,
    5_000 - 10 * after.filter((op) => op.account === 1).length,
  ]);
  expect(t.events.notes.filter((n) => n.kind === 'cache_reloaded')).toHaveLength(1);
  expect(t.events.postedOps.map((p) => p.op.id)).toEqual(after.map((op) => op.id));
  return { t, detail };
}

describe('redis:restart on cache', () => {
  it('a redis-server hotbench started is killed and restarted: the 200 unflushed ops are lost', async () => {
    // Nothing listens on port 1, so the provider starts its own redis-server.
    const provider = await RedisProvider.open({ defaultUrl: 'redis://127.0.0.1:1' });
    expect(provider.started).toBe(true);
    const { detail } = await runWithRestart(provider);
    expect(detail).toMatch(/^restarted the redis-server hotbench started \(pid \d+ → \d+, SIGKILL, no persistence: all keys lost\)$/);
  });

  it('on a shared Redis the replay keys are deleted instead: the same 200 are lost', async () => {
    const { detail } = await runWithRestart();
    expect(detail).toMatch(/^shared Redis at redis:\/\/.+ not restarted: deleted the replay's 3 keys and killed its \d+ connections$/);
  });
});
