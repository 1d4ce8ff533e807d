/**
 * Compares a candidate run with a baseline run, strategy by strategy (matched
 * by label), metric by metric: a pure function of the two run reports (as
 * loaded from ClickHouse), the thresholds and, for replays recorded once,
 * their batch-means intervals.
 *
 * A relative or absolute-change threshold is the metric's minimum effect:
 * `../noise/decision.ts` says pass, regression or inconclusive from the
 * interval of the change (bootstrap over repetitions, 2+ a side; else the
 * two replays' batch-means intervals; else no interval, and the decision is
 * inconclusive). Caps are checked on the candidate alone, no noise test: an
 * overdraft is a fact. Overall: any regression → exit 1, else any
 * inconclusive → exit 3, else 0.
 */
import type { RunReport, StrategyReport } from '../common/report-types.js';
import { batchEstimateOf, batchIntervalsOf, type ReplayBatchIntervals } from '../noise/batch-sql.js';
import { decideMetric, exitCodeOf, overallDecision, type Decision } from '../noise/decision.js';
import type { Estimate } from '../noise/interval.js';
import { METRICS, type MetricDef } from '../common/metrics.js';
import { mannWhitneyGreater, median, MIN_REPS_FOR_U } from './statistics.js';
import { describeCap, describeRule, thresholdsFor, type Threshold, type ThresholdRule, type ThresholdSet } from './thresholds.js';
import { COMPARE_FORMAT, type Breach, type ChangeTest, type Comparison, type MetricComparison, type RunSide, type Spread, type StrategyComparison } from './types.js';

export type { ChangeTest } from './types.js';


/** Batch-means intervals of each run's replays (`../noise/batch-sql.ts`), for sides recorded once. */
export interface RunBatches {
  readonly baseline: ReadonlyMap<string, ReplayBatchIntervals>;
  readonly candidate: ReadonlyMap<string, ReplayBatchIntervals>;
}


/** The change test for `n` baseline and `m` candidate repetitions. */
export function chooseChangeTest(n: number, m: number, hasBatches: boolean): ChangeTest {
  if (n >= 2 && m >= 2) return 'bootstrap';
  return hasBatches ? 'batch-means' : 'one-value';
}

/** Repetitions a side from which chance alone orders same-code runs as a regression at most once in 252 (5 a side). */
export const GATE_REPS = 5;

/** How many ways `n` baseline and `m` candidate values can be ordered by rank: C(n + m, n). */
function rankOrders(n: number, m: number): number {
  let c = 1;
  for (let i = 1; i <= n; i++) c = (c * (m + i)) / i;
  return Math.round(c);
}

/**
 * One line saying what {@link chooseChangeTest} picked and why. With fewer
 * than {@link GATE_REPS} repetitions a side it also says how often chance
 * alone looks like a regression: with n and m runs of the same code, every
 * candidate lands above every baseline once in C(n + m, n) (1 in 20 at 3 a
 * side), and on a metric whose noise exceeds the minimum effect (a short
 * run's p99) the bootstrap then calls it a regression (seen: 1 same-code pair
 * in 20 in bench:compare-calibration).
 */
export function describeChangeTest(test: ChangeTest, minEffect: number, n: number, m: number): string {
  const effect = `${Math.round(minEffect * 1000) / 10}%`;
  if (test === 'bootstrap') {
    const few = Math.min(n, m) < GATE_REPS ? `; with ${n} and ${m} repetitions, chance alone orders the same code as a regression about once in ${rankOrders(n, m)} on a metric noisier than its minimum effect: record ${GATE_REPS}+ a side for a gate (once in ${rankOrders(GATE_REPS, GATE_REPS)})` : '';
    return `bootstrap over repetitions (median, seeded): a regression needs its 95% interval wholly worse than 0 and a change of at least the metric's minimum effect (default ${effect})${few}`;
  }
  if (test === 'batch-means') return 'batch means over each replay\'s seconds (one repetition on a side): the widest change the two 95% intervals allow';
  return 'one value a side and no batches: nothing to judge noise by, so a change of the minimum effect or more is inconclusive (record with --repeat 3 or more)';
}

/**
 * Explicit pairs `[baseline label, candidate label]` (`--pair a=b`): compare
 * matches strategies by label, and a parameter is part of the label, so a
 * parameter change (`aggregate` → `aggregate:window=20ms`) is judged only when
 * paired. The pair is shown under the baseline's label.
 */
export type LabelPairs = readonly (readonly [string, string])[];

/**
 * Compares `candidate` against `baseline` under `thresholds`; `batches` for
 * sides recorded once, `pairs` to match two different labels.
 */
export function compareReports(baseline: RunReport, candidate0: RunReport, thresholds: ThresholdSet, batches?: RunBatches, pairs: LabelPairs = []): Comparison {
  // The candidate's paired labels are renamed to their baseline's for matching; its batches keep the recorded label.
  const recordedLabel = new Map<string, string>();
  const candidate: RunReport = {
    ...candidate0,
    strategies: candidate0.strategies.map((s) => {
      const pair = pairs.find(([, c]) => c === s.label);
      if (!pair) return s;
      recordedLabel.set(pair[0], s.label);
      return { ...s, label: pair[0] };
    }),
  };
  const labels = orderedLabels(candidate, baseline);
  const inBase = new Set(baseline.strategies.map((s) => s.label));
  const inCand = new Set(candidate.strategies.map((s) => s.label));
  const strategies: StrategyComparison[] = [];
  const breaches: Breach[] = [];
  const inconclusive: Breach[] = [];
  for (const label of labels) {
    if (!inBase.has(label) || !inCand.has(label)) continue;
    const c = compareStrategy(
      label,
      baseline.strategies.filter((s) => s.label === label),
      candidate.strategies.filter((s) => s.label === label),
      thresholds,
      batches,
      recordedLabel.get(label) ?? label,
    );
    strategies.push(c.comparison);
    breaches.push(...c.breaches);
    inconclusive.push(...c.inconclusive);
  }
  const notes: string[] = [];
  const sameScenario = baseline.run.scenario === candidate.run.scenario;
  const sameStream = baseline.run.stream_sha256 === candidate.run.stream_sha256;
  if (!sameScenario) notes.push(`different scenarios (baseline ${baseline.run.scenario}, candidate ${candidate.run.scenario}): compared on request (--allow-different-scenario)`);
  else if (!sameStream) notes.push('the op streams differ (another seed, duration or rate): the two runs faced different traffic');
  for (const [a, b] of pairs) notes.push(`paired on request (--pair): baseline ${a} with candidate ${b}, shown as ${a}`);
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
    inconclusive,
    decision: overallDecision([...(breaches.length > 0 ? ['regression' as const] : []), ...(inconclusive.length > 0 ? ['inconclusive' as const] : [])]),
    notes,
    exit_code: exitCodeOf(breaches.length > 0 ? 'regression' : inconclusive.length > 0 ? 'inconclusive' : 'pass'),
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

function compareStrategy(
  label: string,
  base: StrategyReport[],
  cand: StrategyReport[],
  set: ThresholdSet,
  batches: RunBatches | undefined,
  candidateLabel: string,
): { comparison: StrategyComparison; breaches: Breach[]; inconclusive: Breach[] } {
  const done = (xs: StrategyReport[]) => xs.filter((s) => s.status === 'completed');
  const notDone = (xs: StrategyReport[]) => xs.filter((s) => s.status !== 'completed').map((s) => `#${s.rep + 1} ${s.status}${s.detail ? `: ${s.detail}` : ''}`);
  const b = done(base);
  const c = done(cand);
  const sideBatches = (map: ReadonlyMap<string, ReplayBatchIntervals> | undefined, reps: StrategyReport[], recorded: string) =>
    reps.length === 1 && map ? batchIntervalsOf(map, recorded, reps[0]!.rep) : undefined;
  const bBatch = sideBatches(batches?.baseline, b, label);
  const cBatch = sideBatches(batches?.candidate, c, candidateLabel);
  const test = chooseChangeTest(b.length, c.length, (b.length >= 2 || bBatch !== undefined) && (c.length >= 2 || cBatch !== undefined));
  const name = (cand[0] ?? base[0])!.name;
  const breaches: Breach[] = [];
  const failedShare = (all: StrategyReport[], ok: StrategyReport[]) => (all.length - ok.length) / all.length;
  if (failedShare(cand, c) > failedShare(base, b)) {
    const what = c.length === 0 ? 'no candidate repetition completed' : `${cand.length - c.length} of ${cand.length} candidate repetitions did not complete`;
    breaches.push({ strategy: label, metric: 'status', reason: `${what} (${notDone(cand).join('; ')})` });
  }
  const thresholds = new Map(thresholdsFor(set, label, name).map((t) => [t.metric, t]));
  const metrics =
    b.length > 0 && c.length > 0
      ? METRICS.map((m) => compareMetric(m, b, c, thresholds.get(m.name) ?? null, { baseline: batchEstimateOf(m.name, bBatch), candidate: batchEstimateOf(m.name, cBatch) }))
      : [];
  for (const m of metrics) if (m.verdict === 'regression') breaches.push({ strategy: label, metric: m.metric, reason: m.reason });
  const inconclusive = metrics.filter((m) => m.verdict === 'inconclusive').map((m) => ({ strategy: label, metric: m.metric, reason: m.reason }));
  const verdict: Decision | 'n/a' = breaches.length > 0 ? 'regression' : b.length === 0 || c.length === 0 ? 'n/a' : inconclusive.length > 0 ? 'inconclusive' : 'pass';
  const comparison: StrategyComparison = {
    label,
    name,
    backend: { baseline: base[0]?.backend ?? '', candidate: cand[0]?.backend ?? '' },
    reps: { baseline: b.length, candidate: c.length },
    not_completed: { baseline: notDone(base), candidate: notDone(cand) },
    test,
    test_description: describeChangeTest(test, set.noise.minEffect, b.length, c.length),
    verdict,
    metrics,
  };
  return { comparison, breaches, inconclusive };
}

function spreadOf(def: MetricDef, reps: StrategyReport[]): Spread | null {
  const values = reps.map((r) => def.value(r)).filter((v): v is number => v !== null && Number.isFinite(v));
  if (values.length === 0) return null;
  return { n: values.length, values, median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

/**
 * Judges one metric; exported for tests. `batches` are the two sides'
 * batch-means intervals in the metric's unit, used when a side has one
 * repetition.
 */
export function compareMetric(
  def: MetricDef,
  baseReps: StrategyReport[],
  candReps: StrategyReport[],
  threshold: Threshold | null,
  batches: { readonly baseline?: Estimate | undefined; readonly candidate?: Estimate | undefined } = {},
): MetricComparison {
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
  const out = (
    verdict: MetricComparison['verdict'],
    reason: string,
    testUsed: MetricComparison['test'],
    extra: { change_interval?: MetricComparison['change_interval']; min_effect?: number; p_value?: number | null } = {},
  ): MetricComparison => ({ ...base, test: testUsed, change_interval: extra.change_interval ?? null, min_effect: extra.min_effect ?? null, p_value: extra.p_value ?? null, verdict, reason });
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
    return out(ok ? 'pass' : 'regression', `${which} ${fmt(value)} ${ok ? 'within' : 'breaks'} ${describeRule(threshold)}`, 'cap');
  }
  if (!b || !c || change === null) return out('n/a', `no ${b ? 'candidate' : 'baseline'} value`, null);
  const better = def.direction === 'higher_is_worse' ? 'lower' : 'higher';
  const test = chooseChangeTest(b.n, c.n, (b.n >= 2 || batches.baseline !== undefined) && (c.n >= 2 || batches.candidate !== undefined));
  const ruleText = brokenCap ? `${describeRule({ ...threshold, rule })} (the baseline already broke ${describeCap(threshold.metric, brokenCap)})` : describeRule(threshold);
  if (b.median === 0) {
    // No relative change from 0: any worse move of a money-safety count beyond its rule is a regression, judged on medians.
    const worseBy = def.direction === 'higher_is_worse' ? change : -change;
    const size = rule.kind === 'delta' ? Math.abs(rule.amount) : 0;
    if (worseBy > size) return out('regression', `from 0 to ${fmt(c.median)}, beyond ${ruleText}`, test);
    return out(worseBy < 0 ? 'improved' : 'pass', `${change >= 0 ? '+' : ''}${fmt(change)} from 0, within ${ruleText}`, test);
  }
  const minEffect = rule.kind === 'relative' ? Math.abs(rule.fraction) : Math.abs(rule.amount) / Math.abs(b.median);
  const d = decideMetric(
    { values: b.values, ...(batches.baseline ? { interval: batches.baseline } : {}) },
    { values: c.values, ...(batches.candidate ? { interval: batches.candidate } : {}) },
    { better, minEffect },
  );
  const p = b.n >= MIN_REPS_FOR_U && c.n >= MIN_REPS_FOR_U ? (def.direction === 'higher_is_worse' ? mannWhitneyGreater(c.values, b.values) : mannWhitneyGreater(b.values, c.values)).p : null;
  const interval = d.change ? { worse: d.change.worse, lo: d.change.lo, hi: d.change.hi } : null;
  const extra = { change_interval: interval, min_effect: minEffect, p_value: p };
  const reason = d.reason.replace(/minimum effect/, `minimum effect (${ruleText})`);
  if (d.decision === 'pass' && d.change && d.change.hi < 0 && d.change.worse <= -minEffect) return out('improved', reason, test, extra);
  return out(d.decision, reason, test, extra);
}

function withinCap(rule: { readonly op: '<' | '<=' | '>' | '>='; readonly limit: number }, value: number): boolean {
  return rule.op === '<' ? value < rule.limit : rule.op === '<=' ? value <= rule.limit : rule.op === '>' ? value > rule.limit : value >= rule.limit;
}

function fmt(n: number): string {
  const a = Math.abs(n);
  return a >= 100 ? String(Math.round(n)) : a >= 1 ? n.toFixed(2).replace(/\.?0+$/, '') : n.toPrecision(2).replace(/\.?0+$/, '');
}
