/**
 * A run in Bencher Metric Format (BMF), the JSON `bencher run --adapter json`
 * reads (https://bencher.dev/docs/reference/bencher-metric-format):
 *
 *   { "<benchmark>": { "<measure>": { "value": n, "lower_value"?: n, "upper_value"?: n } } }
 *
 * One benchmark per strategy label (`<scenario>/<label>`), four measures,
 * each a metric of the catalog (reports/common/metrics.ts) under its name in
 * kebab case: `goodput-ops-per-s`, `p99-ack-ms`, `posting-delay-p99-ms`,
 * `overdraft-count`. Slugs carry their unit because Bencher creates a
 * measure it does not know from its slug alone, without a unit (its built-in
 * `latency` is in nanoseconds, which is why it is not reused here).
 *
 * With `run --repeat N` the value is the median over the completed
 * repetitions (a money-safety count: the worst one, as the catalog's
 * `capOver` says);
 * `lower_value`/`upper_value` are written only from a confidence interval
 * the report carries, never made up from the min and max.
 */
import { metricNamed, type MetricDef } from '../common/metrics.js';
import type { RunReport } from '../common/report-types.js';
import { HEADLINE_FIGURES, type HeadlineFigure, type Verdict } from '../common/verdict-types.js';

/** One BMF metric. */
export interface BmfMetric {
  readonly value: number;
  readonly lower_value?: number;
  readonly upper_value?: number;
}

/** A BMF document: benchmark name → measure slug → metric. */
export type Bmf = Record<string, Record<string, BmfMetric>>;

/** A measure hotbench exports: a metric of the catalog under its Bencher slug. */
export interface BmfMeasure {
  /** Bencher slug (≤ 64 characters): the catalog name in kebab case, with the unit when the name lacks it. */
  readonly slug: string;
  readonly metric: MetricDef;
}

/** `p99_ack_ms` → `p99-ack-ms`; `goodput` → `goodput-ops-per-s`. */
export function bmfSlug(def: MetricDef): string {
  const kebab = def.name.replace(/_/g, '-');
  return def.unit === 'ops/s' && !kebab.endsWith('-per-s') ? `${kebab}-ops-per-s` : kebab;
}

/** The catalog metrics exported, in document order. */
export const BMF_METRICS: readonly string[] = ['goodput', 'p99_ack_ms', 'posting_delay_p99_ms', 'overdraft_count'];

/** The exported measures. */
export const BMF_MEASURES: readonly BmfMeasure[] = BMF_METRICS.map((name) => {
  const metric = metricNamed(name);
  if (!metric) throw new Error(`BMF exports ${name}, which the metric catalog (reports/common/metrics.ts) does not define`);
  return { slug: bmfSlug(metric), metric };
});

/** A confidence interval of one measure of one label, in the slug's unit; undefined when the report has none. */
export type IntervalOf = (label: string, slug: string) => { readonly lower: number; readonly upper: number } | undefined;

/** Each exported slug's headline figure in the verdict: the same catalog metric, in the same unit. */
const HEADLINE_OF_SLUG: ReadonlyMap<string, HeadlineFigure> = new Map(
  BMF_MEASURES.filter((m) => (HEADLINE_FIGURES as readonly string[]).includes(m.metric.name)).map((m) => [m.slug, m.metric.name as HeadlineFigure]),
);

/**
 * The {@link IntervalOf} a run's verdict carries: each judged label's 95%
 * headline intervals (bootstrap over repetitions, or batch means of one
 * replay), in the slug's unit; none where the method is `none`.
 */
export function verdictIntervals(verdict: Pick<Verdict, 'judged'>): IntervalOf {
  return (label, slug) => {
    const figure = HEADLINE_OF_SLUG.get(slug);
    const judged = verdict.judged.find((j) => j.label === label);
    const e = figure && judged ? judged.intervals.figures[figure] : undefined;
    if (!e || e.method === 'none') return undefined;
    return { lower: e.lo, upper: e.hi };
  };
}

/** The benchmark name of a strategy label: `<scenario>/<label>`. */
export function bmfBenchmarkName(scenario: string, label: string): string {
  return `${scenario}/${label}`;
}

/**
 * The BMF document of `report`: completed replays only (a skipped strategy
 * has no numbers to track); a measure nothing was measured for is left out
 * rather than written as 0.
 */
export function runToBmf(report: Pick<RunReport, 'run' | 'strategies'>, intervalOf: IntervalOf = () => undefined): Bmf {
  const out: Bmf = {};
  const labels = [...new Set(report.strategies.map((s) => s.label))];
  for (const label of labels) {
    const reps = report.strategies.filter((s) => s.label === label && s.status === 'completed');
    if (reps.length === 0) continue;
    const measures: Record<string, BmfMetric> = {};
    for (const m of BMF_MEASURES) {
      const values = reps.map((r) => m.metric.value(r)).filter((v): v is number => v !== null && Number.isFinite(v));
      if (values.length === 0) continue;
      const worst = m.metric.direction === 'higher_is_worse' ? Math.max(...values) : Math.min(...values);
      const value = m.metric.capOver === 'worst' ? worst : median(values);
      const ci = intervalOf(label, m.slug);
      measures[m.slug] = ci && ci.lower <= value && value <= ci.upper ? { value, lower_value: ci.lower, upper_value: ci.upper } : { value };
    }
    out[bmfBenchmarkName(report.run.scenario, label)] = measures;
  }
  return out;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
