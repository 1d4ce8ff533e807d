/**
 * Decisions read off intervals: is A's interval separated from B's on the
 * deciding figure (a pick is made only then), does an SLO limit pass, fail
 * or stay uncertain, and how many repetitions would likely separate two
 * candidates that are too close to call.
 */
import { median, probit, sampleStandardDeviation } from 'simple-statistics';
import type { Estimate } from './interval.js';

/** Which way a figure is better. */
export type Better = 'higher' | 'lower';

/**
 * True when `a`'s interval lies wholly on the better side of `b`'s
 * (`a.lo > b.hi` when higher is better, `a.hi < b.lo` when lower is).
 * Touching intervals are not separated.
 */
export function separatedBetter(a: Estimate, b: Estimate, better: Better): boolean {
  return better === 'higher' ? a.lo > b.hi : a.hi < b.lo;
}

/** An SLO check's outcome: `uncertain` when the interval straddles the limit. */
export type CheckOutcome = 'pass' | 'fail' | 'uncertain';

/**
 * Judges an interval against a limit. `op` is the rule's comparison (`<=`
 * for "p99 ≤ 50 ms", `>=` for "goodput ≥ 1,000/s"). Passes when the whole
 * interval satisfies the rule, fails when none of it does, else uncertain.
 * An interval without spread (method `none`) is judged on its point.
 */
export function checkAgainstLimit(e: Estimate, op: '<' | '<=' | '>' | '>=', limit: number): CheckOutcome {
  const ok = (v: number): boolean => (op === '<' ? v < limit : op === '<=' ? v <= limit : op === '>' ? v > limit : v >= limit);
  const loOk = ok(e.lo);
  const hiOk = ok(e.hi);
  if (loOk && hiOk) return 'pass';
  if (!loOk && !hiOk) return 'fail';
  return 'uncertain';
}

/** Repetitions at or beyond which {@link repetitionsToSeparate} says "more than". */
export const MAX_REPETITIONS_ESTIMATE = 50;
/** "Likely" in {@link repetitionsToSeparate}: the chance that the intervals separate at the estimated count. */
export const SEPARATION_POWER = 0.8;

/** Asymptotic standard error of a median over that of a mean for normal data (√(π/2)). */
const MEDIAN_EFFICIENCY = Math.sqrt(Math.PI / 2);

/**
 * How many repetitions per candidate would likely (with probability
 * {@link SEPARATION_POWER}) separate two candidates' 95% intervals of the
 * median, from their repetition values so far. With s the sample standard
 * deviation of each and d the gap between their medians, a median's
 * standard error is about 1.25·s/√n; the intervals separate when the
 * observed gap exceeds z_0.975·1.25·(s_a + s_b)/√n, and the observed gap
 * itself varies by 1.25·√(s_a² + s_b²)/√n around d, so
 * n = (1.25·(z_0.975·(s_a + s_b) + z_power·√(s_a² + s_b²)) / d)².
 * (The interval widths themselves cannot be scaled: with 3 repetitions a
 * bootstrap interval of a median is their range, far narrower than the
 * spread it estimates.) Returns null with fewer than 2 values on a side or
 * equal medians; capped at {@link MAX_REPETITIONS_ESTIMATE}. An estimate,
 * not a promise: the gap itself may be noise.
 */
export function repetitionsToSeparate(a: readonly number[], b: readonly number[]): number | null {
  const xa = a.filter(Number.isFinite);
  const xb = b.filter(Number.isFinite);
  if (xa.length < 2 || xb.length < 2) return null;
  const gap = Math.abs(median(xa) - median(xb));
  if (!(gap > 0)) return null;
  const sa = sampleStandardDeviation(xa);
  const sb = sampleStandardDeviation(xb);
  const n = Math.ceil(((MEDIAN_EFFICIENCY * (probit(0.975) * (sa + sb) + probit(SEPARATION_POWER) * Math.hypot(sa, sb))) / gap) ** 2);
  return Math.min(Math.max(n, Math.max(xa.length, xb.length) + 1), MAX_REPETITIONS_ESTIMATE);
}
