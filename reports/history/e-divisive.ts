/**
 * Change points in a series of benchmark results by E-Divisive means
 * (Matteson & James, "A Nonparametric Approach for Multiple Change Point
 * Analysis of Multivariate Data", 2014), the method MongoDB's
 * signal-processing and Apache Otava (formerly Hunter) run over their
 * performance histories.
 *
 * For a segment Z and a split τ into X = Z[0..τ) and Y = Z[τ..κ), the
 * divergence (α = 1, as both projects use) is
 *
 *   q̂(τ) = (m·k / (m + k)) · ( 2/(m·k) Σ|x − y| − 1/C(m,2) Σ|xᵢ − xⱼ| − 1/C(k,2) Σ|yᵢ − yⱼ| )
 *
 * with m = |X|, k = |Y|. The candidate is the τ of the largest q̂ (over κ
 * too, as in the paper) in any segment between the change points found so far; it is kept when a
 * permutation test says so: the segment's values are shuffled `permutations`
 * times (a seeded RNG, so the same history gives the same answer), and the
 * p-value is (1 + #shuffles whose best q̂ ≥ the candidate's) / (1 + shuffles).
 * Found points split the series and the search repeats until a candidate is
 * not significant.
 *
 * What it can and cannot see, stated so that a short history is not misread:
 * every side of a split needs {@link MIN_SIDE} points, and a permutation test
 * over few points cannot reach a small p-value at all (6 points split 3/3: at
 * best p ≈ 0.1, since 2 · 3!·3!/6! of the shuffles reproduce the split). With
 * the default alpha 0.05, a step needs about 4 runs on each side to be found.
 */
import { createRng } from '../../scenarios/random.js';

/** Fewest points on each side of a split (q̂ needs at least one within-pair per side). */
export const MIN_SIDE = 2;

/** Options of {@link changePoints}. */
export interface EDivisiveOptions {
  /** Significance a candidate must reach (p-value ≤ alpha). Default 0.05 (MongoDB's default). */
  readonly alpha?: number;
  /** Shuffles per permutation test. Default 199 (so p can reach 0.005). */
  readonly permutations?: number;
  /** Seed of the shuffles. Default 1. */
  readonly seed?: number;
}

/** A change point: the first index of the new regime. */
export interface ChangePoint {
  /** Index into the series of the first value after the change (1..n−1). */
  readonly index: number;
  /** The divergence q̂ at this split (in the series' unit). */
  readonly q: number;
  /** The permutation test's p-value. */
  readonly p: number;
  /** Mean of the segment before and after the split (same unit as the series). */
  readonly before_mean: number;
  readonly after_mean: number;
}

/** Change points of `series`, in index order. Non-finite values are refused (filter them first). */
export function changePoints(series: readonly number[], options: EDivisiveOptions = {}): ChangePoint[] {
  const alpha = options.alpha ?? 0.05;
  const permutations = options.permutations ?? 199;
  if (series.some((v) => !Number.isFinite(v))) throw new RangeError('changePoints: every value must be a finite number');
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`changePoints: alpha must be in (0, 1), got ${alpha}`);
  if (!(Number.isInteger(permutations) && permutations >= 1)) throw new RangeError(`changePoints: permutations must be a positive integer, got ${permutations}`);
  const rng = createRng(options.seed ?? 1, 'e-divisive');
  const found: ChangePoint[] = [];
  const bounds = [0, series.length];
  for (;;) {
    let best: { start: number; end: number; tau: number; q: number } | undefined;
    for (let s = 0; s + 1 < bounds.length; s++) {
      const start = bounds[s]!;
      const end = bounds[s + 1]!;
      const cand = bestSplit(series.slice(start, end));
      if (cand && (!best || cand.q > best.q)) best = { start, end, tau: start + cand.tau, q: cand.q };
    }
    if (!best || best.q <= 0) break;
    const segment = series.slice(best.start, best.end);
    let atLeast = 0;
    const shuffled = [...segment];
    for (let i = 0; i < permutations; i++) {
      shuffle(shuffled, rng);
      const q = bestSplit(shuffled)?.q ?? 0;
      if (q >= best.q) atLeast += 1;
    }
    const p = (1 + atLeast) / (1 + permutations);
    if (p > alpha) break;
    found.push({ index: best.tau, q: best.q, p, before_mean: mean(series.slice(best.start, best.tau)), after_mean: mean(series.slice(best.tau, best.end)) });
    bounds.push(best.tau);
    bounds.sort((a, b) => a - b);
  }
  return found.sort((a, b) => a.index - b.index);
}

/**
 * The split τ (MIN_SIDE ≤ τ ≤ n − MIN_SIDE) of largest q̂ in `z`, or undefined
 * when `z` is too short. As in Matteson & James, Y may end before the
 * segment does (Y = z[τ..κ), κ searched too), so a step that is undone later
 * in the same segment (a regression fixed a few runs on) is still seen.
 * O(n²): each (τ, κ) is updated from (τ, κ − 1) through prefix sums of the
 * distance matrix's rows.
 */
export function bestSplit(z: readonly number[]): { tau: number; q: number } | undefined {
  const n = z.length;
  if (n < 2 * MIN_SIDE) return undefined;
  // prefix[j·(n+1) + i] = Σ_{a<i} |z_a − z_j|.
  const stride = n + 1;
  const prefix = new Float64Array(n * stride);
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) {
      prefix[j * stride + i] = s;
      s += Math.abs(z[i]! - z[j]!);
    }
    prefix[j * stride + n] = s;
  }
  let inX = 0; // Σ_{i<j<τ} |zᵢ − zⱼ|
  for (let j = 1; j < MIN_SIDE - 1; j++) inX += prefix[j * stride + j]!;
  let best: { tau: number; q: number } | undefined;
  for (let tau = MIN_SIDE; tau <= n - MIN_SIDE; tau++) {
    inX += prefix[(tau - 1) * stride + (tau - 1)]!;
    const m = tau;
    let cross = 0;
    let inY = 0;
    for (let kappa = tau + 1; kappa <= n; kappa++) {
      const y = kappa - 1; // the value joining Y
      cross += prefix[y * stride + tau]!;
      inY += prefix[y * stride + y]! - prefix[y * stride + tau]!;
      const k = kappa - tau;
      if (k < MIN_SIDE) continue;
      const e = (2 * cross) / (m * k) - inX / ((m * (m - 1)) / 2) - inY / ((k * (k - 1)) / 2);
      const q = ((m * k) / (m + k)) * e;
      if (!best || q > best.q) best = { tau, q };
    }
  }
  return best;
}

function shuffle(xs: number[], rng: { int(min: number, max: number): number }): void {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    const t = xs[i]!;
    xs[i] = xs[j]!;
    xs[j] = t;
  }
}

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}
