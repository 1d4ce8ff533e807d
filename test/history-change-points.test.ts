/**
 * E-Divisive means finds a planted step in a synthetic history at the right
 * index, finds nothing in flat noise, and its O(n²) divergence equals the
 * formula evaluated directly.
 */
import { expect, it } from 'vitest';
import { createRng } from '../scenarios/random.js';
import { bestSplit, changePoints } from '../reports/history/e-divisive.js';

/** `n` values of N(mean, sd) from a seeded stream. */
function noise(n: number, mean: number, sd: number, seed: number): number[] {
  const rng = createRng(seed, 'history-test');
  return Array.from({ length: n }, () => mean + sd * rng.normal());
}

it('finds a planted step (p99 12 ms → 18 ms, 5% noise) at the index of the first slow run', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const series = [...noise(7, 12, 0.6, seed), ...noise(6, 18, 0.9, seed + 100)];
    const found = changePoints(series, { seed });
    expect(found.map((c) => c.index), `seed ${seed}`).toEqual([7]);
    expect(found[0]!.p).toBeLessThanOrEqual(0.05);
    expect(found[0]!.before_mean).toBeLessThan(13);
    expect(found[0]!.after_mean).toBeGreaterThan(17);
  }
});

it('finds two steps (up, then back down) in one history', () => {
  const series = [...noise(8, 100, 2, 7), ...noise(8, 140, 2, 8), ...noise(8, 100, 2, 19)];
  expect(changePoints(series).map((c) => c.index)).toEqual([8, 16]);
});

it('finds nothing in flat noise', () => {
  let falseAlarms = 0;
  for (let seed = 1; seed <= 20; seed++) falseAlarms += changePoints(noise(16, 50, 5, seed), { seed }).length;
  // alpha 0.05 over 20 flat series: about one false alarm is expected; more than three would mean the test is miscalibrated.
  expect(falseAlarms).toBeLessThanOrEqual(3);
  expect(changePoints(noise(16, 50, 5, 11))).toEqual([]);
});

it('gives the same answer for the same seed (the shuffles are seeded)', () => {
  const series = [...noise(5, 10, 1, 3), ...noise(5, 12, 1, 4)];
  expect(changePoints(series, { seed: 9 })).toEqual(changePoints(series, { seed: 9 }));
});

it('computes q̂ as the formula does, for every split', () => {
  const z = noise(11, 0, 1, 42);
  const naive = (tau: number, kappa: number): number => {
    const x = z.slice(0, tau);
    const y = z.slice(tau, kappa);
    const m = x.length;
    const k = y.length;
    let cross = 0;
    for (const a of x) for (const b of y) cross += Math.abs(a - b);
    const within = (v: number[]) => {
      let s = 0;
      for (let i = 0; i < v.length; i++) for (let j = i + 1; j < v.length; j++) s += Math.abs(v[i]! - v[j]!);
      return s / ((v.length * (v.length - 1)) / 2);
    };
    return ((m * k) / (m + k)) * ((2 * cross) / (m * k) - within(x) - within(y));
  };
  let best = { tau: -1, q: -Infinity };
  for (let tau = 2; tau <= z.length - 2; tau++) for (let kappa = tau + 2; kappa <= z.length; kappa++) if (naive(tau, kappa) > best.q) best = { tau, q: naive(tau, kappa) };
  const got = bestSplit(z)!;
  expect(got.tau).toBe(best.tau);
  expect(got.q).toBeCloseTo(best.q, 9);
});

it('cannot call a 3/3 split of 6 runs significant at 0.05 (why the docs ask for ~4 runs a side)', () => {
  const series = [10, 10.2, 9.9, 20, 20.1, 19.8];
  expect(bestSplit(series)!.tau).toBe(3);
  expect(changePoints(series)).toEqual([]);
  expect(changePoints(series, { alpha: 0.2 }).map((c) => c.index)).toEqual([3]);
});

it('refuses values that are not finite', () => {
  expect(() => changePoints([1, 2, Number.NaN, 4])).toThrow(/finite/);
});
