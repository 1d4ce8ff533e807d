/**
 * The conformance suite every registered strategy gets by registering: each
 * one, run with its conformance spec over the same mixed op list (charges,
 * topups, withdraws, adjusts, reads; one hot account whose budget runs out; one
 * with a credit limit), keeps the money right and honours the lifecycle of
 * `contract.ts`. Where a strategy's documented behaviour differs from "strict
 * and synchronous" it says so in its definition's `traits`
 * ({@link StrategyTraits}); this file names no strategy.
 *
 * Each behaviour is its own test. The run behaviours share one replay per
 * strategy (made in `beforeAll`); the lifecycle edges each get a fresh database.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audit } from '../runner/audit/auditor.js';
import type { AuditSummary } from '../runner/audit/auditor.js';
import { openReplicaPort } from '../runner/stack/replica.js';
import { deltaOf, isDebit, type Need, type Op, type OpKind, type Outcome, type StrategyContext, type StrategyTraits } from '../strategies/contract.js';
import { builtinRegistry, type AnyStrategyDefinition } from '../strategies/registry.js';
import { resolveStrategies, type ResolvedStrategy } from '../strategies/spec.js';
import { makeContext, type TestContext } from './support/context.js';
import { makeAccounts, makeOps, seededRandom } from './support/ops.js';
import { replay } from './support/replay.js';
import { redisPort, type RedisFixture } from './redis-fixture.js';

const accounts = makeAccounts([
  { balance: 3_000, hot: true }, // the budget that runs out
  { balance: 500, floor: -200 }, // a credit limit
  { balance: 10_000 },
  { balance: 10_000 },
  { balance: 10_000 },
]);
const HOT = 0;

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
      const account = random() < 0.6 ? HOT : 1 + Math.floor(random() * 4);
      const size = 1 + Math.floor(random() * 100);
      const amount = kind === 'read' ? 0 : kind === 'adjust' ? (random() < 0.5 ? -size : size) : size;
      return [kind, account, amount] as const;
    }),
  );
}

/** Everything a resolved spec needs, the inner strategy's included. */
function needsOf(r: ResolvedStrategy): Need[] {
  const own = r.definition.needsFor?.(r.params) ?? r.definition.needs;
  return [...new Set([...own, ...(r.inner ? needsOf(r.inner) : [])])];
}

/** The ports of `needs` beyond PostgreSQL, on `dbUrl` (a replica stands in as the primary itself, lag 0). */
async function openPorts(needs: readonly Need[], dbUrl: string, label: string): Promise<{ ports: StrategyContext['ports']; close(): Promise<void> }> {
  const unmet = needs.filter((n) => n !== 'postgres' && n !== 'redis' && n !== 'replica');
  if (unmet.length > 0) throw new Error(`${label} needs ${unmet.join(', ')}, which the conformance suite does not provide; give it traits.conformanceSpec with parameters that do not`);
  const replica = needs.includes('replica') ? openReplicaPort(dbUrl, dbUrl, 8) : undefined;
  const redis: RedisFixture | undefined = needs.includes('redis') ? await redisPort() : undefined;
  return {
    ports: { ...(replica ? { replica: replica.port } : {}), ...(redis ? { redis: redis.port } : {}) },
    async close() {
      await replica?.close();
      await redis?.close();
    },
  };
}

/** Overdraft count and amount implied by the posted op entries, replayed in `seq` order per owner (DESIGN.md §5). */
async function overdraftsOf(pool: pg.Pool): Promise<{ count: number; amount: number }> {
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

/** Sum of balances per owner, in owner order. */
async function balancesOf(pool: pg.Pool): Promise<number[]> {
  const byOwner = await pool.query<{ balance: string }>('SELECT sum(balance) AS balance FROM accounts GROUP BY owner ORDER BY owner');
  return byOwner.rows.map((r) => Number(r.balance));
}

/** What one conformance replay left behind, for the run behaviours to check. */
interface Run {
  readonly backend: string;
  readonly outcomes: Outcome[];
  readonly summary: AuditSummary;
  readonly overdrafts: { count: number; amount: number };
  readonly balances: number[];
  readonly opEntries: number;
  /** What the second `stop()` did: 'resolved' or its error message. */
  readonly secondStop: string;
}

const ops = mixedOps();
const registered = builtinRegistry()
  .list()
  .map((d): [string, AnyStrategyDefinition] => [d.name, d]);

describe.each(registered)('conformance: %s', (name, definition) => {
  const traits: StrategyTraits = definition.traits ?? {};
  const spec = traits.conformanceSpec ?? name;
  const resolved = (): ResolvedStrategy => resolveStrategies(spec, builtinRegistry())[0]!;
  /** The ops a strict check of the applied (or accepted) outcomes covers. */
  const applied = (run: Run): Op[] => ops.filter((op, i) => op.kind !== 'read' && (run.outcomes[i]?.status === 'applied' || run.outcomes[i]?.status === 'accepted'));

  describe('over the mixed op list', () => {
    let run: Run;
    beforeAll(async () => {
      const r = resolved();
      const strategy = r.create();
      const t = await makeContext(accounts, { connections: 8 });
      const ports = await openPorts(needsOf(r), t.db.url, r.label);
      try {
        await strategy.setup({ ...t.ctx, ports: ports.ports });
        const { outcomes, fates } = await replay(strategy, ops, { concurrency: 8 });
        await strategy.stop();
        const secondStop = await strategy.stop().then(
          () => 'resolved',
          (e: unknown) => String(e),
        );
        const summary = await audit({ pool: t.db.pool, accounts, ops: () => ops, fates }, () => {});
        const opEntries = await t.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM entries WHERE op_id IS NOT NULL');
        run = { backend: strategy.backend, outcomes, summary, overdrafts: await overdraftsOf(t.db.pool), balances: await balancesOf(t.db.pool), opEntries: opEntries.rows[0]!.n, secondStop };
      } finally {
        await ports.close();
        await t.close();
      }
    });

    it(`reports backend ${traits.backend ?? 'postgres'}`, () => {
      expect(run.backend).toBe(traits.backend ?? 'postgres');
    });

    it('conserves money and neither loses, duplicates nor invents an op', () => {
      expect(run.summary).toMatchObject({ conservationOk: true, accountsChecked: accounts.length, lost: 0, duplicated: 0, phantom: 0, mismatch: 0, unknownPosted: 0 });
    });

    if (traits.mayOverdraw) {
      it('overdraws on this list, and the audit reports exactly the overdrafts the entries imply', () => {
        expect(run.overdrafts.count).toBeGreaterThan(0);
        expect(run.summary).toMatchObject({ overdraftCount: run.overdrafts.count, overdraftAmount: run.overdrafts.amount });
      });
    } else {
      it('never overdraws: no balance below its floor, and the audit reports none', () => {
        expect(run.summary).toMatchObject({ overdraftCount: 0, overdraftAmount: 0 });
        expect(run.overdrafts).toEqual({ count: 0, amount: 0 });
        for (const a of accounts) expect(run.balances[a.id]).toBeGreaterThanOrEqual(a.floor);
      });
    }

    if (!traits.acceptsPastBudget) {
      it('refuses hot-account debits for insufficient funds once the budget runs out', () => {
        const refusedHot = ops.filter((op, i) => op.account === HOT && run.outcomes[i]?.status === 'rejected' && (run.outcomes[i] as { reason: string }).reason === 'insufficient_funds');
        expect(refusedHot.length).toBeGreaterThan(traits.deferred ? 0 : 10); // deferred: only withdrawals are checked
      });
    }

    it('refuses for insufficient funds only debits', () => {
      const refused = ops.filter((_, i) => run.outcomes[i]?.status === 'rejected' && (run.outcomes[i] as { reason: string }).reason === 'insufficient_funds');
      expect(refused.every(isDebit)).toBe(true);
    });

    it(traits.limits ? 'refuses some ops as rate_limited' : 'never refuses an op as rate_limited', () => {
      expect(run.outcomes.some((o) => o.status === 'rejected' && o.reason === 'rate_limited')).toBe(traits.limits === true);
    });

    it(traits.mayGiveUp ? 'gives up only with a one-line error' : 'never gives up an op as error or timeout', () => {
      const givenUp = run.outcomes.filter((o) => o.status === 'rejected' && (o.reason === 'error' || o.reason === 'timeout'));
      if (!traits.mayGiveUp) expect(givenUp).toEqual([]);
      else for (const o of givenUp) expect(o.status === 'rejected' && o.reason).toBe('error');
    });

    if (!traits.deferred) {
      it('never answers accepted: every op is decided before submit returns', () => {
        expect(run.outcomes.filter((o) => o.status === 'accepted')).toEqual([]);
      });
    }

    it('leaves final balances equal to the initial ones plus the applied and accepted deltas', () => {
      const done = applied(run);
      const expected = accounts.map((a) => a.balance + done.filter((op) => op.account === a.id).reduce((s, op) => s + deltaOf(op), 0));
      expect(run.balances).toEqual(expected);
    });

    it(traits.transfers ? 'posts one op entry per applied op (besides its transfers)' : 'posts exactly one entry per applied op', () => {
      expect(traits.transfers ? run.opEntries : run.summary.entries).toBe(applied(run).length);
      expect(run.opEntries).toBe(applied(run).length);
    });

    it('answers every read as applied with an integer balance', () => {
      ops.forEach((op, i) => {
        if (op.kind !== 'read') return;
        const o = run.outcomes[i]!;
        expect(o.status).toBe('applied');
        expect(Number.isInteger((o as { balance?: number }).balance)).toBe(true);
      });
    });

    it('gives every rejection a one-line detail and every lock wait as non-negative integer µs', () => {
      for (const o of run.outcomes) {
        if (o.status === 'rejected') expect(o.detail ?? '').not.toContain('\n');
        if (o.lockWaitUs !== undefined) expect(Number.isInteger(o.lockWaitUs) && o.lockWaitUs >= 0).toBe(true);
      }
    });

    it('resolves a second stop() (stop is idempotent)', () => {
      expect(run.secondStop).toBe('resolved');
    });
  });

  describe('lifecycle edges', () => {
    let t: TestContext;
    beforeAll(async () => {
      t = await makeContext(accounts, { connections: 4 });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('drains with nothing submitted, posts nothing, and stops twice', async () => {
      const r = resolved();
      const strategy = r.create();
      const ports = await openPorts(needsOf(r), t.db.url, r.label);
      try {
        await strategy.setup({ ...t.ctx, ports: ports.ports });
        await strategy.drain();
        await strategy.stop();
        await strategy.stop();
        const entries = await t.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM entries');
        expect(entries.rows[0]!.n).toBe(0);
        expect(await balancesOf(t.db.pool)).toEqual(accounts.map((a) => a.balance));
      } finally {
        await ports.close();
      }
    });

    it('rejects setup on a database that does not exist, then stops (twice) without hanging or throwing', async () => {
      const r = resolved();
      const strategy = r.create();
      const missing = new URL(t.db.url);
      missing.pathname = `/${t.db.name}_missing`;
      const pools: pg.Pool[] = [];
      const ports = await openPorts(needsOf(r), missing.toString(), r.label);
      const ctx: StrategyContext = {
        ...t.ctx,
        ports: ports.ports,
        postgres: {
          ...t.ctx.postgres,
          pool: (o = {}) => {
            const p = new pg.Pool({ connectionString: missing.toString(), max: o.max ?? 2, application_name: o.applicationName ?? 'hotbench-conformance' });
            p.on('error', () => {});
            pools.push(p);
            return p;
          },
        },
      };
      try {
        await expect(strategy.setup(ctx)).rejects.toThrow(/does not exist/);
        await strategy.stop();
        await strategy.stop();
      } finally {
        await Promise.all(pools.map((p) => p.end().catch(() => {})));
        await ports.close();
      }
    });
  });
});
