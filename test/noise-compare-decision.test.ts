/**
 * compare's per-metric decision on planted data: identical populations are
 * (almost) never a regression, a 25% slowdown is (almost) always one, a
 * real but small change passes under the minimum effect, one value a side
 * is inconclusive, and the 3.4× regression the old range rule let through
 * (p99s recorded on this machine) is caught.
 */
import { describe, expect, it } from 'vitest';
import { decideMetric, exitCodeOf, overallDecision } from '../reports/noise/decision.js';
import { batchMeansInterval } from '../reports/noise/interval.js';
import { seededRandom } from './support/ops.js';

/** `n` values around `centre` with a multiplicative log-normal spread of about `cv`. */
function reps(random: () => number, n: number, centre: number, cv: number): number[] {
  return Array.from({ length: n }, () => centre * Math.exp(cv * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())));
}

describe('compare decision per metric', () => {
  it('rarely calls a regression between same-population pairs (200 pairs, 10% spread), and more rarely with more repetitions', () => {
    const falseAlarms = (n: number, seed: number): number => {
      const random = seededRandom(seed);
      let regressions = 0;
      for (let t = 0; t < 200; t++) {
        const d = decideMetric({ values: reps(random, n, 20_000, 0.1) }, { values: reps(random, n, 20_000, 0.1) }, { better: 'lower', seed: t + 1, resamples: 500 });
        if (d.decision === 'regression') regressions++;
      }
      return regressions;
    };
    // 3 against 3 can do no better than complete separation (1 in 20 by chance) plus a ≥ 10% median move:
    // measured 5 of 200 here. A rule that ignored noise (median move ≥ 10% alone) would flag about a quarter.
    expect(falseAlarms(3, 2026)).toBeLessThanOrEqual(6);
    expect(falseAlarms(5, 2026)).toBeLessThanOrEqual(2);
  });

  it('detects a planted 25% slowdown in at least 95% of 100 pairs of 5 repetitions (5% spread)', () => {
    const random = seededRandom(7);
    let detected = 0;
    for (let t = 0; t < 100; t++) {
      const d = decideMetric({ values: reps(random, 5, 20_000, 0.05) }, { values: reps(random, 5, 25_000, 0.05) }, { better: 'lower', seed: t + 1, resamples: 500 });
      if (d.decision === 'regression') detected++;
    }
    expect(detected).toBeGreaterThanOrEqual(95);
  });

  it('reads "worse" the right way round for a higher-is-better figure', () => {
    const base = { values: [1000, 1010, 990, 1005, 995] };
    expect(decideMetric(base, { values: [750, 760, 740, 755, 745] }, { better: 'higher' }).decision).toBe('regression');
    expect(decideMetric(base, { values: [1250, 1260, 1240, 1255, 1245] }, { better: 'higher' }).decision).toBe('pass');
  });

  it('passes a real change smaller than the minimum effect, and flags it when the minimum is lowered', () => {
    const base = { values: [1000, 1002, 998, 1001, 999] };
    const cand = { values: [1050, 1052, 1048, 1051, 1049] };
    expect(decideMetric(base, cand, { better: 'lower' }).decision).toBe('pass');
    expect(decideMetric(base, cand, { better: 'lower', minEffect: 0.03 }).decision).toBe('regression');
  });

  it('is inconclusive with one value a side, and judges one replay a side by batch means', () => {
    expect(decideMetric({ values: [20] }, { values: [40] }, { better: 'lower' }).decision).toBe('inconclusive');
    const steady = (level: number) => Array.from({ length: 20 }, (_, i) => level * (1 + 0.01 * Math.sin(i)));
    const d = decideMetric({ values: [20], interval: batchMeansInterval(steady(20)) }, { values: [30], interval: batchMeansInterval(steady(30)) }, { better: 'lower' });
    expect(d.decision).toBe('regression');
    expect(d.change?.method).toBe('intervals');
  });

  it("catches a planted 3.4× regression that the range rule called noise (atomic p99, 1 vs 16 connections)", () => {
    const d = decideMetric({ values: [17.6, 24.4, 41.0] }, { values: [41.6, 81.9, 145] }, { better: 'lower' });
    expect(d.decision).toBe('regression');
    expect(d.reason).toMatch(/worse/);
  });

  it('is inconclusive when noise is too wide to tell, and maps decisions to exit codes', () => {
    const d = decideMetric({ values: [100, 140, 70] }, { values: [120, 80, 150] }, { better: 'lower' });
    expect(d.decision).toBe('inconclusive');
    expect(overallDecision(['pass', 'inconclusive', 'pass'])).toBe('inconclusive');
    expect(overallDecision(['pass', 'inconclusive', 'regression'])).toBe('regression');
    expect([exitCodeOf('pass'), exitCodeOf('regression'), exitCodeOf('inconclusive')]).toEqual([0, 1, 3]);
  });
});
