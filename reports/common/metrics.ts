/**
 * The metric catalog: every per-replay metric by its one name, with its unit,
 * the direction that is worse, how it is formatted and a one-line definition
 * (DESIGN.md §5), each read from one strategy replay's {@link StrategyReport}
 * and converted to the unit in the metric's name: `_ms` milliseconds, `_s`
 * seconds, `_pct` percent of recorded ops, `goodput` ops/s, counts as counts
 * (`jobs_not_completed` counts bulk jobs; the job metrics are null where the
 * scenario has no bulk jobs).
 * `hotbench compare` gates on these names (thresholds files, `--threshold`).
 *
 * **Adding a metric is one entry in {@link METRICS}**: name (snake_case, unit
 * suffix), unit (one of the units {@link formatMetricValue} knows, or a count),
 * direction, `capOver`, `describe` (the DESIGN.md §5 definition in one line)
 * and `value` (how to read it from a StrategyReport; null when there is
 * nothing to measure). Compare's tables, thresholds and JSON pick it up.
 *
 * A metric knows which way is worse, so a threshold can be validated
 * (`p99_ack_ms: -10%` is refused: for latency only an increase can regress)
 * and a change can be judged in the right direction.
 */
import type { BulkJobs, StrategyReport, WaitSummary } from './report-types.js';
import { formatInt, formatMs, formatRate, formatSeconds } from './format.js';

/** Which way a metric gets worse. */
export type Direction = 'higher_is_worse' | 'lower_is_worse';

/** One comparable metric. */
export interface MetricDef {
  /** Name used in thresholds and tables, e.g. `p99_ack_ms`. */
  readonly name: string;
  /** Unit shown next to values: `ms`, `s`, `%`, `ops/s`, `ops`, `jobs`, `minor units`. */
  readonly unit: string;
  readonly direction: Direction;
  /**
   * How an absolute cap (`overdraft_count: 0`) reads the candidate's
   * repetitions: `worst` for money-safety counts (one repetition with an
   * overdraft is an overdraft), `median` for measurements (one noisy
   * repetition should not decide).
   */
  readonly capOver: 'worst' | 'median';
  /** One line for `--help` and the docs. */
  readonly describe: string;
  /** The value for one replay, or null when there is nothing to measure (e.g. no lock taken). */
  value(s: StrategyReport): number | null;
}

const ms = (us: number | null): number | null => (us === null ? null : us / 1000);
const waitSeconds = (w: WaitSummary): number | null => (w.ops > 0 ? w.total_s : null);
const pct = (n: number, of: number): number | null => (of > 0 ? (100 * n) / of : null);

const latency = (name: string, describe: string, value: (s: StrategyReport) => number | null): MetricDef => ({ name, unit: 'ms', direction: 'higher_is_worse', capOver: 'median', describe, value });
/** A bulk job completion time in seconds; null when the replay had no jobs or none completed. */
const jobTime = (name: string, describe: string, us: (j: BulkJobs) => number | null): MetricDef => ({
  name, unit: 's', direction: 'higher_is_worse', capOver: 'median', describe, value: (s) => {
    const v = s.bulk_jobs ? us(s.bulk_jobs) : null;
    return v === null ? null : v / 1e6;
  },
});
const incident = (name: string, describe: string, value: (s: StrategyReport) => number): MetricDef => ({ name, unit: 'ops', direction: 'higher_is_worse', capOver: 'worst', describe, value });

/** Every metric, in table order. */
export const METRICS: readonly MetricDef[] = [
  latency('p50_ack_ms', 'median ack latency from the intended send time', (s) => ms(s.ack_latency_us.p50)),
  latency('p99_ack_ms', '99th percentile ack latency from the intended send time', (s) => ms(s.ack_latency_us.p99)),
  latency('p999_ack_ms', '99.9th percentile ack latency', (s) => ms(s.ack_latency_us.p999)),
  latency('max_ack_ms', 'slowest ack', (s) => ms(s.ack_latency_us.max)),
  { name: 'goodput', unit: 'ops/s', direction: 'lower_is_worse', capOver: 'median', describe: 'applied + accepted ops per second', value: (s) => s.goodput_per_s },
  { name: 'money_safe_goodput', unit: 'ops/s', direction: 'lower_is_worse', capOver: 'median', describe: 'applied + accepted ops per second that were never lost, duplicated or overdrawn (what the verdict ranks by)', value: (s) => s.money_safe_goodput_per_s ?? null },
  { name: 'suppressed', unit: 'ops', direction: 'higher_is_worse', capOver: 'median', describe: 'ops upstream never sent: their account was stopped by the budget signal (on_threshold: stop); neither lost nor rejected', value: (s) => s.by_status.suppressed ?? 0 },
  { name: 'reject_pct', unit: '%', direction: 'higher_is_worse', capOver: 'median', describe: 'rejected ops, percent of recorded ops (any reason)', value: (s) => pct(s.rejects.total, s.ops.recorded) },
  latency('posting_delay_p99_ms', '99th percentile posting delay (intended send → in the ledger)', (s) => ms(s.posting_delay_us.p99)),
  latency('max_stop_delivery_ms', 'slowest stop-delivery delay: an account\'s balance below its threshold → the strategy signals budget exhausted (signalled crossings only)', (s) => ms(s.stop_delivery.max_delay_us)),
  { name: 'lock_wait_s', unit: 's', direction: 'higher_is_worse', capOver: 'median', describe: 'time ops waited for row locks, summed; a batch waits once for all its ops, so its wait counts once', value: (s) => waitSeconds(s.lock_wait) },
  latency('lock_wait_p99_ms', '99th percentile of the measured row-lock waits (one per op, or one per batch)', (s) => ms(s.lock_wait.p99_us)),
  { name: 'pool_wait_s', unit: 's', direction: 'higher_is_worse', capOver: 'median', describe: 'time ops waited for a PostgreSQL connection from the client pool (sent → connection acquired), summed; a batch\'s once', value: (s) => waitSeconds(s.pool_wait) },
  latency('pool_wait_p99_ms', '99th percentile of the measured pool waits (one per op, or one per batch)', (s) => ms(s.pool_wait.p99_us)),
  latency('batch_queue_p99_ms', '99th percentile time an op spent queued in a batcher (handed to the strategy → its batch started; aggregate)', (s) => ms(s.batch_queue.p99_us)),
  { name: 'late_pct', unit: '%', direction: 'higher_is_worse', capOver: 'median', describe: 'ops the driver sent late (cap reached or driver behind), percent of planned', value: (s) => pct(s.ops.late, s.ops.planned) },
  incident('overdraft_count', 'overdraft incidents', (s) => s.overdrafts.count),
  { name: 'overdraft_amount', unit: 'minor units', direction: 'higher_is_worse', capOver: 'worst', describe: 'sum of the amounts by which floors were broken', value: (s) => s.overdrafts.amount },
  incident('lost', 'accepted ops never posted', (s) => s.incidents.lost),
  incident('duplicated', 'ops posted twice', (s) => s.incidents.duplicated),
  incident('phantom', 'postings never promised', (s) => s.incidents.phantom),
  incident('mismatch', 'postings whose amount or account differs from the op', (s) => s.incidents.mismatch),
  incident('conservation_violations', 'accounts where initial + credits − debits ≠ final balance', (s) => s.incidents.conservation),
  incident('global_conservation_violations', 'double entry: ops whose legs do not net to zero, and money created or destroyed', (s) => s.incidents.global_conservation ?? 0),
  incident('false_declines', 'debits declined while total funds covered them', (s) => s.incidents.false_declines),
  incident('stale_reads', 'balance reads that differed from the ledger', (s) => s.incidents.stale_reads),
  jobTime('job_completion_p50_s', 'median bulk job completion time (first op intended → last op posted or declined), over completed jobs', (j) => j.completion_us.p50),
  jobTime('job_completion_p99_s', '99th percentile bulk job completion time, over completed jobs', (j) => j.completion_us.p99),
  jobTime('job_completion_max_s', 'slowest completed bulk job', (j) => j.completion_us.max),
  { name: 'jobs_not_completed', unit: 'jobs', direction: 'higher_is_worse', capOver: 'worst', describe: 'bulk jobs with an op neither posted nor declined (lost, fate unknown, never sent)', value: (s) => s.bulk_jobs?.not_completed ?? null },
  { name: 'job_declined_ops', unit: 'ops', direction: 'higher_is_worse', capOver: 'median', describe: 'bulk job ops declined (rejected, not for timeout or error)', value: (s) => s.bulk_jobs?.declined_ops ?? null },
];

const BY_NAME = new Map(METRICS.map((m) => [m.name, m]));

/** The metric named `name`, or undefined. */
export function metricNamed(name: string): MetricDef | undefined {
  return BY_NAME.get(name);
}

/** Every metric name, in table order. */
export function metricNames(): string[] {
  return METRICS.map((m) => m.name);
}

/** A value in its metric's unit without the unit: `12.3`, `1,234`, `0.50`. */
export function formatMetricBare(unit: string, v: number): string {
  if (unit === 'ms') return formatMs(v * 1000);
  if (unit === 's') return formatSeconds(v);
  if (unit === 'ops/s') return formatRate(v);
  if (unit === '%') return v === 0 ? '0' : Math.abs(v) < 0.1 ? v.toFixed(3) : v.toFixed(2);
  return formatInt(v);
}

const SUFFIX: Readonly<Record<string, string>> = { ms: ' ms', s: ' s', 'ops/s': '/s', '%': '%' };

/** A value in its metric's unit, as shown: `12.3 ms`, `1,234/s`, `0.50%`, `3`. */
export function formatMetricValue(unit: string, v: number): string {
  return `${formatMetricBare(unit, v)}${SUFFIX[unit] ?? ''}`;
}
