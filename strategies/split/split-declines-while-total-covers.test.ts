/**
 * split: a hot account of 800 in 8 sub-accounts of 100. Round-robin debits
 * drain each part to 10, a credit lands on part 0, then 8 debits of 50:
 * with `decline` only the one that lands on part 0 is applied (7 declined
 * while the total covered them); with `try-others` all 8 are applied from
 * part 0, after 8, 7, ... 1 attempts. When no part covers a debit that the
 * parts together do, only `gather` posts it (moving the shortfall by internal
 * transfers). Accounts that are not hot stay whole, and reads return the sum
 * of the parts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { audit } from '../../runner/audit/auditor.js';
import type { OpFates } from '../../runner/audit/fates.js';
import { makeContext, type TestContext } from '../../test/support/context.js';
import { makeAccounts, makeOps } from '../../test/support/ops.js';
import { replay } from '../../test/support/replay.js';
import { SplitStrategy } from './index.js';
import { splitParams } from './params.js';

const accounts = makeAccounts([{ balance: 800, hot: true }, { balance: 1_000 }]);
const ops = makeOps([
  ...Array.from({ length: 8 }, () => ['charge', 0, 90] as const), // parts 0..7: 100 → 10
  ['topup', 0, 500] as const, // part 0 (the 9th op): 510
  ...Array.from({ length: 8 }, () => ['withdraw', 0, 50] as const), // parts 1..7, then 0
  ['read', 0, 0] as const,
  ['charge', 1, 40] as const,
]);

let t: TestContext | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function run(onInsufficient: string, list = ops) {
  t = await makeContext(accounts, { connections: 2 });
  const strategy = new SplitStrategy(splitParams.parse({ pick: 'round-robin', on_insufficient: onInsufficient }));
  await strategy.setup(t.ctx);
  const { outcomes, fates } = await replay(strategy, list, { concurrency: 1 });
  const parts = await t.db.pool.query<{ id: string; owner: number; role: string; balance: string }>('SELECT id, owner, role, balance FROM accounts ORDER BY owner, id');
  await strategy.stop();
  return { strategy, outcomes, fates, parts: parts.rows.map((r) => ({ id: Number(r.id), owner: r.owner, role: r.role, balance: Number(r.balance) })) };
}

const statusOf = (o: { status: string; reason?: string }) => (o.status === 'rejected' ? o.reason : o.status);

describe('split', () => {
  it('decline: 7 of the last 8 debits are declined although the parts together hold 580', async () => {
    const { strategy, outcomes, parts } = await run('decline');
    expect(strategy.rowsOf(0)).toEqual([0, 2, 3, 4, 5, 6, 7, 8]);
    expect(strategy.rowsOf(1)).toEqual([1]);
    const last8 = outcomes.slice(9, 17);
    expect(last8.map(statusOf)).toEqual([...Array.from({ length: 7 }, () => 'insufficient_funds'), 'applied']);
    expect(last8.map((o) => o.attempts)).toEqual(Array.from({ length: 8 }, () => 1));
    expect(outcomes[17]).toEqual({ status: 'applied', balance: 10 * 7 + 460 });
    expect(parts).toEqual([
      { id: 0, owner: 0, role: 'sub', balance: 460 },
      ...[2, 3, 4, 5, 6, 7, 8].map((id) => ({ id, owner: 0, role: 'sub', balance: 10 })),
      { id: 1, owner: 1, role: 'main', balance: 960 },
    ]);
  });

  it('try-others: all 8 are applied from part 0, after 8, 7, ..., 1 attempts', async () => {
    const { outcomes, parts } = await run('try-others');
    const last8 = outcomes.slice(9, 17);
    expect(last8.map(statusOf)).toEqual(Array.from({ length: 8 }, () => 'applied'));
    expect(last8.map((o) => o.attempts)).toEqual([8, 7, 6, 5, 4, 3, 2, 1]);
    expect(outcomes[17]).toEqual({ status: 'applied', balance: 10 * 7 + 110 });
    expect(parts[0]).toEqual({ id: 0, owner: 0, role: 'sub', balance: 110 });
    // The entries of the hot account's debits name the part they were posted to.
    const posted = await t!.db.pool.query<{ account_id: string; n: number }>(
      'SELECT account_id, count(*)::int AS n FROM entries WHERE owner = 0 GROUP BY account_id ORDER BY account_id',
    );
    expect(posted.rows.map((r) => [Number(r.account_id), r.n])).toEqual([[0, 10], [2, 1], [3, 1], [4, 1], [5, 1], [6, 1], [7, 1], [8, 1]]);
  });

  it('gather: with every part at 10, a debit of 30 takes 10 + 20 moved from parts 1 and 2; 60 > the total 50 is a true decline', async () => {
    const drained = makeOps([
      ...Array.from({ length: 8 }, () => ['charge', 0, 90] as const), // parts 0..7: 100 → 10, total 80
      ['charge', 0, 30] as const, // part 0 lacks 20
      ['charge', 0, 60] as const, // part 1: the total (50) lacks 10
      ['read', 0, 0] as const,
    ]);
    let fates: OpFates | undefined;
    const statuses: Record<string, unknown[]> = {};
    for (const mode of ['decline', 'try-others', 'gather']) {
      const { outcomes, fates: f } = await run(mode, drained);
      fates = f;
      statuses[mode] = outcomes.slice(8).map((o) => [statusOf(o), o.attempts ?? null]);
      if (mode !== 'gather') await t?.close();
    }
    expect(statuses).toEqual({
      decline: [['insufficient_funds', 1], ['insufficient_funds', 1], ['applied', null]],
      'try-others': [['insufficient_funds', 8], ['insufficient_funds', 8], ['applied', null]],
      gather: [['applied', 2], ['insufficient_funds', 2], ['applied', null]],
    });
    const parts = await t!.db.pool.query<{ id: string; balance: string }>('SELECT id, balance FROM accounts WHERE owner = 0 ORDER BY id');
    expect(parts.rows.map((r) => [Number(r.id), Number(r.balance)])).toEqual([[0, 0], [2, 0], [3, 0], [4, 10], [5, 10], [6, 10], [7, 10], [8, 10]]);
    // Two transfer legs per donor (transfer_id = the op id, no op_id), then the op's own entry.
    const legs = await t!.db.pool.query<{ op_id: string | null; transfer_id: string | null; account_id: string; delta: string; balance_after: string }>(
      'SELECT op_id, transfer_id, account_id, delta, balance_after FROM entries WHERE seq > (SELECT max(seq) FROM entries WHERE op_id = 7) ORDER BY seq',
    );
    expect(legs.rows.map((r) => [r.op_id, r.transfer_id, Number(r.account_id), Number(r.delta), Number(r.balance_after)])).toEqual([
      [null, '8', 2, -10, 0], [null, '8', 0, 10, 20],
      [null, '8', 3, -10, 0], [null, '8', 0, 10, 30],
      ['8', null, 0, -30, 0],
    ]);
    // The auditor agrees: the transfers net to zero within the account, nothing is overdrawn or lost.
    const summary = await audit({ pool: t!.db.pool, accounts, ops: () => drained, fates: fates! }, () => undefined);
    expect(summary).toMatchObject({ conservationOk: true, overdraftCount: 0, lost: 0, duplicated: 0, phantom: 0, mismatch: 0, entries: 8 + 4 + 1 });
  });
});
