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
import { NONE, formatInt, formatRate } from '../common/format.js';
import { formatMetricBare, metricNamed, type MetricDef } from '../common/metrics.js';
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
  /** The rest are catalog metrics (reports/common/metrics.ts), by name and in their units: ops/s, ms, count, minor units, percent. */
  readonly goodput: number | null;
  readonly p99_ack_ms: number | null;
  readonly overdraft_count: number | null;
  readonly overdraft_amount: number | null;
  readonly reject_pct: number | null;
}

/** The catalog metrics a sweep point carries, in table order. */
const POINT_METRICS = ['goodput', 'p99_ack_ms', 'overdraft_count', 'overdraft_amount', 'reject_pct'] as const;
const POINT_DEFS: readonly MetricDef[] = POINT_METRICS.map((name) => {
  const m = metricNamed(name);
  if (!m) throw new Error(`a sweep point carries ${name}, which the metric catalog does not define`);
  return m;
});

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

/** The objectives of the front: goodput up, p99_ack_ms down, overdraft_amount down. */
export const SWEEP_OBJECTIVES: readonly Objective<SweepPoint>[] = [
  { name: 'goodput', sense: 'max', value: (p) => p.goodput ?? Number.NaN },
  { name: 'p99_ack_ms', sense: 'min', value: (p) => p.p99_ack_ms ?? Number.NaN },
  { name: 'overdraft_amount', sense: 'min', value: (p) => p.overdraft_amount ?? Number.NaN },
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
  const none = { offered_per_s: null, goodput: null, p99_ack_ms: null, overdraft_count: null, overdraft_amount: null, reject_pct: null };
  try {
    const report = await loadRunReport(store, r.run_id);
    const s = report.strategies[0];
    if (s === undefined || s.status !== 'completed') return { ...base, ...none, status: s ? s.status : 'missing' };
    return {
      ...base,
      status: report.run.status,
      offered_per_s: s.offered_per_s,
      ...(Object.fromEntries(POINT_DEFS.map((m) => [m.name, m.value(s)])) as Pick<SweepPoint, (typeof POINT_METRICS)[number]>),
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
    columns: [right('cell'), { header: 'strategy', align: 'left' }, right('rate ×'), right('conns'), right('offered/s'), ...POINT_DEFS.map((m) => right(m.name)), { header: 'front', align: 'left' }],
    rows: report.points.map((p) => [
      String(p.cell),
      p.status === 'complete' ? p.strategy : `${p.strategy} (${p.status})`,
      String(p.rate_scale),
      String(p.connections),
      formatRate(p.offered_per_s),
      ...POINT_DEFS.map((m) => {
        const v = p[m.name as (typeof POINT_METRICS)[number]];
        return v === null ? NONE : formatMetricBare(m.unit, v);
      }),
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
    ...front.map((p) => `- cell ${p.cell}: ${escapeMarkdown(p.strategy)} at rate × ${p.rate_scale}, ${p.connections} connections: goodput ${formatRate(p.goodput)}/s, p99_ack_ms ${p.p99_ack_ms === null ? NONE : formatMetricBare('ms', p.p99_ack_ms)}, overdraft_amount ${formatInt(p.overdraft_amount)}`),
    ...(missing > 0 ? ['', `${missing} cell${missing > 1 ? 's have' : ' has'} no recorded run (not run yet, or its process died).`] : []),
    '',
    'Figures within run-to-run noise (a p99 moves 3–21% between runs here) can swap places on the front; rerun the close ones.',
    '',
  ].join('\n');
}
