/**
 * The 95% intervals behind every headline figure: reproducible from their
 * seed, near their nominal coverage on planted data with a known centre
 * (which fails if the percentiles or the resampling were wrong), and the
 * batch-means interval of one replay's seconds covers the series' mean.
 */
import { describe, expect, it } from 'vitest';
import { batchMeansInterval, bootstrapInterval, describeMethod, relativeHalfWidth } from '../reports/noise/interval.js';
import { seededRandom } from './support/ops.js';

/** Standard normal draws from a seeded uniform source (Box-Muller). */
function normals(random: () => number, n: number, mean: number, sd: number): number[] {
  return Array.from({ length: n }, () => mean + sd * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random()));
}

describe('bootstrap interval over repetitions', () => {
  it('is the same for the same values and seed, and moves with the seed only slightly', () => {
    const reps = [812, 790, 845, 760, 801];
    const a = bootstrapInterval(reps);
    expect(bootstrapInterval(reps)).toEqual(a);
    expect(a.method).toBe('bootstrap');
    expect(a.point).toBe(801);
    const b = bootstrapInterval(reps, { seed: 7 });
    expect(Math.abs(b.lo - a.lo)).toBeLessThan(30);
    expect(a.lo).toBeLessThanOrEqual(a.point);
    expect(a.hi).toBeGreaterThanOrEqual(a.point);
  });

  it('covers the true median of planted normal data in about 95% of trials (n = 12)', () => {
    const random = seededRandom(16);
    let covered = 0;
    const trials = 300;
    for (let t = 0; t < trials; t++) {
      const e = bootstrapInterval(normals(random, 12, 1000, 100), { resamples: 500, seed: t + 1 });
      if (e.lo <= 1000 && 1000 <= e.hi) covered++;
    }
    // Percentile bootstrap of a median under-covers a little at n = 12; a 50% or 99.9% interval would land far outside this band.
    expect(covered / trials).toBeGreaterThan(0.88);
    expect(covered / trials).toBeLessThan(0.995);
  });

  it('has no interval with one value, and says so', () => {
    const e = bootstrapInterval([42]);
    expect(e).toMatchObject({ point: 42, lo: 42, hi: 42, method: 'none', n: 1 });
    expect(relativeHalfWidth(e)).toBe(0);
    expect(describeMethod('none', 1)).toMatch(/--repeat 3/);
  });
});

describe('batch means over one replay', () => {
  it('covers the mean of a planted per-second series, and is labelled batch-means', () => {
    const random = seededRandom(3);
    let covered = 0;
    const trials = 200;
    for (let t = 0; t < trials; t++) {
      const e = batchMeansInterval(normals(random, 30, 2000, 300), 10, t + 1);
      expect(e.method).toBe('batch-means');
      expect(e.n).toBe(10);
      if (e.lo <= 2000 && 2000 <= e.hi) covered++;
    }
    expect(covered / trials).toBeGreaterThan(0.85);
    expect(covered / trials).toBeLessThan(0.995);
  });

  it('is wide when the replay shifts level half way (what a single mean would hide)', () => {
    const steady = Array.from({ length: 20 }, () => 1000);
    const shifted = [...Array.from({ length: 10 }, () => 1400), ...Array.from({ length: 10 }, () => 600)];
    expect(relativeHalfWidth(batchMeansInterval(steady))).toBe(0);
    expect(relativeHalfWidth(batchMeansInterval(shifted))).toBeGreaterThan(0.2);
  });
});
