/**
 * 95% confidence intervals for a headline figure, by one of two methods:
 *
 * - `bootstrap`: over repetitions (2 or more). The repetitions are resampled
 *   with replacement {@link BOOTSTRAP_RESAMPLES} times from a seeded source
 *   (same values → same interval), the statistic (the median by default:
 *   repetitions here sometimes jump between two levels, and the median is not
 *   dragged by one) is taken of each resample, and the interval is the 2.5th
 *   and 97.5th percentile of those (percentile bootstrap).
 * - `batch-means`: one repetition. The replay's seconds are cut into
 *   {@link DEFAULT_BATCHES} consecutive batches; each batch's mean is nearly
 *   independent of the next when batches are long against the series'
 *   memory (a queue drains in well under a second at the knee here), and the
 *   interval is the percentile bootstrap over those batch means. Bootstrapping
 *   the batch means rather than reading a Student t table keeps every interval
 *   on one method and needs no distribution table.
 *
 * With fewer than 2 values (or fewer than 2 batches) there is no spread to
 * judge: the interval is the point itself and `method` says `none`.
 */
import { mean, median, quantile, sampleWithReplacement } from 'simple-statistics';
import { DEFAULT_RESAMPLE_SEED, seededSource } from './random.js';

/** How an interval was computed. */
export type IntervalMethod = 'bootstrap' | 'batch-means' | 'none';

/** A point estimate with its 95% confidence interval, in the figure's own unit. */
export interface Estimate {
  /** The statistic over all values (median of repetitions; mean of batch means). */
  readonly point: number;
  /** Lower end of the 95% interval. */
  readonly lo: number;
  /** Upper end of the 95% interval. */
  readonly hi: number;
  readonly method: IntervalMethod;
  /** Repetitions (bootstrap), batches (batch-means) or values (none) behind it. */
  readonly n: number;
}

/** Resamples per bootstrap: enough that the 2.5th percentile moves by well under 1% between seeds. */
export const BOOTSTRAP_RESAMPLES = 2_000;
/** Batches a one-repetition series is cut into. */
export const DEFAULT_BATCHES = 10;
/** Two-sided coverage of every interval. */
export const CONFIDENCE = 0.95;

/** Options of {@link bootstrapInterval}. */
export interface BootstrapOptions {
  /** The statistic of a sample. Default: the median. */
  readonly statistic?: (xs: number[]) => number;
  /** Resamples. Default {@link BOOTSTRAP_RESAMPLES}. */
  readonly resamples?: number;
  /** Seed of the resampling. Default {@link DEFAULT_RESAMPLE_SEED}. */
  readonly seed?: number;
}

/** The bootstrap distribution of `statistic` over `values`: one value per resample. */
export function bootstrapDistribution(values: readonly number[], options: BootstrapOptions = {}): number[] {
  const stat = options.statistic ?? median;
  const random = seededSource(options.seed ?? DEFAULT_RESAMPLE_SEED);
  const xs = [...values];
  const out = new Array<number>(options.resamples ?? BOOTSTRAP_RESAMPLES);
  for (let i = 0; i < out.length; i++) out[i] = stat(sampleWithReplacement(xs, xs.length, random));
  return out;
}

/** 95% percentile-bootstrap interval of `statistic` (default median) over repetition values. Non-finite values are dropped. */
export function bootstrapInterval(values: readonly number[], options: BootstrapOptions = {}): Estimate {
  const xs = values.filter(Number.isFinite);
  if (xs.length === 0) return { point: Number.NaN, lo: Number.NaN, hi: Number.NaN, method: 'none', n: 0 };
  const point = (options.statistic ?? median)([...xs]);
  if (xs.length < 2) return { point, lo: point, hi: point, method: 'none', n: xs.length };
  const dist = bootstrapDistribution(xs, options);
  const [lo, hi] = quantile(dist, [(1 - CONFIDENCE) / 2, 1 - (1 - CONFIDENCE) / 2]) as [number, number];
  return { point, lo: Math.min(lo, point), hi: Math.max(hi, point), method: 'bootstrap', n: xs.length };
}

/**
 * 95% batch-means interval of the mean of a per-second series (one
 * repetition): `series` cut into `batches` consecutive batches of equal
 * length (the remainder at the end dropped), the mean of each, and the
 * percentile bootstrap over those means. Fewer than 2 full batches: no interval.
 */
export function batchMeansInterval(series: readonly number[], batches: number = DEFAULT_BATCHES, seed: number = DEFAULT_RESAMPLE_SEED): Estimate {
  const xs = series.filter(Number.isFinite);
  const k = Math.min(batches, xs.length);
  if (k < 2) {
    const point = xs.length > 0 ? mean(xs) : Number.NaN;
    return { point, lo: point, hi: point, method: 'none', n: xs.length };
  }
  const size = Math.floor(xs.length / k);
  const means: number[] = [];
  for (let b = 0; b < k; b++) means.push(mean(xs.slice(b * size, (b + 1) * size)));
  const est = bootstrapInterval(means, { statistic: mean, seed });
  return { ...est, method: 'batch-means', n: k };
}

/**
 * 95% batch-means interval from per-batch values computed elsewhere (e.g.
 * one p99 per batch of seconds, from ClickHouse): the point is their mean,
 * the interval the percentile bootstrap over them.
 */
export function batchValuesInterval(batchValues: readonly number[], seed: number = DEFAULT_RESAMPLE_SEED): Estimate {
  const est = bootstrapInterval(batchValues, { statistic: mean, seed });
  return { ...est, method: est.method === 'none' ? 'none' : 'batch-means' };
}

/** Half the interval's width relative to its point (0.1 = ±10%); Infinity when the point is 0 and the interval is not. */
export function relativeHalfWidth(e: Estimate): number {
  const half = (e.hi - e.lo) / 2;
  if (half === 0) return 0;
  return e.point === 0 ? Number.POSITIVE_INFINITY : half / Math.abs(e.point);
}

/** What the method means, for a report's footnote. */
export function describeMethod(method: IntervalMethod, n: number): string {
  // A resampled median never leaves the values' range: with few repetitions the interval is their range, whose coverage is 1 − 2·0.5ⁿ.
  if (method === 'bootstrap') return `95% CI: bootstrap over ${n} repetitions (median, ${BOOTSTRAP_RESAMPLES} seeded resamples)${n < 6 ? `; with ${n} repetitions it is about their range, which holds the true median only ${Math.round((1 - 2 * 0.5 ** n) * 100)}% of the time` : ''}`;
  if (method === 'batch-means') return `95% CI: batch means over the replay's seconds (1 repetition, ${n} batches, bootstrap over the batch means)`;
  return 'no interval (one value, nothing to judge its spread by; use --repeat 3 or more)';
}
