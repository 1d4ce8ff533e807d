/** Small builders for accounts and ops in tests. */
import type { AccountSpec, Op, OpKind, SystemRole } from '../../strategies/contract.js';

/** Accounts from `{ balance, floor?, hot?, role?, threshold? }` specs, ids in order; threshold defaults to the floor. */
export function makeAccounts(specs: readonly { balance: number; floor?: number; hot?: boolean; role?: SystemRole; threshold?: number }[]): AccountSpec[] {
  return specs.map((s, id) => ({
    id,
    balance: s.balance,
    floor: s.floor ?? 0,
    hot: s.hot ?? false,
    name: s.hot ? `hot-${id}` : s.role ?? '',
    threshold: s.threshold ?? s.floor ?? 0,
    ...(s.role === undefined ? {} : { role: s.role }),
  }));
}

/**
 * `customers` accounts (`{ balance, floor?, hot? }`), then the double-entry
 * platform accounts: revenue (0, floor 0), settlement and clearing (0, floor
 * -10^12), with ids right after the customers'.
 */
export function doubleEntryAccounts(customers: readonly { balance: number; floor?: number; hot?: boolean; threshold?: number }[]): AccountSpec[] {
  return makeAccounts([
    ...customers,
    { balance: 0, role: 'revenue' },
    { balance: 0, floor: -1e12, role: 'settlement' },
    { balance: 0, floor: -1e12, role: 'clearing' },
  ]);
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
