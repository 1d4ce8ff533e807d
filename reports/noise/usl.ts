/**
 * The Universal Scalability Law (Gunther) fitted to a `--connections` sweep:
 *
 *   X(N) = λ·N / (1 + σ·(N − 1) + κ·N·(N − 1))
 *
 * N connections, X throughput (ops/s), λ the throughput of one connection,
 * σ contention (the serialized share: a hot row's lock), κ coherency (the
 * cost every pair of connections adds: lock hand-offs, cache lines). When
 * κ > 0 throughput peaks at N* = √((1 − σ) / κ) and falls beyond: the pool
 * size to configure (seed 002 方案8.1: the pool is a tuning knob).
 *
 * Fitted by least squares on the law's linear form N / X = a + b·(N − 1) +
 * c·N·(N − 1), with λ = 1/a, σ = b/a, κ = c/a (Gunther's own method), with
 * σ and κ kept ≥ 0: when the free fit gives a negative one, the models
 * without it are fitted too and the one closest to the measured throughputs
 * (least squared error in ops/s) is kept.
 */
import { linearRegression, rSquared } from 'simple-statistics';

/** One measured point of a sweep. */
export interface SweepPoint {
  /** Connections (N ≥ 1). */
  readonly connections: number;
  /** Throughput at N, ops/s. */
  readonly throughput: number;
}

/** A USL fit. */
export interface UslFit {
  /** Throughput of one connection, ops/s. */
  readonly lambda: number;
  /** Contention, 0..1. */
  readonly sigma: number;
  /** Coherency, ≥ 0. */
  readonly kappa: number;
  /** Connections at peak throughput, √((1 − σ)/κ); null when κ = 0 (no retrograde: throughput only levels off). */
  readonly nStar: number | null;
  /** The model's throughput at N* (ops/s); null when κ = 0. */
  readonly peakThroughput: number | null;
  /** R² of the model's throughputs against the measured ones (1 = perfect). */
  readonly r2: number;
  readonly points: number;
}

/** The model's throughput at `n` connections. */
export function uslThroughput(fit: Pick<UslFit, 'lambda' | 'sigma' | 'kappa'>, n: number): number {
  return (fit.lambda * n) / (1 + fit.sigma * (n - 1) + fit.kappa * n * (n - 1));
}

/** Solves the 3×3 system `m·x = v` (Cramer's rule); null when singular. */
function solve3(m: number[][], v: number[]): [number, number, number] | null {
  const det = (a: number[][]): number =>
    a[0]![0]! * (a[1]![1]! * a[2]![2]! - a[1]![2]! * a[2]![1]!) - a[0]![1]! * (a[1]![0]! * a[2]![2]! - a[1]![2]! * a[2]![0]!) + a[0]![2]! * (a[1]![0]! * a[2]![1]! - a[1]![1]! * a[2]![0]!);
  const d = det(m);
  if (Math.abs(d) < 1e-12 * Math.max(1, Math.abs(m[0]![0]! * m[1]![1]! * m[2]![2]!))) return null;
  const col = (i: number): number[][] => m.map((row, r) => row.map((x, c) => (c === i ? v[r]! : x)));
  return [det(col(0)) / d, det(col(1)) / d, det(col(2)) / d];
}

/** a, b, c of the linear form with both terms free. */
function fitFull(pts: readonly SweepPoint[]): [number, number, number] | null {
  const rows = pts.map((p) => [1, p.connections - 1, p.connections * (p.connections - 1)]);
  const y = pts.map((p) => p.connections / p.throughput);
  const xtx = [0, 1, 2].map((i) => [0, 1, 2].map((j) => rows.reduce((s, r) => s + r[i]! * r[j]!, 0)));
  const xty = [0, 1, 2].map((i) => rows.reduce((s, r, k) => s + r[i]! * y[k]!, 0));
  return solve3(xtx, xty);
}

/** a and one slope of the linear form with one term (N − 1 or N(N − 1)), by simple-statistics' regression. */
function fitOne(pts: readonly SweepPoint[], term: (n: number) => number): [number, number] {
  const { m, b } = linearRegression(pts.map((p) => [term(p.connections), p.connections / p.throughput]));
  return [b, m];
}

/**
 * Fits the USL to `points` (at least 3 distinct connection counts, every
 * throughput > 0). Throws a one-line RangeError otherwise.
 */
export function fitUsl(points: readonly SweepPoint[]): UslFit {
  const pts = points.filter((p) => Number.isFinite(p.throughput) && p.throughput > 0 && p.connections >= 1);
  if (new Set(pts.map((p) => p.connections)).size < 3) throw new RangeError(`the USL fit needs throughputs at 3 or more connection counts, got ${new Set(pts.map((p) => p.connections)).size}`);
  const candidates: { a: number; b: number; c: number }[] = [];
  const full = fitFull(pts);
  if (full) candidates.push({ a: full[0], b: full[1], c: full[2] });
  const [a1, b1] = fitOne(pts, (n) => n - 1);
  candidates.push({ a: a1, b: b1, c: 0 });
  const [a2, c2] = fitOne(pts, (n) => n * (n - 1));
  candidates.push({ a: a2, b: 0, c: c2 });
  // Linear scaling (σ = κ = 0): a is the mean of N / X.
  candidates.push({ a: pts.reduce((s, p) => s + p.connections / p.throughput, 0) / pts.length, b: 0, c: 0 });
  let best: { fit: Omit<UslFit, 'r2' | 'points' | 'nStar' | 'peakThroughput'>; sse: number } | undefined;
  for (const k of candidates) {
    if (!(k.a > 0) || k.b < 0 || k.c < 0) continue;
    const fit = { lambda: 1 / k.a, sigma: Math.min(k.b / k.a, 1), kappa: k.c / k.a };
    const sse = pts.reduce((s, p) => s + (uslThroughput(fit, p.connections) - p.throughput) ** 2, 0);
    if (best === undefined || sse < best.sse) best = { fit, sse };
  }
  if (best === undefined) throw new RangeError('the USL fit found no model with λ > 0, σ ≥ 0, κ ≥ 0 for these throughputs');
  const { fit } = best;
  const nStar = fit.kappa > 0 ? Math.sqrt((1 - fit.sigma) / fit.kappa) : null;
  const r2 = rSquared(
    pts.map((p) => [p.connections, p.throughput]),
    (n: number) => uslThroughput(fit, n),
  );
  return { ...fit, nStar, peakThroughput: nStar === null ? null : uslThroughput(fit, nStar), r2, points: pts.length };
}
