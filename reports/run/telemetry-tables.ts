/**
 * The run-level telemetry table every human-facing report shows under the
 * details: lock waits seen two ways (per op, as the strategies measured them;
 * per run, as PostgreSQL's sampled `pg_stat_activity` saw them) and the
 * stop-delivery delay, and the largest consumer and replication lags. Built
 * once from a RunReport, laid out by each renderer.
 */
import type { RunReport } from '../common/report-types.js';
import { formatInt, formatMs, formatSeconds } from '../common/format.js';
import { strategyTitle } from './summary-table.js';
import { waitP99Cell, waitSecondsCell } from '../common/waits.js';
import type { Column, Table } from '../common/table.js';

const left = (header: string): Column => ({ header, align: 'left' });
const right = (header: string): Column => ({ header, align: 'right' });

/** One row per replay: per-op lock waits, sampled lock waits, stop delivery. */
export function telemetryTable(report: RunReport): Table {
  const columns = [
    left('strategy [backend]'), right('ops that locked'), right('ops in a batch'), right('lock_wait_s'), right('lock_wait_p99_ms'), right('pool_wait_s'), right('pool_wait_p99_ms'),
    right('batch_queue_p99_ms'), right('sampled lock-wait s'), right('max waiters'),
    right('stop signals'), right('missed'), right('max_stop_delivery_ms'), right('max consumer lag ops'), right('max replication lag ms'),
  ];
  const repeated = report.strategies.some((s) => s.rep > 0);
  const rows = report.strategies.map((s) => {
    const sampled = s.lock_wait_sampled;
    const sd = s.stop_delivery;
    return [
      strategyTitle(s, repeated),
      formatInt(s.lock_wait.ops),
      formatInt(s.lock_wait.in_batch),
      waitSecondsCell(s.lock_wait),
      waitP99Cell(s.lock_wait),
      waitSecondsCell(s.pool_wait),
      waitP99Cell(s.pool_wait),
      waitP99Cell(s.batch_queue),
      formatSeconds(sampled.total_s),
      formatInt(sampled.max_waiters),
      formatInt(sd.signalled),
      formatInt(sd.missed),
      formatMs(sd.max_delay_us),
      formatInt(s.lag.consumer_max_ops),
      formatMs(s.lag.replication_max_us),
    ];
  });
  return { columns, rows };
}

/** What the telemetry table's columns mean, printed under it. */
export const TELEMETRY_DEFINITIONS = [
  'ops that locked: ops with a measured lock wait (a batch\'s first op stands for its batch); ops in a batch: ops whose waits are counted on their batch\'s first op; lock_wait_s, lock_wait_p99_ms, pool_wait_s, pool_wait_p99_ms, batch_queue_p99_ms (per op): see the definitions above; sampled lock-wait s: sessions of the strategy\'s database waiting on a lock (pg_stat_activity every ~50 ms) integrated over time; max waiters: most at once',
  'stop signals / missed: threshold crossings of the ledger balance the strategy signalled (budget_exhausted) / never signalled; max_stop_delivery_ms: slowest crossing → signal (≤ 0: signalled first)',
  'max consumer lag: most ops accepted but not yet applied (buffer); max replication lag: longest a commit took to show on the replica (read-write-split); both sampled once a second, — where the strategy has neither',
];
