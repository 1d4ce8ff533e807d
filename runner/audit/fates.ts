/**
 * What the caller was told about each op, one byte per planned op (20M ops =
 * 20 MB). The load driver fills it; the auditor reads it to tell lost ops
 * (promised, never posted) from phantoms (posted but never promised).
 */
import type { Outcome } from '../../strategies/contract.js';

/**
 * - `promised`: the caller was told `applied` or `accepted`.
 * - `rejected`: told `rejected` for a definite reason (`insufficient_funds`, `rate_limited`).
 * - `unknown`: `timeout` or `error`: the caller cannot know whether it was posted.
 * - `unsent`: never submitted (the run stopped early), or no outcome recorded.
 */
export type Fate = 'promised' | 'rejected' | 'unknown' | 'unsent';

const CODES: readonly Fate[] = ['unsent', 'promised', 'rejected', 'unknown'];
const CODE_OF: Readonly<Record<Exclude<Fate, 'unsent'>, number>> = { promised: 1, rejected: 2, unknown: 3 };

/** The fate an outcome gives its op. */
export function fateOf(outcome: Outcome): Exclude<Fate, 'unsent'> {
  if (outcome.status !== 'rejected') return 'promised';
  return outcome.reason === 'timeout' || outcome.reason === 'error' ? 'unknown' : 'rejected';
}

/** One fate per op id in `[0, plannedOps)`, all `unsent` at first. */
export class OpFates {
  private readonly codes: Uint8Array;

  /** @param plannedOps the number of ops in the plan (op ids 0 .. plannedOps-1). */
  constructor(plannedOps: number) {
    if (!Number.isSafeInteger(plannedOps) || plannedOps < 0) throw new RangeError(`plannedOps must be a non-negative integer, got ${plannedOps}`);
    this.codes = new Uint8Array(plannedOps);
  }

  /** Number of planned ops. */
  get size(): number {
    return this.codes.length;
  }

  /** Records what the caller was told about op `id`; a later call overwrites an earlier one. */
  set(id: number, fate: Exclude<Fate, 'unsent'>): void {
    this.check(id);
    this.codes[id] = CODE_OF[fate];
  }

  /** The fate of op `id`; throws RangeError outside `[0, size)`. */
  get(id: number): Fate {
    this.check(id);
    return CODES[this.codes[id] ?? 0] ?? 'unsent';
  }

  /** Counts per fate, for progress lines and sanity checks. */
  counts(): Record<Fate, number> {
    const n = [0, 0, 0, 0];
    for (const c of this.codes) n[c] = (n[c] ?? 0) + 1;
    return { unsent: n[0] ?? 0, promised: n[1] ?? 0, rejected: n[2] ?? 0, unknown: n[3] ?? 0 };
  }

  private check(id: number): void {
    if (!Number.isInteger(id) || id < 0 || id >= this.codes.length) {
      throw new RangeError(`op id ${id} is outside the plan [0, ${this.codes.length})`);
    }
  }
}
