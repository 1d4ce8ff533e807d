/**
 * The Universal Scalability Law fit recovers planted σ, κ and N* from a
 * connections sweep (exactly without noise, closely with 5% noise), says
 * "no peak" for data that only levels off, and refuses too few points in
 * one line.
 */
import { describe, expect, it } from 'vitest';
import { fitUsl, uslThroughput } from '../reports/noise/usl.js';
import { seededRandom } from './support/ops.js';

const planted = { lambda: 400, sigma: 0.05, kappa: 0.002 };
const SWEEP = [1, 2, 4, 8, 16, 32];

describe('USL fit', () => {
  it('recovers planted σ, κ and N* = √((1 − σ)/κ) from exact throughputs', () => {
    const fit = fitUsl(SWEEP.map((n) => ({ connections: n, throughput: uslThroughput(planted, n) })));
    expect(fit.lambda).toBeCloseTo(400, 3);
    expect(fit.sigma).toBeCloseTo(0.05, 5);
    expect(fit.kappa).toBeCloseTo(0.002, 6);
    expect(fit.nStar).toBeCloseTo(Math.sqrt(0.95 / 0.002), 3);
    expect(fit.r2).toBeCloseTo(1, 6);
  });

  it('stays close with 5% noise on every point', () => {
    const random = seededRandom(8);
    const pts = SWEEP.flatMap((n) => [0, 1, 2].map(() => ({ connections: n, throughput: uslThroughput(planted, n) * (1 + 0.1 * (random() - 0.5)) })));
    const fit = fitUsl(pts);
    expect(fit.nStar).not.toBeNull();
    expect(Math.abs(fit.nStar! - 21.8) / 21.8).toBeLessThan(0.25);
    expect(fit.r2).toBeGreaterThan(0.9);
  });

  it('finds no peak (κ = 0) when throughput only levels off', () => {
    const fit = fitUsl(SWEEP.map((n) => ({ connections: n, throughput: uslThroughput({ lambda: 300, sigma: 0.2, kappa: 0 }, n) })));
    expect(fit.kappa).toBe(0);
    expect(fit.nStar).toBeNull();
    expect(fit.sigma).toBeCloseTo(0.2, 5);
  });

  it('refuses fewer than 3 connection counts in one line', () => {
    expect(() => fitUsl([{ connections: 1, throughput: 100 }, { connections: 2, throughput: 180 }])).toThrow(/3 or more connection counts, got 2/);
  });
});
