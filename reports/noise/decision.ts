/**
 * compare's decision for one metric of one strategy: `pass`, `regression`
 * or `inconclusive`, from the relative change of the candidate against the
 * baseline in the metric's worse direction and its 95% interval, against a
 * minimum effect size (default {@link DEFAULT_MIN_EFFECT}):
 *
 * - `regression`: the interval lies wholly on the worse side of 0 (the change
 *   is real) AND the estimated change is at least the minimum effect (and it
 *   matters).
 * - `pass`: the interval's worse end stays below the minimum effect: whatever
 *   the noise, the candidate is not worse by that much (an improvement passes).
 * - `inconclusive`: neither: the noise is too wide to tell (exit 3, "repeat
 *   with more repetitions"), never silently a pass.
 *
 * The interval of the change:
 * - 2+ repetitions a side: bootstrap over repetitions, each side resampled
 *   on its own (seeded), change = median(candidate*) / median(baseline*) − 1.
 * - otherwise, from each side's own interval (batch means over the replay's
 *   seconds): the widest ratio the two intervals allow
 *   (cand.lo / base.hi − 1 .. cand.hi / base.lo − 1), conservative.
 * - one value a side and no interval: nothing separates signal from noise,
 *   so the decision is `inconclusive` (record with --repeat 2 or more).
 */
import { median, quantile, sampleWithReplacement } from 'simple-statistics';
import { CONFIDENCE, BOOTSTRAP_RESAMPLES, type Estimate } from './interval.js';
import { DEFAULT_RESAMPLE_SEED, seededSource } from './random.js';
import type { Better } from './separation.js';

/** Default minimum effect size: a change smaller than 10% is never called a regression. */
export const DEFAULT_MIN_EFFECT = 0.1;

/** One metric's compare decision. */
export type Decision = 'pass' | 'regression' | 'inconclusive';

/** How the change's interval was obtained. */
export type ChangeMethod = 'bootstrap' | 'intervals' | 'points';

/** The change of a metric, in its worse direction (+0.25 = 25% worse), with its interval. */
export interface Change {
  /** Relative change, positive = worse. */
  readonly worse: number;
  /** Lower end of the 95% interval of `worse`. */
  readonly lo: number;
  /** Upper end of the 95% interval of `worse`. */
  readonly hi: number;
  readonly method: ChangeMethod;
}

/** The decision with its reason. */
export interface MetricDecision {
  readonly decision: Decision;
  readonly change: Change | null;
  /** One line: `+31.2% worse (95% CI +18.0% .. +44.9%), beyond the 10% minimum effect`. */
  readonly reason: string;
}

/** One side of a comparison: its repetition values and, when it has one repetition, its own interval. */
export interface Side {
  /** Per-repetition values (non-finite dropped). */
  readonly values: readonly number[];
  /** The side's interval (e.g. batch means) when it has fewer than 2 repetitions. */
  readonly interval?: Estimate;
}

/** Options of {@link decideMetric}. */
export interface DecisionOptions {
  /** Which way the metric is better. */
  readonly better: Better;
  /** Minimum effect size, a share. Default {@link DEFAULT_MIN_EFFECT}. */
  readonly minEffect?: number;
  /** Resampling seed. Default {@link DEFAULT_RESAMPLE_SEED}. */
  readonly seed?: number;
  /** Resamples. Default {@link BOOTSTRAP_RESAMPLES}. */
  readonly resamples?: number;
}

/** `x` as a worse-direction relative change of `cand` over `base`. */
function worseRatio(cand: number, base: number, better: Better): number {
  const r = cand / base - 1;
  return better === 'higher' ? -r : r;
}

/** Bootstrap interval of the worse-direction change of medians, each side resampled independently. */
export function bootstrapChange(base: readonly number[], cand: readonly number[], better: Better, seed = DEFAULT_RESAMPLE_SEED, resamples = BOOTSTRAP_RESAMPLES): Change {
  const random = seededSource(seed);
  const b = [...base];
  const c = [...cand];
  const dist: number[] = [];
  for (let i = 0; i < resamples; i++) {
    const mb = median(sampleWithReplacement(b, b.length, random));
    const mc = median(sampleWithReplacement(c, c.length, random));
    if (mb !== 0) dist.push(worseRatio(mc, mb, better));
  }
  const worse = worseRatio(median(c), median(b), better);
  if (dist.length === 0) return { worse, lo: worse, hi: worse, method: 'bootstrap' };
  const [lo, hi] = quantile(dist, [(1 - CONFIDENCE) / 2, 1 - (1 - CONFIDENCE) / 2]) as [number, number];
  return { worse, lo: Math.min(lo, worse), hi: Math.max(hi, worse), method: 'bootstrap' };
}

/** The widest worse-direction change two intervals allow (conservative: both ends of both). */
export function intervalChange(base: Estimate, cand: Estimate, better: Better): Change {
  const ends = [worseRatio(cand.lo, base.hi, better), worseRatio(cand.hi, base.lo, better)].filter(Number.isFinite);
  const worse = worseRatio(cand.point, base.point, better);
  return { worse, lo: Math.min(worse, ...ends), hi: Math.max(worse, ...ends), method: 'intervals' };
}

const pct = (x: number): string => `${x >= 0 ? '+' : ''}${(Math.round(x * 1000) / 10).toFixed(1)}%`;

/**
 * Decides one metric (see the module comment). Returns `inconclusive` with a
 * reason when a side has no value, or the baseline's is 0 (no relative change).
 */
export function decideMetric(base: Side, cand: Side, options: DecisionOptions): MetricDecision {
  const minEffect = options.minEffect ?? DEFAULT_MIN_EFFECT;
  const b = base.values.filter(Number.isFinite);
  const c = cand.values.filter(Number.isFinite);
  if (b.length === 0 || c.length === 0) return { decision: 'inconclusive', change: null, reason: `no ${b.length === 0 ? 'baseline' : 'candidate'} value` };
  if (median(b) === 0) return { decision: 'inconclusive', change: null, reason: 'baseline is 0: no relative change to judge' };
  let change: Change;
  if (b.length >= 2 && c.length >= 2) change = bootstrapChange(b, c, options.better, options.seed, options.resamples);
  else if (base.interval && cand.interval && base.interval.method !== 'none' && cand.interval.method !== 'none') change = intervalChange(base.interval, cand.interval, options.better);
  else {
    const worse = worseRatio(median(c), median(b), options.better);
    change = { worse, lo: Number.NEGATIVE_INFINITY, hi: Number.POSITIVE_INFINITY, method: 'points' };
  }
  const ci = change.method === 'points' ? 'no interval: one value a side' : `95% CI ${pct(change.lo)} .. ${pct(change.hi)}`;
  const head = `${pct(change.worse)} ${change.worse >= 0 ? 'worse' : 'better'} (${ci})`;
  const effect = `${Math.round(minEffect * 1000) / 10}% minimum effect`;
  if (change.lo > 0 && change.worse >= minEffect) return { decision: 'regression', change, reason: `${head}: worse beyond noise and beyond the ${effect}` };
  if (change.hi < minEffect) return { decision: 'pass', change, reason: `${head}: not worse by the ${effect}` };
  const why = change.lo > 0 ? `worse beyond noise but by less than the ${effect}, and the interval reaches it` : `the interval straddles both 0 and the ${effect}`;
  return { decision: 'inconclusive', change, reason: `${head}: ${why}; more repetitions would tell` };
}

/** Overall decision over metrics: any regression → regression; else any inconclusive → inconclusive; else pass. */
export function overallDecision(decisions: readonly Decision[]): Decision {
  if (decisions.includes('regression')) return 'regression';
  if (decisions.includes('inconclusive')) return 'inconclusive';
  return 'pass';
}

/** The process exit code of a compare decision: 0 pass, 1 regression, 3 inconclusive (2 is usage or tool error). */
export function exitCodeOf(decision: Decision): 0 | 1 | 3 {
  return decision === 'regression' ? 1 : decision === 'inconclusive' ? 3 : 0;
}
