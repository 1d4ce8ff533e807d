/** OpFates holds one byte per planned op (20M fit), maps outcomes to fates, and refuses ids outside the plan. */
import { describe, expect, it } from 'vitest';
import { fateOf, OpFates } from '../runner/audit/fates.js';

describe('op fates', () => {
  it('holds 20 million ops, all unsent until set, last write wins', () => {
    const fates = new OpFates(20_000_000);
    expect(fates.size).toBe(20_000_000);
    expect(fates.get(19_999_999)).toBe('unsent');
    fates.set(0, 'promised');
    fates.set(19_999_999, 'unknown');
    fates.set(10_000_000, 'rejected');
    fates.set(10_000_000, 'promised');
    expect([fates.get(0), fates.get(1), fates.get(10_000_000), fates.get(19_999_999)]).toEqual(['promised', 'unsent', 'promised', 'unknown']);
    expect(fates.counts()).toEqual({ unsent: 19_999_997, promised: 2, rejected: 0, unknown: 1 });
  });

  it('refuses ids outside the plan', () => {
    const fates = new OpFates(3);
    expect(() => fates.get(3)).toThrow(new RangeError('op id 3 is outside the plan [0, 3)'));
    expect(() => fates.set(-1, 'promised')).toThrow(RangeError);
    expect(() => fates.get(1.5)).toThrow(RangeError);
    expect(() => new OpFates(-1)).toThrow(RangeError);
  });

  it('applied/accepted are promised; insufficient funds and rate limits rejected; timeouts and errors unknown', () => {
    expect(fateOf({ status: 'applied' })).toBe('promised');
    expect(fateOf({ status: 'accepted' })).toBe('promised');
    expect(fateOf({ status: 'rejected', reason: 'insufficient_funds' })).toBe('rejected');
    expect(fateOf({ status: 'rejected', reason: 'rate_limited' })).toBe('rejected');
    expect(fateOf({ status: 'rejected', reason: 'timeout' })).toBe('unknown');
    expect(fateOf({ status: 'rejected', reason: 'error', detail: 'x' })).toBe('unknown');
  });
});
