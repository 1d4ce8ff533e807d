/**
 * The 95% intervals of a strategy's headline figures, over its completed
 * repetitions: the percentile bootstrap over their values with 2 or more
 * repetitions; with one, the batch means of that replay's seconds where the
 * figure has them (goodput, ack p99, posting delay p99), else no interval.
 * The method is recorded with every interval, so every renderer can say which.
 */
import { bootstrapInterval, describeMethod, type Estimate, type IntervalMethod } from './interval.js';

/** The interval of one figure, in the figure's own unit, or null when no repetition measured it. */
export type FigureInterval = Estimate | null;

/** Intervals per figure name, and how they were made. */
export interface HeadlineIntervals<K extends string> {
  readonly figures: Readonly<Record<K, FigureInterval>>;
  /** `bootstrap` (2+ repetitions), `batch-means` (1 repetition, batches) or `none`. */
  readonly method: IntervalMethod;
  /** Repetitions behind the intervals. */
  readonly repetitions: number;
  /** The method in words, for a report's footnote. */
  readonly method_text: string;
}

/**
 * Intervals of `keys` from per-repetition values (`reps[i][key]`, null when
 * not measured) and, for a single repetition, that replay's batch intervals
 * (`batches[key]`, absent for figures without batches).
 */
export function headlineIntervals<K extends string>(keys: readonly K[], reps: readonly Readonly<Record<K, number | null>>[], batches?: Partial<Readonly<Record<K, Estimate | null>>>): HeadlineIntervals<K> {
  const figures = {} as Record<K, FigureInterval>;
  let method: IntervalMethod = 'none';
  for (const key of keys) {
    const values = reps.map((r) => r[key]).filter((v): v is number => v !== null && Number.isFinite(v));
    if (values.length === 0) {
      figures[key] = null;
      continue;
    }
    const fromBatches = values.length === 1 ? batches?.[key] : undefined;
    const e = fromBatches && fromBatches.method === 'batch-means' ? { ...fromBatches, point: values[0]! } : bootstrapInterval(values);
    // The batch interval is around the batches' mean; re-centred on the exact figure, its ends are kept (and widened to hold the point).
    figures[key] = { ...e, lo: Math.min(e.lo, e.point), hi: Math.max(e.hi, e.point) };
    if (e.method !== 'none') method = e.method;
  }
  const n = reps.length;
  const batchCount = keys.map((k) => figures[k]).find((f) => f?.method === 'batch-means')?.n ?? 0;
  return { figures, method, repetitions: n, method_text: describeMethod(method, method === 'batch-means' ? batchCount : n) };
}
