/**
 * Each planted defect is flagged by the metric that names it, with the exact
 * count and amount, and by nothing else.
 */
import { describe, expect, it } from 'vitest';
import { audit, type AuditIncident, type AuditSummary } from '../runner/audit/auditor.js';
import type { AccountSpec, Op } from '../strategies/contract.js';
import { resolveStrategies } from '../strategies/spec.js';
import { StrategyRegistry } from '../strategies/registry.js';
import { PLANTED_STRATEGIES } from './fixtures/planted-strategies.js';
import { makeContext } from './support/context.js';
import { makeAccounts, makeOps } from './support/ops.js';
import { replay } from './support/replay.js';

const registry = new StrategyRegistry();
for (const def of PLANTED_STRATEGIES) registry.register(def);

const CLEAN = { global: { model: 'single', drift: 0, unbalancedOps: 0, externalIn: 0 }, conservationOk: true, overdraftCount: 0, overdraftAmount: 0, lost: 0, duplicated: 0, phantom: 0, mismatch: 0, unknownPosted: 0, unknownUnposted: 0 };

async function run(spec: string, accounts: AccountSpec[], ops: Op[], concurrency: number): Promise<{ summary: AuditSummary; incidents: AuditIncident[] }> {
  const [resolved] = resolveStrategies(spec, registry);
  const strategy = resolved!.create();
  const t = await makeContext(accounts, { connections: 4 });
  try {
    await strategy.setup(t.ctx);
    const { fates } = await replay(strategy, ops, { concurrency });
    await strategy.stop();
    const incidents: AuditIncident[] = [];
    const summary = await audit({ pool: t.db.pool, accounts, ops: () => ops, fates }, (i) => incidents.push(i));
    return { summary, incidents };
  } finally {
    await t.close();
  }
}

/** 500 ops over 4 rich accounts: charges, topups, and a read at ids 100, 199, 300. */
function busyOps(): Op[] {
  return makeOps(
    Array.from({ length: 500 }, (_, i) => {
      if (i === 100 || i === 199 || i === 300) return ['read', i % 4, 0] as const;
      return [i % 3 === 0 ? 'topup' : 'charge', i % 4, 1 + (i % 17)] as const;
    }),
  );
}

describe('planted defects', () => {
  it('overdraft-by-one: one overdraft incident of amount 1', async () => {
    const accounts = makeAccounts([{ balance: 20 }]);
    // 20 -> 13 -> 6 -> -1 (slips through) -> refused -> 2 -> refused.
    const ops = makeOps([['charge', 0, 7], ['charge', 0, 7], ['charge', 0, 7], ['charge', 0, 7], ['topup', 0, 3], ['charge', 0, 7]]);
    const { summary, incidents } = await run('overdraft-by-one', accounts, ops, 1);
    expect(summary).toEqual({ ...CLEAN, accountsChecked: 1, overdraftCount: 1, overdraftAmount: 1, entries: 4 });
    expect(incidents.map((i) => [i.kind, i.opId, i.amount])).toEqual([['overdraft', 2, 1]]);
  });

  it('double-post every 50: duplicated = the 8 non-read ops with id % 50 = 0', async () => {
    const accounts = makeAccounts([{ balance: 1e9 }, { balance: 1e9 }, { balance: 1e9 }, { balance: 1e9 }]);
    const ops = busyOps();
    // ids 0, 50, ..., 450 are 10 ops; 100 and 300 are reads.
    const doubled = [0, 50, 150, 200, 250, 350, 400, 450];
    const { summary, incidents } = await run('double-post:every=50', accounts, ops, 4);
    expect(summary).toEqual({ ...CLEAN, accountsChecked: 4, duplicated: 8, entries: 497 + 8 });
    expect(incidents.map((i) => [i.kind, i.opId])).toEqual(doubled.map((id) => ['duplicated', id]));
    expect(incidents.map((i) => i.amount)).toEqual(doubled.map((id) => 1 + (id % 17)));
  });

  it('lose-ops every 100: lost = the 4 non-read ops with id % 100 = 99, with their amounts', async () => {
    const accounts = makeAccounts([{ balance: 1e9 }, { balance: 1e9 }, { balance: 1e9 }, { balance: 1e9 }]);
    const ops = busyOps();
    const lost = [99, 299, 399, 499]; // 199 is a read
    const { summary, incidents } = await run('lose-ops:every=100', accounts, ops, 4);
    expect(summary).toEqual({ ...CLEAN, accountsChecked: 4, lost: 4, entries: 497 - 4 });
    expect(incidents.map((i) => [i.kind, i.opId, i.amount])).toEqual(lost.map((id) => ['lost', id, 1 + (id % 17)]));
  });

  it('stall-once delays exactly one op (the first with id >= op) by its stall', async () => {
    const accounts = makeAccounts([{ balance: 1e9 }]);
    const ops = makeOps(Array.from({ length: 12 }, () => ['topup', 0, 1] as const));
    const strategy = resolveStrategies('stall-once:stall=300ms,op=5', registry)[0]!.create();
    const t = await makeContext(accounts, { connections: 2 });
    try {
      await strategy.setup(t.ctx);
      const took: number[] = [];
      for (const op of ops) {
        const started = performance.now();
        expect((await strategy.submit(op)).status).toBe('applied');
        took.push(performance.now() - started);
      }
      expect(took.map((ms) => ms >= 300)).toEqual(ops.map((op) => op.id === 5));
      expect(Math.max(...took.filter((_, i) => i !== 5))).toBeLessThan(100);
    } finally {
      await t.close();
    }
  });

  it('applied-before-posting leaves a clean ledger once drained (its defect is timing, not money)', async () => {
    const accounts = makeAccounts([{ balance: 1e9 }, { balance: 1e9 }, { balance: 1e9 }, { balance: 1e9 }]);
    const ops = busyOps().slice(0, 100);
    const { summary } = await run('applied-before-posting:delay=5ms', accounts, ops, 8);
    expect(summary).toEqual({ ...CLEAN, accountsChecked: 4, entries: 100 });
  });
});
