/**
 * Where `sharded` (strategies/sharded/) puts each account and each op: a stable hash of the
 * account id picks an account's home shard; an account spread over the
 * shards (a platform account of the double-entry model, or a sub-account
 * layout such as `split`'s hot accounts) has a part on every shard and each
 * op on it goes to the shard its op id hashes to.
 */
import type { AccountSpec, Op } from './contract.js';
import { divide } from './ledger.js';

/** A 32-bit hash of a non-negative integer (murmur3's finalizer over both 32-bit halves): stable across runs and processes. */
export function hash32(n: number): number {
  let h = (n >>> 0) ^ Math.floor(n / 4294967296);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * The home shard (0-based) of logical account `account` among `shards`.
 * A different seed than the op-id hash, so an account's home and the shard
 * of op `account` are unrelated.
 */
export function homeShard(account: number, shards: number): number {
  return shards <= 1 ? 0 : hash32(account ^ 0x5bd1e995) % shards;
}

/** The shard an op goes to: its account's home, or for a spread account the shard its op id hashes to. */
export function shardOfOp(op: Op, spread: (account: number) => boolean, shards: number): number {
  if (shards <= 1) return 0;
  return spread(op.account) ? hash32(op.id) % shards : homeShard(op.account, shards);
}

/**
 * The accounts shard `shard` of `shards` is seeded with: its home accounts
 * whole, its part of every spread account (balance, floor and threshold
 * divided as evenly as integers allow, so the parts sum to the whole), and
 * every other account at 0 (a row no op of this shard touches: ids stay
 * dense, so the inner strategy runs unchanged). Summed over the shards,
 * every account's initial balance and floor are the scenario's.
 */
export function shardAccounts(accounts: readonly AccountSpec[], shard: number, shards: number, spread: (account: number) => boolean): AccountSpec[] {
  if (shards <= 1) return [...accounts];
  return accounts.map((a) => {
    if (spread(a.id)) {
      const part = (total: number): number => divide(total, shards)[shard] ?? 0;
      return { ...a, balance: part(a.balance), floor: part(a.floor), threshold: part(a.threshold) };
    }
    return homeShard(a.id, shards) === shard ? a : { ...a, balance: 0, floor: 0, threshold: 0 };
  });
}
