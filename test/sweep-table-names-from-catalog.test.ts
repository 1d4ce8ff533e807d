/**
 * A sweep's table and points name their figures as the metric catalog does
 * (goodput, p99_ack_ms, overdraft_count, overdraft_amount, reject_pct), in the
 * catalog's units and formatting, and the Pareto front's objectives with them.
 */
import { expect, it } from 'vitest';
import { SWEEP_OBJECTIVES, sweepTable, type SweepPoint, type SweepReport } from '../reports/sweep/sweep-report.js';

const point: SweepPoint = {
  cell: 0, run_id: 'r0', strategy: 'atomic', rate_scale: 1, connections: 8, status: 'complete',
  offered_per_s: 1000, goodput: 990, p99_ack_ms: 12.3, overdraft_count: 1, overdraft_amount: 1500, reject_pct: 2.5,
};
const missing: SweepPoint = { ...point, cell: 1, status: 'missing', goodput: null, p99_ack_ms: null, overdraft_count: null, overdraft_amount: null, reject_pct: null, offered_per_s: null };

it('heads its columns with the catalog names and formats the values as the catalog does', () => {
  const report: SweepReport = { sweep_id: 's', cells: 2, points: [point, missing], front: [0], objectives: [] };
  const table = sweepTable(report);
  expect(table.columns.map((c) => c.header)).toEqual(['cell', 'strategy', 'rate ×', 'conns', 'offered/s', 'goodput', 'p99_ack_ms', 'overdraft_count', 'overdraft_amount', 'reject_pct', 'front']);
  expect(table.rows[0]).toEqual(['0', 'atomic', '1', '8', '1,000', '990', '12.3', '1', '1,500', '2.50', '*']);
  expect(table.rows[1]!.slice(5, 10)).toEqual(['—', '—', '—', '—', '—']);
  expect(SWEEP_OBJECTIVES.map((o) => o.name)).toEqual(['goodput', 'p99_ack_ms', 'overdraft_amount']);
});
