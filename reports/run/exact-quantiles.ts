/**
 * Exact percentiles in memory that does not grow with the run.
 *
 * ClickHouse's `quantileExact` keeps every value: over a 10-minute run at
 * 20,000 ops/s (12 M ops) it added ~200 MB to the process's RSS while the
 * report ran on the embedded store. Here each percentile is found by
 * narrowing: count the values per bucket of a range split into at most
 * {@link BUCKETS} buckets, walk the counts to the bucket holding the wanted
 * rank, and repeat inside that bucket until it is one value wide. Each pass
 * is a GROUP BY with at most 65,536 keys (~2 MB), whatever the run's length;
 * a latency range below 65,536 µs takes one pass, up to 2^32 µs two.
 *
 * The rank rule is quantileExact's, so the figures are unchanged: the value
 * at 0-based rank floor(q · n) of the n sorted values, rank n − 1 for q = 1.
 * Portable to ClickHouse 18.16 (intDiv, GROUP BY, typed parameters). The
 * expressions and conditions are constants of this package, never user text;
 * the run id, strategy label and bounds are bound parameters.
 */
import type { Store } from '../../results/store.js';

/** Buckets per narrowing pass. */
const BUCKETS = 65_536;

/** What to take percentiles of: `expr` over the rows of `table` where `cond` holds, per replay. */
export interface QuantileSeries {
  readonly table: 'ops' | 'postings';
  /** An Int64 SQL expression over the table's columns (a constant of this package). */
  readonly expr: string;
  /** A SQL condition over the table's columns (a constant of this package); `1` for all rows. */
  readonly cond: string;
}

/** A replay's values at the requested levels. */
export interface ReplayQuantiles {
  readonly strategy: string;
  readonly rep: number;
  /** How many values the replay has. */
  readonly n: number;
  /** One value per requested level, in order. */
  readonly values: readonly number[];
}

/** quantileExact's 0-based rank for level `q` (0..1) among `n` values. */
export function rankOf(q: number, n: number): number {
  return q >= 1 ? n - 1 : Math.floor(q * n);
}

interface Target {
  /** Rank still wanted inside [lo, hi]. */
  k: number;
  lo: number;
  hi: number;
}

/** One replay's count, smallest and largest value of a series: where narrowing starts. */
export interface SeriesRange {
  readonly strategy: string;
  readonly rep: number;
  readonly n: number;
  readonly lo: number;
  readonly hi: number;
}

/**
 * For each replay of `runId` with at least one value of `series`: its values
 * at `levels` (each in 0..1), exact. Replays without values are absent.
 * Throws when a value lies beyond ±2^53 (JavaScript numbers would round it).
 */
export async function selectExactQuantiles(store: Store, runId: string, series: QuantileSeries, levels: readonly number[]): Promise<ReplayQuantiles[]> {
  const { table, expr, cond } = series;
  const ranges = await store.query<SeriesRange>(
    `SELECT strategy, rep, count() AS n, min(${expr}) AS lo, max(${expr}) AS hi
     FROM ${table}
     WHERE run_id = {run:String} AND (${cond})
     GROUP BY strategy, rep
     ORDER BY strategy, rep`,
    { run: runId },
  );
  return exactQuantilesIn(store, runId, series, levels, ranges);
}

/**
 * {@link selectExactQuantiles} for a caller that already scanned the table
 * for each replay's count, min and max of the series (`ranges`; replays with
 * n = 0 are skipped): saves that scan.
 */
export function exactQuantilesIn(store: Store, runId: string, series: QuantileSeries, levels: readonly number[], ranges: readonly SeriesRange[]): Promise<ReplayQuantiles[]> {
  const { table, expr, cond } = series;
  const groups = ranges.filter((g) => g.n > 0);
  return Promise.all(
    groups.map(async (g): Promise<ReplayQuantiles> => {
      if (!Number.isSafeInteger(g.lo) || !Number.isSafeInteger(g.hi)) {
        throw new RangeError(`${table}: ${expr} of ${g.strategy} repetition ${g.rep} reaches ${g.lo}..${g.hi}, beyond what exact percentiles handle here (±2^53)`);
      }
      const targets: Target[] = levels.map((q) => ({ k: rankOf(q, g.n), lo: g.lo, hi: g.hi }));
      for (;;) {
        const open = targets.filter((t) => t.lo < t.hi);
        if (open.length === 0) break;
        // Targets still sharing a range share one histogram.
        const ranges = new Map<string, Target[]>();
        for (const t of open) {
          const key = `${t.lo}:${t.hi}`;
          const list = ranges.get(key);
          if (list) list.push(t);
          else ranges.set(key, [t]);
        }
        for (const list of ranges.values()) {
          const { lo, hi } = list[0]!;
          const width = Math.ceil((hi - lo + 1) / BUCKETS);
          const counts = await store.query<{ b: number; c: number }>(
            `SELECT intDiv(${expr} - {lo:Int64}, {w:Int64}) AS b, count() AS c
             FROM ${table}
             WHERE run_id = {run:String} AND strategy = {strategy:String} AND rep = {rep:UInt32}
               AND (${cond}) AND ${expr} >= {lo:Int64} AND ${expr} <= {hi:Int64}
             GROUP BY b
             ORDER BY b`,
            { run: runId, strategy: g.strategy, rep: g.rep, lo, hi, w: width },
          );
          for (const t of list) narrow(t, counts, width);
        }
      }
      return { strategy: g.strategy, rep: g.rep, n: g.n, values: targets.map((t) => t.lo) };
    }),
  );
}

/** Moves `t` into the bucket of `counts` (ascending) that holds its rank. */
function narrow(t: Target, counts: readonly { b: number; c: number }[], width: number): void {
  let below = 0;
  for (const { b, c } of counts) {
    if (below + c > t.k) {
      const lo = t.lo + b * width;
      t.hi = Math.min(t.hi, lo + width - 1);
      t.lo = lo;
      t.k -= below;
      return;
    }
    below += c;
  }
  // Unreachable while the table does not change under the report: the counts add up to n > k.
  throw new Error(`exact percentile: rank ${t.k} not found among ${below} values in ${t.lo}..${t.hi} (did the table change during the report?)`);
}
