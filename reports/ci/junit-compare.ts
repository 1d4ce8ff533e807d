/**
 * A comparison as JUnit suites (`compare --junit FILE`): one suite per
 * strategy matched in both runs, one test case per metric. A regression is a
 * failure whose message holds the baseline and candidate values and the
 * threshold; a change the noise cannot decide (inside the repetitions'
 * spread, or no value on one side) is skipped with the reason; everything
 * else passes, ungated metrics included (for the record of their values).
 */
import type { Comparison, MetricComparison, Spread, StrategyComparison } from '../compare/types.js';
import { isoTimestamp, renderJUnit, type CaseOutcome, type JUnitCase, type JUnitSuite } from './junit.js';

function spreadText(s: Spread | null, unit: string): string {
  if (s === null) return 'none';
  const v = (n: number) => String(Math.round(n * 1000) / 1000);
  return s.n > 1 ? `median ${v(s.median)} ${unit} (${s.n} reps, ${v(s.min)}–${v(s.max)})` : `${v(s.median)} ${unit}`;
}

/**
 * The metric's outcome. Read as text so that a three-valued compare
 * (`pass`/`regression`/`inconclusive`) maps as the present one does
 * (`breach`, `noise`, `n/a`).
 */
export function metricOutcome(m: MetricComparison): CaseOutcome {
  const verdict: string = m.verdict;
  const values = `baseline ${spreadText(m.baseline, m.unit)}, candidate ${spreadText(m.candidate, m.unit)}`;
  switch (verdict) {
    case 'breach':
    case 'regression':
      return { kind: 'failed', message: `${m.metric}: ${spreadText(m.baseline, m.unit)} → ${spreadText(m.candidate, m.unit)}: ${m.reason}`, detail: `${values}; threshold ${m.threshold?.rule ?? 'none'} (${m.threshold?.source ?? ''}); ${m.reason}` };
    case 'noise':
    case 'inconclusive':
      return { kind: 'skipped', message: `inconclusive: ${m.reason} (${values})` };
    case 'n/a':
      return { kind: 'skipped', message: `not measured: ${m.reason || 'no value on one side'}` };
    default:
      return { kind: 'passed' };
  }
}

function suiteOf(c: Comparison, s: StrategyComparison): JUnitSuite {
  const classname = `hotbench.compare.${c.candidate.scenario}.${s.label}`;
  const cases: JUnitCase[] = [];
  const status = c.breaches.find((b) => b.strategy === s.label && b.metric === 'status');
  if (status) cases.push({ classname, name: 'replays completed', outcome: { kind: 'failed', message: status.reason } });
  for (const m of s.metrics) {
    const props: Record<string, string | number> = { unit: m.unit, verdict: m.verdict };
    if (m.baseline) props['baseline_median'] = m.baseline.median;
    if (m.candidate) props['candidate_median'] = m.candidate.median;
    if (m.threshold) props['threshold'] = m.threshold.rule;
    if (m.p_value !== null) props['p_value'] = m.p_value;
    cases.push({ classname, name: m.metric, outcome: metricOutcome(m), properties: props });
  }
  if (s.metrics.length === 0 && !status) cases.push({ classname, name: 'compared', outcome: { kind: 'skipped', message: `no completed repetition on one side (${[...s.not_completed.baseline, ...s.not_completed.candidate].join('; ') || 'none recorded'})` } });
  return {
    name: `${s.label} [${s.backend.candidate || '?'}]`,
    ...(isoTimestamp(c.candidate.started_at) ? { timestamp: isoTimestamp(c.candidate.started_at)! } : {}),
    properties: { baseline: c.baseline.run_id, candidate: c.candidate.run_id, test: s.test_description },
    cases,
  };
}

/** The suites of `comparison`. */
export function compareJUnitSuites(comparison: Comparison): JUnitSuite[] {
  return comparison.strategies.map((s) => suiteOf(comparison, s));
}

/** The whole `compare --junit` document. */
export function renderCompareJUnit(comparison: Comparison): string {
  return renderJUnit(`hotbench compare ${comparison.candidate.run_id} vs ${comparison.baseline.run_id}`, compareJUnitSuites(comparison));
}
