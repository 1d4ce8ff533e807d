/**
 * The verdict of each metric on hand-made replays: a change is a regression
 * only when its bootstrap interval lies wholly on the worse side of 0 and it
 * is at least the metric's minimum effect (its threshold); a pass when the
 * interval stays below the minimum effect; inconclusive otherwise, and with
 * one value a side and no batches. Caps read the worst repetition of
 * money-safety counts; a strategy whose candidate repetitions failed is a
 * regression; the whole comparison's exit code is 0 / 1 / 3.
 */
import { describe, expect, it } from 'vitest';
import { compareMetric, compareReports, describeChangeTest } from '../reports/compare/compare.js';
import { metricNamed } from '../reports/common/metrics.js';
import { buildThresholds, thresholdsFor } from '../reports/compare/thresholds.js';
import type { Estimate } from '../reports/noise/interval.js';
import type { RunReport, StrategyReport } from '../reports/common/report-types.js';
import { fakeStrategyReport, type FakeReplay } from './compare-fixture.js';

const defaults = buildThresholds({});
const threshold = (metric: string) => thresholdsFor(defaults, 'sleepy', 'sleepy').find((t) => t.metric === metric)!;
const reps = (knobs: FakeReplay[]) => knobs.map((k, rep) => fakeStrategyReport({ ...k, rep }));
const p99s = (ms: number[]) => reps(ms.map((m) => ({ p99Us: m * 1000 })));

function judge(metric: string, base: StrategyReport[], cand: StrategyReport[], batches: { baseline?: Estimate; candidate?: Estimate } = {}) {
  return compareMetric(metricNamed(metric)!, base, cand, threshold(metric), batches);
}

describe('compare verdicts', () => {
  it('p99 (minimum effect +10%) with 3 vs 3 repetitions: regression, inconclusive, pass, improved', () => {
    const base = p99s([10, 11, 12]);
    const regression = judge('p99_ack_ms', base, p99s([20, 21, 22]));
    expect(regression).toMatchObject({ verdict: 'regression', test: 'bootstrap', change: 10, relative_change: 10 / 11, min_effect: 0.1 });
    expect(regression.change_interval!.lo).toBeGreaterThan(0);
    expect(regression.reason).toMatch(/^\+90\.9% worse \(95% CI \+\d+\.\d% \.\. \+\d+\.\d%\): worse beyond noise and beyond the 10% minimum effect \(\+10%\)$/);
    // +18% at the median, but the ranges overlap: the interval straddles 0
    expect(judge('p99_ack_ms', base, p99s([10.5, 13, 14]))).toMatchObject({ verdict: 'inconclusive' });
    // +7% with ranges that allow at most +7%: surely below the minimum effect
    expect(judge('p99_ack_ms', p99s([10, 10.2, 10.4]), p99s([10.5, 10.6, 10.7]))).toMatchObject({ verdict: 'pass' });
    // +7% at the median, but one candidate repetition 20% above a baseline one: could be +10%, could be 0
    expect(judge('p99_ack_ms', base, p99s([11.5, 11.8, 12]))).toMatchObject({ verdict: 'inconclusive' });
    expect(judge('p99_ack_ms', base, p99s([5, 5.5, 6]))).toMatchObject({ verdict: 'improved' });
  });

  it('one value a side: inconclusive without batches, judged by the batch-means intervals with them', () => {
    const r = judge('p99_ack_ms', p99s([11]), p99s([30]));
    expect(r).toMatchObject({ verdict: 'inconclusive', test: 'one-value' });
    const tight = (point: number): Estimate => ({ point, lo: point * 0.97, hi: point * 1.03, method: 'batch-means', n: 10 });
    expect(judge('p99_ack_ms', p99s([11]), p99s([30]), { baseline: tight(11), candidate: tight(30) })).toMatchObject({ verdict: 'regression', test: 'batch-means' });
    expect(judge('p99_ack_ms', p99s([11]), p99s([11.1]), { baseline: tight(11), candidate: tight(11.1) })).toMatchObject({ verdict: 'pass', test: 'batch-means' });
  });

  it('5 vs 5 repetitions: the Mann-Whitney p-value is reported beside the decision', () => {
    const clear = judge('p99_ack_ms', p99s([10, 11, 12, 13, 14]), p99s([20, 21, 22, 23, 24]));
    expect(clear).toMatchObject({ verdict: 'regression', test: 'bootstrap' });
    expect(clear.p_value).toBeCloseTo(1 / 252, 12);
  });

  it('goodput (minimum effect -10%): a real drop of 19% is a regression, a 2% one a pass', () => {
    const base = reps([{ goodput: 100 }, { goodput: 100 }, { goodput: 99 }]);
    expect(judge('goodput', base, reps([{ goodput: 80 }, { goodput: 81 }, { goodput: 82 }]))).toMatchObject({ verdict: 'regression', change: -19 });
    expect(judge('goodput', base, reps([{ goodput: 97 }, { goodput: 96 }, { goodput: 98 }]))).toMatchObject({ verdict: 'pass' });
  });

  it('rejects +1 percentage point from a clean baseline', () => {
    const base = reps([{}, {}, {}]);
    const r = judge('reject_pct', base, reps([{ rejected: 20 }, { rejected: 20 }, { rejected: 25 }])); // 2%, 2%, 2.5%
    expect(r).toMatchObject({ verdict: 'regression', change: 2, relative_change: null });
  });

  it('caps read the worst candidate repetition for money-safety counts', () => {
    const r = judge('overdraft_count', reps([{}, {}, {}]), reps([{}, { overdrafts: 2 }, {}]));
    expect(r).toMatchObject({ verdict: 'regression', test: 'cap', reason: 'worst repetition 2 breaks <= 0, or +10% where the baseline broke it' });
  });

  it('a baseline that already broke the cap (wal overdrafts by design) is judged by the change against +10%', () => {
    const base = reps([{ overdrafts: 100 }, { overdrafts: 104 }, { overdrafts: 98 }]);
    const same = judge('overdraft_count', base, reps([{ overdrafts: 101 }, { overdrafts: 97 }, { overdrafts: 105 }]));
    expect(same).toMatchObject({ verdict: 'pass', test: 'bootstrap' });
    expect(same.reason).toContain('(the baseline already broke <= 0)');
    const worse = judge('overdraft_count', base, reps([{ overdrafts: 150 }, { overdrafts: 160 }, { overdrafts: 155 }]));
    expect(worse).toMatchObject({ verdict: 'regression', test: 'bootstrap' });
  });

  it('a whole comparison: regressions listed, failed candidate repetitions a regression, unmatched labels reported, exit 1', () => {
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
    expect(c.breaches.map((b) => `${b.strategy}/${b.metric}`)).toEqual(['sleepy/p50_ack_ms', 'sleepy/p99_ack_ms', 'sleepy/posting_delay_p99_ms', 'atomic/status']);
    expect(c.breaches[3]!.reason).toBe('1 of 2 candidate repetitions did not complete (#2 failed)');
    expect(c.only_in_baseline).toEqual(['old']);
    expect(c.only_in_candidate).toEqual(['new']);
    expect(c).toMatchObject({ decision: 'regression', exit_code: 1, format: 'hotbench-compare/2' });
    expect(c.strategies.find((s) => s.label === 'atomic')).toMatchObject({ verdict: 'regression', test: 'one-value', reps: { baseline: 2, candidate: 1 } });
  });

  it('a comparison whose only doubt is noise is inconclusive: exit 3', () => {
    const run = (id: string, strategies: StrategyReport[]): RunReport =>
      ({ format: 'hotbench-run-report/1', run: { run_id: id, scenario: 's', stream_sha256: 'abc', host: { name: 'h', cores: 2 } }, strategies, events: [] }) as unknown as RunReport;
    const c = compareReports(run('b', p99s([10, 11, 12])), run('c', p99s([10.5, 13, 14])), defaults);
    expect(c).toMatchObject({ decision: 'inconclusive', exit_code: 3, breaches: [] });
    expect(c.inconclusive.map((b) => b.metric)).toContain('p99_ack_ms');
    const same = compareReports(run('b', p99s([10, 10.2, 10.4])), run('c', p99s([10.1, 10.3, 10.2])), defaults);
    expect(same).toMatchObject({ decision: 'pass', exit_code: 0 });
  });

  it('--pair judges two different labels (a parameter change) against each other, shown under the baseline label', () => {
    const run = (id: string, strategies: StrategyReport[]): RunReport =>
      ({ format: 'hotbench-run-report/1', run: { run_id: id, scenario: 's', stream_sha256: 'abc', host: { name: 'h', cores: 2 } }, strategies, events: [] }) as unknown as RunReport;
    const base = run('b', p99s([10, 11, 12]).map((s) => ({ ...s, label: 'aggregate' })));
    const cand = run('c', p99s([20, 21, 22]).map((s) => ({ ...s, label: 'aggregate:window=20ms' })));
    expect(compareReports(base, cand, defaults).strategies).toEqual([]); // by label alone, nothing in common
    const c = compareReports(base, cand, defaults, undefined, [['aggregate', 'aggregate:window=20ms']]);
    expect(c.strategies.map((s) => s.label)).toEqual(['aggregate']);
    expect(c).toMatchObject({ decision: 'regression', exit_code: 1 });
    expect(c.notes).toContain('paired on request (--pair): baseline aggregate with candidate aggregate:window=20ms, shown as aggregate');
  });

  it('says how often chance alone looks like a regression when a side has fewer than 5 repetitions', () => {
    expect(describeChangeTest('bootstrap', 0.1, 3, 3)).toContain('with 3 and 3 repetitions, chance alone orders the same code as a regression about once in 20');
    expect(describeChangeTest('bootstrap', 0.1, 2, 2)).toContain('about once in 6');
    expect(describeChangeTest('bootstrap', 0.1, 3, 5)).toContain('about once in 56');
    expect(describeChangeTest('bootstrap', 0.1, 5, 5)).not.toContain('chance alone');
    expect(describeChangeTest('bootstrap', 0.1, 3, 3)).toContain('record 5+ a side for a gate (once in 252)');
  });
});
