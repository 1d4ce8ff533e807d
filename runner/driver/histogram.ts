/**
 * A fixed-size log-bucketed histogram of µs values, for live progress only
 * (the reports compute exact percentiles in ClickHouse). Memory is constant
 * however many values are recorded: this is what keeps a long run flat.
 */

/** Buckets per doubling: 64 ⇒ every bucket spans ~1.1% of its value. */
const PER_OCTAVE = 64;
/** Values up to 2^40 µs (~12 days) are tracked; larger ones land in the last bucket. */
const OCTAVES = 40;

/** A latency histogram with ~1% relative precision. */
export class LogHistogram {
  readonly #counts = new Float64Array(PER_OCTAVE * OCTAVES + 1);
  #total = 0;
  #max = 0;

  /** Records one value in µs (negative values count as 0). */
  record(us: number): void {
    const v = us > 0 ? us : 0;
    this.#counts[bucketOf(v)]! += 1;
    this.#total += 1;
    if (v > this.#max) this.#max = v;
  }

  /** Values recorded. */
  get count(): number {
    return this.#total;
  }

  /** Largest value recorded, µs. */
  get max(): number {
    return this.#max;
  }

  /** Approximate q-quantile (0..1) in µs: the upper edge of the bucket holding rank ceil(q·n); 0 when empty. */
  quantile(q: number): number {
    if (this.#total === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.#total));
    let seen = 0;
    for (let i = 0; i < this.#counts.length; i++) {
      seen += this.#counts[i]!;
      if (seen >= rank) return Math.min(upperEdge(i), this.#max);
    }
    return this.#max;
  }

  /** Forgets everything. */
  reset(): void {
    this.#counts.fill(0);
    this.#total = 0;
    this.#max = 0;
  }
}

function bucketOf(v: number): number {
  if (v < 1) return 0;
  const i = Math.floor(Math.log2(v) * PER_OCTAVE) + 1;
  return i < PER_OCTAVE * OCTAVES ? i : PER_OCTAVE * OCTAVES;
}

function upperEdge(i: number): number {
  return i === 0 ? 1 : Math.pow(2, i / PER_OCTAVE);
}
