/**
 * Bulk job completion (DESIGN.md §5): per job, the first op's intended time →
 * the job's last op settled. An op is settled when it is posted (its first
 * `postings` row: the ack of a synchronous `applied` op, the strategy's later
 * report for a deferred `accepted` one) or declined (rejected for any reason
 * but `timeout` and `error`, at its ack: a definite "no" is an answer the job
 * can act on). A job is completed when every op is settled; one op lost,
 * of unknown fate or never sent leaves it not completed, with no time.
 *
 * One query per replay that has job ops, run one after the other: the join's
 * hash table holds one replay's job-op postings, never the whole run's.
 * Portable to ClickHouse 18.16 (ANY LEFT JOIN ... USING, -If combinators).
 */
import type { Store } from '../../results/store.js';
import { replayKeyOf, type ReplayKey } from '../../results/rows.js';
import type { BulkJob, BulkJobs } from '../common/report-types.js';
import { rankOf } from './exact-quantiles.js';

/** One job of one replay as the query returns it; -1 where {@link BulkJob} has null. */
export interface JobRow {
  readonly job: number;
  readonly n_ops: number;
  readonly first_intended_us: number;
  readonly posted: number;
  readonly declined: number;
  readonly unsettled: number;
  /** Latest posting or decline, µs; -1 when no op settled. */
  readonly last_settled_us: number;
  /** Latest ack, µs; -1 when no op was acked. */
  readonly last_ack_us: number;
}

// Unmatched rows of an ANY LEFT JOIN get the column defaults, so `has_posting` is 0 for ops never posted.
const JOBS_OF_REPLAY = `
SELECT job,
       count() AS n_ops,
       min(intended_us) AS first_intended_us,
       countIf(has_posting = 1) AS posted,
       countIf(has_posting = 0 AND is_decline = 1) AS declined,
       countIf(has_posting = 0 AND is_decline = 0) AS unsettled,
       max(if(has_posting = 1, first_posted_us, if(is_decline = 1, acked_us, toInt64(-1)))) AS last_settled_us,
       max(acked_us) AS last_ack_us
FROM (SELECT op_id, job, intended_us, acked_us,
             toUInt8(status = 'rejected' AND reason != 'timeout' AND reason != 'error') AS is_decline
      FROM ops
      WHERE run_id = {run:String} AND strategy = {strategy:String} AND rep = {rep:UInt32} AND job >= 0) AS o
ANY LEFT JOIN
     (SELECT op_id, min(posted_us) AS first_posted_us, toUInt8(1) AS has_posting
      FROM postings
      WHERE run_id = {run:String} AND strategy = {strategy:String} AND rep = {rep:UInt32}
        AND op_id IN (SELECT op_id FROM ops WHERE run_id = {run:String} AND strategy = {strategy:String} AND rep = {rep:UInt32} AND job >= 0)
      GROUP BY op_id) AS p
USING (op_id)
GROUP BY job
ORDER BY job`;

/** The replays of `runId` that recorded at least one op of a bulk job. */
export function selectReplaysWithJobs(store: Store, runId: string): Promise<ReplayKey[]> {
  return store.query<ReplayKey>('SELECT strategy, rep FROM ops WHERE run_id = {run:String} AND job >= 0 GROUP BY strategy, rep ORDER BY strategy, rep', { run: runId });
}

/** Every job of one replay, by job id. */
export function selectJobsOfReplay(store: Store, runId: string, replay: ReplayKey): Promise<JobRow[]> {
  return store.query<JobRow>(JOBS_OF_REPLAY, { run: runId, strategy: replay.strategy, rep: replay.rep });
}

/** A replay's jobs summed up: counts, completion percentiles over the completed jobs, every job. */
export function summarizeJobs(rows: readonly JobRow[]): BulkJobs {
  const byJob = rows.map(toJob);
  const times = byJob.flatMap((j) => (j.completion_us === null ? [] : [j.completion_us])).sort((a, b) => a - b);
  const at = (q: number) => (times.length > 0 ? times[rankOf(q, times.length)]! : null);
  const sum = (f: (j: BulkJob) => number) => byJob.reduce((a, j) => a + f(j), 0);
  return {
    jobs: byJob.length,
    completed: times.length,
    not_completed: byJob.length - times.length,
    ops: sum((j) => j.ops),
    posted_ops: sum((j) => j.posted),
    declined_ops: sum((j) => j.declined),
    unsettled_ops: sum((j) => j.unsettled),
    completion_us: { p50: at(0.5), p99: at(0.99), max: at(1) },
    by_job: byJob,
  };
}

function toJob(r: JobRow): BulkJob {
  const settled = r.last_settled_us >= 0 ? r.last_settled_us : null;
  return {
    job: r.job,
    ops: r.n_ops,
    first_intended_us: r.first_intended_us,
    posted: r.posted,
    declined: r.declined,
    unsettled: r.unsettled,
    last_settled_us: settled,
    last_ack_us: r.last_ack_us >= 0 ? r.last_ack_us : null,
    completion_us: r.unsettled === 0 && settled !== null ? settled - r.first_intended_us : null,
  };
}

/** Bulk jobs of every replay of `runId` that has job ops, keyed by {@link replayKeyOf}; queried one replay at a time. */
export async function selectBulkJobs(store: Store, runId: string): Promise<Map<string, BulkJobs>> {
  const out = new Map<string, BulkJobs>();
  for (const replay of await selectReplaysWithJobs(store, runId)) {
    out.set(replayKeyOf(replay), summarizeJobs(await selectJobsOfReplay(store, runId, replay)));
  }
  return out;
}
