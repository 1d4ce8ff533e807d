/**
 * Compares a candidate run with a baseline run, strategy by strategy (matched
 * by label), metric by metric: a pure function of the two run reports (as
 * loaded from ClickHouse) and the thresholds.
 *
 * A relative or absolute-change threshold is breached only when the median
 * change goes beyond it in the worse direction AND the noise test (see
 * `./statistics.ts`) says the candidate's repetitions really differ from the
 * baseline's; beyond the threshold but inside the noise is reported as
 * `noise`. Caps are checked on the candidate alone.
 */
import type { RunReport, StrategyReport } from '../common/report-types.js';
import { METRICS, type MetricDef } from '../common/metrics.js';
import { chooseTest, describeTest, mannWhitneyGreater, median, separated, type NoiseTest } from './statistics.js';
import { describeCap, describeRule, thresholdsFor, type NoiseSettings, type Threshold, type ThresholdRule, type ThresholdSet } from './thresholds.js';
import { COMPARE_FORMAT, type Breach, type Comparison, type MetricComparison, type RunSide, type Spread, type StrategyComparison } from './types.js';

/** Compares `candidate` against `baseline` under `thresholds`. */
export function compareReports(baseline: RunReport, candidate: RunReport, thresholds: ThresholdSet): Comparison {
  const labels = orderedLabels(candidate, baseline);
  const inBase = new Set(baseline.strategies.map((s) => s.label));
  const inCand = new Set(candidate.strategies.map((s) => s.label));
  const strategies: StrategyComparison[] = [];
  const breaches: Breach[] = [];
  for (const label of labels) {
    if (!inBase.has(label) || !inCand.has(label)) continue;
    const c = compareStrategy(
      label,
      baseline.strategies.filter((s) => s.label === label),
      candidate.strategies.filter((s) => s.label === label),
      thresholds,
    );
    strategies.push(c.comparison);
    breaches.push(...c.breaches);
  }
  const notes: string[] = [];
  const sameScenario = baseline.run.scenario === candidate.run.scenario;
  const sameStream = baseline.run.stream_sha256 === candidate.run.stream_sha256;
  if (!sameScenario) notes.push(`different scenarios (baseline ${baseline.run.scenario}, candidate ${candidate.run.scenario}): compared on request (--allow-different-scenario)`);
  else if (!sameStream) notes.push('the op streams differ (another seed, duration or rate): the two runs faced different traffic');
  if (baseline.run.host.name !== candidate.run.host.name || baseline.run.host.cores !== candidate.run.host.cores) {
    notes.push(`different hosts (baseline ${baseline.run.host.name}, ${baseline.run.host.cores} cores; candidate ${candidate.run.host.name}, ${candidate.run.host.cores} cores)`);
  }
  return {
    format: COMPARE_FORMAT,
    baseline: side(baseline),
    candidate: side(candidate),
    same_scenario: sameScenario,
    same_stream: sameStream,
    noise: thresholds.noise,
    strategies,
    only_in_baseline: labels.filter((l) => inBase.has(l) && !inCand.has(l)),
    only_in_candidate: labels.filter((l) => inCand.has(l) && !inBase.has(l)),
    breaches,
    notes,
    exit_code: breaches.length > 0 ? 1 : 0,
  };
}

function side(r: RunReport): RunSide {
  const run = r.run;
  return { run_id: run.run_id, started_at: run.started_at, scenario: run.scenario, status: run.status, command: run.command, git: run.git, stream_sha256: run.stream_sha256 };
}

/** Labels in the candidate's run order, then the baseline's own. */
function orderedLabels(candidate: RunReport, baseline: RunReport): string[] {
  const byIdx = (r: RunReport) => [...r.strategies].sort((a, b) => a.rep - b.rep || a.idx - b.idx).map((s) => s.label);
  return [...new Set([...byIdx(candidate), ...byIdx(baseline)])];
}

function compareStrategy(label: string, base: StrategyReport[], cand: StrategyReport[], set: ThresholdSet): { comparison: StrategyComparison; breaches: Breach[] } {
  const done = (xs: StrategyReport[]) => xs.filter((s) => s.status === 'completed');
  const notDone = (xs: StrategyReport[]) => xs.filter((s) => s.status !== 'completed').map((s) => `#${s.rep + 1} ${s.status}${s.detail ? `: ${s.detail}` : ''}`);
  const b = done(base);
  const c = done(cand);
  const test = chooseTest(b.length, c.length);
  const name = (cand[0] ?? base[0])!.name;
  const breaches: Breach[] = [];
  const failedShare = (all: StrategyReport[], ok: StrategyReport[]) => (all.length - ok.length) / all.length;
  if (failedShare(cand, c) > failedShare(base, b)) {
    const what = c.length === 0 ? 'no candidate repetition completed' : `${cand.length - c.length} of ${cand.length} candidate repetitions did not complete`;
    breaches.push({ strategy: label, metric: 'status', reason: `${what} (${notDone(cand).join('; ')})` });
  }
  const thresholds = new Map(thresholdsFor(set, label, name).map((t) => [t.metric, t]));
  const metrics = b.length > 0 && c.length > 0 ? METRICS.map((m) => compareMetric(m, b, c, thresholds.get(m.name) ?? null, test, set.noise)) : [];
  for (const m of metrics) if (m.verdict === 'breach') breaches.push({ strategy: label, metric: m.metric, reason: m.reason });
  const comparison: StrategyComparison = {
    label,
    name,
    backend: { baseline: base[0]?.backend ?? '', candidate: cand[0]?.backend ?? '' },
    reps: { baseline: b.length, candidate: c.length },
    not_completed: { baseline: notDone(base), candidate: notDone(cand) },
    test,
    test_description: describeTest(test, set.noise.alpha, set.noise.tolerance),
    verdict: breaches.length > 0 ? 'breach' : b.length === 0 || c.length === 0 ? 'n/a' : 'pass',
    metrics,
  };
  return { comparison, breaches };
}

function spreadOf(def: MetricDef, reps: StrategyReport[]): Spread | null {
  const values = reps.map((r) => def.value(r)).filter((v): v is number => v !== null && Number.isFinite(v));
  if (values.length === 0) return null;
  return { n: values.length, values, median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

/** Judges one metric; exported for tests. */
export function compareMetric(def: MetricDef, baseReps: StrategyReport[], candReps: StrategyReport[], threshold: Threshold | null, test: NoiseTest, noise: NoiseSettings): MetricComparison {
  const b = spreadOf(def, baseReps);
  const c = spreadOf(def, candReps);
  const change = b && c ? c.median - b.median : null;
  const relative = change !== null && b!.median !== 0 ? change / Math.abs(b!.median) : null;
  const base = {
    metric: def.name,
    unit: def.unit,
    direction: def.direction,
    baseline: b,
    candidate: c,
    change,
    relative_change: relative,
    threshold: threshold ? { text: threshold.text, rule: describeRule(threshold), source: threshold.source } : null,
  };
  const out = (verdict: MetricComparison['verdict'], reason: string, testUsed: MetricComparison['test'], p: number | null = null): MetricComparison => ({ ...base, test: testUsed, p_value: p, verdict, reason });
  if (threshold === null) return out(b && c ? 'info' : 'n/a', '', null);

  // `0 or +10%` whose baseline broke the cap itself: judge the change instead.
  const brokenCap =
    threshold.rule.kind === 'limit' && threshold.rule.elseRelative !== undefined && b && !withinCap(threshold.rule, def.direction === 'higher_is_worse' ? b.max : b.min) ? threshold.rule : undefined;
  const rule: ThresholdRule = brokenCap?.elseRelative !== undefined ? { kind: 'relative', fraction: brokenCap.elseRelative } : threshold.rule;
  if (rule.kind === 'limit') {
    if (!c) return out('n/a', 'no candidate value', 'cap');
    const worst = def.direction === 'higher_is_worse' ? c.max : c.min;
    const value = def.capOver === 'worst' ? worst : c.median;
    const ok = withinCap(rule, value);
    const which = def.capOver === 'worst' && c.n > 1 ? 'worst repetition' : c.n > 1 ? 'median' : 'value';
    return out(ok ? 'pass' : 'breach', `${which} ${fmt(value)} ${ok ? 'within' : 'breaks'} ${describeRule(threshold)}`, 'cap');
  }
  if (!b || !c || change === null) return out('n/a', `no ${b ? 'candidate' : 'baseline'} value`, test);

  const worseSign = def.direction === 'higher_is_worse' ? 1 : -1;
  const size = rule.kind === 'relative' ? Math.abs(rule.fraction) : Math.abs(rule.amount);
  const moved = (sign: number): boolean => {
    if (rule.kind === 'delta') return sign * change > size;
    if (relative === null) return sign * change > 0; // from 0: any move is unbounded relative
    return sign * relative > size;
  };
  const changeText = relative !== null && rule.kind === 'relative' ? pctText(relative) : `${change >= 0 ? '+' : ''}${fmt(change)}`;
  const worse = moved(worseSign);
  const better = !worse && moved(-worseSign);
  const ruleText = brokenCap ? `${describeRule({ ...threshold, rule })} (the baseline already broke ${describeCap(threshold.metric, brokenCap)})` : describeRule(threshold);
  if (!worse && !better) return out('pass', `${changeText} within ${ruleText}`, test);

  // Which side should be greater if the move is real.
  const higherIsMoved = worse ? worseSign > 0 : worseSign < 0;
  let significant: boolean;
  let p: number | null = null;
  let why: string;
  if (test === 'threshold-only') {
    significant = true;
    why = '1 repetition: threshold alone';
  } else if (test === 'separation') {
    significant = separated(c.values, b.values, higherIsMoved, noise.tolerance);
    why = significant ? 'every candidate repetition outside the baseline range' : "inside the baseline's range (widened by the tolerance)";
  } else {
    p = (higherIsMoved ? mannWhitneyGreater(c.values, b.values) : mannWhitneyGreater(b.values, c.values)).p;
    significant = p <= noise.alpha;
    why = `Mann-Whitney p = ${p.toPrecision(2)}${significant ? ' ≤' : ' >'} ${noise.alpha}`;
  }
  if (worse) return out(significant ? 'breach' : 'noise', `${changeText} beyond ${ruleText}; ${why}`, test, p);
  return out(significant ? 'improved' : 'pass', `${changeText}, better by more than ${ruleText.replace(/^[+-]/, '')}; ${why}`, test, p);
}

function withinCap(rule: { readonly op: '<' | '<=' | '>' | '>='; readonly limit: number }, value: number): boolean {
  return rule.op === '<' ? value < rule.limit : rule.op === '<=' ? value <= rule.limit : rule.op === '>' ? value > rule.limit : value >= rule.limit;
}

function pctText(fraction: number): string {
  const v = Math.round(fraction * 1000) / 10;
  return `${v >= 0 ? '+' : ''}${v}%`;
}

function fmt(n: number): string {
  const a = Math.abs(n);
  return a >= 100 ? String(Math.round(n)) : a >= 1 ? n.toFixed(2).replace(/\.?0+$/, '') : n.toPrecision(2).replace(/\.?0+$/, '');
}
