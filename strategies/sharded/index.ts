/**
 * `sharded(inner)`: the ledger spread over several PostgreSQL servers
 * (seed 000's 分库分表, split databases and tables). Every shard has its own
 * database, its own pool and its own ledger tables, and runs its own
 * instance of the inner strategy; an op goes to its account's home shard,
 * chosen by a stable hash of the account id (see ../shard-placement.ts).
 *
 * Double entry stays inside one shard: each platform account (revenue,
 * settlement, clearing) has a part on every shard, and an op's counterparty
 * leg is posted to the part on the op's own shard, in the op's own
 * transaction. Accounts the inner strategy spreads over sub-accounts
 * (`split`'s hot accounts) are spread over the shards the same way. The
 * README says why.
 *
 * What it risks: nothing for many accounts, which is the point; one hot
 * account still lives on one shard, so its ceiling does not move.
 */
import {
  spreadsAccounts,
  type InnerStrategy,
  type Observable,
  type Op,
  type Outcome,
  type PostgresPort,
  type Strategy,
  type StrategyContext,
  type StrategyDefinition,
  type WrapCandidate,
} from '../contract.js';
import { isObservable } from '../contract.js';
import { shardedParams, type ShardedParams } from './params.js';
import { homeShard, shardAccounts, shardOfOp } from '../shard-placement.js';

/** The `sharded` composite. */
export class ShardedStrategy implements Strategy, Observable {
  #shards: Strategy[] = [];
  #spread: (account: number) => boolean = () => false;

  constructor(private readonly inner: InnerStrategy) {}

  /** The inner backend and the shard count, e.g. `postgres*4`. */
  get backend(): string {
    return this.#shards.length > 1 ? `${this.inner.strategy.backend}*${this.#shards.length}` : this.inner.strategy.backend;
  }

  /** How many shards this instance runs on (1 before setup). */
  get shardCount(): number {
    return Math.max(1, this.#shards.length);
  }

  /** The home shard of logical account `account`: where its ops go unless it is spread over every shard. */
  homeOf(account: number): number {
    return homeShard(account, this.shardCount);
  }

  /** Whether `account` has a part on every shard (a platform account, or one the inner strategy splits). */
  isSpread(account: number): boolean {
    return this.#spread(account);
  }

  async setup(ctx: StrategyContext): Promise<void> {
    const ports: readonly PostgresPort[] = ctx.postgres.shards && ctx.postgres.shards.length > 0 ? ctx.postgres.shards : [ctx.postgres];
    const first = this.inner.strategy;
    const create = this.inner.create;
    if (ports.length > 1 && create === undefined) throw new Error(`sharded(${this.inner.label}): cannot make one inner instance per shard`);
    const spreadsSub = spreadsAccounts(first) ? first : undefined;
    this.#spread = (account) => {
      const spec = ctx.accounts[account];
      return spec !== undefined && (spec.role !== undefined || spreadsSub?.spreads(spec) === true);
    };
    const shards = ports.length;
    this.#shards = ports.map((_, i) => (i === 0 ? first : (create as () => Strategy)()));
    if (shards > 1) ctx.events.note('shard_placement', placementLine(ctx, shards, this.#spread), ctx.clock.now());
    await Promise.all(
      this.#shards.map((s, i) =>
        s.setup({
          ...ctx,
          postgres: ports[i] as PostgresPort,
          accounts: shardAccounts(ctx.accounts, i, shards, this.#spread),
          log: (line) => ctx.log(shards > 1 ? `shard ${i}: ${line}` : line),
        }),
      ),
    );
  }

  submit(op: Op): Promise<Outcome> {
    const shards = this.#shards;
    if (shards.length === 0) return Promise.resolve({ status: 'rejected', reason: 'error', detail: 'sharded: submit before setup' });
    // A spread account's balance is the sum of its parts: a read asks every shard.
    if (op.kind === 'read' && shards.length > 1 && this.#spread(op.account)) return this.readAll(op);
    return (shards[shardOfOp(op, this.#spread, shards.length)] as Strategy).submit(op);
  }

  private async readAll(op: Op): Promise<Outcome> {
    const outcomes = await Promise.all(this.#shards.map((s) => s.submit(op)));
    let balance = 0;
    for (const o of outcomes) {
      if (o.status !== 'applied') return o;
      balance += o.balance ?? 0;
    }
    return { status: 'applied', balance };
  }

  async drain(): Promise<void> {
    await Promise.all(this.#shards.map((s) => s.drain()));
  }

  async stop(): Promise<void> {
    // The first instance exists before setup: stop it even when setup never ran.
    const all = this.#shards.length > 0 ? this.#shards : [this.inner.strategy];
    await Promise.all(all.map((s) => s.stop()));
  }

  /** Every shard's series, summed by name (queue depths, counters), plus `ledger_shards`. */
  async observe(): Promise<readonly { readonly name: string; readonly value: number }[]> {
    const sums = new Map<string, number>();
    for (const s of this.#shards) {
      if (!isObservable(s)) continue;
      for (const p of await s.observe()) sums.set(p.name, (sums.get(p.name) ?? 0) + p.value);
    }
    return [...[...sums].map(([name, value]) => ({ name, value })), { name: 'ledger_shards', value: this.shardCount }];
  }
}

/** One line: which shard serves each hot account, and which accounts have a part on every shard. */
function placementLine(ctx: StrategyContext, shards: number, spread: (account: number) => boolean): string {
  const name = (a: { readonly id: number; readonly name: string; readonly role?: string | undefined }): string => `${a.id}${a.name || a.role ? ` (${a.name || a.role})` : ''}`;
  const hot = ctx.accounts.filter((a) => a.hot && !spread(a.id)).map((a) => `${name(a)} → shard ${homeShard(a.id, shards)}`);
  const everywhere = ctx.accounts.filter((a) => spread(a.id)).map(name);
  const parts = [`${shards} shards; each account on shard hash(id) mod ${shards}`];
  if (hot.length > 0) parts.push(`hot: ${hot.slice(0, 8).join(', ')}${hot.length > 8 ? ', ...' : ''}`);
  if (everywhere.length > 0) parts.push(`a part on every shard, ops by hash of the op id: ${everywhere.slice(0, 8).join(', ')}${everywhere.length > 8 ? ', ...' : ''}`);
  return parts.join('; ');
}

/**
 * What `sharded` wraps: a strategy whose whole state is in its PostgreSQL
 * ledger (or kept per account in the process). A Redis cache, a Kafka
 * queue or a replica would be one part shared by every shard, under one
 * namespace, so the shards would overwrite each other's keys and topics;
 * and sharding twice has no meaning.
 */
export function shardedAccepts(inner: WrapCandidate): string | undefined {
  if (inner.layers.includes('sharded')) return `${inner.label} is already sharded; wrap it once`;
  const others = inner.needs.filter((n) => n !== 'postgres');
  if (others.length > 0) return `it needs ${others.join(', ')}, one part every shard would share; sharded wraps strategies whose state is all in the PostgreSQL ledger (e.g. row-lock, atomic, aggregate, split, wal)`;
  if (!inner.needs.includes('postgres')) return `it keeps no PostgreSQL ledger, so there is nothing to shard`;
  return undefined;
}

/** Registry entry for `sharded`. */
export const sharded: StrategyDefinition<ShardedParams> = {
  name: 'sharded',
  summary: 'accounts routed by a stable hash across several PostgreSQL servers, one inner instance per shard: scale for many accounts, none for one hot account',
  source: "seed 000 (分库分表)",
  // Each shard's instance needs what the inner strategy needs; the runner adds it.
  needs: [],
  composite: true,
  ledgerShards: true,
  accepts: shardedAccepts,
  params: shardedParams,
  traits: { conformanceSpec: 'sharded(row-lock)' },
  create: (_params, inner) => {
    if (inner === undefined) throw new Error('sharded wraps another strategy; write sharded(row-lock) or similar');
    return new ShardedStrategy(inner);
  },
};
