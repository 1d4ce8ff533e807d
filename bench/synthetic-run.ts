/**
 * A synthetic recorded run of any size, written straight into a results
 * store by ClickHouse itself (`INSERT ... SELECT FROM numbers(n)`), for
 * timing the report on runs far larger than this machine can replay:
 * `bench:memory` (10 million ops) and `test/perf-report-*.test.ts`.
 *
 * The rows look like a real replay: ops at 20,000/s, 90% applied, 8%
 * refused for funds, 1% rate limited, 1% errors; ack latencies spread over
 * 0..50 ms with a tail; lock waits on a third of the ops; one posting per
 * applied op; a sample per second, a few incidents and events.
 */
import { wallClockUtc } from '../runner/clock.js';
import type { Store } from '../results/store.js';
import type { RunRow, StrategyRunRow } from '../results/rows.js';

/** What {@link writeSyntheticRun} wrote. */
export interface SyntheticRun {
  readonly runId: string;
  readonly ops: number;
  /** Wall time of the inserts, ms. */
  readonly insertMs: number;
}

/** Ops per second of the synthetic schedule. */
const RATE = 20_000;

/**
 * Writes run `runId` with `ops` op rows (one replay of strategy `atomic`)
 * and its postings, samples, incidents and events. The store must be the
 * embedded chdb store (the statements go through `query`, which only chdb
 * runs for an INSERT). Deterministic: row i is a function of i.
 */
export async function writeSyntheticRun(store: Store, runId: string, ops: number): Promise<SyntheticRun> {
  if (store.kind !== 'chdb') throw new Error('writeSyntheticRun needs the embedded chdb store (INSERT ... SELECT through query)');
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(runId) || !Number.isSafeInteger(ops) || ops < 1) throw new Error('writeSyntheticRun: a valid run id and a positive op count');
  const started = performance.now();
  const scheduleUs = Math.ceil((ops / RATE) * 1e6);
  const run: RunRow = {
    run_id: runId,
    started_at: wallClockUtc(),
    scenario: 'synthetic',
    scenario_file: '',
    seed: 1,
    stream_sha256: '0'.repeat(64),
    planned_ops: ops,
    schedule_us: scheduleUs,
    config_json: '{}',
    git_rev: '',
    git_branch: '',
    hotbench_version: '',
    pg_version: '',
    clickhouse_version: await store.version(),
    redis_version: '',
    node_version: process.version,
    host_name: 'synthetic',
    host_cores: 2,
    host_mem_bytes: 0,
    command: 'synthetic',
  };
  const summary: StrategyRunRow = {
    run_id: runId,
    strategy: 'atomic',
    rep: 0,
    idx: 0,
    name: 'atomic',
    backend: 'postgres',
    params_json: '{}',
    status: 'completed',
    detail: '',
    started_at: run.started_at,
    schedule_us: scheduleUs,
    elapsed_us: scheduleUs + 50_000,
    planned_ops: ops,
    sent_ops: ops,
    late_ops: Math.floor(ops / 100),
    late_threshold_us: 5_000,
    concurrency: 512,
    audited: 1,
    conservation_ok: 1,
    accounts_checked: 1_000,
  };
  await store.insert('runs', [run]);
  await store.insert('strategy_runs', [summary]);
  await store.insert('run_ends', [{ run_id: runId, finished_at: wallClockUtc(), status: 'complete', reason: '' }]);

  const key = `{run:String} AS run_id, 'atomic' AS strategy, toUInt32(0) AS rep`;
  // h: a per-row hash for every pseudo-random choice; intended time = i / RATE.
  await store.query(
    `INSERT INTO ops (run_id, strategy, rep, op_id, kind, account, amount, job, intended_us, sent_us, acked_us, status, reason, lock_wait_us, attempts, balance, detail)
     SELECT ${key}, number AS op_id, if(h % 20 = 0, 'read', 'charge') AS kind, toInt64(h % 1000) AS account,
            if(h % 20 = 0, toInt64(0), toInt64(1 + h % 500)) AS amount, toInt64(-1) AS job,
            toInt64(intDiv(number * 1000000, ${RATE})) AS intended_us, intended_us + toInt64(h % 300) AS sent_us,
            sent_us + toInt64(200 + intDiv(h, 1000) % 20000 + if(h % 997 = 0, 40000, 0)) AS acked_us,
            multiIf(h % 100 < 90, 'applied', 'rejected') AS status,
            multiIf(h % 100 < 90, '', h % 100 < 98, 'insufficient_funds', h % 100 < 99, 'rate_limited', 'error') AS reason,
            if(h % 3 = 0, toInt64(intDiv(h, 7) % 5000), toInt64(-1)) AS lock_wait_us, toUInt32(1) AS attempts,
            toInt64(0) AS balance, if(h % 100 = 99, 'synthetic failure', '') AS detail
     FROM (SELECT number, intHash64(number) AS h FROM numbers({n:UInt64}))`,
    { run: runId, n: ops },
  );
  await store.query(
    `INSERT INTO postings (run_id, strategy, rep, op_id, intended_us, posted_us)
     SELECT ${key}, number AS op_id, toInt64(intDiv(number * 1000000, ${RATE})) AS intended_us,
            intended_us + toInt64(h % 300) + toInt64(200 + intDiv(h, 1000) % 20000 + if(h % 997 = 0, 40000, 0)) AS posted_us
     FROM (SELECT number, intHash64(number) AS h FROM numbers({n:UInt64})) WHERE h % 100 < 90`,
    { run: runId, n: ops },
  );
  const seconds = Math.max(1, Math.ceil(scheduleUs / 1e6));
  await store.query(
    `INSERT INTO samples (run_id, strategy, rep, t_us, name, value)
     SELECT ${key}, toInt64(number * 1000000) AS t_us, arrayJoin(['in_flight', 'behind_us', 'rss_bytes', 'balance:0']) AS name,
            toFloat64(intHash64(number) % 100000) AS value
     FROM numbers({s:UInt64})`,
    { run: runId, s: seconds },
  );
  await store.query(
    `INSERT INTO incidents (run_id, strategy, rep, kind, op_id, account, amount, at_us, detail)
     SELECT ${key}, if(number % 2 = 0, 'overdraft', 'false_decline') AS kind, toInt64(number * 997) AS op_id, toInt64(number % 1000) AS account,
            toInt64(1 + number % 50) AS amount, toInt64(number * 1000) AS at_us, 'synthetic' AS detail
     FROM numbers({k:UInt64})`,
    { run: runId, k: Math.min(10_000, Math.ceil(ops / 1000)) },
  );
  await store.query(
    `INSERT INTO events (run_id, strategy, rep, at_us, type, kind, account, detail)
     SELECT ${key}, toInt64(number * 100000) AS at_us, if(number % 2 = 0, 'signal', 'note') AS type,
            if(number % 2 = 0, 'budget_exhausted', 'synthetic') AS kind, toInt64(number % 10) AS account, '' AS detail
     FROM numbers({e:UInt64})`,
    { run: runId, e: 1_000 },
  );
  return { runId, ops, insertMs: performance.now() - started };
}
