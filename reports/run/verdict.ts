/**
 * The verdict: given a run's report and its constraints (an SLO), which
 * strategies qualify, which fail and on what (measured vs limit), which are
 * uncertain, and the one to pick with the reason in one sentence, or "too
 * close to call". A pure function of RunReport + SLO (+ the batch means of
 * replays recorded once), so every renderer shows the same decision.
 *
 * Rules, in full:
 * - Only completed replays are judged; a label none of whose replays
 *   completed is listed as not judged (skipped, failed, interrupted) with its
 *   reason. A label fails when any of its repetitions did not complete.
 * - Each SLO limit on a measurement (ack p99/p99.9, posting delay p99, reject
 *   share, stop-delivery delay) is judged on the 95% interval of its median
 *   over repetitions (bootstrap, `./noise/interval.ts`), or with one
 *   repetition on the batch means of the replay's seconds where the figure
 *   has them (ack p99, posting delay p99), else on the value itself: it
 *   **passes** when the whole interval is within the limit, **fails** when
 *   none of it is, and is **uncertain** when the interval straddles it.
 * - Money is not a fluctuation: the overdraft limit, a stop-delivery
 *   crossing that was never signalled, and ledger integrity (no lost,
 *   duplicated, phantom or mismatched op; conservation held on an audited
 *   ledger) are judged on the worst repetition, pass or fail.
 * - A measurement that does not exist (no op acked, nothing posted) fails its limit.
 * - The pick (`./noise/pick.ts`): among the strategies with no failed check,
 *   the leader on the deciding figure (goodput; ack p99 when the leaders'
 *   goodputs are within 1%) is picked only when its interval is separated
 *   from the runner-up's and none of its checks is uncertain; otherwise the
 *   verdict says "too close to call: A, B" with the figures and how many
 *   repetitions would likely separate them.
 * - When every strategy fails there is no pick; the reason names the nearest
 *   miss (fewest failed constraints, then highest goodput).
 */
import type { RunReport, StrategyReport } from '../common/report-types.js';
import { formatInt } from '../common/format.js';
import { metricNamed, type MetricDef } from '../common/metrics.js';
import { SLO_KEYS, describeSlo, formatValue, sloMetric, type Slo, type SloKey } from '../common/slo.js';
import { batchEstimateOf, batchIntervalsOf, type ReplayBatchIntervals } from '../noise/batch-sql.js';
import { headlineIntervals } from '../noise/headline.js';
import { bootstrapInterval, type Estimate } from '../noise/interval.js';
import { decidePick, type Contender } from '../noise/pick.js';
import { checkAgainstLimit } from '../noise/separation.js';

import { HEADLINE_FIGURES, type CheckOutcome, type HeadlineFigure, type JudgedStrategy, type UnjudgedStrategy, type Verdict, type VerdictCheck } from '../common/verdict-types.js';

export { GOODPUT_TIE_SHARE } from '../noise/pick.js';
export { HEADLINE_FIGURES, type HeadlineFigure, type JudgedStrategy, type UnjudgedStrategy, type Verdict, type VerdictCheck } from '../common/verdict-types.js';

/** A catalog metric the verdict reads (a typo here is a start-up error, not a silent null). */
function catalog(name: string): MetricDef {
  const m = metricNamed(name);
  if (!m) throw new Error(`the verdict reads ${name}, which is not in the metric catalog`);
  return m;
}
const HEADLINE: readonly MetricDef[] = HEADLINE_FIGURES.map(catalog);
const P99_ACK = catalog('p99_ack_ms');

/**
 * Judges the report's strategies against `slo` (see the module docs for the
 * rules). Reads `report.strategies` only, plus `batches` (from
 * `./noise/batch-sql.ts`) for labels replayed once.
 */
export function judge(report: Pick<RunReport, 'strategies'>, slo: Slo, batches?: ReadonlyMap<string, ReplayBatchIntervals>): Verdict {
  const labels = [...new Set(report.strategies.map((s) => s.label))];
  const judged: JudgedStrategy[] = [];
  const notJudged: UnjudgedStrategy[] = [];
  const contenders: Contender[] = [];
  for (const label of labels) {
    const replays = report.strategies.filter((s) => s.label === label);
    const completed = replays.filter((s) => s.status === 'completed');
    if (completed.length === 0) {
      const first = replays[0]!;
      notJudged.push({ label, backend: first.backend, status: first.status, detail: first.detail });
      continue;
    }
    const batch = completed.length === 1 && batches ? batchIntervalsOf(batches, label, completed[0]!.rep) : undefined;
    const j = judgeLabel(label, completed, replays, slo, batch);
    judged.push(j);
    const values = (f: (s: StrategyReport) => number | null): number[] => completed.map(f).filter((v): v is number => v !== null);
    const point = (e: Estimate | null): Estimate => e ?? { point: Number.NaN, lo: Number.NaN, hi: Number.NaN, method: 'none', n: 0 };
    // The pick ranks by money-safe goodput (ops never lost, duplicated or overdrawn) where it was measured.
    const safe = values((s) => s.money_safe_goodput_per_s);
    const ranked = safe.length === completed.length ? { goodput: moneySafeInterval(safe, j.intervals.figures.goodput), goodputValues: safe } : undefined;
    contenders.push({
      label,
      standing: j.standing,
      uncertain: j.checks.filter((c) => c.outcome === 'uncertain').map((c) => c.text),
      goodput: ranked?.goodput ?? point(j.intervals.figures.goodput),
      goodputValues: ranked?.goodputValues ?? values((s) => s.goodput_per_s),
      ackP99: point(j.intervals.figures.p99_ack_ms),
      ackP99Values: values(P99_ACK.value),
    });
  }
  const qualified = judged.filter((j) => j.qualifies);
  const base = { slo, slo_text: describeSlo(slo), judged, not_judged: notJudged, qualified: qualified.map((q) => q.label) };
  if (judged.length === 0) return { ...base, pick: null, reason: 'No strategy completed, so none can be judged.', too_close_to_call: null };
  const outcome = decidePick(contenders);
  if (outcome.kind === 'none') {
    const failures = (j: JudgedStrategy) => j.checks.filter((c) => c.outcome === 'fail');
    const nearest = [...judged].sort((a, b) => failures(a).length - failures(b).length || (b.goodput ?? -1) - (a.goodput ?? -1))[0]!;
    return { ...base, pick: null, reason: `No strategy meets every constraint; the nearest is ${nearest.label}, which fails on ${failures(nearest).map((c) => c.text).join('; ')}.`, too_close_to_call: null };
  }
  if (outcome.kind === 'too-close') return { ...base, pick: null, reason: outcome.reason, too_close_to_call: { labels: outcome.labels, figure: outcome.figure, repetitions: outcome.repetitions } };
  return { ...base, pick: outcome.label, reason: outcome.reason, too_close_to_call: null };
}

function judgeLabel(label: string, completed: readonly StrategyReport[], all: readonly StrategyReport[], slo: Slo, batch: ReplayBatchIntervals | undefined): JudgedStrategy {
  const perReplay = completed.map((s) => checksOf(s, slo));
  const checks = perReplay[0]!.map((_, i) => combine(perReplay.map((c) => c[i]!), batch));
  const unfinished = all.filter((s) => s.status !== 'completed');
  if (unfinished.length > 0) {
    const u = unfinished[0]!;
    checks.push({ key: 'completed', rule: 'every repetition completes', limit: 0, measured: unfinished.length, interval: null, outcome: 'fail', ok: false, text: `${unfinished.length} of ${all.length} repetitions did not complete (#${u.rep + 1} ${u.status}: ${u.detail || 'no reason recorded'})` });
  }
  const intervals = headlineIntervals(
    HEADLINE_FIGURES,
    completed.map((s) => Object.fromEntries(HEADLINE.map((m) => [m.name, m.value(s)])) as Record<HeadlineFigure, number | null>),
    batch ? Object.fromEntries(HEADLINE_FIGURES.map((name) => [name, batchEstimateOf(name, batch) ?? null])) : undefined,
  );
  const highest = (values: readonly (number | null)[]) => (values.includes(null) ? null : Math.max(...(values as number[])));
  const standing: CheckOutcome = checks.some((c) => c.outcome === 'fail') ? 'fail' : checks.some((c) => c.outcome === 'uncertain') ? 'uncertain' : 'pass';
  return {
    label,
    backend: [...new Set(completed.map((s) => s.backend))].join('/'),
    replays: completed.length,
    qualifies: standing === 'pass',
    standing,
    goodput: intervals.figures.goodput?.point ?? null,
    money_safe_goodput: medianOf(completed.map((s) => s.money_safe_goodput_per_s)),
    p99_ack_ms: intervals.figures.p99_ack_ms?.point ?? null,
    p999_ack_ms: highest(completed.map(catalog('p999_ack_ms').value)),
    checks,
    intervals,
  };
}

/**
 * The interval of money-safe goodput (ops/s). Over repetitions, a bootstrap
 * of their values. For one replay, money-safe goodput has no batch means of
 * its own, so goodput's batch-means interval is shifted by the ops/s that
 * were not money-safe (a count observed once, not a sampled rate): without
 * this the pick compared bare points and called overlapping strategies
 * "separated".
 */
function moneySafeInterval(safe: readonly number[], goodput: Estimate | null): Estimate {
  const own = bootstrapInterval(safe);
  if (safe.length !== 1 || goodput === null || goodput.method === 'none') return own;
  const shift = own.point - goodput.point;
  return { point: own.point, lo: goodput.lo + shift, hi: goodput.hi + shift, method: goodput.method, n: goodput.n };
}

/** The median of the measured values, null when none was measured. */
function medianOf(values: readonly (number | null)[]): number | null {
  const xs = values.filter((v): v is number => v !== null);
  return xs.length === 0 ? null : bootstrapInterval(xs, { resamples: 1 }).point;
}

/** SLO keys judged on an interval (measurements); the rest (money) on the worst repetition. */
const MEASURED: ReadonlySet<string> = new Set<SloKey>(['p99_ack_ms', 'p999_ack_ms', 'posting_delay_p99_ms', 'reject_pct', 'max_stop_delivery_ms']);

/**
 * One check over repetitions: a measurement by its interval (bootstrap over
 * repetitions; batch means for a single replay where the figure has them);
 * money checks and anything not measured in some repetition by the worst.
 */
function combine(checks: readonly VerdictCheck[], batch: ReplayBatchIntervals | undefined): VerdictCheck {
  const first = checks[0]!;
  const measured = checks.map((c) => c.measured);
  if (!MEASURED.has(first.key) || measured.includes(null) || checks.some((c) => c.key === 'max_stop_delivery_ms' && c.measured === null)) return worst(checks);
  const key = first.key as SloKey;
  const values = measured as number[];
  const candidate = values.length === 1 ? batchEstimateOf(key, batch) : undefined;
  const fromBatch = candidate?.method === 'batch-means' ? candidate : undefined;
  const e: Estimate = fromBatch ? { ...fromBatch, point: values[0]!, lo: Math.min(fromBatch.lo, values[0]!), hi: Math.max(fromBatch.hi, values[0]!) } : bootstrapInterval(values);
  const outcome = checkAgainstLimit(e, '<=', first.limit);
  const label = key;
  const ci = e.method === 'none' ? '' : ` (95% CI ${formatValue(key, e.lo)}–${formatValue(key, e.hi)}${e.method === 'batch-means' ? ', batch means' : ''})`;
  const limit = formatValue(key, first.limit);
  const text = `${label} ${formatValue(key, e.point)}${ci}${outcome === 'fail' ? ` > ${limit}` : outcome === 'uncertain' ? ` straddles ≤ ${limit}` : ''}`;
  return { key, rule: first.rule, limit: first.limit, measured: e.point, interval: e.method === 'none' ? null : { lo: e.lo, hi: e.hi }, outcome, ok: outcome === 'pass', text };
}

/** The worst of the same check over repetitions: a failure first, then nothing measured, then the largest value. */
function worst(checks: readonly VerdictCheck[]): VerdictCheck {
  const rank = (c: VerdictCheck) => (c.ok ? 0 : 2) + (c.measured === null ? 1 : 0);
  return checks.reduce((a, b) => (rank(b) > rank(a) || (rank(b) === rank(a) && (b.measured ?? 0) > (a.measured ?? 0)) ? b : a));
}

/** Every check of one replay: the SLO's limits in {@link SLO_KEYS} order, then ledger integrity. */
function checksOf(s: StrategyReport, slo: Slo): VerdictCheck[] {
  const checks: VerdictCheck[] = [];
  for (const key of SLO_KEYS) {
    const limit = slo[key];
    if (limit !== undefined) checks.push(sloCheck(s, key, limit));
  }
  const count = (key: string, what: string, n: number): VerdictCheck =>
    ({ key: `integrity:${key}`, rule: `${what} = 0`, limit: 0, measured: n, interval: null, outcome: n === 0 ? 'pass' : 'fail', ok: n === 0, text: n === 0 ? `${what} 0` : `${what} ${formatInt(n)} > 0` });
  checks.push(count('lost', 'lost ops', s.incidents.lost));
  checks.push(count('duplicated', 'duplicated ops', s.incidents.duplicated));
  checks.push(count('phantom', 'phantom postings', s.incidents.phantom));
  checks.push(count('mismatch', 'mismatched postings', s.incidents.mismatch));
  const audited = s.conservation.audited && s.conservation.ok !== null;
  const broken = audited ? (s.conservation.ok ? 0 : Math.max(1, s.incidents.conservation)) : null;
  checks.push({
    key: 'integrity:conservation',
    rule: 'conservation holds (audited)',
    limit: 0,
    measured: broken,
    interval: null,
    outcome: broken === 0 ? 'pass' : 'fail',
    ok: broken === 0,
    text: broken === null ? 'ledger not audited' : broken === 0 ? 'conservation held' : `conservation broken on ${formatInt(broken)} account(s)`,
  });
  return checks;
}

function sloCheck(s: StrategyReport, key: SloKey, limit: number): VerdictCheck {
  const label = key;
  const rule = `${label} ≤ ${formatValue(key, limit)}`;
  const judged = (measured: number | null, missing: string): VerdictCheck => {
    if (measured === null) return { key, rule, limit, measured, interval: null, outcome: 'fail', ok: false, text: `${label} not measured (${missing})` };
    const ok = measured <= limit;
    return { key, rule, limit, measured, interval: null, outcome: ok ? 'pass' : 'fail', ok, text: ok ? `${label} ${formatValue(key, measured)}` : `${label} ${formatValue(key, measured)} > ${formatValue(key, limit)}` };
  };
  const value = sloMetric(key).value(s);
  switch (key) {
    case 'p99_ack_ms':
    case 'p999_ack_ms':
      return judged(value, 'no op was acked');
    case 'posting_delay_p99_ms':
      return judged(value, 'nothing was posted');
    case 'overdraft_amount':
      return judged(value, '');
    case 'reject_pct':
      return judged(value, 'no op was recorded');
    case 'max_stop_delivery_ms': {
      const sd = s.stop_delivery;
      if (sd.missed > 0) {
        const crossings = sd.missed + sd.signalled;
        return { key, rule, limit, measured: null, interval: null, outcome: 'fail', ok: false, text: `${label}: ${formatInt(sd.missed)} of ${formatInt(crossings)} threshold crossings never signalled` };
      }
      if (sd.signalled === 0) return { key, rule, limit, measured: null, interval: null, outcome: 'pass', ok: true, text: `${label}: no threshold crossing` };
      return judged(value, '');
    }
  }
}
