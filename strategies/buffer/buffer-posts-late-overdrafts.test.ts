/**
 * buffer: 30 charges of 50 against a budget of 1,000 are all accepted while
 * the consumers have not applied anything yet (poll=1s); when applied, the
 * last 10 overdraw it (check=false: 10 overdraft incidents, 500 unfunded) or
 * are refused after having been promised (check=true: 10 lost, no overdraft).
 * Lag is visible while the ops wait, and a debit after the books show the
 * budget gone is refused at once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { audit } from '../../runner/audit/auditor.js';
import { makeContext, type TestContext } from '../../test/support/context.js';
import { makeAccounts, makeOps } from '../../test/support/ops.js';
import { OpFates } from '../../runner/audit/fates.js';
import { redisPort, type RedisFixture } from '../../test/redis-fixture.js';
import { BufferStrategy } from './index.js';
import { bufferParams } from './params.js';

const accounts = makeAccounts([{ balance: 1_000, hot: true }, { balance: 100 }]);
let t: TestContext | undefined;
let fx: RedisFixture | undefined;
let strategy: BufferStrategy | undefined;
afterEach(async () => {
  await strategy?.stop();
  await fx?.close();
  await t?.close();
});

async function start(check: boolean): Promise<{ t: TestContext; s: BufferStrategy }> {
  fx = await redisPort();
  t = await makeContext(accounts, { connections: 4, ports: { redis: fx.port } });
  strategy = new BufferStrategy(bufferParams.parse({ consumers: '2', poll: '1s', check: String(check) }));
  await strategy.setup(t.ctx);
  expect(strategy.backend).toBe('redis-streams');
  await new Promise((r) => setTimeout(r, 150)); // the members' first (empty) read is behind us: they sleep 1 s
  return { t, s: strategy };
}

const charges = makeOps(Array.from({ length: 30 }, () => ['charge', 0, 50] as const));

describe('buffer', () => {
  it('check=false: all 30 accepted, lag while queued, then 10 late overdrafts of 50 each', async () => {
    const { t, s } = await start(false);
    const outcomes = await Promise.all(charges.map((op) => s.submit(op)));
    expect(outcomes.every((o) => o.status === 'accepted')).toBe(true);
    const lag = Object.fromEntries((await s.observe()).map((p) => [p.name, p.value]));
    expect(lag['consumer_lag']).toBe(30);
    expect(lag['lag_us']).toBeGreaterThan(0);

    await s.drain();
    const fates = new OpFates(30);
    for (const op of charges) fates.set(op.id, 'promised');
    expect((await s.observe()).find((p) => p.name === 'consumer_lag')?.value).toBe(0);
    expect(t.events.postedOps.map((p) => p.op.id).sort((a, b) => a - b)).toEqual(charges.map((op) => op.id));
    const summary = await audit({ pool: t.db.pool, accounts, ops: () => charges, fates }, () => {});
    expect(summary).toMatchObject({ conservationOk: true, overdraftCount: 10, overdraftAmount: 500, lost: 0, duplicated: 0 });
    const balance = await t.db.pool.query<{ balance: string }>('SELECT balance FROM accounts WHERE id = 0');
    expect(Number(balance.rows[0]?.balance)).toBe(-500);
    expect(t.events.signals).toContainEqual(expect.objectContaining({ kind: 'budget_exhausted', account: 0 }));

    // The books now say the budget is gone: the next debit is refused at once.
    const [late] = makeOps([['charge', 0, 1]], 100);
    expect(await s.submit(late!)).toEqual({ status: 'rejected', reason: 'insufficient_funds' });
  });

  it('check=true: the 10 debits that no longer fit are refused when applied: promised, never posted', async () => {
    const { t, s } = await start(true);
    const outcomes = await Promise.all(charges.map((op) => s.submit(op)));
    expect(outcomes.every((o) => o.status === 'accepted')).toBe(true);
    await s.drain();
    const fates = new OpFates(30);
    for (const op of charges) fates.set(op.id, 'promised');
    const summary = await audit({ pool: t.db.pool, accounts, ops: () => charges, fates }, () => {});
    expect(summary).toMatchObject({ conservationOk: true, overdraftCount: 0, lost: 10, duplicated: 0, entries: 20 });
    expect(t.events.postedOps).toHaveLength(20);
    const refused = t.events.notes.filter((n) => n.kind === 'late_reject');
    expect(refused.length).toBeGreaterThan(0);
  });

  it('a withdrawal is checked against the ledger and applied synchronously', async () => {
    const { t, s } = await start(false);
    const [big, ok] = makeOps([['withdraw', 1, 101], ['withdraw', 1, 100]], 200);
    expect(await s.submit(big!)).toEqual({ status: 'rejected', reason: 'insufficient_funds' });
    expect(await s.submit(ok!)).toEqual({ status: 'applied' });
    const balance = await t.db.pool.query<{ balance: string }>('SELECT balance FROM accounts WHERE id = 1');
    expect(Number(balance.rows[0]?.balance)).toBe(0);
    expect(t.events.postedOps).toHaveLength(0); // applied ops are recorded at ack, not as later postings
  });
});
