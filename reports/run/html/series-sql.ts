/**
 * The ClickHouse queries behind the per-second series: everything is
 * aggregated per bucket in the server (`intDiv(t, bucket)`), so a 10 M-op run
 * returns at most a few hundred rows per replay and series. Portable to
 * ClickHouse 18.16 (GROUP BY, -If combinators, ANY INNER JOIN ... USING; no
 * window functions, no toStartOfInterval).
 */
import type { Store } from '../../../results/store.js';
import { LAG_SAMPLES } from '../../common/series-types.js';

/** A count per replay and bucket. */
export interface BucketCount {
  readonly strategy: string;
  readonly rep: number;
  readonly i: number;
  readonly n: number;
}

/** Ops per replay by intended-send bucket (`kind` = offered) and applied + accepted ops by ack bucket (`kind` = achieved). */
export function selectOpBuckets(store: Store, runId: string, bucketUs: number): Promise<(BucketCount & { kind: 'offered' | 'achieved' })[]> {
  return store.query(
    `SELECT strategy, rep, 'offered' AS kind, intDiv(intended_us, {b:Int64}) AS i, count() AS n
     FROM ops WHERE run_id = {run:String} AND intended_us >= 0
     GROUP BY strategy, rep, i
     UNION ALL
     SELECT strategy, rep, 'achieved' AS kind, intDiv(acked_us, {b:Int64}) AS i, count() AS n
     FROM ops WHERE run_id = {run:String} AND acked_us >= 0 AND status IN ('applied', 'accepted')
     GROUP BY strategy, rep, i`,
    { run: runId, b: bucketUs },
  );
}

/** Per replay, sample name and bucket: mean, min and max of the samples. */
export interface SampleBucket {
  readonly strategy: string;
  readonly rep: number;
  readonly name: string;
  readonly i: number;
  readonly avg: number;
  readonly min: number;
  readonly max: number;
}

/** The charted samples (lock waiters, commits, hot balances, lags) per bucket. */
export function selectSampleBuckets(store: Store, runId: string, bucketUs: number): Promise<SampleBucket[]> {
  return store.query(
    `SELECT strategy, rep, name, intDiv(t_us, {b:Int64}) AS i, avg(value) AS avg, min(value) AS min, max(value) AS max
     FROM samples
     WHERE run_id = {run:String} AND t_us >= 0
       AND (has({names:Array(String)}, name) OR startsWith(name, 'balance:'))
     GROUP BY strategy, rep, name, i`,
    { run: runId, b: bucketUs, names: ['pg_lock_waiters', 'pg_commits_per_s', ...LAG_SAMPLES] },
  );
}

/** Overdraft incidents per replay, account and bucket of their op's posting. */
export interface OverdraftBucket extends BucketCount {
  readonly account: number;
  readonly amount: number;
}

/**
 * Overdrafts placed in time by their op's (first) posting: the auditor
 * records them without a time. Only the postings of overdrawn ops are read
 * (IN on the few incidents), so the join's hash table stays small.
 */
export function selectOverdraftBuckets(store: Store, runId: string, bucketUs: number): Promise<OverdraftBucket[]> {
  return store.query(
    `SELECT strategy, rep, account, intDiv(first_us, {b:Int64}) AS i, count() AS n, sum(amount) AS amount
     FROM (SELECT strategy, rep, toInt64(op_id) AS id, min(posted_us) AS first_us
           FROM postings
           WHERE run_id = {run:String} AND posted_us >= 0
             AND (strategy, rep, toInt64(op_id)) IN (SELECT strategy, rep, op_id FROM incidents WHERE run_id = {run:String} AND kind = 'overdraft' AND op_id >= 0)
           GROUP BY strategy, rep, id) AS p
     ANY INNER JOIN (SELECT strategy, rep, op_id AS id, account, amount FROM incidents WHERE run_id = {run:String} AND kind = 'overdraft' AND op_id >= 0) AS o
     USING (strategy, rep, id)
     GROUP BY strategy, rep, account, i`,
    { run: runId, b: bucketUs },
  );
}
