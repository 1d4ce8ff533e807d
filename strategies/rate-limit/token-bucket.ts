/**
 * Token buckets, one per account, in exact integer arithmetic: a bucket holds
 * `level` in micro-tokens (1 token = 1,000,000), gains `rate` micro-tokens
 * per µs of the clock (so `rate` tokens per second) up to `burst` tokens, and
 * an op costs one token. So over any interval of `d` µs at most
 * `burst + floor(rate · d / 1e6)` ops are admitted, and under sustained
 * overload exactly that many.
 */
import type { Micros } from '../contract.js';

const TOKEN = 1_000_000;

/** Per-account token buckets over dense account ids 0..accounts-1. */
export class TokenBuckets {
  /** Micro-tokens per account; NaN = bucket not created yet (full at first use). */
  readonly #level: Float64Array;
  readonly #last: Float64Array;
  readonly #capacity: number;

  /**
   * @param accounts number of accounts (ids 0..accounts-1)
   * @param rate tokens per second per account
   * @param burst bucket size, tokens
   */
  constructor(
    accounts: number,
    private readonly rate: number,
    burst: number,
  ) {
    this.#level = new Float64Array(accounts).fill(Number.NaN);
    this.#last = new Float64Array(accounts);
    this.#capacity = burst * TOKEN;
    if (!Number.isSafeInteger(this.#capacity)) throw new RangeError(`burst ${burst} is too large`);
  }

  /** Takes one token from `account`'s bucket at time `now` (µs); false when it has none. */
  take(account: number, now: Micros): boolean {
    if (account < 0 || account >= this.#level.length) return false;
    let level = this.#level[account] as number;
    if (Number.isNaN(level)) level = this.#capacity;
    else level = Math.min(this.#capacity, level + Math.max(0, now - (this.#last[account] as number)) * this.rate);
    this.#last[account] = now;
    if (level < TOKEN) {
      this.#level[account] = level;
      return false;
    }
    this.#level[account] = level - TOKEN;
    return true;
  }
}
