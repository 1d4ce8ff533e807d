/**
 * Arrival times of one phase. The phase's rate is a line (constant or ramp)
 * multiplied inside burst windows; its integral Λ(t) counts expected ops.
 * Op n arrives where Λ reaches a target: n + 0.5 for even spacing (so a
 * constant rate r over d seconds gives exactly r·d ops), or a running sum of
 * exponential(1) gaps for Poisson (an inhomogeneous Poisson process by time
 * change). Everything is computed lazily: O(1) memory however long the phase.
 */
import type { PlanPhase } from './plan.js';
import type { Rng } from './random.js';

/** A piece of a phase with one multiplier: [startUs, endUs). */
export interface Segment {
  readonly startUs: number;
  readonly endUs: number;
  readonly multiplier: number;
}

/** The phase's burst windows [startUs, endUs), cut at the phase end, in order. */
export function* burstWindows(phase: PlanPhase): Generator<{ startUs: number; endUs: number }> {
  const b = phase.bursts;
  if (b === null) return;
  for (let start = b.firstUs; start < phase.endUs; start += b.everyUs ?? Infinity) {
    yield { startUs: start, endUs: Math.min(start + b.lengthUs, phase.endUs) };
    if (b.everyUs === null) return;
  }
}

/** The phase cut into pieces of constant multiplier (1 outside bursts), covering [startUs, endUs). */
export function* segments(phase: PlanPhase): Generator<Segment> {
  let cursor = phase.startUs;
  for (const w of burstWindows(phase)) {
    if (w.startUs > cursor) yield { startUs: cursor, endUs: w.startUs, multiplier: 1 };
    const startUs = Math.max(cursor, w.startUs);
    if (w.endUs > startUs) yield { startUs, endUs: w.endUs, multiplier: phase.bursts?.multiplier ?? 1 };
    cursor = Math.max(cursor, w.endUs);
  }
  if (cursor < phase.endUs) yield { startUs: cursor, endUs: phase.endUs, multiplier: 1 };
}

/** The base rate (before bursts) at absolute time `us`, ops/s. */
export function baseRateAt(phase: PlanPhase, us: number): number {
  const { fromRate, toRate } = phase.arrival;
  const length = phase.endUs - phase.startUs;
  return length <= 0 ? fromRate : fromRate + ((toRate - fromRate) * (us - phase.startUs)) / length;
}

/** Expected number of ops in a segment: the integral of the rate over it (exact for a line). */
export function segmentOps(phase: PlanPhase, s: Segment): number {
  return (s.multiplier * (baseRateAt(phase, s.startUs) + baseRateAt(phase, s.endUs)) * (s.endUs - s.startUs)) / 2 / 1e6;
}

/** Expected number of background ops in the phase. */
export function expectedOps(phase: PlanPhase): number {
  let total = 0;
  for (const s of segments(phase)) total += segmentOps(phase, s);
  return total;
}

/**
 * The arrival times (integer µs, non-decreasing, inside [startUs, endUs)) of
 * the phase. `rng` is only drawn from for Poisson spacing.
 */
export function* arrivalTimes(phase: PlanPhase, rng: Rng): Generator<number> {
  const poisson = phase.arrival.spacing === 'poisson';
  const slopePerUs = (phase.arrival.toRate - phase.arrival.fromRate) / Math.max(1, phase.endUs - phase.startUs) / 1e6;
  let target = poisson ? rng.exponential() : 0.5;
  let before = 0;
  for (const s of segments(phase)) {
    const ops = segmentOps(phase, s);
    const r0 = (s.multiplier * baseRateAt(phase, s.startUs)) / 1e6;
    const k = s.multiplier * slopePerUs;
    while (target < before + ops) {
      // Solve m·(r0·x + k·x²/2) = need for x in the stable form (no cancellation when k → 0).
      const need = target - before;
      const denominator = r0 + Math.sqrt(Math.max(0, r0 * r0 + 2 * k * need));
      const x = denominator > 0 ? (2 * need) / denominator : 0;
      yield Math.min(s.endUs - 1, Math.max(s.startUs, Math.floor(s.startUs + x)));
      target += poisson ? rng.exponential() : 1;
    }
    before += ops;
  }
}
