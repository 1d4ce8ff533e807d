/**
 * Every headline figure's interval says how it was made: bootstrap over 2+
 * repetitions, batch means for a single replay (re-centred on the exact
 * figure), nothing for a figure no repetition measured.
 */
import { describe, expect, it } from 'vitest';
import { headlineIntervals } from '../reports/noise/headline.js';

const KEYS = ['goodput', 'p99_ack_ms', 'overdrafts'] as const;

describe('headline intervals', () => {
  it('bootstraps over repetitions', () => {
    const h = headlineIntervals(KEYS, [
      { goodput: 1000, p99_ack_ms: 20_000, overdrafts: 0 },
      { goodput: 1100, p99_ack_ms: 25_000, overdrafts: 0 },
      { goodput: 950, p99_ack_ms: 22_000, overdrafts: 0 },
    ]);
    expect(h.method).toBe('bootstrap');
    expect(h.figures.goodput).toMatchObject({ point: 1000, method: 'bootstrap', n: 3 });
    expect(h.figures.goodput!.lo).toBeLessThanOrEqual(1000);
    expect(h.figures.overdrafts).toMatchObject({ point: 0, lo: 0, hi: 0 });
    expect(h.method_text).toMatch(/bootstrap over 3 repetitions/);
  });

  it('uses the batch means of a single replay, around its exact figure', () => {
    const h = headlineIntervals(KEYS, [{ goodput: 1000, p99_ack_ms: 20_000, overdrafts: 2 }], {
      goodput: { point: 990, lo: 940, hi: 1040, method: 'batch-means', n: 10 },
      p99_ack_ms: { point: 21_000, lo: 20_500, hi: 23_000, method: 'batch-means', n: 10 },
    });
    expect(h.method).toBe('batch-means');
    expect(h.figures.goodput).toEqual({ point: 1000, lo: 940, hi: 1040, method: 'batch-means', n: 10 });
    expect(h.figures.p99_ack_ms).toEqual({ point: 20_000, lo: 20_000, hi: 23_000, method: 'batch-means', n: 10 });
    expect(h.figures.overdrafts).toMatchObject({ point: 2, method: 'none' });
    expect(h.method_text).toMatch(/batch means over the replay's seconds \(1 repetition, 10 batches/);
  });

  it('has no interval for a figure nobody measured', () => {
    const h = headlineIntervals(KEYS, [{ goodput: null, p99_ack_ms: null, overdrafts: 0 }]);
    expect(h.figures.goodput).toBeNull();
    expect(h.method).toBe('none');
  });
});
