/** How `split` chooses the sub-account an op goes to. */
import type { Op } from '../contract.js';
import type { SplitParams } from './params.js';

/** Returns the part index (0 ≤ index < `parts`) for `op`. */
export type SubAccountPicker = (op: Op, parts: number) => number;

/**
 * A picker for `policy`. `random` draws from a seeded generator (mulberry32,
 * seed 1), so the same arrival order gives the same choices; `round-robin`
 * keeps one counter per logical account (`accounts` of them); `hash` mixes
 * the op id, so an op always lands on the same part.
 */
export function subAccountPicker(policy: SplitParams['pick'], accounts: number): SubAccountPicker {
  switch (policy) {
    case 'random': {
      let state = 1;
      return (_op, parts) => {
        state = (state + 0x6d2b79f5) >>> 0;
        let x = state;
        x = Math.imul(x ^ (x >>> 15), x | 1);
        x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
        return Math.floor((((x ^ (x >>> 14)) >>> 0) / 4294967296) * parts);
      };
    }
    case 'round-robin': {
      const next = new Uint32Array(accounts);
      return (op, parts) => {
        const i = next[op.account] ?? 0;
        next[op.account] = i + 1;
        return i % parts;
      };
    }
    case 'hash':
      return (op, parts) => hashId(op.id) % parts;
  }
}

/** A 32-bit integer hash of a non-negative op id (murmur3's finalizer over both 32-bit halves). */
export function hashId(id: number): number {
  let h = (id >>> 0) ^ Math.floor(id / 4294967296);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
