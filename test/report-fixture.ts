/**
 * A hand-made run for the report tests: three strategies whose metrics are
 * known in advance, and the values the report must show, computed here in
 * plain JS straight from the DESIGN.md §5 definitions (not from SQL).
 *
 * row-lock [postgres]: 1,000 ops over a 1 s schedule (op i intended at
 *   i ms). Ops 990..999 unsent. Op i < 989 acked (i+1)·100 µs late, op 989
 *   250 ms late. Every 20th op (i % 20 = 0) rejected: 30 insufficient_funds,
 *   12 timeout, 8 error; i % 20 = 1 accepted; the other 890 applied, with a
 *   lock wait of (i % 13)·50 µs. Applied ops post at ack; accepted ones
 *   5,000 + i µs after it.
 * cache [redis+postgres], label with `<script>`: 4 accepted ops, 3 posted;
 *   conservation broken.
 * buffer [kafka]: skipped.
 */
import type { EventRow, IncidentRow, OpRow, PostingRow, RowOf, TableName } from '../results/rows.js';
import type { Store } from '../results/store.js';
import { TABLES } from '../results/rows.js';

/** A strategy label with markup in it: renderers must escape it. */
export const CACHE_LABEL = 'cache:note=<script>alert("label")</script>';
/** A scenario name with markup in it: renderers must escape it. */
export const SCENARIO = '<script>alert("scenario")</script> & co';
/** The skip reason of the fixture's skipped replay. */
export const SKIP_REASON = 'needs kafka: pass --kafka host:port or set KAFKA_BROKERS';

/** Value at 0-based rank floor(q·n) of the sorted sample (quantileExact). */
export function quantile(sample: readonly number[], q: number): number {
  const sorted = [...sample].sort((a, b) => a - b);
  return sorted[Math.floor(q * sorted.length)]!;
}

/** Rows of every results table, as the fake store holds them. */
export type FakeRows = { [T in TableName]: RowOf[T][] };

/** The rows of the fake run `runId`, started at `startedAt` (UTC). */
export function fakeRunRows(runId: string, startedAt = '2024-05-01 12:00:00'): FakeRows {
  const ops: OpRow[] = [];
  const postings: PostingRow[] = [];
  const base = { run_id: runId, strategy: 'row-lock', rep: 0 };
  for (let i = 0; i < 1000; i++) {
    const intended = i * 1000;
    if (i >= 990) {
      ops.push({ ...base, op_id: i, kind: 'charge', account: i % 5, amount: 100, job: -1, intended_us: intended, sent_us: -1, acked_us: -1, status: 'unsent', reason: '', lock_wait_us: -1, attempts: 0, balance: 0, detail: '' });
      continue;
    }
    const acked = intended + (i === 989 ? 250_000 : (i + 1) * 100);
    const k = i / 20;
    const status = i % 20 === 0 ? 'rejected' : i % 20 === 1 ? 'accepted' : 'applied';
    const reason = status !== 'rejected' ? '' : k < 30 ? 'insufficient_funds' : k < 42 ? 'timeout' : 'error';
    ops.push({
      ...base, op_id: i, kind: 'charge', account: i % 5, amount: 100, job: -1, intended_us: intended, sent_us: intended + 5, acked_us: acked, status, reason,
      lock_wait_us: status === 'applied' ? (i % 13) * 50 : -1, attempts: 1, balance: 0, detail: reason === 'error' ? 'connection reset' : '',
    });
    if (status === 'applied') postings.push({ ...base, op_id: i, intended_us: intended, posted_us: acked });
    if (status === 'accepted') postings.push({ ...base, op_id: i, intended_us: intended, posted_us: acked + 5000 + i });
  }
  const cache = { run_id: runId, strategy: CACHE_LABEL, rep: 0 };
  for (let i = 0; i < 4; i++) {
    const intended = i * 250_000;
    ops.push({ ...cache, op_id: i, kind: 'charge', account: 0, amount: 10, job: -1, intended_us: intended, sent_us: intended, acked_us: intended + (i + 1) * 100, status: 'accepted', reason: '', lock_wait_us: -1, attempts: 1, balance: 0, detail: '' });
    if (i < 3) postings.push({ ...cache, op_id: i, intended_us: intended, posted_us: intended + (i + 1) * 1000 });
  }
  const incident = (key: typeof base, kind: string, amount: number, n: number): IncidentRow => ({ ...key, kind, op_id: n, account: 0, amount, at_us: n * 10, detail: `${kind} #${n}` });
  const incidents: IncidentRow[] = [
    incident(base, 'overdraft', 300, 1), incident(base, 'overdraft', 200, 2), incident(base, 'lost', 0, 3),
    incident(base, 'duplicated', 100, 4), incident(base, 'duplicated', 100, 5), incident(base, 'duplicated', 100, 6),
    incident(base, 'false_decline', 100, 7), incident(base, 'stale_read', 0, 8), incident(base, 'stale_read', 0, 9),
    incident(cache, 'lost', 10, 3), incident(cache, 'conservation', -10, -1), incident(cache, 'phantom', 10, 4), incident(cache, 'mismatch', 5, 2),
  ];
  const events: EventRow[] = [
    { ...base, at_us: 500, type: 'signal', kind: 'budget_exhausted', account: 1, detail: '' },
    { ...base, at_us: 900, type: 'signal', kind: 'budget_restored', account: 1, detail: '' },
    { ...base, at_us: 700, type: 'note', kind: 'fallback', detail: 'fell back to the in-process queue', account: -1 },
    { run_id: runId, strategy: '', rep: 0, at_us: 42, type: 'note', kind: 'fault', account: -1, detail: 'consumer:kill injected <now>' },
  ];
  const summary = {
    run_id: runId, rep: 0, started_at: startedAt, schedule_us: 1_000_000, planned_ops: 1000, late_threshold_us: 10_000, concurrency: 64,
  };
  return {
    runs: [{
      run_id: runId, started_at: startedAt, scenario: SCENARIO, scenario_file: 'scenarios/x.yaml', seed: 42, stream_sha256: 'f'.repeat(64), planned_ops: 1000,
      schedule_us: 1_000_000, config_json: '{"clickhouse":"http://u:***@h:8123","seed":42}', git_rev: 'abc1234', git_branch: 'main', hotbench_version: '0.1.0',
      pg_version: '15.18', clickhouse_version: '18.16.1', redis_version: '7.2.4', node_version: 'v20.20.2', host_name: 'bench-host', host_cores: 2,
      host_mem_bytes: 8 * 1024 ** 3, command: 'hotbench run',
    }],
    run_ends: [{ run_id: runId, finished_at: '2024-05-01 12:00:09', status: 'complete', reason: '' }],
    strategy_runs: [
      { ...summary, strategy: 'row-lock', idx: 0, name: 'row-lock', backend: 'postgres', params_json: '{"connections":16}', status: 'completed', detail: '', elapsed_us: 1_239_000, sent_ops: 990, late_ops: 7, audited: 1, conservation_ok: 1, accounts_checked: 5 },
      { ...summary, strategy: CACHE_LABEL, idx: 1, name: 'cache', backend: 'redis+postgres', params_json: '{"note":"<script>"}', status: 'completed', detail: '', schedule_us: 1_000_000, planned_ops: 4, elapsed_us: 751_000, sent_ops: 4, late_ops: 0, audited: 1, conservation_ok: 0, accounts_checked: 1 },
      { ...summary, strategy: 'buffer', idx: 2, name: 'buffer', backend: 'kafka', params_json: '{}', status: 'skipped', detail: SKIP_REASON, elapsed_us: 0, sent_ops: 0, late_ops: 0, audited: 0, conservation_ok: 0, accounts_checked: 0 },
    ],
    ops,
    postings,
    samples: [
      { ...base, t_us: 0, name: 'lock_waiters', value: 3 },
      // replication lag on row-lock (max 1,200 µs), consumer lag on cache (max 42 ops): the report's lag figures
      { ...base, t_us: 1_000_000, name: 'replication_lag_us', value: 1200 },
      { ...base, t_us: 2_000_000, name: 'replication_lag_us', value: 800 },
      { ...cache, t_us: 1_000_000, name: 'consumer_lag', value: 5 },
      { ...cache, t_us: 2_000_000, name: 'consumer_lag', value: 42 },
      { ...cache, t_us: 3_000_000, name: 'consumer_lag', value: 7 },
    ],
    incidents,
    events,
    shard_runs: [],
    sweep_cells: [],
  };
}

/** Writes the fake run into `store` (already migrated). */
export async function insertFakeRun(store: Store, rows: FakeRows): Promise<void> {
  for (const table of TABLES) await store.insert(table, rows[table] as never);
}

/** The row-lock replay's metrics, computed from the rows by the DESIGN.md definitions. */
export function expectedRowLock(rows: FakeRows) {
  const ops = rows.ops.filter((o) => o.strategy === 'row-lock');
  const acked = ops.filter((o) => o.acked_us >= 0);
  const ack = acked.map((o) => o.acked_us - o.intended_us);
  const locks = ops.filter((o) => o.lock_wait_us >= 0).map((o) => o.lock_wait_us);
  const posts = rows.postings.filter((p) => p.strategy === 'row-lock').map((p) => p.posted_us - p.intended_us);
  const good = ops.filter((o) => o.status === 'applied' || o.status === 'accepted').length;
  const windowUs = Math.max(1_000_000, ...acked.map((o) => o.acked_us));
  return {
    offered_per_s: 1000 / 1,
    goodput_per_s: good / (windowUs / 1e6),
    goodput_window_us: windowUs,
    ack_latency_us: { count: acked.length, p50: quantile(ack, 0.5), p90: quantile(ack, 0.9), p99: quantile(ack, 0.99), p999: quantile(ack, 0.999), max: Math.max(...ack) },
    posting_delay_us: { posted: posts.length, p50: quantile(posts, 0.5), p99: quantile(posts, 0.99), max: Math.max(...posts) },
    lock_wait: { ops: locks.length, total_s: locks.reduce((a, b) => a + b, 0) / 1e6, p99_us: quantile(locks, 0.99) },
  };
}

/** Asserts the report of the fake run: exact values, computed by hand (comments) or by {@link expectedRowLock}. */
export function expectFakeReport(report: import('../reports/run/queries.js').RunReport, rows: FakeRows, expect: typeof import('vitest').expect): void {
  const runId = rows.runs[0]!.run_id;
  expect(report.format).toBe('hotbench-run-report/1');
  expect(report.run).toEqual({
    run_id: runId, started_at: rows.runs[0]!.started_at, finished_at: '2024-05-01 12:00:09', status: 'complete', status_reason: '', command: 'hotbench run',
    scenario: SCENARIO, scenario_file: 'scenarios/x.yaml', seed: 42, stream_sha256: 'f'.repeat(64), planned_ops: 1000, schedule_us: 1_000_000,
    config: { clickhouse: 'http://u:***@h:8123', seed: 42 }, git: { rev: 'abc1234', branch: 'main' },
    versions: { hotbench: '0.1.0', node: 'v20.20.2', postgres: '15.18', clickhouse: '18.16.1', redis: '7.2.4', kafka: '' },
    host: { name: 'bench-host', cores: 2, mem_bytes: 8 * 1024 ** 3 },
  });
  expect(report.strategies.map((s) => [s.label, s.backend, s.status])).toEqual([
    ['row-lock', 'postgres', 'completed'],
    [CACHE_LABEL, 'redis+postgres', 'completed'],
    ['buffer', 'kafka', 'skipped'],
  ]);
  const [rowLock, cache, buffer] = report.strategies as [import('../reports/run/queries.js').StrategyReport, import('../reports/run/queries.js').StrategyReport, import('../reports/run/queries.js').StrategyReport];

  const js = expectedRowLock(rows);
  // By hand: 990 acked ops, latencies 100, 200, ..., 98,900 µs then 250,000 µs;
  // rank floor(q·990): p50 → 495 → 49,600; p90 → 891 → 89,200; p99 → 980 → 98,100; p99.9 → 989 → 250,000.
  expect(rowLock.ack_latency_us).toEqual({ count: 990, p50: 49_600, p90: 89_200, p99: 98_100, p999: 250_000, max: 250_000 });
  expect(rowLock.ack_latency_us).toEqual(js.ack_latency_us);
  // Window: op 989 acked at 989,000 + 250,000 = 1,239,000 µs > the 1 s schedule; 890 applied + 50 accepted.
  expect(rowLock.goodput_window_us).toBe(1_239_000);
  expect(rowLock.goodput_per_s).toBe(940 / 1.239);
  expect(rowLock.offered_per_s).toBe(1000);
  expect(rowLock.by_status).toEqual({ applied: 890, accepted: 50, rejected: 50, unsent: 10, suppressed: 0 });
  expect(rowLock.rejects).toEqual({
    total: 50, share: 0.05,
    by_reason: [{ reason: 'insufficient_funds', count: 30, share: 0.03 }, { reason: 'timeout', count: 12, share: 0.012 }, { reason: 'error', count: 8, share: 0.008 }],
  });
  expect(rowLock.posting_delay_us).toEqual(js.posting_delay_us);
  expect(rowLock.posting_delay_us.posted).toBe(940);
  expect(rowLock.lock_wait).toEqual(js.lock_wait);
  expect(rowLock.lock_wait.ops).toBe(890);
  expect(rowLock.overdrafts).toEqual({ count: 2, amount: 500 });
  expect(rowLock.incidents).toMatchObject({ lost: 1, duplicated: 3, phantom: 0, mismatch: 0, conservation: 0, false_declines: 1, stale_reads: 2 });
  expect(rowLock.incidents.by_kind['duplicated']).toEqual({ count: 3, amount: 300 });
  expect(rowLock.conservation).toEqual({ audited: true, ok: true, accounts_checked: 5 });
  expect(rowLock.lag).toEqual({ consumer_max_ops: null, replication_max_us: 1200 });
  expect(cache.lag).toEqual({ consumer_max_ops: 42, replication_max_us: null });
  expect(buffer.lag).toEqual({ consumer_max_ops: null, replication_max_us: null });
  expect(rowLock.ops).toEqual({ planned: 1000, sent: 990, late: 7, late_threshold_us: 10_000, recorded: 1000, acked: 990, concurrency: 64 });
  expect(rowLock.params).toEqual({ connections: 16 });
  expect(rowLock.events).toEqual({
    signals: 2, notes: 1,
    items: [
      { at_us: 500, type: 'signal', kind: 'budget_exhausted', account: 1, detail: '' },
      { at_us: 700, type: 'note', kind: 'fallback', account: -1, detail: 'fell back to the in-process queue' },
      { at_us: 900, type: 'signal', kind: 'budget_restored', account: 1, detail: '' },
    ],
  });

  // Cache: latencies 100..400 µs → rank floor(0.5·4) = 2 → 300; posting delays 1,000..3,000 µs.
  expect(cache.ack_latency_us).toEqual({ count: 4, p50: 300, p90: 400, p99: 400, p999: 400, max: 400 });
  expect(cache.posting_delay_us).toEqual({ posted: 3, p50: 2000, p99: 3000, max: 3000 });
  expect(cache.lock_wait).toEqual({ ops: 0, total_s: 0, p99_us: null });
  expect(cache.goodput_per_s).toBe(4);
  expect(cache.offered_per_s).toBe(4);
  expect(cache.conservation).toEqual({ audited: true, ok: false, accounts_checked: 1 });
  expect(cache.incidents).toMatchObject({ lost: 1, duplicated: 0, phantom: 1, mismatch: 1, conservation: 1 });

  expect(buffer.detail).toBe(SKIP_REASON);
  expect(buffer.ack_latency_us).toEqual({ count: 0, p50: null, p90: null, p99: null, p999: null, max: null });
  expect(buffer.posting_delay_us).toEqual({ posted: 0, p50: null, p99: null, max: null });
  expect([buffer.offered_per_s, buffer.goodput_per_s, buffer.conservation.ok]).toEqual([null, null, null]);
  expect(buffer.rejects).toEqual({ total: 0, share: 0, by_reason: [] });

  // No op of a bulk job in this run: no bulk-jobs figures.
  expect(report.strategies.map((s) => s.bulk_jobs)).toEqual([null, null, null]);
  expect(report.events).toEqual([{ at_us: 42, type: 'note', kind: 'fault', account: -1, detail: 'consumer:kill injected <now>' }]);
}
