/**
 * compare's rank statistics: Mann-Whitney U p-values equal an independent
 * brute-force enumeration (pair counting over every split of the pooled
 * values, ties included) and the textbook extremes (1/20 for 3 vs 3, 1/252
 * for 5 vs 5); the normal CDF from simple-statistics' error function.
 */
import { describe, expect, it } from 'vitest';
import { mannWhitneyGreater, median, normalCdf } from '../reports/compare/statistics.js';
import { seededRandom } from './support/ops.js';

/** P(U ≥ observed U) by enumerating every way to pick |x| of the pooled values as "x", U counted pair by pair. */
function bruteForceP(x: number[], y: number[]): number {
  const u = (a: number[], b: number[]) => a.reduce((s, v) => s + b.reduce((t, w) => t + (v > w ? 1 : v === w ? 0.5 : 0), 0), 0);
  const observed = u(x, y);
  const pooled = [...x, ...y];
  let total = 0;
  let atLeast = 0;
  const pick = (start: number, chosen: number[]): void => {
    if (chosen.length === x.length) {
      const a = chosen.map((i) => pooled[i]!);
      const b = pooled.filter((_, i) => !chosen.includes(i));
      total += 1;
      if (u(a, b) >= observed - 1e-9) atLeast += 1;
      return;
    }
    for (let i = start; i < pooled.length; i++) pick(i + 1, [...chosen, i]);
  };
  pick(0, []);
  return atLeast / total;
}

describe('compare noise statistics', () => {
  it('median of odd and even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('Mann-Whitney U: complete separation gives 1/C(n+m, n)', () => {
    expect(mannWhitneyGreater([4, 5, 6], [1, 2, 3])).toEqual({ u: 9, p: 1 / 20, exact: true });
    expect(mannWhitneyGreater([6, 7, 8, 9, 10], [1, 2, 3, 4, 5]).p).toBeCloseTo(1 / 252, 12);
    expect(mannWhitneyGreater([1, 2, 3], [4, 5, 6]).p).toBe(1); // the other direction: no evidence at all
  });

  it('Mann-Whitney U equals brute-force enumeration, with and without ties', () => {
    const rnd = seededRandom(7);
    const cases: [number[], number[]][] = [
      [[1, 2, 2], [2, 2, 3]],
      [[5, 5, 5, 6], [5, 5, 4]],
      [[10.2, 11.5, 9.8, 12.1, 10.9], [9.1, 10.0, 9.5, 10.4, 8.8, 9.9]],
    ];
    for (let k = 0; k < 6; k++) {
      const n = 3 + Math.floor(rnd() * 5);
      const m = 3 + Math.floor(rnd() * 5);
      cases.push([Array.from({ length: n }, () => Math.round(rnd() * 8 + 1)), Array.from({ length: m }, () => Math.round(rnd() * 8))]);
    }
    for (const [x, y] of cases) {
      const r = mannWhitneyGreater(x, y);
      expect(r.exact).toBe(true);
      expect(r.p, `${x} vs ${y}`).toBeCloseTo(bruteForceP(x, y), 12);
    }
  });

  it('above 60 values the normal approximation is used and behaves', () => {
    const rnd = seededRandom(3);
    const same = Array.from({ length: 40 }, () => rnd());
    const other = Array.from({ length: 40 }, () => rnd());
    const shifted = other.map((v) => v + 0.5);
    const r = mannWhitneyGreater(shifted, same);
    expect(r.exact).toBe(false);
    expect(r.p).toBeLessThan(1e-6);
    const n = mannWhitneyGreater(other, same);
    expect(n.p).toBeGreaterThan(0.05);
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.6448536)).toBeCloseTo(0.95, 6);
  });
});
