/**
 * Rank statistics for compare: the median every table shows, and a
 * one-sided **Mann-Whitney U** test (rank based: no normality assumed,
 * robust to the long tails latency has), exact p-value over every split of
 * the pooled values (ties by mid-ranks), normal approximation with tie
 * correction above 60 values. compare reports its p-value for information
 * when both sides have {@link MIN_REPS_FOR_U}+ repetitions; the decision
 * itself is `../noise/decision.ts`'s (bootstrap interval + minimum effect).
 */
import { errorFunction } from 'simple-statistics';

/** Repetitions per side from which the U test's p-value is reported. */
export const MIN_REPS_FOR_U = 5;

/** Median: the middle value, or the mean of the two middle values. `NaN` when empty. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Result of {@link mannWhitneyGreater}. */
export interface MannWhitney {
  /** Pairs (x, y) with x > y, ties counted ½. */
  readonly u: number;
  /** P(U ≥ u) when x and y come from one distribution. */
  readonly p: number;
  /** Exact (enumerated) rather than normal-approximated. */
  readonly exact: boolean;
}

/** Pooled sizes up to which the p-value is exact. */
const EXACT_UP_TO = 60;

/** One-sided Mann-Whitney U: evidence that `x` tends to be greater than `y`. Both non-empty. */
export function mannWhitneyGreater(x: readonly number[], y: readonly number[]): MannWhitney {
  const n = x.length;
  const m = y.length;
  if (n === 0 || m === 0) throw new RangeError('mannWhitneyGreater needs values on both sides');
  const pooled = [...x.map((v) => ({ v, fromX: true })), ...y.map((v) => ({ v, fromX: false }))].sort((a, b) => a.v - b.v);
  // Doubled mid-ranks are integers: ranks i..j tied → (i + j) each (1-based).
  const doubled = new Array<number>(pooled.length);
  const tieSizes: number[] = [];
  for (let i = 0; i < pooled.length; ) {
    let j = i;
    while (j + 1 < pooled.length && pooled[j + 1]!.v === pooled[i]!.v) j++;
    for (let k = i; k <= j; k++) doubled[k] = i + 1 + (j + 1);
    tieSizes.push(j - i + 1);
    i = j + 1;
  }
  let rankSum2 = 0;
  pooled.forEach((p, i) => {
    if (p.fromX) rankSum2 += doubled[i]!;
  });
  const u = rankSum2 / 2 - (n * (n + 1)) / 2;
  const N = n + m;
  if (N <= EXACT_UP_TO) return { u, p: exactUpperTail(doubled, n, rankSum2), exact: true };
  const tieTerm = tieSizes.reduce((s, t) => s + (t * t * t - t), 0) / (N * (N - 1));
  const sd = Math.sqrt(((n * m) / 12) * (N + 1 - tieTerm));
  if (sd === 0) return { u, p: 1, exact: false };
  const z = (u - (n * m) / 2 - 0.5) / sd; // continuity correction
  return { u, p: 1 - normalCdf(z), exact: false };
}

/** P(sum of `k` of the doubled ranks ≥ `observed2`) over every k-subset, by counting subsets per sum. */
function exactUpperTail(doubled: readonly number[], k: number, observed2: number): number {
  const maxSum = doubled.reduce((a, b) => a + b, 0);
  // ways[j][s]: subsets of j of the ranks seen so far with doubled sum s (doubles: C(60,30) > 2^53, ratios stay accurate).
  const ways = Array.from({ length: k + 1 }, () => new Float64Array(maxSum + 1));
  ways[0]![0] = 1;
  for (const r of doubled) {
    for (let j = k; j >= 1; j--) {
      const from = ways[j - 1]!;
      const to = ways[j]!;
      for (let s = maxSum - r; s >= 0; s--) if (from[s]! !== 0) to[s + r]! += from[s]!;
    }
  }
  let total = 0;
  let tail = 0;
  ways[k]!.forEach((w, s) => {
    total += w;
    if (s >= observed2) tail += w;
  });
  return tail / total;
}

/** Standard normal CDF, Φ(z) = (1 + erf(z/√2)) / 2, from simple-statistics' error function. */
export function normalCdf(z: number): number {
  return 0.5 * (1 + errorFunction(z / Math.SQRT2));
}
