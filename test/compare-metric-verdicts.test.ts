/**
 * The verdict of each metric on hand-made replays: a change beyond the
 * threshold is a breach only outside the noise (separation for 2-4
 * repetitions, Mann-Whitney U for 5+, the threshold alone for 1), caps read
 * the worst repetition of money-safety counts, and a strategy whose candidate
 * repetitions failed is a breach.
 */
import { describe, expect, it } from 'vitest';
import { compareMetric, compareReports } from '../reports/compare/compare.js';
import { metricNamed } from '../reports/common/metrics.js';
import { chooseTest, mannWhitneyGreater } from '../reports/compare/statistics.js';
import { buildThresholds, thresholdsFor } from '../reports/compare/thresholds.js';
import type { RunReport, StrategyReport } from '../reports/common/report-types.js';
import { fakeStrategyReport, type FakeReplay } from './compare-fixture.js';

const defaults = buildThresholds({});
const threshold = (metric: string) => thresholdsFor(defaults, 'sleepy', 'sleepy').find((t) => t.metric === metric)!;
const reps = (knobs: FakeReplay[]) => knobs.map((k, rep) => fakeStrategyReport({ ...k, rep }));
const p99s = (ms: number[]) => reps(ms.map((m) => ({ p99Us: m * 1000 })));

function judge(metric: string, base: StrategyReport[], cand: StrategyReport[]) {
  return compareMetric(metricNamed(metric)!, base, cand, threshold(metric), chooseTest(base.length, cand.length), defaults.noise);
}

describe('compare verdicts', () => {
  it('p99 +10% with 3 vs 3 repetitions: breach, noise, pass, improved', () => {
    const base = p99s([10, 11, 12]);
    const breach = judge('p99_ack_ms', base, p99s([20, 21, 22]));
    expect(breach).toMatchObject({ verdict: 'breach', test: 'separation', change: 10, relative_change: 10 / 11 });
    expect(breach.reason).toBe('+90.9% beyond +10%; every candidate repetition outside the baseline range');
    // +18% at the median, but one candidate repetition is inside the baseline range widened by 5% of 11 ms
    expect(judge('p99_ack_ms', base, p99s([10.5, 13, 14]))).toMatchObject({ verdict: 'noise' });
    expect(judge('p99_ack_ms', base, p99s([11.5, 11.8, 12]))).toMatchObject({ verdict: 'pass', reason: '+7.3% within +10%' });
    expect(judge('p99_ack_ms', base, p99s([5, 5.5, 6]))).toMatchObject({ verdict: 'improved' });
  });

  it('1 repetition on a side: the threshold alone decides, and says so', () => {
    const r = judge('p99_ack_ms', p99s([11]), p99s([13, 13.1, 13.2]));
    expect(r).toMatchObject({ verdict: 'breach', test: 'threshold-only' });
    expect(r.reason).toContain('1 repetition: threshold alone');
  });

  it('5 vs 5 repetitions: Mann-Whitney U at alpha 0.05', () => {
    const base = p99s([10, 11, 12, 13, 14]);
    const clear = judge('p99_ack_ms', base, p99s([20, 21, 22, 23, 24]));
    expect(clear).toMatchObject({ verdict: 'breach', test: 'mann-whitney-u' });
    expect(clear.p_value).toBeCloseTo(1 / 252, 12);
    const mixed = [11, 12.5, 13.5, 15, 30];
    const p = mannWhitneyGreater(mixed, [10, 11, 12, 13, 14]).p;
    expect(p).toBeGreaterThan(0.05);
    expect(judge('p99_ack_ms', base, p99s(mixed))).toMatchObject({ verdict: 'noise', p_value: p }); // median +12.5%, not significant
  });

  it('goodput -5%: a drop outside the spread is a breach', () => {
    const base = reps([{ goodput: 100 }, { goodput: 100 }, { goodput: 99 }]);
    expect(judge('goodput', base, reps([{ goodput: 90 }, { goodput: 91 }, { goodput: 92 }]))).toMatchObject({ verdict: 'breach', change: -9 });
    expect(judge('goodput', base, reps([{ goodput: 97 }, { goodput: 96 }, { goodput: 98 }]))).toMatchObject({ verdict: 'pass' });
  });

  it('rejects +1 percentage point from a clean baseline', () => {
    const base = reps([{}, {}, {}]);
    const r = judge('reject_pct', base, reps([{ rejected: 20 }, { rejected: 20 }, { rejected: 25 }])); // 2%, 2%, 2.5%
    expect(r).toMatchObject({ verdict: 'breach', change: 2, relative_change: null });
  });

  it('caps read the worst candidate repetition for money-safety counts', () => {
    const r = judge('overdraft_count', reps([{}, {}, {}]), reps([{}, { overdrafts: 2 }, {}]));
    expect(r).toMatchObject({ verdict: 'breach', test: 'cap', reason: "worst repetition 2 breaks <= 0, or +10% where the baseline broke it" });
    expect(judge('lost', reps([{ lost: 3 }]), reps([{}]))).toMatchObject({ verdict: 'improved' }); // the baseline broke the cap: judged by the change
  });

  it('a baseline that already broke the cap (wal overdrafts by design) is judged by the change: +10%, noise-tested', () => {
    const base = reps([{ overdrafts: 100 }, { overdrafts: 104 }, { overdrafts: 98 }]);
    const same = judge('overdraft_count', base, reps([{ overdrafts: 101 }, { overdrafts: 97 }, { overdrafts: 105 }]));
    expect(same).toMatchObject({ verdict: 'pass', test: 'separation', reason: '+1% within +10% (the baseline already broke <= 0)' });
    const worse = judge('overdraft_count', base, reps([{ overdrafts: 150 }, { overdrafts: 160 }, { overdrafts: 155 }]));
    expect(worse).toMatchObject({ verdict: 'breach', test: 'separation' });
    expect(worse.reason).toBe('+55% beyond +10% (the baseline already broke <= 0); every candidate repetition outside the baseline range');
  });

  it('a whole comparison: breaches listed, failed candidate repetitions breach, unmatched labels reported', () => {
    const run = (id: string, strategies: StrategyReport[]): RunReport =>
      ({
        format: 'hotbench-run-report/1',
        run: { run_id: id, started_at: '2026-01-01 00:00:00', scenario: 's', stream_sha256: 'abc', status: 'complete', command: 'hotbench run', git: { rev: 'r', branch: 'main' }, host: { name: 'h', cores: 2, mem_bytes: 1 } },
        strategies,
        events: [],
      }) as unknown as RunReport;
    const base = run('b', [...p99s([10, 11, 12]), ...reps([{ label: 'atomic' }, { label: 'atomic' }]), fakeStrategyReport({ label: 'old' })]);
    const cand = run('c', [...p99s([20, 21, 22]), fakeStrategyReport({ label: 'atomic' }), fakeStrategyReport({ label: 'atomic', rep: 1, status: 'failed' }), fakeStrategyReport({ label: 'new' })]);
    const c = compareReports(base, cand, defaults);
    expect(c.breaches.map((b) => `${b.strategy}/${b.metric}`)).toEqual(['sleepy/p99_ack_ms', 'sleepy/posting_delay_p99_ms', 'atomic/status']);
    expect(c.breaches[2]!.reason).toBe('1 of 2 candidate repetitions did not complete (#2 failed)');
    expect(c.only_in_baseline).toEqual(['old']);
    expect(c.only_in_candidate).toEqual(['new']);
    expect(c.exit_code).toBe(1);
    expect(c.strategies.find((s) => s.label === 'atomic')).toMatchObject({ verdict: 'breach', test: 'threshold-only', reps: { baseline: 2, candidate: 1 } });
  });
});
