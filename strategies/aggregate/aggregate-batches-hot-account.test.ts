/**
 * aggregate: 1,000 debits arriving at once on one hot account are posted in
 * exactly 10 transactions of `max` = 100 entries (one balance update each),
 * in arrival order; a budget that covers only part of them funds exactly the
 * first ones that fit, and the balance never crosses the floor; a lone op
 * waits for the window; a committed-balance read answers what the ledger holds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeContext, type TestContext } from '../../test/support/context.js';
import { makeAccounts, makeOps } from '../../test/support/ops.js';
import { replay } from '../../test/support/replay.js';
import { AggregateStrategy } from './index.js';
import { aggregateParams } from './params.js';
import { postBatch, postChecked } from './post-batch.js';

// 0: hot, plenty of money; 1: a budget covering 142 debits of 7; 2: quiet, for the window; 3 and 4: twins for the paths.
const accounts = makeAccounts([{ balance: 1_000_000, hot: true }, { balance: 1_000 }, { balance: 50 }, { balance: 100 }, { balance: 100 }]);
let t: TestContext;
let strategy: AggregateStrategy;

beforeAll(async () => {
  t = await makeContext(accounts, { connections: 4 });
  strategy = new AggregateStrategy(aggregateParams.parse({ window: '100ms', max: '100', reads: 'committed' }));
  await strategy.setup(t.ctx);
});
afterAll(async () => {
  await strategy?.stop();
  await t?.close();
});

/** Transactions (by xmin) that wrote entries for `owner`, with their entry counts, in posting order. */
async function batchesOf(owner: number): Promise<number[]> {
  const res = await t.db.pool.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM entries WHERE owner = $1 GROUP BY xmin::text::bigint ORDER BY min(seq)',
    [owner],
  );
  return res.rows.map((r) => r.n);
}

describe('aggregate', () => {
  it('posts 1,000 simultaneous debits on one account in 10 transactions of 100, in arrival order', async () => {
    const ops = makeOps(Array.from({ length: 1_000 }, (_, i) => ['charge', 0, 1 + (i % 9)] as const));
    const { outcomes } = await replay(strategy, ops, { concurrency: 1_000 });
    expect(outcomes.every((o) => o.status === 'applied')).toBe(true);
    expect(await batchesOf(0)).toEqual(Array.from({ length: 10 }, () => 100));
    // Posting order is arrival order: seq ascends with the op id, and balance_after is the running balance.
    const rows = await t.db.pool.query<{ op_id: string; balance_after: string }>('SELECT op_id, balance_after FROM entries WHERE owner = 0 ORDER BY seq');
    expect(rows.rows.map((r) => Number(r.op_id))).toEqual(ops.map((op) => op.id));
    let running = 1_000_000;
    expect(rows.rows.map((r) => Number(r.balance_after))).toEqual(ops.map((op) => (running -= op.amount)));
    const total = ops.reduce((s, op) => s + op.amount, 0); // 111 cycles of 1..9 (= 45 each) plus 1
    expect(total).toBe(111 * 45 + 1);
    const balance = await t.db.pool.query<{ balance: string }>('SELECT balance FROM accounts WHERE id = 0');
    expect(Number(balance.rows[0]?.balance)).toBe(1_000_000 - total);
    // The balance covered every batch: each was posted by the one-statement path.
    expect(await strategy.observe()).toEqual([
      { name: 'aggregate_batch_ops', value: 100 },
      { name: 'aggregate_pending_ops', value: 0 },
      { name: 'aggregate_checked_batches', value: 0 },
    ]);
  });

  it('funds exactly the first 142 debits of 7 from 1,000, refuses the rest, and a credit mid-stream funds the next ones', async () => {
    // 200 debits of 7, a credit of 20 after the 150th, then 100 more debits: 1,000 = 142 × 7 + 6;
    // the credit makes 26, funding 3 more debits (21), leaving 5.
    const specs = [
      ...Array.from({ length: 150 }, () => ['charge', 1, 7] as const),
      ['topup', 1, 20] as const,
      ...Array.from({ length: 100 }, () => ['withdraw', 1, 7] as const),
    ];
    const ops = makeOps(specs, 10_000);
    const { outcomes } = await replay(strategy, ops, { concurrency: 300 });
    const applied = ops.filter((_, i) => outcomes[i]?.status === 'applied').map((op) => op.id - 10_000);
    expect(applied).toEqual([...Array.from({ length: 142 }, (_, i) => i), 150, 151, 152, 153]);
    const refused = outcomes.filter((o) => o.status === 'rejected' && o.reason === 'insufficient_funds');
    expect(refused).toHaveLength(251 - 146);
    const res = await t.db.pool.query<{ balance: string; min_after: string }>(
      'SELECT (SELECT balance FROM accounts WHERE id = 1) AS balance, (SELECT min(balance_after) FROM entries WHERE owner = 1) AS min_after',
    );
    expect(res.rows[0]).toEqual({ balance: '5', min_after: '5' });
    // A batch's (single) lock wait is on its first op; the others say it is there.
    expect(outcomes.every((o) => (Number.isInteger(o.lockWaitUs) && (o.lockWaitUs ?? -1) >= 0) !== (o.waitsOnBatchHead === true))).toBe(true);
    expect(outcomes.filter((o) => o.lockWaitUs !== undefined).length).toBeGreaterThanOrEqual(3);
    // Batch 1 (100 debits of 7 from 1,000) went through in one statement; batches 2 and 3 crossed the floor and were checked op by op.
    expect((await strategy.observe())[2]).toEqual({ name: 'aggregate_checked_batches', value: 2 });
  });

  it('a lone op waits for the window (100 ms) before its batch is posted; a committed-balance read matches the ledger', async () => {
    const [op] = makeOps([['charge', 2, 30]], 20_000);
    const started = performance.now();
    const outcome = await strategy.submit(op!);
    const waitedMs = performance.now() - started;
    expect(outcome.status).toBe('applied');
    expect(waitedMs).toBeGreaterThanOrEqual(99);
    const [read] = makeOps([['read', 2, 0]], 20_001);
    expect(await strategy.submit(read!)).toEqual({ status: 'applied', balance: 20 });
    await strategy.drain();
    expect(await batchesOf(2)).toEqual([1]);
  });

  it('the client-validated path and the locked transaction agree op for op near the floor', async () => {
    // 100: -60 ok (40), -50 refused, +30 (70), -70 ok (0), -1 refused, +5 (5), -5 ok (0).
    const specs = [['charge', 60], ['charge', 50], ['topup', 30], ['withdraw', 70], ['charge', 1], ['adjust', 5], ['adjust', -5]] as const;
    const pool = t.db.pool;
    const run = async (account: number, firstId: number, post: typeof postBatch) => {
      const ops = makeOps(specs.map(([kind, amount]) => [kind, account, amount] as const), firstId);
      const result = await post(pool, account, ops, ops.map((op) => (op.kind === 'topup' || op.kind === 'adjust' ? op.amount : -op.amount)));
      const entries = await pool.query<{ op_id: string; balance_after: string }>('SELECT op_id, balance_after FROM entries WHERE owner = $1 ORDER BY seq', [account]);
      return {
        statuses: result.outcomes.map((o) => (o.status === 'rejected' ? o.reason : o.status)),
        balance: result.balance,
        refused: result.refused,
        entries: entries.rows.map((r) => [Number(r.op_id) - firstId, Number(r.balance_after)]),
      };
    };
    const viaStatements = await run(3, 30_000, postBatch);
    const viaTransaction = await run(4, 40_000, postChecked);
    expect(viaStatements).toEqual({
      statuses: ['applied', 'insufficient_funds', 'applied', 'applied', 'insufficient_funds', 'applied', 'applied'],
      balance: 0,
      refused: 2,
      entries: [[0, 40], [2, 70], [3, 0], [5, 5], [6, 0]],
    });
    expect(viaTransaction).toEqual(viaStatements);
  });
});
