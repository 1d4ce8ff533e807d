/**
 * credit-debit-split: credits land on the credit rows and cannot pay for a
 * withdrawal until a sweep has moved them into the debit row (a decline
 * while the account's rows together cover it); the sweep moves them as one
 * internal transfer netting to zero; under concurrent credits, debits and
 * sweeps money is conserved and never overdrawn, and every credit is swept
 * within the sweep interval plus one sweep.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { audit } from '../../runner/audit/auditor.js';
import { measureSweepDelay } from '../../runner/analysis/sweep-delay.js';
import type { Store } from '../../results/store.js';
import { deltaOf, type Outcome } from '../contract.js';
import { OpFates, fateOf } from '../../runner/audit/fates.js';
import { makeContext, type TestContext } from '../../test/support/context.js';
import { makeAccounts, makeOps, seededRandom } from '../../test/support/ops.js';
import { replay } from '../../test/support/replay.js';
import { analysisContext, CapturedRows, testKey } from '../../test/analysis-fixture.js';
import { CreditDebitSplitStrategy } from './index.js';
import { creditDebitSplitParams } from './params.js';

const SWEEP_MS = 100;
const accounts = makeAccounts([{ balance: 1000, hot: true }, { balance: 500 }]);
let t: TestContext;
let strategy: CreditDebitSplitStrategy;
beforeAll(async () => {
  t = await makeContext(accounts, { connections: 8 });
  strategy = new CreditDebitSplitStrategy(creditDebitSplitParams.parse({ credits: '3', sweep: `${SWEEP_MS}ms` }));
  await strategy.setup(t.ctx);
});
afterAll(async () => {
  await strategy?.stop();
  await t?.close();
});

const rows = async (): Promise<[number, number, string, number][]> =>
  (await t.db.pool.query<{ id: string; owner: number; role: string; balance: string }>('SELECT id, owner, role, balance FROM accounts ORDER BY id')).rows.map((r) => [
    Number(r.id), r.owner, r.role, Number(r.balance),
  ]);

it('declines a withdrawal the unswept credits would cover, and pays it once the sweep moved them', async () => {
  expect(await rows()).toEqual([[0, 0, 'debit', 1000], [1, 1, 'main', 500], [2, 0, 'credit', 0], [3, 0, 'credit', 0], [4, 0, 'credit', 0]]);
  // Three credits land on the three credit rows in turn; the withdrawal sees the debit row only.
  const first = makeOps([['topup', 0, 500], ['topup', 0, 600], ['topup', 0, 700], ['withdraw', 0, 1200], ['read', 0, 0], ['topup', 1, 5]]);
  const { outcomes } = await replay(strategy, first, { concurrency: 1 });
  expect(outcomes.map((o) => (o.status === 'rejected' ? o.reason : o.status))).toEqual(['applied', 'applied', 'applied', 'insufficient_funds', 'applied', 'applied']);
  expect((outcomes[4] as { balance: number }).balance).toBe(2800); // reads: the total of the owner's rows
  // replay() drained the strategy: drain sweeps, so the credits are now in the debit row.
  expect(await rows()).toEqual([[0, 0, 'debit', 2800], [1, 1, 'main', 505], [2, 0, 'credit', 0], [3, 0, 'credit', 0], [4, 0, 'credit', 0]]);
  const legs = await t.db.pool.query<{ transfer_id: string; account_id: string; delta: string; op_id: string | null }>(
    'SELECT transfer_id, account_id, delta, op_id FROM entries WHERE transfer_id IS NOT NULL ORDER BY seq',
  );
  expect(legs.rows.map((r) => [Number(r.transfer_id), Number(r.account_id), Number(r.delta), r.op_id])).toEqual([
    [1, 2, -500, null], [1, 3, -600, null], [1, 4, -700, null], [1, 0, 1800, null],
  ]);

  const second = makeOps([['withdraw', 0, 1200]], 100);
  expect((await replay(strategy, second)).outcomes[0]?.status).toBe('applied');
});

it('conserves money under concurrent credits, debits and sweeps, and sweeps each credit within the interval plus one sweep', async () => {
  const c = await makeContext(accounts, { connections: 8 });
  const s = new CreditDebitSplitStrategy(creditDebitSplitParams.parse({ credits: '3', sweep: `${SWEEP_MS}ms` }));
  try {
    await s.setup(c.ctx);
    const random = seededRandom(7);
    const kinds = ['charge', 'withdraw', 'topup', 'adjust'] as const;
    const ops = makeOps(
      Array.from({ length: 300 }, () => {
        const kind = kinds[Math.floor(random() * kinds.length)]!;
        const size = 1 + Math.floor(random() * 200);
        return [kind, random() < 0.8 ? 0 : 1, kind === 'adjust' && random() < 0.5 ? -size : size] as const;
      }),
    );
    // Submit in slices with pauses, so periodic sweeps (not only drain's) run between credits.
    const fates = new OpFates(ops.length);
    const outcomes: Outcome[] = [];
    for (let i = 0; i < ops.length; i += 50) {
      const slice = await replay(s, ops.slice(i, i + 50), { concurrency: 8 });
      slice.outcomes.forEach((o, j) => {
        outcomes.push(o);
        fates.set(ops[i + j]!.id, fateOf(o));
      });
      await sleep(SWEEP_MS / 2);
    }
    const summary = await audit({ pool: c.db.pool, accounts, ops: () => ops, fates }, () => {});
    expect(summary).toMatchObject({ conservationOk: true, overdraftCount: 0, lost: 0, duplicated: 0, phantom: 0, mismatch: 0, unknownPosted: 0 });

    // Independently: each owner's rows hold its initial balance plus the applied ops' deltas; the credit rows are empty.
    const applied = ops.filter((_, i) => outcomes[i]!.status === 'applied');
    const expected = accounts.map((a) => a.balance + applied.filter((op) => op.account === a.id).reduce((sum, op) => sum + deltaOf(op), 0));
    const held = (await c.db.pool.query<{ owner: number; role: string; balance: string }>('SELECT owner, role, balance FROM accounts ORDER BY id')).rows;
    expect(accounts.map((a) => held.filter((r) => r.owner === a.id).reduce((sum, r) => sum + Number(r.balance), 0))).toEqual(expected);
    expect(held.filter((r) => r.role === 'credit').map((r) => Number(r.balance))).toEqual([0, 0, 0]);
    expect(outcomes.some((o) => o.status === 'rejected' && o.reason === 'insufficient_funds')).toBe(true);

    // Sweep delay: every credit that landed on a credit row (the hot account's) was swept within the
    // interval plus one sweep's duration (400 ms of slack for a busy 2-core machine; the whole run
    // lasts well over a second, so sweeping only at drain would fail this).
    const out = new CapturedRows();
    // measureSweepDelay reads only the ledger; it never touches the results store.
    const delay = await measureSweepDelay(analysisContext({ key: testKey(), ledger: c.db.pool, store: undefined as unknown as Store, accounts, rows: out }));
    const credits = applied.filter((op) => op.account === 0 && deltaOf(op) > 0).length;
    expect(credits).toBeGreaterThan(50);
    expect(delay).toMatchObject({ swept: credits, unswept: 0 });
    expect(out.tables.samples).toHaveLength(credits);
    expect(out.tables.samples.every((x) => x.name === 'sweep_delay_us' && x.value >= 0)).toBe(true);
    expect(delay.maxDelayUs).toBeLessThanOrEqual(SWEEP_MS * 1000 + 400_000);
    const transfers = await c.db.pool.query<{ n: number }>('SELECT count(DISTINCT transfer_id)::int AS n FROM entries WHERE transfer_id IS NOT NULL');
    expect(transfers.rows[0]!.n).toBeGreaterThan(3); // periodic sweeps ran, not only drain's
    console.log(`credit-debit-split: ${credits} credits in ${transfers.rows[0]!.n} sweeps, longest sweep delay ${(delay.maxDelayUs / 1000).toFixed(1)} ms`);
  } finally {
    await s.stop();
    await c.close();
  }
});
