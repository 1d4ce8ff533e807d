/**
 * wal: charges are accepted at once without touching the balance, the
 * periodic roll-up posts them later (and reports when), past the floor when
 * the budget has run out: 5 accepted charges of 30 on a balance of 100 end
 * at -50, two overdraft incidents of 20 and 30 that the auditor finds. A
 * withdrawal is checked against the real balance: the account's journal is
 * rolled up first, in the same transaction.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audit, type AuditIncident } from '../../runner/audit/auditor.js';
import { OpFates } from '../../runner/audit/fates.js';
import { makeContext, type TestContext } from '../../test/support/context.js';
import { makeAccounts, makeOps } from '../../test/support/ops.js';
import { replay } from '../../test/support/replay.js';
import { WalStrategy } from './index.js';
import { walParams } from './params.js';

const accounts = makeAccounts([{ balance: 100 }, { balance: 100 }]);

async function balancesAndJournal(t: TestContext): Promise<{ balances: number[]; journal: number }> {
  const b = await t.db.pool.query<{ balance: string }>('SELECT balance FROM accounts ORDER BY id');
  const j = await t.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM wal_journal');
  return { balances: b.rows.map((r) => Number(r.balance)), journal: j.rows[0]?.n ?? -1 };
}

describe('wal, periodic roll-up every 100 ms', () => {
  let t: TestContext;
  let strategy: WalStrategy;
  beforeAll(async () => {
    t = await makeContext(accounts, { connections: 4 });
    strategy = new WalStrategy(walParams.parse({ interval: '100ms' }));
    await strategy.setup(t.ctx);
  });
  afterAll(async () => {
    await strategy?.stop();
    await t?.close();
  });

  it('accepts 5 charges of 30 on 100 at once, posts them about an interval later, and overdraws by 50', async () => {
    const ops = makeOps(Array.from({ length: 5 }, () => ['charge', 0, 30] as const));
    const acked = t.ctx.clock.now();
    const outcomes = await Promise.all(ops.map((op) => strategy.submit(op)));
    expect(outcomes).toEqual(Array.from({ length: 5 }, () => ({ status: 'accepted' })));
    // Accepted, not posted: the balance is untouched and the ops wait in the journal.
    expect(await balancesAndJournal(t)).toEqual({ balances: [100, 100], journal: 5 });
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await balancesAndJournal(t)).toEqual({ balances: [-50, 100], journal: 0 });
    expect(t.events.postedOps.map((p) => p.op.id).sort()).toEqual([0, 1, 2, 3, 4]);
    for (const p of t.events.postedOps) expect(p.at - acked).toBeGreaterThanOrEqual(50_000);
    // Crossing the stop-delivery threshold (the floor, 0) was signalled once.
    expect(t.events.signals.map((s) => [s.kind, s.account])).toEqual([['budget_exhausted', 0]]);

    const incidents: AuditIncident[] = [];
    const f = new OpFates(5);
    for (const op of ops) f.set(op.id, 'promised');
    const summary = await audit({ pool: t.db.pool, accounts, ops: () => ops, fates: f }, (i) => incidents.push(i));
    expect(summary).toMatchObject({ conservationOk: true, overdraftCount: 2, overdraftAmount: 50, lost: 0, duplicated: 0 });
    // Concurrent inserts: the journal (posting) order need not be the op id order. The 4th and 5th posted overdraw.
    const order = await t.db.pool.query<{ op_id: string }>('SELECT op_id FROM entries ORDER BY seq');
    const [, , , fourth, fifth] = order.rows.map((r) => Number(r.op_id));
    expect(incidents.filter((i) => i.kind === 'overdraft').map((i) => [i.opId, i.amount])).toEqual([[fourth, 20], [fifth, 30]]);
  });
});

describe('wal, withdrawals (no periodic roll-up during the test)', () => {
  let t: TestContext;
  let strategy: WalStrategy;
  beforeAll(async () => {
    t = await makeContext(accounts, { connections: 4 });
    strategy = new WalStrategy(walParams.parse({ interval: '1m' }));
    await strategy.setup(t.ctx);
  });
  afterAll(async () => {
    await strategy?.stop();
    await t?.close();
  });

  it('rolls the account up before checking: a withdrawal of 51 after a charge of 60 and a top-up of 10 on 100 is refused, 50 is applied', async () => {
    const ops = makeOps([['charge', 1, 60], ['topup', 0, 5], ['withdraw', 1, 51], ['withdraw', 1, 50], ['read', 1, 0]], 100);
    const { outcomes } = await replay(strategy, ops.slice(0, 2), { concurrency: 2 });
    expect(outcomes).toEqual([{ status: 'accepted' }, { status: 'accepted' }]);
    // replay() drained: both are posted. Journal a top-up, then withdraw without a drain.
    const [late] = makeOps([['topup', 1, 10]], 200);
    expect(await strategy.submit(late!)).toEqual({ status: 'accepted' });
    expect(await balancesAndJournal(t)).toEqual({ balances: [105, 40], journal: 1 });
    const refused = await strategy.submit(ops[2]!);
    const applied = await strategy.submit(ops[3]!);
    expect([refused.status, refused.status === 'rejected' ? refused.reason : '']).toEqual(['rejected', 'insufficient_funds']);
    expect(applied.status).toBe('applied');
    expect(await strategy.submit(ops[4]!)).toEqual({ status: 'applied', balance: 0 });
    expect(await balancesAndJournal(t)).toEqual({ balances: [105, 0], journal: 0 });
    // The journal row was rolled up by the first withdrawal, before it, in posting order.
    const entries = await t.db.pool.query<{ op_id: string; balance_after: string }>('SELECT op_id, balance_after FROM entries WHERE owner = 1 ORDER BY seq');
    expect(entries.rows.map((r) => [Number(r.op_id), Number(r.balance_after)])).toEqual([[100, 40], [200, 50], [103, 0]]);
    expect(t.events.postedOps.map((p) => p.op.id)).toEqual([100, 101, 200]);
  });
});
