/**
 * Double entry, for every built-in strategy: over the conformance suite's
 * kind of mixed op list, on accounts that include the platform's revenue,
 * settlement and clearing accounts, each promised op's counterparty takes the
 * opposite leg in the same transaction. Checked independently of the
 * strategy: every account's final balance is its initial balance plus the
 * promised ops' legs (own and counterparty), money neither appears nor
 * disappears (the balances' total is unchanged), and the auditor's global
 * conservation finds no unbalanced op.
 */
import { describe, expect, it } from 'vitest';
import { audit, type AuditIncident } from '../runner/audit/auditor.js';
import { openReplicaPort } from '../runner/stack/replica.js';
import { counterparties, deltaOf, type Need, type Op, type OpKind } from '../strategies/contract.js';
import { builtinRegistry } from '../strategies/registry.js';
import { resolveStrategies, type ResolvedStrategy } from '../strategies/spec.js';
import { makeContext } from './support/context.js';
import { doubleEntryAccounts, makeOps, seededRandom } from './support/ops.js';
import { replay } from './support/replay.js';
import { redisPort } from './redis-fixture.js';

const accounts = doubleEntryAccounts([{ balance: 3_000, hot: true }, { balance: 500, floor: -200 }, { balance: 10_000 }, { balance: 10_000 }]);
const counterpartyOf = counterparties(accounts);

/** Every registered strategy as the conformance suite runs it, plus the parameter sets that change how legs are posted. */
const SPECS = [
  ...builtinRegistry()
    .list()
    .map((d) => d.traits?.conformanceSpec ?? d.name),
  'aggregate:counter=batched',
  'wal:check=pending',
  'quota:accounts=all',
];

/** Everything a resolved spec needs, the inner strategy's included. */
function needsOf(r: ResolvedStrategy): Need[] {
  const own = r.definition.needsFor?.(r.params) ?? r.definition.needs;
  return [...new Set([...own, ...(r.inner ? needsOf(r.inner) : [])])];
}

function mixedOps(): Op[] {
  const random = seededRandom(7);
  const kinds: [OpKind, number][] = [['charge', 0.5], ['withdraw', 0.15], ['topup', 0.1], ['adjust', 0.1], ['read', 0.15]];
  const pick = (): OpKind => {
    let r = random();
    for (const [kind, p] of kinds) if ((r -= p) < 0) return kind;
    return 'read';
  };
  return makeOps(
    Array.from({ length: 300 }, () => {
      const kind = pick();
      const account = random() < 0.6 ? 0 : 1 + Math.floor(random() * 3);
      const size = 1 + Math.floor(random() * 100);
      return [kind, account, kind === 'read' ? 0 : kind === 'adjust' ? (random() < 0.5 ? -size : size) : size] as const;
    }),
  );
}

describe('double entry in every built-in strategy', () => {
  const ops = mixedOps();
  for (const spec of SPECS) {
    it(`${spec}: every promised op moves money to or from its counterparty, none appears`, async () => {
      const [resolved] = resolveStrategies(spec, builtinRegistry());
      const strategy = resolved!.create();
      const needs = needsOf(resolved!);
      const t = await makeContext(accounts, { connections: 8 });
      const replica = needs.includes('replica') ? openReplicaPort(t.db.url, t.db.url, 8) : undefined;
      const redis = needs.includes('redis') ? await redisPort() : undefined;
      try {
        await strategy.setup({ ...t.ctx, ports: { ...(replica ? { replica: replica.port } : {}), ...(redis ? { redis: redis.port } : {}) } });
        const { outcomes, fates } = await replay(strategy, ops, { concurrency: 8 });
        await strategy.stop();

        const promised = ops.filter((op, i) => op.kind !== 'read' && (outcomes[i]?.status === 'applied' || outcomes[i]?.status === 'accepted'));
        expect(promised.length).toBeGreaterThan(100);
        const expected = accounts.map((a) => a.balance);
        for (const op of promised) {
          expected[op.account] = (expected[op.account] ?? 0) + deltaOf(op);
          const cp = counterpartyOf(op);
          expected[cp] = (expected[cp] ?? 0) - deltaOf(op);
        }
        const byOwner = await t.db.pool.query<{ balance: string }>('SELECT sum(balance) AS balance FROM accounts GROUP BY owner ORDER BY owner');
        expect(byOwner.rows.map((r) => Number(r.balance))).toEqual(expected);
        // The revenue account (id 4) holds exactly the promised charges.
        expect(expected[4]).toBe(promised.filter((op) => op.kind === 'charge').reduce((s, op) => s + op.amount, 0));
        const legs = await t.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM entries WHERE counter_op IS NOT NULL');
        expect(legs.rows[0]!.n).toBe(promised.length);

        const incidents: AuditIncident[] = [];
        const summary = await audit({ pool: t.db.pool, accounts, ops: () => ops, fates }, (i) => incidents.push(i));
        expect(incidents.filter((i) => i.kind === 'global_conservation' || i.kind === 'conservation')).toEqual([]);
        expect(summary).toMatchObject({ conservationOk: true, global: { model: 'double', drift: 0, unbalancedOps: 0 }, lost: 0, duplicated: 0, phantom: 0, mismatch: 0 });
      } finally {
        await replica?.close();
        await redis?.close();
        await t.close();
      }
    });
  }
});
