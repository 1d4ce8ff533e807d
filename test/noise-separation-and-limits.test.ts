/**
 * Decisions read off intervals: an SLO check passes, fails or is uncertain
 * (its interval straddles the limit); a pick needs separated intervals; the
 * repetitions-to-separate estimate is borne out on planted populations.
 */
import { describe, expect, it } from 'vitest';
import { bootstrapInterval, type Estimate } from '../reports/noise/interval.js';
import { checkAgainstLimit, repetitionsToSeparate, separatedBetter } from '../reports/noise/separation.js';
import { seededRandom } from './support/ops.js';

const est = (lo: number, point: number, hi: number, n = 3): Estimate => ({ lo, point, hi, n, method: 'bootstrap' });

describe('SLO checks against an interval', () => {
  it('passes, fails, or is uncertain when the interval straddles the limit', () => {
    expect(checkAgainstLimit(est(900, 950, 990), '<=', 1000)).toBe('pass');
    expect(checkAgainstLimit(est(1005, 1010, 1020), '<=', 1000)).toBe('fail');
    // cache's posting delay p99 missing its 1,000 ms limit by 0.9% with a ±5% spread: not a failure, not a pass.
    expect(checkAgainstLimit(est(960, 1009, 1060), '<=', 1000)).toBe('uncertain');
    expect(checkAgainstLimit(est(1900, 2000, 2100), '>=', 1000)).toBe('pass');
    expect(checkAgainstLimit(est(950, 1000, 1100), '>', 1000)).toBe('uncertain');
  });
});

describe('separation on the deciding figure', () => {
  it('separates only intervals that do not touch, on the better side', () => {
    expect(separatedBetter(est(1100, 1150, 1200), est(900, 1000, 1099), 'higher')).toBe(true);
    expect(separatedBetter(est(1099, 1150, 1200), est(900, 1000, 1099), 'higher')).toBe(false);
    expect(separatedBetter(est(900, 1000, 1099), est(1100, 1150, 1200), 'higher')).toBe(false);
    expect(separatedBetter(est(10, 12, 14), est(15, 20, 25), 'lower')).toBe(true);
  });

  it('estimates repetitions that, drawn again from the same populations, mostly separate', () => {
    const random = seededRandom(99);
    const draw = (mean: number, n: number): number[] => Array.from({ length: n }, () => mean * (1 + 0.1 * (random() + random() + random() - 1.5)));
    const a3 = [1050, 1000, 1090];
    const b3 = [1000, 940, 1010];
    const n = repetitionsToSeparate(a3, b3);
    expect(n).not.toBeNull();
    expect(n!).toBeGreaterThan(3);
    // Populations 6% apart with ~5% spread: at the estimated n, most fresh draws separate; at half of it, fewer.
    const rate = (reps: number): number => {
      let sep = 0;
      for (let t = 0; t < 100; t++) if (separatedBetter(bootstrapInterval(draw(1060, reps), { resamples: 400 }), bootstrapInterval(draw(1000, reps), { resamples: 400 }), 'higher')) sep++;
      return sep / 100;
    };
    const atN = rate(n!);
    expect(atN).toBeGreaterThan(0.6);
    expect(rate(Math.max(3, Math.floor(n! / 3)))).toBeLessThan(atN);
  });

  it('gives no estimate for equal medians or for one repetition', () => {
    expect(repetitionsToSeparate([9, 10, 11], [8, 10, 12])).toBeNull();
    expect(repetitionsToSeparate([10], [11, 12])).toBeNull();
  });
});
