/**
 * Seeded pseudo-random numbers for the generator: sfc32 (small, fast, passes
 * PractRand) seeded through splitmix32. Never Math.random: the op stream must
 * be identical, byte for byte, for the same scenario and seed.
 *
 * Each purpose (arrivals, keys, kinds, amounts, each job) draws from its own
 * named stream, so changing e.g. the op mix does not shift arrival times.
 */

/** A deterministic source of random numbers. */
export interface Rng {
  /** Uniform integer in [0, 2^32). */
  uint32(): number;
  /** Uniform float in [0, 1) with 53 bits of precision. */
  float(): number;
  /** Uniform integer in [min, max], both inclusive (|max - min| < 2^53). */
  int(min: number, max: number): number;
  /** Exponential with mean 1. */
  exponential(): number;
  /** Standard normal N(0, 1). */
  normal(): number;
}

/** Mixes a 32-bit state into a well-spread 32-bit output (splitmix32). */
function splitmix32(state: number): () => number {
  let a = state | 0;
  return () => {
    a = (a + 0x9e3779b9) | 0;
    let t = a ^ (a >>> 16);
    t = Math.imul(t, 0x21f0aaad);
    t ^= t >>> 15;
    t = Math.imul(t, 0x735a2d97);
    return (t ^ (t >>> 15)) >>> 0;
  };
}

/** FNV-1a of a stream name, so each named stream gets its own seed. */
function hashName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * An independent random stream for `(seed, stream)`. `seed` is a non-negative
 * safe integer (all 53 bits are used); `stream` names the purpose, e.g. `keys`.
 */
export function createRng(seed: number, stream: string): Rng {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be a non-negative safe integer, got ${seed}`);
  const low = seed >>> 0;
  const high = Math.floor(seed / 2 ** 32) >>> 0;
  const mix = splitmix32(splitmix32(low ^ Math.imul(high, 0x85ebca6b))() ^ hashName(stream));
  let a = mix();
  let b = mix();
  let c = mix();
  let d = mix();
  const uint32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  // The first outputs of a freshly seeded sfc32 are weakly mixed: skip them.
  for (let i = 0; i < 12; i++) uint32();
  const float = (): number => ((uint32() >>> 5) * 67108864 + (uint32() >>> 6)) / 9007199254740992;
  return {
    uint32,
    float,
    int: (min, max) => min + Math.floor(float() * (max - min + 1)),
    exponential: () => -Math.log(1 - float()),
    normal: () => Math.sqrt(-2 * Math.log(1 - float())) * Math.cos(2 * Math.PI * float()),
  };
}
