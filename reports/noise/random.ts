/**
 * A seeded random source for resampling, so that the same repetitions give
 * the same interval on every machine and every rerun of a report (a report
 * re-rendered from ClickHouse must say what it said the first time).
 *
 * mulberry32: 32 bits of state, fast, good enough for drawing resample
 * indices (not for cryptography, not for the op stream, which has its own
 * generator in scenarios/random.ts that reports may not import).
 */

/** Default seed of every interval in hotbench's reports. */
export const DEFAULT_RESAMPLE_SEED = 0x5eed;

/** A uniform source in [0, 1) from a 32-bit `seed`; the same seed gives the same sequence. */
export function seededSource(seed: number = DEFAULT_RESAMPLE_SEED): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
