/**
 * The arrival processes produce the shapes they promise, measured per second:
 * constant counts and spacing exact, ramps and bursts exact with even spacing,
 * Poisson within stated statistical tolerances.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Op } from '../strategies/contract.js';
import { compilePlan, generateOps, loadScenario, type Plan } from '../scenarios/index.js';

const dir = mkdtempSync(join(tmpdir(), 'hb-scenarios-arrivals-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

/** A plan from a scenario whose phases are `phases` (YAML flow list), 100 plain accounts, charges only. */
async function planWith(phases: string, seed = 1): Promise<Plan> {
  const path = join(dir, `s${n++}.yaml`);
  writeFileSync(path, `name: arrivals\ndescription: arrival probe\nseed: ${seed}\naccounts: { count: 100, balance: 1000 }\nphases: ${phases}\nmix: { charge: 1 }\n`);
  return compilePlan(await loadScenario(path));
}

function perSecond(ops: readonly Op[], seconds: number): number[] {
  const counts = new Array<number>(seconds).fill(0);
  for (const op of ops) counts[Math.floor(op.at / 1e6)]!++;
  return counts;
}

describe('arrival processes', () => {
  it('constant: exactly rate × duration ops, evenly spaced at the centre of each slot', async () => {
    const ops = [...generateOps(await planWith('[{ duration: 8s, arrival: { process: constant, rate: 250 } }]'))];
    expect(ops).toHaveLength(2000);
    ops.forEach((op, k) => expect(op.at).toBe(2000 + 4000 * k));
  });

  it('constant over several phases: each phase gets its exact count inside its own bounds', async () => {
    const plan = await planWith('[{ duration: 1500ms, arrival: { process: constant, rate: 100 } }, { duration: 2s, arrival: { process: constant, rate: 7 } }]');
    const ops = [...generateOps(plan)];
    expect(ops.filter((o) => o.at < 1_500_000)).toHaveLength(150);
    expect(ops.filter((o) => o.at >= 1_500_000)).toHaveLength(14);
    expect(ops.at(-1)!.at).toBeLessThan(3_500_000);
  });

  it('ramp (even): the count in second k is exactly the integral of the line over it', async () => {
    const ops = [...generateOps(await planWith('[{ duration: 10s, arrival: { process: ramp, from: 100, to: 1100 } }]'))];
    // rate(t) = 100 + 100 t, so second k holds 100 + 100 (k + 0.5) = 150 + 100 k ops.
    expect(perSecond(ops, 10)).toEqual([150, 250, 350, 450, 550, 650, 750, 850, 950, 1050]);
  });

  it('bursts (even): the rate is multiplied inside each window and nowhere else', async () => {
    const ops = [...generateOps(await planWith('[{ duration: 10s, arrival: { process: constant, rate: 100 }, bursts: { start: 2s, every: 4s, length: 1s, multiplier: 5 } }]'))];
    expect(perSecond(ops, 10)).toEqual([100, 100, 500, 100, 100, 100, 500, 100, 100, 100]);
  });

  it('a spike is one burst (no `every`)', async () => {
    const ops = [...generateOps(await planWith('[{ duration: 6s, arrival: { process: constant, rate: 200 }, bursts: { start: 3s, length: 2s, multiplier: 4 } }]'))];
    expect(perSecond(ops, 6)).toEqual([200, 200, 200, 800, 800, 200]);
  });

  it('burst windows are cut at the phase end', async () => {
    const ops = [...generateOps(await planWith('[{ duration: 3s, arrival: { process: constant, rate: 10 }, bursts: { start: 2500ms, length: 2s, multiplier: 10 } }, { duration: 1s, arrival: { process: constant, rate: 10 } }]'))];
    // [0, 2.5 s) at 10/s = 25 ops, [2.5 s, 3 s) at 100/s = 50 ops, then 10 ops in the second phase.
    expect(perSecond(ops, 4)).toEqual([10, 10, 55, 10]);
  });

  it.each([1, 2, 3])('poisson (seed %i): count within 4σ, exponential gaps (mean, CV, tail)', async (seed) => {
    const ops = [...generateOps(await planWith('[{ duration: 100s, arrival: { process: poisson, rate: 1000 } }]', seed))];
    // N ~ Poisson(100,000): σ = 316, so ±1,265 is 4σ.
    expect(Math.abs(ops.length - 100_000)).toBeLessThan(1265);
    const gaps = ops.slice(1).map((o, i) => o.at - ops[i]!.at);
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    const sd = Math.sqrt(gaps.reduce((a, g) => a + (g - mean) ** 2, 0) / gaps.length);
    expect(mean).toBeGreaterThan(985);
    expect(mean).toBeLessThan(1015);
    expect(sd / mean).toBeGreaterThan(0.98); // exponential: coefficient of variation 1
    expect(sd / mean).toBeLessThan(1.02);
    // P(gap > 2 ms) = e^-2 = 0.1353; with 100k gaps σ ≈ 0.0011, tolerance 0.005.
    const tail = gaps.filter((g) => g > 2000).length / gaps.length;
    expect(Math.abs(tail - Math.exp(-2))).toBeLessThan(0.005);
  });

  it('poisson with bursts: per-second counts within 5σ of the burst shape', async () => {
    const ops = [...generateOps(await planWith('[{ duration: 10s, arrival: { process: poisson, rate: 2000 }, bursts: { start: 2s, every: 4s, length: 1s, multiplier: 4 } }]'))];
    const expected = [2000, 2000, 8000, 2000, 2000, 2000, 8000, 2000, 2000, 2000];
    perSecond(ops, 10).forEach((count, k) => expect(Math.abs(count - expected[k]!)).toBeLessThan(5 * Math.sqrt(expected[k]!)));
  });

  it('poisson ramp: per-second counts within 5σ of the line', async () => {
    const ops = [...generateOps(await planWith('[{ duration: 10s, arrival: { process: ramp, from: 4000, to: 0, spacing: poisson } }]'))];
    // rate(t) = 4000 - 400 t: second k expects 4000 - 400 (k + 0.5) = 3800 - 400 k.
    perSecond(ops, 10).forEach((count, k) => {
      const expected = 3800 - 400 * k;
      expect(Math.abs(count - expected)).toBeLessThan(5 * Math.sqrt(expected));
    });
  });
});
