/**
 * sharded: on two databases standing in for two servers, each account's ops
 * land on its home shard only, the platform accounts (double entry) and a
 * split hot account have a part on both, and the shards gathered into one
 * ledger pass conservation and global conservation; a shard whose books do
 * not add up is caught.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkConservation } from '../../runner/audit/conservation.js';
import { checkGlobalConservation } from '../../runner/audit/global-conservation.js';
import type { AuditIncident } from '../../runner/audit/types.js';
import { mergeShardLedgers } from '../../runner/replay/merge-shards.js';
import { makeContext, type TestContext } from '../../test/support/context.js';
import { freshDatabase, type FreshDatabase } from '../../test/support/database.js';
import { doubleEntryAccounts, makeOps } from '../../test/support/ops.js';
import { replay } from '../../test/support/replay.js';
import type { PostgresPort, Strategy, StrategyContext } from '../contract.js';
import { builtinRegistry } from '../registry.js';
import { resolveStrategies } from '../spec.js';
import { ShardedStrategy } from './index.js';
import { homeShard } from '../shard-placement.js';

const CUSTOMERS = 40;
// Customer 0 is hot; then revenue (40), settlement (41), clearing (42).
const accounts = doubleEntryAccounts(Array.from({ length: CUSTOMERS }, (_, i) => ({ balance: 50_000, hot: i === 0 })));
const REVENUE = CUSTOMERS;
const ops = makeOps([
  ...Array.from({ length: 120 }, (_, i) => ['charge', i % CUSTOMERS, 100 + (i % 7)] as const),
  ...Array.from({ length: 40 }, (_, i) => ['topup', (i * 3) % CUSTOMERS, 500] as const),
  ...Array.from({ length: 40 }, (_, i) => ['withdraw', (i * 7) % CUSTOMERS, 300] as const),
  ...Array.from({ length: 80 }, (_, i) => ['charge', 0, 50 + i] as const),
]);

function portOn(db: FreshDatabase, connections: number): PostgresPort {
  return { pool: (o = {}): pg.Pool => db.newPool({ max: o.max ?? connections, applicationName: o.applicationName ?? 'hotbench-shard' }), serverVersion: '15', connections };
}

interface Shards {
  t: TestContext;
  shards: FreshDatabase[];
  strategy: Strategy;
}

async function runSharded(spec: string): Promise<Shards> {
  const t = await makeContext(accounts, { connections: 4 });
  const shards = [await freshDatabase(), await freshDatabase()];
  const ctx: StrategyContext = { ...t.ctx, postgres: { ...t.ctx.postgres, shards: shards.map((s) => portOn(s, 4)) } };
  const strategy = resolveStrategies(spec, builtinRegistry())[0]!.create();
  await strategy.setup(ctx);
  const run = await replay(strategy, ops, { concurrency: 8 });
  expect(run.outcomes.filter((o) => o.status === 'rejected' && o.reason !== 'insufficient_funds')).toEqual([]);
  await strategy.drain();
  return { t, shards, strategy };
}

async function ownersWithOpEntries(db: FreshDatabase): Promise<number[]> {
  const res = await db.pool.query<{ owner: number }>('SELECT DISTINCT owner FROM entries WHERE op_id IS NOT NULL ORDER BY owner');
  return res.rows.map((r) => r.owner);
}

async function auditUnion(target: FreshDatabase): Promise<{ incidents: AuditIncident[]; failures: number; drift: number; unbalanced: number }> {
  const incidents: AuditIncident[] = [];
  const client = await target.pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY'); // the audit's cursors live in a transaction
    const c = await checkConservation(client, accounts, (i) => incidents.push(i), 1_000);
    const g = await checkGlobalConservation(client, accounts, (i) => incidents.push(i), 1_000);
    await client.query('COMMIT');
    return { incidents, failures: c.failures, drift: g.drift, unbalanced: g.unbalancedOps };
  } finally {
    client.release();
  }
}

describe('sharded(row-lock) on two shards', () => {
  let s: Shards;
  const unions: FreshDatabase[] = [];
  beforeAll(async () => {
    s = await runSharded('sharded(row-lock)');
  }, 120_000);
  afterAll(async () => {
    await s?.strategy.stop();
    for (const db of [...(s?.shards ?? []), ...unions]) await db.drop();
    await s?.t.close();
  });

  it('posts each customer only on its home shard, the platform accounts on both', async () => {
    expect((s.strategy as ShardedStrategy).shardCount).toBe(2);
    const onShard = await Promise.all(s.shards.map(ownersWithOpEntries));
    for (const [i, owners] of onShard.entries()) {
      const customers = owners.filter((o) => o < CUSTOMERS);
      expect(customers.length).toBeGreaterThan(0);
      for (const o of customers) expect(homeShard(o, 2), `account ${o} on shard ${i}`).toBe(i);
    }
    for (const shard of s.shards) {
      const legs = await shard.pool.query<{ n: string }>('SELECT count(*) AS n FROM entries WHERE owner = $1 AND counter_op IS NOT NULL', [REVENUE]);
      expect(Number(legs.rows[0]!.n)).toBeGreaterThan(0); // every shard credits its own part of revenue
    }
    const note = s.t.events.notes.find((n) => n.kind === 'shard_placement');
    expect(note?.detail).toContain(`0 (hot-0) → shard ${homeShard(0, 2)}`);
  });

  it('gathered into one ledger, conserves money per account and globally', async () => {
    const union = await freshDatabase();
    unions.push(union);
    const merged = await mergeShardLedgers(union.pool, s.shards.map((d) => d.url), accounts);
    expect(merged.entries.every((n) => n > 0)).toBe(true);
    const result = await auditUnion(union);
    expect(result.incidents).toEqual([]);
    const total = await union.pool.query<{ n: string }>('SELECT count(*) AS n FROM entries WHERE op_id IS NOT NULL');
    expect(Number(total.rows[0]!.n)).toBe(merged.entries.reduce((a, b) => a + b, 0) / 2); // two legs per posted op
    // Copied 7 rows at a time (many chunks per shard): the same ledger, every entry, still conserving.
    const chunked = await freshDatabase();
    unions.push(chunked);
    expect(await mergeShardLedgers(chunked.pool, s.shards.map((d) => d.url), accounts, 7)).toEqual(merged);
    expect((await auditUnion(chunked)).incidents).toEqual([]);
  });

  it('catches a shard whose balance does not match its entries', async () => {
    const victim = Array.from({ length: CUSTOMERS }, (_, i) => i).find((i) => homeShard(i, 2) === 1)!;
    await s.shards[1]!.pool.query('UPDATE accounts SET balance = balance + 1 WHERE owner = $1', [victim]);
    const union = await freshDatabase();
    unions.push(union);
    await mergeShardLedgers(union.pool, s.shards.map((d) => d.url), accounts);
    const result = await auditUnion(union);
    expect(result.failures).toBeGreaterThan(0);
    expect(result.incidents.some((i) => i.kind === 'conservation' && i.account === victim)).toBe(true);
  });
});

describe('sharded(split) on two shards', () => {
  let s: Shards;
  beforeAll(async () => {
    s = await runSharded('sharded(split:parts=2)');
  }, 120_000);
  afterAll(async () => {
    await s?.strategy.stop();
    for (const db of s?.shards ?? []) await db.drop();
    await s?.t.close();
  });

  it('places the hot account\'s sub-accounts on both shards, each with its part of the balance', async () => {
    for (const shard of s.shards) {
      const rows = await shard.pool.query<{ n: string; initial: string; hot_ops: string }>(
        `SELECT count(*) AS n, sum(initial) AS initial, (SELECT count(*) FROM entries WHERE owner = 0 AND op_id IS NOT NULL) AS hot_ops FROM accounts WHERE owner = 0`,
      );
      expect(Number(rows.rows[0]!.n)).toBe(2); // split's two sub-accounts of this shard's part
      expect(Number(rows.rows[0]!.initial)).toBe(25_000);
      expect(Number(rows.rows[0]!.hot_ops)).toBeGreaterThan(10);
    }
  });
});
