/**
 * A run in Bencher Metric Format (BMF), the JSON `bencher run --adapter json`
 * reads (https://bencher.dev/docs/reference/bencher-metric-format):
 *
 *   { "<benchmark>": { "<measure>": { "value": n, "lower_value"?: n, "upper_value"?: n } } }
 *
 * One benchmark per strategy label (`<scenario>/<label>`), four measures:
 * goodput (ops/s), ack p99 and posting delay p99 (ms) and overdrafts (count).
 * Measure slugs carry their unit because Bencher creates a measure it does
 * not know from its slug alone, without a unit (its built-in `latency` is in
 * nanoseconds, which is why it is not reused here).
 *
 * With `run --repeat N` the value is the median over the completed
 * repetitions (overdrafts: the worst one, as the verdict counts them);
 * `lower_value`/`upper_value` are written only from a confidence interval
 * the report carries, never made up from the min and max.
 */
import type { RunReport, StrategyReport } from '../run/report-types.js';

/** One BMF metric. */
export interface BmfMetric {
  readonly value: number;
  readonly lower_value?: number;
  readonly upper_value?: number;
}

/** A BMF document: benchmark name → measure slug → metric. */
export type Bmf = Record<string, Record<string, BmfMetric>>;

/** A measure hotbench exports. */
interface BmfMeasure {
  /** Bencher slug (≤ 64 characters). */
  readonly slug: string;
  /** How the repetitions combine. */
  readonly combine: 'median' | 'worst';
  /** One replay's value in the slug's unit, or null when nothing was measured. */
  value(s: StrategyReport): number | null;
}

/** The exported measures, in document order. */
export const BMF_MEASURES: readonly BmfMeasure[] = [
  { slug: 'goodput-ops-per-s', combine: 'median', value: (s) => s.goodput_per_s },
  { slug: 'ack-p99-ms', combine: 'median', value: (s) => (s.ack_latency_us.p99 === null ? null : s.ack_latency_us.p99 / 1000) },
  { slug: 'posting-delay-p99-ms', combine: 'median', value: (s) => (s.posting_delay_us.p99 === null ? null : s.posting_delay_us.p99 / 1000) },
  { slug: 'overdrafts', combine: 'worst', value: (s) => s.overdrafts.count },
];

/** A confidence interval of one measure of one label, in the slug's unit; undefined when the report has none. */
export type IntervalOf = (label: string, slug: string) => { readonly lower: number; readonly upper: number } | undefined;

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
      const values = reps.map((r) => m.value(r)).filter((v): v is number => v !== null && Number.isFinite(v));
      if (values.length === 0) continue;
      const value = m.combine === 'worst' ? Math.max(...values) : median(values);
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
