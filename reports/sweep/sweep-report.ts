/**
 * The report of a sweep (`hotbench sweep`): every cell of the grid as a
 * table row (its strategy, rate scale, pool size and headline figures, read
 * back from its run in ClickHouse like any report), and the Pareto front
 * over goodput (up), ack p99 (down) and overdraft (down): the cells worth
 * choosing between. Goodput is (applied + accepted) / s; a money-safe
 * goodput (DESIGN.md §5) replaces it here once the runs record one.
 */
import type { Store } from '../../results/store.js';
import type { SweepCellRow } from '../../results/rows.js';
import { formatInt, formatMs, formatRate } from '../common/format.js';
import { paretoFront, type Objective } from './pareto.js';
import { loadRunReport } from '../run/queries.js';
import { escapeMarkdown, markdownTable, type Table } from '../common/table.js';

/** One cell's figures. Null figures: the cell's run failed, was skipped or is missing. */
export interface SweepPoint {
  readonly cell: number;
  readonly run_id: string;
  readonly strategy: string;
  readonly rate_scale: number;
  readonly connections: number;
  /** The cell run's end status, or `missing` when its run cannot be read. */
  readonly status: string;
  readonly offered_per_s: number | null;
  readonly goodput_per_s: number | null;
  readonly ack_p99_us: number | null;
  /** Overdrafts: incidents and the money by which floors were broken (minor units). */
  readonly overdraft_count: number | null;
  readonly overdraft_amount: number | null;
  readonly reject_share: number | null;
}

/** A loaded sweep. */
export interface SweepReport {
  readonly sweep_id: string;
  /** Cells the grid has, and the points of those recorded so far (by cell index). */
  readonly cells: number;
  readonly points: readonly SweepPoint[];
  /** Cell indexes on the Pareto front. */
  readonly front: readonly number[];
  readonly objectives: readonly string[];
}

/** The objectives of the front: goodput up, ack p99 down, overdraft amount down. */
export const SWEEP_OBJECTIVES: readonly Objective<SweepPoint>[] = [
  { name: 'goodput', sense: 'max', value: (p) => p.goodput_per_s ?? Number.NaN },
  { name: 'ack p99', sense: 'min', value: (p) => p.ack_p99_us ?? Number.NaN },
  { name: 'overdraft', sense: 'min', value: (p) => p.overdraft_amount ?? Number.NaN },
];

/** Reads the sweep's cells and each cell's run. Throws a `StoreError` for a bad id. */
export async function loadSweepReport(store: Store, sweepId: string): Promise<SweepReport> {
  const rows = await store.query<SweepCellRow>('SELECT * FROM sweep_cells WHERE sweep_id = {sweep:String} ORDER BY cell', { sweep: sweepId });
  const latest = new Map<number, SweepCellRow>();
  for (const r of rows) latest.set(r.cell, r); // a rerun cell: its last run counts
  const points: SweepPoint[] = [];
  for (const r of [...latest.values()].sort((a, b) => a.cell - b.cell)) points.push(await pointOf(store, r));
  const front = paretoFront(points.filter((p) => p.status === 'complete'), SWEEP_OBJECTIVES).map((p) => p.cell);
  return { sweep_id: sweepId, cells: rows[0]?.cells ?? 0, points, front, objectives: SWEEP_OBJECTIVES.map((o) => `${o.name} (${o.sense})`) };
}

async function pointOf(store: Store, r: SweepCellRow): Promise<SweepPoint> {
  const base = { cell: r.cell, run_id: r.run_id, strategy: r.strategy, rate_scale: r.rate_scale, connections: r.connections };
  const none = { offered_per_s: null, goodput_per_s: null, ack_p99_us: null, overdraft_count: null, overdraft_amount: null, reject_share: null };
  try {
    const report = await loadRunReport(store, r.run_id);
    const s = report.strategies[0];
    if (s === undefined || s.status !== 'completed') return { ...base, ...none, status: s ? s.status : 'missing' };
    return {
      ...base,
      status: report.run.status,
      offered_per_s: s.offered_per_s,
      goodput_per_s: s.goodput_per_s,
      ack_p99_us: s.ack_latency_us.p99,
      overdraft_count: s.overdrafts.count,
      overdraft_amount: s.overdrafts.amount,
      reject_share: s.rejects.share,
    };
  } catch {
    return { ...base, ...none, status: 'missing' };
  }
}

/** The cells as a table, front cells marked with `*`. */
export function sweepTable(report: SweepReport): Table {
  const right = (header: string) => ({ header, align: 'right' as const });
  const front = new Set(report.front);
  return {
    columns: [right('cell'), { header: 'strategy', align: 'left' }, right('rate ×'), right('conns'), right('offered/s'), right('goodput/s'), right('ack p99 ms'), right('overdrafts'), right('overdrawn'), right('rejects'), { header: 'front', align: 'left' }],
    rows: report.points.map((p) => [
      String(p.cell),
      p.status === 'complete' ? p.strategy : `${p.strategy} (${p.status})`,
      String(p.rate_scale),
      String(p.connections),
      formatRate(p.offered_per_s),
      formatRate(p.goodput_per_s),
      formatMs(p.ack_p99_us),
      formatInt(p.overdraft_count),
      formatInt(p.overdraft_amount),
      p.reject_share === null ? '—' : `${(p.reject_share * 100).toFixed(1)}%`,
      front.has(p.cell) ? '*' : '',
    ]),
  };
}

/** The sweep report as Markdown (newline-terminated). */
export function renderSweepMarkdown(report: SweepReport): string {
  const missing = report.cells - report.points.length;
  const front = report.points.filter((p) => report.front.includes(p.cell));
  return [
    `# hotbench sweep ${escapeMarkdown(report.sweep_id)}: ${report.points.length} of ${report.cells} cells`,
    '',
    ...markdownTable(sweepTable(report)),
    '',
    `Pareto front over ${report.objectives.join(', ')}: ${front.length} cell${front.length === 1 ? '' : 's'} (marked *) that no other cell beats on every objective at once.`,
    ...front.map((p) => `- cell ${p.cell}: ${escapeMarkdown(p.strategy)} at rate × ${p.rate_scale}, ${p.connections} connections: ${formatRate(p.goodput_per_s)} ops/s, p99 ${formatMs(p.ack_p99_us)} ms, ${formatInt(p.overdraft_amount)} overdrawn`),
    ...(missing > 0 ? ['', `${missing} cell${missing > 1 ? 's have' : ' has'} no recorded run (not run yet, or its process died).`] : []),
    '',
    'Figures within run-to-run noise (a p99 moves 3–21% between runs here) can swap places on the front; rerun the close ones.',
    '',
  ].join('\n');
}
