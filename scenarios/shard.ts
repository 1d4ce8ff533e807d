/**
 * Load shards of one op stream: `--shard i/n` replays a
 * deterministic part of the stream, split by account, so every op on one
 * account is sent by one process and that account's ops keep their order.
 *
 * These are *load* shards (several driver processes sending one run's
 * traffic), not database shards (accounts spread over several PostgreSQL
 * servers): the flag names say `--shard`, never `--pg-shards`.
 *
 * The rule: account `a` belongs to shard `a mod n`. Hot accounts are ids
 * 0..h-1 and the Zipf ranks of the others follow their ids, so consecutive
 * ids (the heaviest ones) land on different shards. Ops keep their ids and
 * intended times from the unsharded stream: a shard sends each of its ops
 * exactly when the single process would have, so each shard runs at its
 * accounts' share of the rate, and the union of the n shards is the stream.
 * Re-merged in id order ({@link mergeShards}) it hashes to the unsharded
 * stream's sha256 (the merged stream hash).
 */
import type { Op } from './op.js';

/** Most shards one run may have: well above any pod count a run needs, low enough to catch a typo. */
export const MAX_SHARDS = 1024;

/** One shard of a run: `index` in 0..count-1. */
export interface ShardSpec {
  /** 0-based shard index (a Kubernetes Indexed Job's completion index). */
  readonly index: number;
  /** Number of shards the run is split into (≥ 1). */
  readonly count: number;
}

/** The whole stream: one shard of one. */
export const WHOLE_STREAM: ShardSpec = { index: 0, count: 1 };

/** A `--shard` value that is not `i/n`; `message` is one line naming what and how to fix it. */
export class ShardSpecError extends Error {
  override readonly name = 'ShardSpecError';
}

/**
 * Parses `i/n` (0 ≤ i < n ≤ {@link MAX_SHARDS}), e.g. `2/4` is the third of
 * four shards. Throws {@link ShardSpecError} with one line otherwise.
 */
export function parseShardSpec(text: string, flag = '--shard'): ShardSpec {
  const m = /^\s*(\d{1,5})\s*\/\s*(\d{1,5})\s*$/.exec(text);
  if (m === null) throw new ShardSpecError(`${flag} ${JSON.stringify(text)}: expected i/n, e.g. 0/4 for the first of four shards (i counts from 0)`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || count > MAX_SHARDS) throw new ShardSpecError(`${flag} ${text}: n must be between 1 and ${MAX_SHARDS}, got ${count}`);
  if (index >= count) throw new ShardSpecError(`${flag} ${text}: i must be below n (shards are numbered 0..${count - 1})`);
  return { index, count };
}

/** `i/n`, the form {@link parseShardSpec} reads. */
export function formatShardSpec(shard: ShardSpec): string {
  return `${shard.index}/${shard.count}`;
}

/** The shard that sends every op on `account` (a non-negative logical account id). */
export function shardOfAccount(account: number, count: number): number {
  return account % count;
}

/** True when `op` belongs to `shard`. */
export function inShard(op: Op, shard: ShardSpec): boolean {
  return shard.count === 1 || shardOfAccount(op.account, shard.count) === shard.index;
}

/**
 * The ops of one shard, in stream order, with their ids and intended times
 * unchanged (so ids are not dense inside a shard). Streaming, O(1) memory.
 */
export function* shardOps(ops: Iterable<Op>, shard: ShardSpec): Generator<Op, void, undefined> {
  for (const op of ops) if (inShard(op, shard)) yield op;
}

/**
 * Re-merges the ops of several shards into stream order (ascending op id; a
 * stream's ids are dense and its `at` non-decreasing, so id order is stream
 * order). Each input must be in ascending id order, as {@link shardOps}
 * yields. Throws when two inputs hold the same op id: two shards sent the
 * same op, which the union must never contain.
 */
export function* mergeShards(shards: readonly Iterable<Op>[]): Generator<Op, void, undefined> {
  const its = shards.map((s) => s[Symbol.iterator]());
  const heads = its.map((it) => it.next());
  let last = -1;
  for (;;) {
    let pick = -1;
    let best = Infinity;
    heads.forEach((h, i) => {
      if (!h.done && h.value.id < best) [pick, best] = [i, h.value.id];
    });
    if (pick === -1) return;
    const op = (heads[pick] as IteratorYieldResult<Op>).value;
    if (op.id === last) throw new Error(`op ${op.id} is in two shards: the shards overlap`);
    last = op.id;
    yield op;
    heads[pick] = (its[pick] as Iterator<Op>).next();
  }
}
