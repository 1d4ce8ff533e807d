/**
 * The per-second series behind the HTML report's charts, as they appear in
 * `report.json` (key `series`) and in the HTML page's data block.
 *
 * Every array of one run has the same length n and is indexed by bucket:
 * bucket i covers [i × bucket_us, (i + 1) × bucket_us) µs from the replay's
 * schedule start (each replay's time 0 is its first intended send). Buckets
 * are 1 s wide unless the longest replay would need more than
 * {@link MAX_POINTS} of them; then they widen to whole seconds so n stays
 * at most MAX_POINTS (a 10-minute replay: 3 s buckets). Anything after the
 * last bucket (a long drain) is counted in the last one; anything before 0
 * (setup) is left out. A value is null where nothing was recorded in the
 * bucket; rates are 0 where nothing happened.
 */

/** Most points per series. */
export const MAX_POINTS = 200;

/** Sample names shown as lag charts when present (written by buffer, read-write-split and the sweep-delay analysis). */
export const LAG_SAMPLES = ['consumer_lag', 'lag_us', 'replication_lag_us', 'sweep_delay_us'] as const;

/** The run's series. */
export interface RunSeries {
  /** Width of one bucket, µs (a whole number of seconds). */
  readonly bucket_us: number;
  /** Buckets per series (n). */
  readonly points: number;
  /** One entry per replay, in report order (skipped replays have empty series: zeros and nulls). */
  readonly strategies: readonly StrategySeries[];
}

/** One replay's series, each of length n. */
export interface StrategySeries {
  readonly label: string;
  readonly rep: number;
  /** Ops intended in the bucket / bucket seconds (the offered rate). */
  readonly offered_per_s: readonly number[];
  /** Applied + accepted ops acked in the bucket / bucket seconds (the achieved rate). */
  readonly achieved_per_s: readonly number[];
  /** Mean of the `pg_lock_waiters` samples in the bucket (sessions waiting on a lock); null without telemetry. */
  readonly lock_waiters_avg: readonly (number | null)[];
  /** Largest `pg_lock_waiters` sample in the bucket. */
  readonly lock_waiters_max: readonly (number | null)[];
  /** `pg_commits_per_s`, mean in the bucket. */
  readonly pg_commits_per_s: readonly (number | null)[];
  /** Per hot account (`balance:<account>` samples, logical account id as the key): the lowest balance sampled in the bucket, minor units. */
  readonly balances: Readonly<Record<string, readonly (number | null)[]>>;
  /** Overdraft incidents by the bucket their op was posted in (`postings.posted_us`), per account: count and amount below the floor. */
  readonly overdrafts: readonly OverdraftPoint[];
  /** Per {@link LAG_SAMPLES} name present: the largest sample in the bucket. */
  readonly lags: Readonly<Record<string, readonly (number | null)[]>>;
}

/** Overdrafts of one account posted in one bucket. */
export interface OverdraftPoint {
  readonly bucket: number;
  readonly account: number;
  readonly count: number;
  /** Sum of the amounts below the floor, minor units. */
  readonly amount: number;
}
