/**
 * The rows hotbench records into ClickHouse: one interface per table. The DDL
 * in `./schema.ts` must match these field for field. The recorder (runner)
 * writes them; the reports read them back. Nothing else defines results.
 *
 * Conventions:
 * - `*_us` columns are Int64 µs on the run's monotonic clock, relative to the
 *   start of that strategy replay's schedule (the op stream's time 0); -1 means
 *   "did not happen" (never sent, never acked).
 * - Amounts are Int64 minor units.
 * - Wall-clock times are DateTime strings `YYYY-MM-DD hh:mm:ss` in UTC.
 * - `strategy` is the canonical strategy label (e.g. `aggregate:window=10ms`);
 *   `rep` is the repetition index (0 unless `run --repeat N`).
 */

/** Table names, the only identifiers that reach recorder SQL. */
export const TABLES = ['runs', 'run_ends', 'strategy_runs', 'ops', 'postings', 'samples', 'incidents', 'events', 'shard_runs', 'sweep_cells'] as const;
/** The name of one results table. */
export type TableName = (typeof TABLES)[number];

/** Which replay of a run a row belongs to (the reports' key within one run). */
export interface ReplayKey {
  readonly strategy: string;
  readonly rep: number;
}

/** A replay's key as every replay row carries it: the run as well (the runner's key when it records). */
export interface RunReplayKey extends ReplayKey {
  readonly run_id: string;
}

/** A map key for one replay (strategy labels may hold any character but NUL). */
export function replayKeyOf(k: ReplayKey): string {
  return `${k.rep}\u0000${k.strategy}`;
}

/** One row per run, written when the run starts (provenance). */
export interface RunRow {
  run_id: string;
  started_at: string;
  /** Scenario name (validated: `[a-z0-9][a-z0-9-]*` for built-ins; any text for files, stored as a value). */
  scenario: string;
  /** File the scenario came from, or '' for a trace. */
  scenario_file: string;
  seed: number;
  /** sha256 of the generated op stream (NDJSON, one op a line), hex. */
  stream_sha256: string;
  /** Ops in the plan (one replay). */
  planned_ops: number;
  /** Planned schedule length, µs. */
  schedule_us: number;
  /** The resolved configuration as JSON, passwords replaced by `***`. */
  config_json: string;
  git_rev: string;
  git_branch: string;
  hotbench_version: string;
  pg_version: string;
  clickhouse_version: string;
  redis_version: string;
  node_version: string;
  host_name: string;
  host_cores: number;
  host_mem_bytes: number;
  /** `hotbench run`, `hotbench capacity`, ... */
  command: string;
}

/** One row when a run ends. A run without one ended abnormally (killed) and counts as incomplete. */
export interface RunEndRow {
  run_id: string;
  finished_at: string;
  /** `complete`, `incomplete` (interrupted: partial results), `failed`. */
  status: 'complete' | 'incomplete' | 'failed';
  /** Why, when not complete: one line. */
  reason: string;
}

/** One row per strategy replay (per repetition), written after its audit (or when skipped / failed). */
export interface StrategyRunRow {
  run_id: string;
  strategy: string;
  rep: number;
  /** Position in the run's strategy list. */
  idx: number;
  /** Registry name, e.g. `aggregate`. */
  name: string;
  /** What it actually ran on, e.g. `postgres`, `redis-streams`. */
  backend: string;
  /** Resolved parameters as JSON. */
  params_json: string;
  /** `completed`, `skipped` (a need could not be met), `failed`, `interrupted`. */
  status: 'completed' | 'skipped' | 'failed' | 'interrupted';
  /** Skip reason, failure or interruption: one line. */
  detail: string;
  started_at: string;
  /** Planned schedule length, µs. */
  schedule_us: number;
  /** From schedule start to the last outcome (after drain), µs. */
  elapsed_us: number;
  planned_ops: number;
  /** Ops handed to the strategy. */
  sent_ops: number;
  /** Ops sent more than `late_threshold_us` after their intended time (concurrency cap reached or driver behind). */
  late_ops: number;
  late_threshold_us: number;
  /** The concurrency cap (max ops in flight). */
  concurrency: number;
  /** 1 when the auditor ran on this replay's ledger. */
  audited: number;
  /** 1 when conservation held for every account (see incidents of kind `conservation`). */
  conservation_ok: number;
  accounts_checked: number;
}

/**
 * Outcome status as recorded; `unsent` = the run stopped before the op was
 * sent; `suppressed` = upstream did not send it, its delivery stopped by the
 * strategy's budget signal (feedback, `on_threshold: stop`).
 */
export type RecordedStatus = 'applied' | 'accepted' | 'rejected' | 'unsent' | 'suppressed';

/** One row per op of every replay, whatever happened to it. */
export interface OpRow {
  run_id: string;
  strategy: string;
  rep: number;
  op_id: number;
  kind: string;
  account: number;
  amount: number;
  job: number;
  intended_us: number;
  sent_us: number;
  acked_us: number;
  status: RecordedStatus;
  /** Reject reason, or ''. */
  reason: string;
  /** µs waited for a row lock (≥ 0), or a {@link WAIT} code. Rows recorded before the codes existed say -1 for both "none taken" and "none measured". */
  lock_wait_us: number;
  attempts: number;
  /** Balance answered to a `read`; 0 otherwise. */
  balance: number;
  /** One-line error detail for `error` rejects; '' otherwise. */
  detail: string;
  /** µs waited for PostgreSQL pool connections (≥ 0), or a {@link WAIT} code; -1 in rows recorded before it was measured. */
  pool_wait_us: number;
  /** µs queued in a batcher, handed to the strategy → its batch started (≥ 0), or a {@link WAIT} code; -1 in rows recorded before it was measured. */
  queue_us: number;
}

/**
 * What a negative wait column of an `ops` row means (`lock_wait_us`,
 * `pool_wait_us`, `queue_us`); a value ≥ 0 is a measured wait in µs. Sums and
 * percentiles are over the measured values only; a report shows "n/a" when no
 * op of a replay could have the wait and "—" when some could but none was
 * measured.
 */
export const WAIT = {
  /** The op could have waited but no figure came back (it failed or timed out first, or the run predates the column). */
  notMeasured: -1,
  /** The op cannot have this wait: the strategy took no row lock, no pool connection, or does not batch, for it. */
  notApplicable: -2,
  /** The op was posted in a batch whose wait is recorded once, on the batch's first op. */
  onBatchHead: -3,
} as const;

/** One row per posted op (synchronous `applied` ops at ack, deferred ones when the strategy reports them). */
export interface PostingRow {
  run_id: string;
  strategy: string;
  rep: number;
  op_id: number;
  intended_us: number;
  posted_us: number;
}

/** A time-series point: driver rates, lock waiters, hot balance, lag, RSS... */
export interface SampleRow {
  run_id: string;
  strategy: string;
  rep: number;
  t_us: number;
  name: string;
  value: number;
}

/**
 * Something the auditor or a metric found: `overdraft`, `lost`, `duplicated`,
 * `phantom` (posted but never promised), `mismatch` (posted amount or account
 * differs from the op), `conservation`, `false_decline`, `stale_read`.
 */
export interface IncidentRow {
  run_id: string;
  strategy: string;
  rep: number;
  kind: string;
  /** The op concerned, or -1. */
  op_id: number;
  /** The logical account concerned, or -1. */
  account: number;
  /** Money involved (e.g. the overdrawn amount), minor units; 0 if none. */
  amount: number;
  at_us: number;
  detail: string;
}

/** Signals and notes a strategy raised (`events.signal` / `events.note`), and runner notes (faults, spool). */
export interface EventRow {
  run_id: string;
  strategy: string;
  rep: number;
  at_us: number;
  /** `signal` or `note`. */
  type: 'signal' | 'note';
  kind: string;
  account: number;
  detail: string;
}

/**
 * One load shard's part of one strategy replay (`hotbench run --shard i/n`):
 * a `started` row when its schedule starts, a final row when it ends (or
 * refuses). `hotbench finalize` reads these to know every shard finished,
 * then writes the run's `runs`, `strategy_runs` and `run_ends` rows itself:
 * a sharded run has none of those until it is finalized.
 */
export interface ShardRunRow {
  run_id: string;
  strategy: string;
  rep: number;
  /** Position in the run's strategy list. */
  idx: number;
  /** 0-based shard index and shard count (`--shard shard/shards`). */
  shard: number;
  shards: number;
  /** `started`, then `completed`, `failed`, `interrupted`, `refused` (late, duplicate, barrier abandoned) or `skipped`. */
  status: 'started' | 'completed' | 'failed' | 'interrupted' | 'refused' | 'skipped';
  detail: string;
  /** Registry name and backend, as in `strategy_runs`. */
  name: string;
  backend: string;
  params_json: string;
  host_name: string;
  pid: number;
  /** Wall clock when this row was written. */
  written_at: string;
  /** The agreed schedule start, ms since the Unix epoch (PostgreSQL's clock through the barrier, else `--start-at`); 0 if never started. */
  start_at_ms: number;
  schedule_us: number;
  elapsed_us: number;
  /** Ops in the whole (unsharded) stream, and in this shard. */
  planned_ops: number;
  shard_ops: number;
  sent_ops: number;
  late_ops: number;
  late_threshold_us: number;
  concurrency: number;
  /** sha256 of the whole stream (every shard must agree) and of this shard's ops. */
  stream_sha256: string;
  shard_sha256: string;
  /** The run's `runs` row as JSON (provenance, resolved config without passwords), for finalize to write once. */
  run_json: string;
}

/** One cell of a sweep (`hotbench sweep`): which run it is and where it sits in the grid. */
export interface SweepCellRow {
  sweep_id: string;
  cell: number;
  cells: number;
  run_id: string;
  strategy: string;
  rate_scale: number;
  connections: number;
  /** `complete`, `incomplete` or `failed`, as the cell's run ended. */
  status: string;
  written_at: string;
}

/** Row type by table name. */
export interface RowOf {
  runs: RunRow;
  run_ends: RunEndRow;
  strategy_runs: StrategyRunRow;
  ops: OpRow;
  postings: PostingRow;
  samples: SampleRow;
  incidents: IncidentRow;
  events: EventRow;
  shard_runs: ShardRunRow;
  sweep_cells: SweepCellRow;
}
