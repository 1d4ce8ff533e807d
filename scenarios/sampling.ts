/**
 * The draws that decorate an arrival: which account (hot share, weights,
 * uniform or Zipf), which kind (op mix), what amount. Each takes its own
 * {@link Rng} so the streams stay independent.
 */
import type { OpKind } from './op.js';
import type { PlanKeys, PlanMix } from './plan.js';
import type { Rng } from './random.js';
import type { AmountSpec } from './schema.js';

/** Picks from weighted items with one uniform draw (binary search over cumulative weights). */
export function weightedPicker<T>(items: readonly T[], weights: readonly number[]): (u: number) => T {
  const cumulative: number[] = [];
  let total = 0;
  for (const w of weights) cumulative.push((total += w));
  return (u) => {
    const x = u * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (x < (cumulative[mid] ?? 0)) hi = mid;
      else lo = mid + 1;
    }
    return items[lo] as T;
  };
}

/** The account chooser for background ops: two draws per op (hot or not, then which). */
export function accountChooser(keys: PlanKeys, rng: Rng): () => number {
  const hot = weightedPicker(keys.hot.map((h) => h.account), keys.hot.map((h) => h.weight));
  const { firstId, count } = keys.others;
  const other: () => number =
    keys.others.distribution === 'zipf' ? zipfSampler(count, keys.others.s, rng, firstId - 1) : () => firstId + Math.floor(rng.float() * count);
  return () => (rng.float() < keys.hotShare ? hot(rng.float()) : other());
}

const KINDS: readonly OpKind[] = ['charge', 'topup', 'adjust', 'withdraw', 'read'];

/** The kind chooser: one draw per op from the mix's weights. */
export function kindChooser(mix: PlanMix): (u: number) => OpKind {
  return weightedPicker(KINDS, [mix.charge, mix.topup, mix.adjust, mix.withdraw, mix.read]);
}

/** An amount sampler (integers ≥ 1, minor units). */
export function amountSampler(spec: AmountSpec, rng: Rng): () => number {
  switch (spec.distribution) {
    case 'fixed':
      return () => spec.value;
    case 'uniform':
      return () => rng.int(spec.min, spec.max);
    case 'lognormal':
      return () => Math.min(spec.max, Math.max(1, Math.round(spec.median * Math.exp(spec.sigma * rng.normal()))));
  }
}

/**
 * Zipf over ranks 1..n with exponent s (P(k) ∝ 1/k^s), returning offset + k.
 * Rejection-inversion (Hörmann & Derflinger 1996, as in Apache Commons RNG):
 * O(1) memory and time per draw, whatever n.
 */
export function zipfSampler(n: number, s: number, rng: Rng, offset = 0): () => number {
  const helper1 = (x: number) => (Math.abs(x) > 1e-8 ? Math.log1p(x) / x : 1 - x * (0.5 - x * (1 / 3 - 0.25 * x)));
  const helper2 = (x: number) => (Math.abs(x) > 1e-8 ? Math.expm1(x) / x : 1 + x * 0.5 * (1 + (x / 3) * (1 + 0.25 * x)));
  const h = (x: number) => Math.exp(-s * Math.log(x));
  const hIntegral = (x: number) => {
    const logX = Math.log(x);
    return helper2((1 - s) * logX) * logX;
  };
  const hIntegralInverse = (x: number) => {
    let t = x * (1 - s);
    if (t < -1) t = -1;
    return Math.exp(helper1(t) * x);
  };
  const hIntegralX1 = hIntegral(1.5) - 1;
  const hIntegralN = hIntegral(n + 0.5);
  const cutoff = 2 - hIntegralInverse(hIntegral(2.5) - h(2));
  return () => {
    for (;;) {
      const u = hIntegralN + rng.float() * (hIntegralX1 - hIntegralN);
      const x = hIntegralInverse(u);
      const k = Math.min(n, Math.max(1, Math.floor(x + 0.5)));
      if (k - x <= cutoff || u >= hIntegral(k + 0.5) - h(k)) return offset + k;
    }
  };
}
