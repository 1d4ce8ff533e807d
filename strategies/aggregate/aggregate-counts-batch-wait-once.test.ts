/**
 * aggregate: a batch waits for the account's row lock once, for all its ops,
 * so its lock wait is counted once: 20 debits batched while another session
 * holds the hot row for 400 ms sum to one wait of about 350 ms (400 ms less
 * the 50-ms window), not twenty. The wait (and the batch's pool wait) stays
 * on the batch's first op; the others say theirs is there; every op carries
 * its own time queued in the batcher.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StrategyContext } from '../contract.js';
import { timePoolWaits } from '../pool-wait.js';
import { makeContext, type TestContext } from '../../test/support/context.js';
import { makeAccounts, makeOps } from '../../test/support/ops.js';
import { AggregateStrategy } from './index.js';
import { aggregateParams } from './params.js';

const HOLD_MS = 400;
const WINDOW_MS = 50;
const N = 20;

let t: TestContext;
let strategy: AggregateStrategy;

beforeAll(async () => {
  t = await makeContext(makeAccounts([{ balance: 1_000_000, hot: true }]), { connections: 2 });
  // The runner's pools time their connections; so does this one.
  const ctx: StrategyContext = { ...t.ctx, postgres: { ...t.ctx.postgres, pool: (o) => timePoolWaits(t.ctx.postgres.pool(o), t.ctx.clock) } };
  strategy = new AggregateStrategy(aggregateParams.parse({ window: `${WINDOW_MS}ms`, max: '100' }));
  await strategy.setup(ctx);
});
afterAll(async () => {
  await strategy?.stop();
  await t?.close();
});

describe('aggregate lock wait', () => {
  it(`a batch of ${N} ops that waited ${HOLD_MS - WINDOW_MS} ms for the row lock sums to one wait, carried by its first op`, async () => {
    const holder = await t.db.pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT balance FROM accounts WHERE id = 0 FOR UPDATE');
      const pending = Promise.all(makeOps(Array.from({ length: N }, () => ['charge', 0, 1] as const)).map((op) => strategy.submit(op)));
      await new Promise((resolve) => setTimeout(resolve, HOLD_MS));
      await holder.query('COMMIT');
      const outcomes = await pending;
      expect(outcomes.every((o) => o.status === 'applied')).toBe(true);

      const summed = outcomes.reduce((s, o) => s + (o.lockWaitUs ?? 0), 0);
      // One wait of about HOLD − WINDOW: before, every op carried it and the sum was N times that.
      expect(summed).toBeGreaterThan((HOLD_MS - WINDOW_MS - 100) * 1000);
      expect(summed).toBeLessThan((HOLD_MS + 300) * 1000);

      const heads = outcomes.filter((o) => o.lockWaitUs !== undefined);
      expect(heads).toHaveLength(1);
      expect(outcomes[0]).toBe(heads[0]); // the first op of the batch
      expect(heads[0]!.poolWaitUs).toBeGreaterThanOrEqual(0);
      expect(heads[0]!.waitsOnBatchHead).toBeUndefined();
      const rest = outcomes.slice(1);
      expect(rest.every((o) => o.waitsOnBatchHead === true && o.lockWaitUs === undefined && o.poolWaitUs === undefined)).toBe(true);

      // Queued: handed to the batcher → batch started; the first op waited the whole window, none much longer.
      const queued = outcomes.map((o) => o.queuedUs ?? -1);
      expect(queued.every((q) => q >= 0 && q < (WINDOW_MS + 150) * 1000)).toBe(true);
      expect(queued[0]).toBeGreaterThanOrEqual((WINDOW_MS - 2) * 1000);
      expect(Math.max(...queued)).toBe(queued[0]);
    } finally {
      holder.release();
    }
  });
});
