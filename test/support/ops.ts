/** Small builders for accounts and ops in tests. */
import type { AccountSpec, Op, OpKind } from '../../strategies/contract.js';

/** Accounts from `{ balance, floor?, hot? }` specs, ids in order; threshold = floor. */
export function makeAccounts(specs: readonly { balance: number; floor?: number; hot?: boolean }[]): AccountSpec[] {
  return specs.map((s, id) => ({
    id,
    balance: s.balance,
    floor: s.floor ?? 0,
    hot: s.hot ?? false,
    name: s.hot ? `hot-${id}` : '',
    threshold: s.floor ?? 0,
  }));
}

/**
 * Ops from `[kind, account, amount]` triples; ids are `firstId` + the array
 * index (op ids are unique in one ledger, so a second batch on the same
 * strategy needs a new range), `at` = id ms, `job` -1 (0 for adjust).
 */
export function makeOps(specs: readonly (readonly [OpKind, number, number])[], firstId = 0): Op[] {
  return specs.map(([kind, account, amount], i) => {
    const id = firstId + i;
    return { id, at: id * 1000, kind, account, amount, job: kind === 'adjust' ? 0 : -1 };
  });
}

/** A deterministic pseudo-random source (mulberry32), for op lists that are the same on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
