/**
 * Every built-in strategy, run with its default parameters over the same
 * mixed op list (charges, topups, withdraws, adjusts, reads; one hot account
 * whose budget runs out; one with a credit limit), keeps the money right:
 * conservation holds, no overdraft, nothing lost, duplicated or phantom, the
 * final balances are what the applied outcomes imply, and reads carry a balance.
 */
import { describe, expect, it } from 'vitest';
import { audit } from '../runner/audit/auditor.js';
import { openReplicaPort } from '../runner/stack/replica.js';
import { deltaOf, isDebit, type Op, type OpKind } from '../strategies/contract.js';
import { builtinRegistry } from '../strategies/registry.js';
import { resolveStrategies } from '../strategies/spec.js';
import { makeContext } from './support/context.js';
import { makeAccounts, makeOps, seededRandom } from './support/ops.js';
import { replay } from './support/replay.js';
import { redisPort } from './redis-fixture.js';

const accounts = makeAccounts([
  { balance: 3_000, hot: true }, // the budget that runs out
  { balance: 500, floor: -200 }, // a credit limit
  { balance: 10_000 },
  { balance: 10_000 },
  { balance: 10_000 },
]);

/**
 * Where a strategy's documented behaviour differs from "strict and synchronous", said explicitly:
 * - `spec`: what to run (a composite needs an inner strategy);
 * - `deferred`: ops may be `accepted` and posted later (by `drain()` at the latest);
 * - `overdraws`: its documented risk is overdraft, so on this list (the hot budget runs out) the
 *   auditor MUST report overdrafts, exactly the ones the posted entries imply;
 * - `limits`: some ops are refused as `rate_limited` before reaching the inner strategy;
 * - `transfers`: it books internal transfers (entries without an op id), so only op entries match the ops;
 * - `replica`: it reads through `ctx.ports.replica`; here the primary stands in for its replica (lag 0:
 *   the logic, not the staleness, which its characteristic test shows on a real replica).
 * - `redis`: it needs `ctx.ports.redis` (a fresh namespace on REDIS_URL); `backend`: what it names as its backend;
 * - `refusesHot: false`: it may accept every hot debit (it decides against the balance as last posted).
 */
const EXPECTED: Readonly<Record<string, { spec?: string; deferred?: boolean; overdraws?: boolean; limits?: boolean; transfers?: boolean; replica?: boolean; redis?: boolean; backend?: string; refusesHot?: false }>> = {
  // burst 150, 1 token/s: the hot account's first ~150 writes pass (enough to exhaust its budget), the rest are limited.
  'rate-limit': { spec: 'rate-limit(row-lock):burst=150,rate=1', limits: true },
  wal: { deferred: true, overdraws: true },
  'credit-debit-split': { transfers: true },
  'read-write-split': { replica: true },
  // Redis check-and-deduct, flushed later: deferred, but never overdrawn and (without a fault) nothing lost.
  cache: { deferred: true, redis: true, backend: 'redis+postgres' },
  // Consumers read every 2 s, so nothing is applied while the 400 ops arrive: every hot charge is accepted
  // against the untouched books and those past the budget post as late overdrafts (check=false, its documented risk).
  buffer: { spec: 'buffer:poll=2s', deferred: true, overdraws: true, redis: true, backend: 'redis-streams', refusesHot: false },
};

/** Overdraft count and amount implied by the posted op entries, replayed in `seq` order per owner (DESIGN.md §5). */
async function overdraftsOf(pool: import('pg').Pool): Promise<{ count: number; amount: number }> {
  const rows = await pool.query<{ owner: number; delta: string }>('SELECT owner, delta FROM entries WHERE op_id IS NOT NULL ORDER BY seq');
  const running = accounts.map((a) => a.balance);
  let count = 0;
  let amount = 0;
  for (const r of rows.rows) {
    const delta = Number(r.delta);
    const after = (running[r.owner] ?? 0) + delta;
    running[r.owner] = after;
    const floor = accounts[r.owner]!.floor;
    if (delta < 0 && after < floor) {
      count += 1;
      amount += Math.min(-delta, floor - after);
    }
  }
  return { count, amount };
}

/** 400 ops, 60% on the hot account; the same list for every strategy. */
function mixedOps(): Op[] {
  const random = seededRandom(42);
  const kinds: [OpKind, number][] = [['charge', 0.45], ['withdraw', 0.15], ['topup', 0.1], ['adjust', 0.1], ['read', 0.2]];
  const pick = (): OpKind => {
    let r = random();
    for (const [kind, p] of kinds) if ((r -= p) < 0) return kind;
    return 'read';
  };
  return makeOps(
    Array.from({ length: 400 }, () => {
      const kind = pick();
      const account = random() < 0.6 ? 0 : 1 + Math.floor(random() * 4);
      const size = 1 + Math.floor(random() * 100);
      const amount = kind === 'read' ? 0 : kind === 'adjust' ? (random() < 0.5 ? -size : size) : size;
      return [kind, account, amount] as const;
    }),
  );
}

describe('conformance of every built-in strategy', () => {
  const ops = mixedOps();
  for (const definition of builtinRegistry().list()) {
    const expected = EXPECTED[definition.name] ?? {};
    it(`${definition.name}: money is conserved, ${expected.overdraws ? 'overdrafts reported exactly' : 'never overdrawn'}, never lost or invented`, async () => {
      const [resolved] = resolveStrategies(expected.spec ?? definition.name, builtinRegistry());
      const strategy = resolved!.create();
      const t = await makeContext(accounts, { connections: 8 });
      const replica = expected.replica ? openReplicaPort(t.db.url, t.db.url, 8) : undefined;
      const redis = expected.redis ? await redisPort() : undefined;
      try {
        await strategy.setup({ ...t.ctx, ports: { ...(replica ? { replica: replica.port } : {}), ...(redis ? { redis: redis.port } : {}) } });
        expect(strategy.backend).toBe(expected.backend ?? 'postgres');
        const { outcomes, fates } = await replay(strategy, ops, { concurrency: 8 });
        await strategy.stop();
        await strategy.stop(); // idempotent

        const summary = await audit({ pool: t.db.pool, accounts, ops: () => ops, fates }, () => {});
        const overdrafts = expected.overdraws ? await overdraftsOf(t.db.pool) : { count: 0, amount: 0 };
        if (expected.overdraws) expect(overdrafts.count).toBeGreaterThan(0);
        expect(summary).toMatchObject({ conservationOk: true, accountsChecked: 5, overdraftCount: overdrafts.count, overdraftAmount: overdrafts.amount, lost: 0, duplicated: 0, phantom: 0, mismatch: 0, unknownPosted: 0 });

        // The budget ran out: the hot account refused debits for insufficient funds.
        const refusedHot = ops.filter((op, i) => op.account === 0 && outcomes[i]?.status === 'rejected' && (outcomes[i] as { reason: string }).reason === 'insufficient_funds');
        if (expected.refusesHot !== false) expect(refusedHot.length).toBeGreaterThan(expected.deferred ? 0 : 10); // deferred: only withdrawals are checked
        if (expected.limits) expect(outcomes.some((o) => o.status === 'rejected' && o.reason === 'rate_limited')).toBe(true);
        if (!expected.deferred) expect(outcomes.some((o) => o.status === 'accepted')).toBe(false);
        expect(refusedHot.every(isDebit)).toBe(true);

        // Independently of the auditor: final balances = initial + the applied (or accepted) ops' deltas.
        const applied = ops.filter((op, i) => op.kind !== 'read' && (outcomes[i]?.status === 'applied' || outcomes[i]?.status === 'accepted'));
        const balances = accounts.map((a) => a.balance + applied.filter((op) => op.account === a.id).reduce((s, op) => s + deltaOf(op), 0));
        const byOwner = await t.db.pool.query<{ balance: string }>('SELECT sum(balance) AS balance FROM accounts GROUP BY owner ORDER BY owner');
        expect(byOwner.rows.map((r) => Number(r.balance))).toEqual(balances);
        const opEntries = await t.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM entries WHERE op_id IS NOT NULL');
        expect(expected.transfers ? opEntries.rows[0]!.n : summary.entries).toBe(applied.length);
        if (!expected.overdraws) for (const a of accounts) expect(balances[a.id]).toBeGreaterThanOrEqual(a.floor);

        // Outcome shapes: reads carry an integer balance; rejections one line; lock waits are µs integers.
        ops.forEach((op, i) => {
          const o = outcomes[i]!;
          if (op.kind === 'read') {
            expect(o.status).toBe('applied');
            expect(Number.isInteger((o as { balance?: number }).balance)).toBe(true);
          }
          if (o.status === 'rejected') expect(o.detail ?? '').not.toContain('\n');
          if (o.lockWaitUs !== undefined) expect(Number.isInteger(o.lockWaitUs) && o.lockWaitUs >= 0).toBe(true);
          if (o.status === 'rejected' && o.reason === 'error') expect(definition.name).toBe('optimistic');
        });
        const counts = outcomes.reduce<Record<string, number>>((m, o) => {
          const k = o.status === 'rejected' ? o.reason : o.status;
          m[k] = (m[k] ?? 0) + 1;
          return m;
        }, {});
        console.log(`${definition.name}: ${JSON.stringify(counts)}`);
      } finally {
        await replica?.close();
        await redis?.close();
        await t.close();
      }
    });
  }
});
