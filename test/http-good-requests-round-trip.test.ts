/**
 * Good requests round-trip: each op kind, sent through the HTTP client
 * adapter, comes back as the outcome the strategy gave (applied, rejected
 * with its reason, a read's balance), with the documented status codes, and
 * the ledger holds exactly the applied ops. With a deferred strategy (wal)
 * served in-process, `accepted` comes back and every posting is reported
 * against the driver's own op (its intended time), not the server's copy.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { planStrategies } from '../runner/replay/plan.js';
import { BillingClient } from '../runner/http/client.js';
import { InProcessHttpStrategy } from '../runner/http/in-process.js';
import { BillingServer } from '../runner/http/server.js';
import type { Op } from '../strategies/contract.js';
import { builtinRegistry } from '../strategies/registry.js';
import { makeContext, type TestContext } from './support/context.js';
import { makeAccounts, makeOps } from './support/ops.js';
import { replay } from './support/replay.js';

const registry = builtinRegistry();
const contexts: TestContext[] = [];
afterAll(async () => {
  for (const t of contexts) await t.close();
});

describe('billing API: good requests', () => {
  it('atomic behind the server: every kind round-trips with its status code, and the ledger holds exactly the applied ops', async () => {
    const accounts = makeAccounts([{ balance: 1_000 }, { balance: 0, floor: -500 }]);
    const t = await makeContext(accounts, { connections: 2 });
    contexts.push(t);
    const strategy = planStrategies('atomic', registry)[0]!.create();
    await strategy.setup(t.ctx);
    const server = new BillingServer({ strategy, label: 'atomic', accounts, clock: t.ctx.clock });
    const url = await server.listen(0);
    const client = new BillingClient(url, { sockets: 2 });
    try {
      const ops = makeOps([
        ['charge', 0, 300], // 1000 → 700
        ['withdraw', 0, 800], // refused: 700 < 800
        ['topup', 0, 500], // → 1200
        ['adjust', 0, -200], // → 1000
        ['withdraw', 1, 400], // credit line: 0 → -400 (floor -500)
        ['charge', 1, 101], // refused: -400 - 101 < -500
        ['read', 0, 0],
        ['read', 1, 0],
      ]);
      const outcomes = [];
      for (const op of ops) outcomes.push(await client.submit(op));
      expect(outcomes.map((o) => (o.status === 'rejected' ? `rejected:${o.reason}` : o.status))).toEqual([
        'applied',
        'rejected:insufficient_funds',
        'applied',
        'applied',
        'applied',
        'rejected:insufficient_funds',
        'applied',
        'applied',
      ]);
      expect(outcomes[6]).toMatchObject({ status: 'applied', balance: 1_000 });
      expect(outcomes[7]).toMatchObject({ status: 'applied', balance: -400 });
      // atomic measures its lock wait per op; it crosses HTTP intact.
      expect(outcomes[0]!.lockWaitUs).toBeGreaterThanOrEqual(0);

      const entries = await t.db.pool.query<{ op_id: string; delta: string }>('SELECT op_id, delta FROM entries ORDER BY seq');
      expect(entries.rows.map((r) => [Number(r.op_id), Number(r.delta)])).toEqual([
        [0, -300],
        [2, 500],
        [3, -200],
        [4, -400],
      ]);

      // The raw wire format: a 402 with the reason and the lock wait it measured (µs; this test's pools are not timed, so no pool wait), a 200 read with the balance.
      const refused = await fetch(`${url}/v1/withdraw`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ op_id: 100, account: 0, amount: 5_000 }) });
      expect(refused.status).toBe(402);
      expect(await refused.json()).toEqual({ status: 'rejected', op_id: 100, kind: 'withdraw', account: 0, reason: 'insufficient_funds', detail: '', lock_wait_us: expect.any(Number) });
      const read = await fetch(`${url}/v1/balance/1`);
      expect(read.status).toBe(200);
      expect(await read.json()).toEqual({ status: 'applied', kind: 'read', account: 1, amount: 0, balance: -400 });
      const health = await fetch(`${url}/healthz`);
      expect(await health.json()).toEqual({ status: 'ok', strategy: 'atomic', backend: 'postgres', accounts: 2, max_op_id: 99_999_999, submitted: 10, refused: 0 });
    } finally {
      client.close();
      await server.close();
      await strategy.stop();
    }
  });

  it('wal served in-process: accepted ops are posted later, reported against the driver’s own ops', async () => {
    const accounts = makeAccounts([{ balance: 10_000 }, { balance: 10_000 }]);
    const t = await makeContext(accounts, { connections: 2 });
    contexts.push(t);
    const planned = planStrategies('wal:interval=20ms', registry)[0]!;
    const strategy = new InProcessHttpStrategy(planned.create(), { label: planned.label, sockets: 4 });
    await strategy.setup(t.ctx);
    try {
      expect(strategy.backend).toBe('http-inprocess+postgres');
      // Intended times far from "now": the server stamps its own copies with the arrival time.
      const ops: Op[] = makeOps(Array.from({ length: 40 }, (_, i) => [i % 5 === 4 ? 'topup' : 'charge', i % 2, 10 + i] as const)).map((op) => ({ ...op, at: 7_000_000 + op.id }));
      const { outcomes } = await replay(strategy, ops, { concurrency: 4 });
      expect(outcomes.every((o) => o.status === 'accepted')).toBe(true);
      const posted = t.events.postedOps;
      expect(posted.length).toBe(40);
      expect(new Set(posted.map((p) => p.op.id)).size).toBe(40);
      for (const p of posted) expect(ops).toContain(p.op); // the very objects the driver sent
      const entries = await t.db.pool.query<{ n: string; sum: string }>('SELECT count(*) AS n, sum(delta) AS sum FROM entries WHERE op_id IS NOT NULL');
      const expected = ops.reduce((s, op) => s + (op.kind === 'topup' ? op.amount : -op.amount), 0);
      expect({ n: Number(entries.rows[0]!.n), sum: Number(entries.rows[0]!.sum) }).toEqual({ n: 40, sum: expected });
    } finally {
      await strategy.stop();
    }
  });
});
