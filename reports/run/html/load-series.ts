/**
 * Builds a run's {@link RunSeries} from ClickHouse: chooses the bucket width
 * from the longest replay, runs the three bucketed queries and lays their
 * rows out as dense arrays (see `series-types.ts` for every series).
 */
import type { Store } from '../../../results/store.js';
import { selectOpBuckets, selectOverdraftBuckets, selectSampleBuckets } from './series-sql.js';
import { MAX_POINTS, type OverdraftPoint, type RunSeries, type StrategySeries } from '../../common/series-types.js';

/** What the loader needs to know of each replay (a StrategyReport has it). */
export interface ReplayExtent {
  readonly label: string;
  readonly rep: number;
  /** Planned schedule length, µs. */
  readonly schedule_us: number;
  /** Schedule start to the last outcome, µs. */
  readonly elapsed_us: number;
}

/** Bucket width (µs, whole seconds) and count for replays as long as `spanUs`: 1 s, widened so that count ≤ {@link MAX_POINTS}. */
export function bucketsFor(spanUs: number): { bucketUs: number; points: number } {
  const span = Math.max(1_000_000, spanUs);
  const bucketUs = Math.max(1, Math.ceil(span / 1e6 / MAX_POINTS)) * 1_000_000;
  return { bucketUs, points: Math.ceil(span / bucketUs) };
}

/** Loads the series of `runId` for `replays` (in report order). */
export async function loadRunSeries(store: Store, runId: string, replays: readonly ReplayExtent[]): Promise<RunSeries> {
  const { bucketUs, points } = bucketsFor(Math.max(0, ...replays.map((r) => Math.max(r.schedule_us, r.elapsed_us))));
  const [ops, samples, overdrafts] = await Promise.all([
    selectOpBuckets(store, runId, bucketUs),
    selectSampleBuckets(store, runId, bucketUs),
    selectOverdraftBuckets(store, runId, bucketUs),
  ]);
  const at = (i: number) => Math.min(points - 1, Math.max(0, i));
  const perS = bucketUs / 1e6;
  const strategies = replays.map((r): StrategySeries => {
    const mine = <T extends { strategy: string; rep: number }>(rows: readonly T[]) => rows.filter((x) => x.strategy === r.label && x.rep === r.rep);
    const offered = new Array<number>(points).fill(0);
    const achieved = new Array<number>(points).fill(0);
    for (const o of mine(ops)) (o.kind === 'offered' ? offered : achieved)[at(o.i)]! += o.n;

    // Samples: several buckets may fold into the last one (a long drain); keep the right aggregate.
    const series = new Map<string, { avg: (number | null)[]; min: (number | null)[]; max: (number | null)[]; n: number[] }>();
    for (const s of mine(samples)) {
      let x = series.get(s.name);
      if (!x) series.set(s.name, (x = { avg: new Array(points).fill(null), min: new Array(points).fill(null), max: new Array(points).fill(null), n: new Array(points).fill(0) }));
      const i = at(s.i);
      x.n[i]! += 1;
      x.avg[i] = x.avg[i] === null ? s.avg : (x.avg[i]! * (x.n[i]! - 1) + s.avg) / x.n[i]!; // folded buckets weigh equally
      x.min[i] = x.min[i] === null ? s.min : Math.min(x.min[i]!, s.min);
      x.max[i] = x.max[i] === null ? s.max : Math.max(x.max[i]!, s.max);
    }
    const empty = () => new Array<number | null>(points).fill(null);
    const balances: Record<string, (number | null)[]> = {};
    const lags: Record<string, (number | null)[]> = {};
    for (const [name, x] of series) {
      if (name.startsWith('balance:')) balances[name.slice('balance:'.length)] = x.min;
      else if (name !== 'pg_lock_waiters' && name !== 'pg_commits_per_s') lags[name] = x.max;
    }
    const folded = new Map<string, OverdraftPoint>();
    for (const o of mine(overdrafts)) {
      const key = `${at(o.i)}:${o.account}`;
      const prev = folded.get(key);
      folded.set(key, { bucket: at(o.i), account: o.account, count: (prev?.count ?? 0) + o.n, amount: (prev?.amount ?? 0) + o.amount });
    }
    return {
      label: r.label,
      rep: r.rep,
      offered_per_s: offered.map((n) => n / perS),
      achieved_per_s: achieved.map((n) => n / perS),
      lock_waiters_avg: series.get('pg_lock_waiters')?.avg ?? empty(),
      lock_waiters_max: series.get('pg_lock_waiters')?.max ?? empty(),
      pg_commits_per_s: series.get('pg_commits_per_s')?.avg ?? empty(),
      balances: sortedKeys(balances),
      overdrafts: [...folded.values()].sort((a, b) => a.account - b.account || a.bucket - b.bucket),
      lags: sortedKeys(lags),
    };
  });
  return { bucket_us: bucketUs, points, strategies };
}

function sortedKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
