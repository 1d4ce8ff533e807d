/**
 * The SQL behind the run report and the run list: one small named function
 * per query, each returning typed rows. Portable to ClickHouse 18.16 (no
 * window functions, no JOINs needed: `-If` combinators, GROUP BY, LIMIT BY).
 * The run id is always a bound parameter; callers validate it first.
 */
import { replayKeyOf, WAIT, type ReplayKey, type RunEndRow, type RunRow, type StrategyRunRow } from '../../results/rows.js';
import type { Store } from '../../results/store.js';
import { exactQuantilesIn, type QuantileSeries } from './exact-quantiles.js';

/** The run's provenance row (the first, should it have been written twice). */
export async function selectRun(store: Store, runId: string): Promise<RunRow | undefined> {
  const rows = await store.query<RunRow>('SELECT * FROM runs WHERE run_id = {run:String} ORDER BY started_at LIMIT 1', { run: runId });
  return rows[0];
}

/** The run's latest end row, if any. */
export async function selectRunEnd(store: Store, runId: string): Promise<RunEndRow | undefined> {
  const rows = await store.query<RunEndRow>('SELECT * FROM run_ends WHERE run_id = {run:String} ORDER BY finished_at DESC LIMIT 1', { run: runId });
  return rows[0];
}

/** One summary row per replay, in run order. */
export function selectStrategyRuns(store: Store, runId: string): Promise<StrategyRunRow[]> {
  return store.query<StrategyRunRow>(
    'SELECT * FROM strategy_runs WHERE run_id = {run:String} ORDER BY rep, idx, strategy, started_at LIMIT 1 BY strategy, rep',
    { run: runId },
  );
}

/** Per replay: op counts by status, ack latency percentiles (µs), last ack, lock wait. */
export interface OpStats extends ReplayKey {
  readonly recorded: number;
  readonly applied: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly unsent: number;
  /** Ops upstream never sent (feedback, `on_threshold: stop`). */
  readonly suppressed: number;
  readonly acked: number;
  /** Latest acked_us (-1 when nothing was acked). */
  readonly last_ack_us: number;
  /** Exact percentiles (quantileExact's rank rule) 0.5, 0.9, 0.99, 0.999 of acked − intended over acked ops (zeros when none). */
  readonly ack_q: readonly number[];
  readonly ack_max: number;
  /** Per-op waits (lock, pool, batch queue): see {@link WaitStats}. */
  readonly lock: WaitStats;
  readonly pool: WaitStats;
  readonly queue: WaitStats;
}

/**
 * One wait column over a replay's ops (`ops.lock_wait_us`, `pool_wait_us`,
 * `queue_us`; the codes are `WAIT` of results/rows.ts). Unsent and
 * suppressed ops count in none of these.
 */
export interface WaitStats {
  /** Ops with a measured wait (≥ 0). */
  readonly ops: number;
  readonly sum_us: number;
  /** Exact 99th percentile of the measured waits (0 when none). */
  readonly p99_us: number;
  /** Ops whose wait is recorded on their batch's first op. */
  readonly in_batch: number;
  /** Sent ops with no figure (failed first, or recorded before the column existed). */
  readonly not_measured: number;
}

/** Ack latency (acked − intended) of every acked op. */
const ACK_LATENCY: QuantileSeries = { table: 'ops', expr: 'acked_us - intended_us', cond: 'acked_us >= 0' };
/** The per-op wait columns, each over the ops that measured one. */
const WAITS = {
  lock: { table: 'ops', expr: 'lock_wait_us', cond: 'lock_wait_us >= 0' },
  pool: { table: 'ops', expr: 'pool_wait_us', cond: 'pool_wait_us >= 0' },
  queue: { table: 'ops', expr: 'queue_us', cond: 'queue_us >= 0' },
} as const satisfies Record<string, QuantileSeries>;
type WaitName = keyof typeof WAITS;
const WAIT_NAMES = Object.keys(WAITS) as WaitName[];

/** The aggregates one wait column adds to the ops scan, as `<name>_ops`, `<name>_sum_us`, `<name>_min`, `<name>_max`, `<name>_in_batch`, `<name>_not_measured`. */
function waitColumnsSql(name: WaitName): string {
  const c = WAITS[name].expr;
  return [
    `countIf(${c} >= 0) AS ${name}_ops`,
    `sumIf(${c}, ${c} >= 0) AS ${name}_sum_us`,
    `minIf(${c}, ${c} >= 0) AS ${name}_min`,
    `maxIf(${c}, ${c} >= 0) AS ${name}_max`,
    `countIf(${c} = ${WAIT.onBatchHead}) AS ${name}_in_batch`,
    `countIf(${c} = ${WAIT.notMeasured} AND status NOT IN ('unsent', 'suppressed')) AS ${name}_not_measured`,
  ].join(',\n       ');
}

type WaitRow = { readonly [K in `${WaitName}_${'ops' | 'sum_us' | 'min' | 'max' | 'in_batch' | 'not_measured'}`]: number };

/** Posting delay (posted − intended) of every posting. */
const POSTING_DELAY: QuantileSeries = { table: 'postings', expr: 'posted_us - intended_us', cond: '1' };

/**
 * Aggregates of the `ops` table per replay. The percentiles are exact and
 * taken in bounded memory (see `./exact-quantiles.ts`), starting from the
 * counts and ranges this one scan already gives (the conditions match
 * ACK_LATENCY's and LOCK_WAIT's).
 */
export async function selectOpStats(store: Store, runId: string): Promise<OpStats[]> {
  const rows = await store.query<Omit<OpStats, 'ack_q' | WaitName> & { ack_min: number } & WaitRow>(
    `SELECT strategy, rep,
       count() AS recorded,
       countIf(status = 'applied') AS applied,
       countIf(status = 'accepted') AS accepted,
       countIf(status = 'rejected') AS rejected,
       countIf(status = 'unsent') AS unsent,
       countIf(status = 'suppressed') AS suppressed,
       countIf(acked_us >= 0) AS acked,
       max(acked_us) AS last_ack_us,
       minIf(acked_us - intended_us, acked_us >= 0) AS ack_min,
       maxIf(acked_us - intended_us, acked_us >= 0) AS ack_max,
       ${WAIT_NAMES.map(waitColumnsSql).join(',\n       ')}
     FROM ops
     WHERE run_id = {run:String}
     GROUP BY strategy, rep`,
    { run: runId },
  );
  const [ack, ...waits] = await Promise.all([
    exactQuantilesIn(store, runId, ACK_LATENCY, [0.5, 0.9, 0.99, 0.999], rows.map((r) => ({ ...r, n: r.acked, lo: r.ack_min, hi: r.ack_max }))),
    ...WAIT_NAMES.map((name) => exactQuantilesIn(store, runId, WAITS[name], [0.99], rows.map((r) => ({ ...r, n: r[`${name}_ops`], lo: r[`${name}_min`], hi: r[`${name}_max`] })))),
  ]);
  const p99s = new Map(WAIT_NAMES.map((name, i) => [name, new Map((waits[i] ?? []).map((x) => [replayKeyOf(x), x.values[0]!]))]));
  const ackOf = new Map(ack.map((q) => [replayKeyOf(q), q.values]));
  const waitOf = (r: WaitRow & ReplayKey, name: WaitName): WaitStats => ({
    ops: r[`${name}_ops`],
    sum_us: r[`${name}_sum_us`],
    p99_us: p99s.get(name)?.get(replayKeyOf(r)) ?? 0,
    in_batch: r[`${name}_in_batch`],
    not_measured: r[`${name}_not_measured`],
  });
  return rows.map((r) => ({
    strategy: r.strategy,
    rep: r.rep,
    recorded: r.recorded,
    applied: r.applied,
    accepted: r.accepted,
    rejected: r.rejected,
    unsent: r.unsent,
    suppressed: r.suppressed,
    acked: r.acked,
    last_ack_us: r.last_ack_us,
    ack_max: r.ack_max,
    ack_q: ackOf.get(replayKeyOf(r)) ?? [0, 0, 0, 0],
    lock: waitOf(r, 'lock'),
    pool: waitOf(r, 'pool'),
    queue: waitOf(r, 'queue'),
  }));
}

/** Rejected ops per replay and reason. */
export interface RejectCount extends ReplayKey {
  readonly reason: string;
  readonly n: number;
}

/** Reject counts, most frequent first within each replay. */
export function selectRejects(store: Store, runId: string): Promise<RejectCount[]> {
  return store.query<RejectCount>(
    `SELECT strategy, rep, reason, count() AS n
     FROM ops
     WHERE run_id = {run:String} AND status = 'rejected'
     GROUP BY strategy, rep, reason
     ORDER BY strategy, rep, n DESC, reason`,
    { run: runId },
  );
}

/** Per replay: postings and posting delay (posted − intended) percentiles, µs. */
export interface PostingStats extends ReplayKey {
  readonly posted: number;
  /** Exact percentiles (quantileExact's rank rule) 0.5 and 0.99. */
  readonly delay_q: readonly number[];
  readonly delay_max: number;
}

/** Aggregates of the `postings` table per replay; percentiles exact as in {@link selectOpStats}. */
export async function selectPostingStats(store: Store, runId: string): Promise<PostingStats[]> {
  const rows = await store.query<Omit<PostingStats, 'delay_q'> & { delay_min: number }>(
    `SELECT strategy, rep, count() AS posted, min(posted_us - intended_us) AS delay_min, max(posted_us - intended_us) AS delay_max
     FROM postings
     WHERE run_id = {run:String}
     GROUP BY strategy, rep`,
    { run: runId },
  );
  const delay = await exactQuantilesIn(store, runId, POSTING_DELAY, [0.5, 0.99], rows.map((r) => ({ ...r, n: r.posted, lo: r.delay_min, hi: r.delay_max })));
  const delayOf = new Map(delay.map((q) => [replayKeyOf(q), q.values]));
  return rows.map(({ delay_min: _d, ...r }) => ({ ...r, delay_q: delayOf.get(replayKeyOf(r)) ?? [0, 0] }));
}

/** Incidents per replay and kind, with their amounts summed (minor units). */
export interface IncidentCount extends ReplayKey {
  readonly kind: string;
  readonly n: number;
  readonly amount: number;
}

/** Incident counts per replay and kind. */
export function selectIncidentCounts(store: Store, runId: string): Promise<IncidentCount[]> {
  return store.query<IncidentCount>(
    `SELECT strategy, rep, kind, count() AS n, sum(amount) AS amount
     FROM incidents
     WHERE run_id = {run:String}
     GROUP BY strategy, rep, kind
     ORDER BY strategy, rep, kind`,
    { run: runId },
  );
}

/** Events per replay and type. */
export interface EventCount extends ReplayKey {
  readonly type: string;
  readonly n: number;
}

/** Event counts per replay and type (`signal`, `note`). */
export function selectEventCounts(store: Store, runId: string): Promise<EventCount[]> {
  return store.query<EventCount>(
    'SELECT strategy, rep, type, count() AS n FROM events WHERE run_id = {run:String} GROUP BY strategy, rep, type',
    { run: runId },
  );
}

/** One recorded event. */
export interface EventItem extends ReplayKey {
  readonly at_us: number;
  readonly type: 'signal' | 'note';
  readonly kind: string;
  readonly account: number;
  readonly detail: string;
}

/** The earliest `perReplay` events of each replay (and of the run itself, strategy ''). */
export function selectEvents(store: Store, runId: string, perReplay: number): Promise<EventItem[]> {
  return store.query<EventItem>(
    `SELECT strategy, rep, at_us, type, kind, account, detail
     FROM events
     WHERE run_id = {run:String}
     ORDER BY strategy, rep, at_us, kind, detail
     LIMIT {per:UInt32} BY strategy, rep`,
    { run: runId, per: perReplay },
  );
}

/** A `runs` row as listed. */
export interface RunHead {
  readonly run_id: string;
  readonly started_at: string;
  readonly scenario: string;
  readonly planned_ops: number;
  readonly command: string;
}

/** The newest `limit` runs, newest first. */
export function selectRecentRuns(store: Store, limit: number): Promise<RunHead[]> {
  return store.query<RunHead>(
    `SELECT run_id, started_at, scenario, planned_ops, command
     FROM runs
     ORDER BY started_at DESC, run_id DESC
     LIMIT 1 BY run_id
     LIMIT {limit:UInt32}`,
    { limit },
  );
}

/** Latest end status of each of `runIds` that has one. */
export function selectRunStatuses(store: Store, runIds: readonly string[]): Promise<{ run_id: string; status: RunEndRow['status'] }[]> {
  return store.query(
    'SELECT run_id, status FROM run_ends WHERE has({ids:Array(String)}, run_id) ORDER BY run_id, finished_at DESC LIMIT 1 BY run_id',
    { ids: runIds },
  );
}

/** Strategy labels of each of `runIds`, in run order. */
export function selectRunStrategies(store: Store, runIds: readonly string[]): Promise<{ run_id: string; strategy: string }[]> {
  return store.query(
    `SELECT run_id, strategy, min(idx) AS first_idx
     FROM strategy_runs
     WHERE has({ids:Array(String)}, run_id)
     GROUP BY run_id, strategy
     ORDER BY run_id, first_idx, strategy`,
    { ids: runIds },
  );
}

/** Whether a `runs` row exists for `runId`. */
export async function selectRunCount(store: Store, runId: string): Promise<number> {
  const rows = await store.query<{ n: number }>('SELECT count() AS n FROM runs WHERE run_id = {run:String}', { run: runId });
  return rows[0]?.n ?? 0;
}
