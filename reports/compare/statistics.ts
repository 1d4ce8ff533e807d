/**
 * Is a difference between two runs bigger than their own run-to-run noise?
 * Each side is a handful of per-repetition values of one metric (`run
 * --repeat N`). Which test is used depends on how many there are:
 *
 * - both sides ≥ 5 repetitions: a one-sided **Mann-Whitney U** test (rank
 *   based: no normality assumed, robust to the long tails latency has),
 *   exact p-value over every split of the pooled values (ties by mid-ranks),
 *   normal approximation with tie correction above 60 values. Significant
 *   when p ≤ alpha (default 0.05).
 * - 2 to 4 on the smaller side: **separation**: every candidate repetition
 *   must be worse than every baseline repetition, by more than a tolerance
 *   (default 5 % of the baseline median). With 3 against 3, U can reach
 *   p = 1/20 = 0.05 only by complete separation, so the U test would add
 *   nothing but a knife-edge; the tolerance keeps a shared machine's drift
 *   from flagging identical code.
 * - 1 on either side: no spread to judge noise by; the threshold alone decides.
 */

/** Which noise test judged a metric. */
export type NoiseTest = 'mann-whitney-u' | 'separation' | 'threshold-only';

/** Repetitions per side from which the U test is used. */
export const MIN_REPS_FOR_U = 5;

/** The noise test for `n` baseline and `m` candidate repetitions. */
export function chooseTest(n: number, m: number): NoiseTest {
  if (n < 2 || m < 2) return 'threshold-only';
  return Math.min(n, m) >= MIN_REPS_FOR_U ? 'mann-whitney-u' : 'separation';
}

/** One line saying what {@link chooseTest} picked and why. */
export function describeTest(test: NoiseTest, alpha: number, tolerance: number): string {
  if (test === 'mann-whitney-u') return `one-sided Mann-Whitney U on per-repetition values, alpha ${alpha}`;
  if (test === 'separation') return `separation: every candidate repetition worse than every baseline repetition by more than ${Math.round(tolerance * 1000) / 10}% of the baseline median (fewer than ${MIN_REPS_FOR_U} repetitions on a side)`;
  return 'threshold only: 1 repetition on a side, so no spread to judge noise by (record runs with --repeat 3 or more)';
}

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

/** Standard normal CDF (Abramowitz & Stegun 26.2.17, |error| < 7.5e-8). */
export function normalCdf(z: number): number {
  const t = 1 / (1 + 0.2316419 * Math.abs(z));
  const d = Math.exp((-z * z) / 2) / Math.sqrt(2 * Math.PI);
  const tail = d * t * (0.31938153 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))));
  return z >= 0 ? 1 - tail : tail;
}

/**
 * Separation: true when every `candidate` value is worse than every `baseline`
 * value by more than `tolerance` × |baseline median|. `higherIsWorse` picks
 * the side. Both non-empty.
 */
export function separated(candidate: readonly number[], baseline: readonly number[], higherIsWorse: boolean, tolerance: number): boolean {
  const widen = tolerance * Math.abs(median(baseline));
  return higherIsWorse ? Math.min(...candidate) > Math.max(...baseline) + widen : Math.max(...candidate) < Math.min(...baseline) - widen;
}
