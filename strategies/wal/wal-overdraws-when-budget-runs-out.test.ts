/**
 * wal: the journal rows are the ledger entries (one INSERT per op, nothing
 * written twice) and the periodic roll-up only moves balances.
 * - check=none: 5 accepted charges of 30 on a balance of 100 end at -50 after
 *   the roll-up, two overdraft incidents of 20 and 30 that the auditor finds.
 * - check=pending: the same 5 charges: 3 accepted, 2 refused at once, the
 *   balance ends at 10, no overdraft.
 * - a withdrawal is checked against the real balance (rolled up + pending).
 * - double entry: every charge's counterparty leg (the revenue account) is
 *   journaled with it, and the roll-up moves both balances.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audit, type AuditIncident } from '../../runner/audit/auditor.js';
import { OpFates } from '../../runner/audit/fates.js';
import type { AccountSpec, Op } from '../contract.js';
import { makeContext, type TestContext } from '../../test/support/context.js';
import { doubleEntryAccounts, makeAccounts, makeOps } from '../../test/support/ops.js';
import { replay } from '../../test/support/replay.js';
import { WalStrategy } from './index.js';
import { walParams } from './params.js';

const accounts = makeAccounts([{ balance: 100 }, { balance: 100 }]);

async function ledger(t: TestContext): Promise<{ balances: number[]; entries: number }> {
  const b = await t.db.pool.query<{ balance: string }>('SELECT balance FROM accounts ORDER BY id');
  const e = await t.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM entries');
  return { balances: b.rows.map((r) => Number(r.balance)), entries: e.rows[0]?.n ?? -1 };
}

async function auditAll(t: TestContext, accts: readonly AccountSpec[], ops: readonly Op[], promised: (op: Op) => boolean) {
  const incidents: AuditIncident[] = [];
  const f = new OpFates(ops.length + (ops[0]?.id ?? 0));
  for (const op of ops) f.set(op.id, promised(op) ? 'promised' : 'rejected');
  const summary = await audit({ pool: t.db.pool, accounts: accts, ops: () => ops, fates: f }, (i) => incidents.push(i));
  return { summary, incidents };
}

describe('wal:check=none, periodic roll-up every 100 ms', () => {
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

  it('accepts 5 charges of 30 on 100 at once as entries, moves the balance about an interval later, and overdraws by 50', async () => {
    const ops = makeOps(Array.from({ length: 5 }, () => ['charge', 0, 30] as const));
    const acked = t.ctx.clock.now();
    const outcomes = await Promise.all(ops.map((op) => strategy.submit(op)));
    expect(outcomes).toEqual(Array.from({ length: 5 }, () => ({ status: 'accepted' })));
    // (That the balance stays untouched until a roll-up is checked below, with no periodic roll-up.)
    await new Promise((resolve) => setTimeout(resolve, 400));
    // Rolled up: the balance moved, no entry was added or rewritten.
    expect(await ledger(t)).toEqual({ balances: [-50, 100], entries: 5 });
    const tables = await t.db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'wal_journal'");
    expect(tables.rows[0]?.n).toBe(0);
    expect(t.events.postedOps.map((p) => p.op.id).sort()).toEqual([0, 1, 2, 3, 4]);
    for (const p of t.events.postedOps) expect(p.at - acked).toBeGreaterThanOrEqual(50_000);
    expect(t.events.signals.map((s) => [s.kind, s.account])).toEqual([['budget_exhausted', 0]]);

    const { summary, incidents } = await auditAll(t, accounts, ops, () => true);
    expect(summary).toMatchObject({ conservationOk: true, overdraftCount: 2, overdraftAmount: 50, lost: 0, duplicated: 0 });
    const order = await t.db.pool.query<{ op_id: string }>('SELECT op_id FROM entries ORDER BY seq');
    const [, , , fourth, fifth] = order.rows.map((r) => Number(r.op_id));
    expect(incidents.filter((i) => i.kind === 'overdraft').map((i) => [i.opId, i.amount])).toEqual([[fourth, 20], [fifth, 30]]);
  });
});

describe('wal:check=pending', () => {
  const watched = makeAccounts([{ balance: 100, threshold: 20 }, { balance: 100 }]);
  let t: TestContext;
  let strategy: WalStrategy;
  beforeAll(async () => {
    t = await makeContext(watched, { connections: 4 });
    strategy = new WalStrategy(walParams.parse({ interval: '1m', check: 'pending' }));
    await strategy.setup(t.ctx);
  });
  afterAll(async () => {
    await strategy?.stop();
    await t?.close();
  });

  it('accepts 3 of 5 charges of 30 on 100 (balance minus pending debits), refuses 2, and never overdraws', async () => {
    const ops = makeOps(Array.from({ length: 5 }, () => ['charge', 0, 30] as const));
    const { outcomes } = await replay(strategy, ops, { concurrency: 5 });
    expect(outcomes.filter((o) => o.status === 'accepted')).toHaveLength(3);
    expect(outcomes.filter((o) => o.status === 'rejected' && o.reason === 'insufficient_funds')).toHaveLength(2);
    expect(await ledger(t)).toEqual({ balances: [10, 100], entries: 3 });
    const { summary } = await auditAll(t, watched, ops, (op) => outcomes[op.id]?.status === 'accepted');
    expect(summary).toMatchObject({ conservationOk: true, overdraftCount: 0, overdraftAmount: 0, lost: 0, phantom: 0 });
    // The exhausted budget (below the threshold of 20) is known at accept, not at the roll-up.
    expect(t.events.signals.map((s) => [s.kind, s.account])).toEqual([['budget_exhausted', 0]]);
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

  it('checks against the rolled-up balance plus the pending entries: after a charge of 60 on 100, 51 is refused, 40 accepted', async () => {
    const ops = makeOps([['charge', 1, 60], ['withdraw', 1, 51], ['withdraw', 1, 40]], 100);
    expect(await strategy.submit(ops[0]!)).toEqual({ status: 'accepted' });
    const refused = await strategy.submit(ops[1]!);
    const accepted = await strategy.submit(ops[2]!);
    expect([refused.status, refused.status === 'rejected' ? refused.reason : '']).toEqual(['rejected', 'insufficient_funds']);
    expect(accepted.status).toBe('accepted');
    expect(await ledger(t)).toEqual({ balances: [100, 100], entries: 2 });
    await strategy.drain();
    expect(await ledger(t)).toEqual({ balances: [100, 0], entries: 2 });
    expect(t.events.postedOps.map((p) => p.op.id).sort()).toEqual([100, 102]);
  });
});

describe('wal under double entry', () => {
  const de = doubleEntryAccounts([{ balance: 100 }, { balance: 100 }]);
  let t: TestContext;
  let strategy: WalStrategy;
  beforeAll(async () => {
    t = await makeContext(de, { connections: 4 });
    strategy = new WalStrategy(walParams.parse({ interval: '1m' }));
    await strategy.setup(t.ctx);
  });
  afterAll(async () => {
    await strategy?.stop();
    await t?.close();
  });

  it('journals each op with its counterparty leg; the roll-up moves both balances; money is conserved', async () => {
    const ops = makeOps([['charge', 0, 30], ['topup', 1, 50], ['withdraw', 1, 20]]);
    const { outcomes } = await replay(strategy, ops, { concurrency: 1 });
    expect(outcomes.map((o) => o.status)).toEqual(['accepted', 'accepted', 'accepted']);
    // customers 0, 1; revenue 2, settlement 3, clearing 4
    expect(await ledger(t)).toEqual({ balances: [70, 130, 30, 20, -50], entries: 6 });
    const { summary } = await auditAll(t, de, ops, () => true);
    expect(summary).toMatchObject({ conservationOk: true, global: { model: 'double', drift: 0, unbalancedOps: 0, externalIn: 50 } });
  });
});
