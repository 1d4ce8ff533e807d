/**
 * Rows of every table with the values that break naive encoders: quotes,
 * backslashes, control characters, unicode, negative Int64, -1 sentinels,
 * the largest safe integers. Shared by the recorder round-trip tests.
 */
import { randomBytes } from 'node:crypto';
import type { RowOf, TableName } from '../results/rows.js';
import { TABLES } from '../results/rows.js';
import type { Store } from '../results/store.js';
import { ORDER_BY } from '../results/schema.js';

/** A fresh run id for one test. */
export function testRunId(prefix = 't'): string {
  return `${prefix}-${randomBytes(6).toString('hex')}`;
}

/** Strings that break naive escaping (quotes, backslashes, control characters, SQL, non-ASCII); every table must store them unchanged. */
export const NASTY = [`it's "quoted" \\ back\\slash`, 'line\nbreak\ttab\r\0nul\x01', 'ünïcödé ✓ 💸 中文 🚀', "'; DROP TABLE ops; --", '{x:String}', '', 'bs\bff\f \\N \\t\\'];
const MAX = Number.MAX_SAFE_INTEGER;

/** Two or more rows per table for `runId`, covering the edge values. */
export function edgeRows(runId: string): { [T in TableName]: RowOf[T][] } {
  const key = (i: number) => ({ run_id: runId, strategy: `aggregate:window=10ms${NASTY[i % NASTY.length]}`, rep: i });
  return {
    runs: [
      {
        run_id: runId, started_at: '2024-02-29 23:59:59', scenario: NASTY[0]!, scenario_file: NASTY[1]!, seed: -42, stream_sha256: 'ab'.repeat(32),
        planned_ops: MAX, schedule_us: 60_000_000, config_json: JSON.stringify({ a: NASTY[3], b: [1, 2] }), git_rev: 'deadbeef', git_branch: NASTY[2]!,
        hotbench_version: '0.1.0', pg_version: '15.18', clickhouse_version: '18.16.1', redis_version: '', node_version: 'v20', host_name: NASTY[4]!,
        host_cores: 2, host_mem_bytes: 8 * 1024 ** 3, command: 'hotbench run',
      },
    ],
    run_ends: [{ run_id: runId, finished_at: '1970-01-01 00:00:01', status: 'incomplete', reason: NASTY[1]! }],
    strategy_runs: [0, 1].map((i) => ({
      ...key(i), idx: i, name: 'aggregate', backend: 'postgres', params_json: '{"window":"10ms"}', status: i === 0 ? ('completed' as const) : ('skipped' as const),
      detail: NASTY[i]!, started_at: '2030-12-31 00:00:00', schedule_us: 1, elapsed_us: -1, planned_ops: 0, sent_ops: MAX, late_ops: 3,
      late_threshold_us: 10_000, concurrency: 4_294_967_295, audited: 1, conservation_ok: i, accounts_checked: 1000,
    })),
    ops: [0, 1, 2].map((i) => ({
      ...key(i), op_id: i === 2 ? MAX : i, kind: 'charge', account: i, amount: i === 1 ? -MAX : 125, job: -1, intended_us: i * 1000, sent_us: i === 0 ? -1 : 5,
      acked_us: -1, status: i === 1 ? ('rejected' as const) : ('unsent' as const), reason: i === 1 ? 'insufficient_funds' : '', lock_wait_us: -1, pool_wait_us: -1, queue_us: -1,
      attempts: 65_535, balance: -9_007_199_254_740_991, detail: NASTY[i + 1]!,
    })),
    postings: [0, 1].map((i) => ({ ...key(i), op_id: i, intended_us: -MAX, posted_us: MAX })),
    samples: [0, 1, 2].map((i) => ({ ...key(i), t_us: i, name: NASTY[i]!, value: [0.1, -1.5e300, 1e21][i]! })),
    incidents: [0, 1].map((i) => ({ ...key(i), kind: 'overdraft', op_id: -1, account: -1, amount: -7, at_us: 9, detail: NASTY[i + 2]! })),
    events: [0, 1].map((i) => ({ ...key(i), at_us: i, type: i === 0 ? ('signal' as const) : ('note' as const), kind: 'budget_exhausted', account: -1, detail: NASTY[6 - i]! })),
    shard_runs: [0, 1].map((i) => ({
      ...key(i), idx: i, shard: i, shards: 4_294_967_295, status: i === 0 ? ('started' as const) : ('refused' as const), detail: NASTY[i + 3]!, name: 'aggregate',
      backend: 'postgres', params_json: '{}', host_name: NASTY[i]!, pid: 4_294_967_295, written_at: '2030-12-31 23:59:59', start_at_ms: -MAX, schedule_us: 1,
      elapsed_us: -1, planned_ops: MAX, shard_ops: 0, sent_ops: MAX, late_ops: 0, late_threshold_us: 5_000, concurrency: 1, stream_sha256: 'ab'.repeat(32),
      shard_sha256: '', run_json: JSON.stringify({ config_json: NASTY[5] }),
    })),
    sweep_cells: [0, 1].map((i) => ({
      sweep_id: NASTY[i]!, cell: i, cells: 4_294_967_295, run_id: runId, strategy: key(i).strategy, rate_scale: [0.5, 1e-9][i]!, connections: 16, status: 'complete', written_at: '1970-01-01 00:00:01',
    })),
  };
}

/** Every row of `runId` in `table`, in sorting-key order. */
export async function readBack<T extends TableName>(store: Store, table: T, runId: string): Promise<RowOf[T][]> {
  return store.query<RowOf[T]>(`SELECT * FROM ${table} WHERE run_id = {run:String} ORDER BY ${ORDER_BY[table].join(', ')}`, { run: runId });
}

/** The rows of {@link edgeRows} sorted the way {@link readBack} returns them. */
export function sortedLikeStore<T extends TableName>(table: T, rows: readonly RowOf[T][]): RowOf[T][] {
  const keys = ORDER_BY[table] as string[];
  return [...rows].sort((a, b) => {
    for (const k of keys) {
      const x = (a as unknown as Record<string, string | number>)[k]!;
      const y = (b as unknown as Record<string, string | number>)[k]!;
      // ClickHouse sorts strings bytewise (UTF-8), numbers numerically.
      if (x !== y) return typeof x === 'string' ? Buffer.compare(Buffer.from(x), Buffer.from(String(y))) : x < Number(y) ? -1 : 1;
    }
    return 0;
  });
}

export { TABLES };

/**
 * A local TCP port that refuses connections. Picked below Linux's ephemeral
 * range (32768+), so a port another test binds with `listen(0)` cannot take
 * it over while this test relies on it being dead.
 */
export async function refusedPort(): Promise<number> {
  const { connect } = await import('node:net');
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
    });
    if (refused) return port;
  }
}
