/**
 * The cells every human-facing report shows, built once from a RunReport so
 * the terminal, Markdown and HTML tables carry identical figures. Renderers
 * only lay these strings out (and escape them for their format).
 */
import type { RunReport, StrategyReport } from '../common/report-types.js';
import type { Column, Table } from '../common/table.js';
import { WAIT_KINDS, waitCell, waitDefinitions, waitHeader } from '../common/waits.js';
import { NONE, formatBytes, formatInt, formatMs, formatRate, formatSeconds, formatShare } from '../common/format.js';
import { formatMetricBare, formatMetricValue, metricNamed, type MetricDef } from '../common/metrics.js';

const left = (header: string): Column => ({ header, align: 'left' });
const right = (header: string): Column => ({ header, align: 'right' });

/** `label [backend]`, with the repetition (`#2`) when the run repeated, and the status when not completed. */
export function strategyTitle(s: StrategyReport, repeated: boolean): string {
  const rep = repeated ? ` #${s.rep + 1}` : '';
  const status = s.status === 'completed' ? '' : ` (${s.status})`;
  return `${s.label} [${s.backend || '?'}]${rep}${status}`;
}

function repeated(report: RunReport): boolean {
  return report.strategies.some((s) => s.rep > 0);
}

/** ✓ conservation held, ✗ it did not, — not audited. */
export function conservationMark(s: StrategyReport): string {
  return s.conservation.ok === null ? NONE : s.conservation.ok ? '✓' : '✗';
}

/** A catalog metric a table shows (a name missing from the catalog is a start-up error, not a blank column). */
function metric(name: string): MetricDef {
  const m = metricNamed(name);
  if (!m) throw new Error(`the run tables show ${name}, which the metric catalog (reports/common/metrics.ts) does not define`);
  return m;
}

/** A catalog metric's value for one replay, formatted as the catalog formats it (without the unit: the name carries it). */
function cell(m: MetricDef, s: StrategyReport): string {
  const v = m.value(s);
  return v === null ? NONE : formatMetricBare(m.unit, v);
}

const [GOODPUT, MONEY_SAFE, P50, P99, P999, MAX, REJECTS, OVERDRAFTS, OVERDRAWN, LOST, DUPLICATED] = [
  'goodput', 'money_safe_goodput', 'p50_ack_ms', 'p99_ack_ms', 'p999_ack_ms', 'max_ack_ms', 'reject_pct', 'overdraft_count', 'overdraft_amount', 'lost', 'duplicated',
].map(metric) as [MetricDef, MetricDef, MetricDef, MetricDef, MetricDef, MetricDef, MetricDef, MetricDef, MetricDef, MetricDef, MetricDef];
const [POSTING_P99, SUPPRESSED, FALSE_DECLINES, STALE_READS, PHANTOM, MISMATCH] = ['posting_delay_p99_ms', 'suppressed', 'false_declines', 'stale_reads', 'phantom', 'mismatch'].map(metric) as [MetricDef, MetricDef, MetricDef, MetricDef, MetricDef, MetricDef];

/** The main comparison table (DESIGN.md §5 metrics, one row per replay); columns named as in the metric catalog. */
export function summaryTable(report: RunReport): Table {
  const columns = [
    left('strategy [backend]'), right('offered/s'), ...[GOODPUT, MONEY_SAFE, P50, P99, P999, MAX].map((m) => right(m.name)),
    right(waitHeader(WAIT_KINDS.lock)), right(waitHeader(WAIT_KINDS.pool)), right(`rejects (${REJECTS.name})`), right(`${OVERDRAFTS.name} / ${OVERDRAWN.name}`), right(LOST.name), right(DUPLICATED.name), right('conservation'),
  ];
  const rep = repeated(report);
  const rows = report.strategies.map((s) => {
    if (s.ops.recorded === 0) return [strategyTitle(s, rep), ...columns.slice(1).map(() => NONE)];
    return [
      strategyTitle(s, rep),
      formatRate(s.offered_per_s),
      ...[GOODPUT, MONEY_SAFE, P50, P99, P999, MAX].map((m) => cell(m, s)),
      waitCell(s.lock_wait),
      waitCell(s.pool_wait),
      s.rejects.total > 0 ? `${formatInt(s.rejects.total)} (${formatMetricValue(REJECTS.unit, REJECTS.value(s) ?? 0)})` : '0',
      `${cell(OVERDRAFTS, s)} / ${cell(OVERDRAWN, s)}`,
      cell(LOST, s),
      cell(DUPLICATED, s),
      conservationMark(s),
    ];
  });
  return { columns, rows };
}

/** The second table: op accounting, posting delay and the other incident kinds. */
export function detailTable(report: RunReport): Table {
  const columns = [
    left('strategy [backend]'), right('planned'), right('sent'), right('late'), right('acked'), right('posted'), right('posting_delay_p50_ms'), right(POSTING_P99.name),
    right('posting_delay_max_ms'), ...[SUPPRESSED, FALSE_DECLINES, STALE_READS, PHANTOM, MISMATCH].map((m) => right(m.name)), right('signals'), right('notes'),
  ];
  const rep = repeated(report);
  const rows = report.strategies.map((s) => [
    strategyTitle(s, rep),
    formatInt(s.ops.planned),
    formatInt(s.ops.sent),
    formatInt(s.ops.late),
    formatInt(s.ops.acked),
    formatInt(s.posting_delay_us.posted),
    formatMs(s.posting_delay_us.p50),
    cell(POSTING_P99, s),
    formatMs(s.posting_delay_us.max),
    ...[SUPPRESSED, FALSE_DECLINES, STALE_READS, PHANTOM, MISMATCH].map((m) => cell(m, s)),
    formatInt(s.events.signals),
    formatInt(s.events.notes),
  ]);
  return { columns, rows };
}

/** One line per replay that did not complete, with its reason: `buffer [kafka] skipped: needs kafka ...`. */
export function statusLines(report: RunReport): string[] {
  const rep = repeated(report);
  return report.strategies
    .filter((s) => s.status !== 'completed')
    .map((s) => `${strategyTitle({ ...s, status: 'completed' }, rep)} ${s.status}: ${s.detail || 'no reason recorded'}`);
}

/** One line per replay with rejects: `row-lock [postgres]: insufficient_funds 30 (3.0%), timeout 12 (1.2%)`. */
export function rejectLines(report: RunReport): string[] {
  const rep = repeated(report);
  return report.strategies
    .filter((s) => s.rejects.by_reason.length > 0)
    .map((s) => `${strategyTitle(s, rep)}: ${s.rejects.by_reason.map((r) => `${r.reason} ${formatInt(r.count)} (${formatShare(r.share)})`).join(', ')}`);
}

/** Where the numbers come from, as `[label, value]` pairs. */
export function provenance(report: RunReport): [string, string][] {
  const r = report.run;
  const v = r.versions;
  const pairs: [string, string][] = [
    ['run', `${r.run_id} · ${r.status}${r.status_reason ? ` (${r.status_reason})` : ''}`],
    ['scenario', `${r.scenario}${r.scenario_file ? ` (${r.scenario_file})` : ' (trace)'} · seed ${r.seed}`],
    ['plan', `${formatInt(r.planned_ops)} ops over ${formatSeconds(r.schedule_us / 1e6)} s · stream sha256 ${r.stream_sha256}`],
    ['time', `started ${r.started_at} UTC · ${r.finished_at ? `finished ${r.finished_at} UTC` : 'no end recorded'}`],
    ['command', r.command],
    ['versions', `hotbench ${v.hotbench} · node ${v.node} · PostgreSQL ${v.postgres || NONE} · ClickHouse ${v.clickhouse || NONE} · Redis ${v.redis || NONE} · Kafka ${v.kafka || NONE}`],
    ['git', `${r.git.rev || NONE}${r.git.branch ? ` (${r.git.branch})` : ''}`],
    ['host', `${r.host.name} · ${r.host.cores} cores · ${formatBytes(r.host.mem_bytes)}`],
  ];
  const model = report.strategies.find((s) => s.ledger_model)?.ledger_model;
  if (model) pairs.push(['ledger', model]);
  // Recorded by runs since the noise work (runner/api/run.ts): the CPU layout, and how much the machine varies on its own.
  const config = (r.config ?? {}) as { cpu_layout?: { text?: string }; noise_floor?: { text?: string } | null; ledger_shards?: number };
  if (config.cpu_layout?.text) pairs.push(['CPU layout', config.cpu_layout.text]);
  if ((config.ledger_shards ?? 1) > 1) pairs.push(['ledger shards', `${config.ledger_shards} PostgreSQL servers, for sharded(...) strategies (the others run on the first)`]);
  if (config.noise_floor?.text) pairs.push(['noise floor', config.noise_floor.text]);
  for (const e of report.events) pairs.push([`run ${e.type}`, `${formatMs(e.at_us)} ms ${e.kind}${e.detail ? `: ${e.detail}` : ''}`]);
  const rep = repeated(report);
  for (const s of report.strategies) {
    for (const e of s.events.items) if (e.kind === 'database_kept') pairs.push(['kept database', `${strategyTitle(s, rep)}: ${e.detail}`]);
    // Which shard served which hot account: sharded(...)'s placement note.
    for (const e of s.events.items) if (e.kind === 'shard_placement') pairs.push(['shard placement', `${strategyTitle(s, rep)}: ${e.detail}`]);
  }
  return pairs;
}

/** The metric definitions printed under the tables (DESIGN.md §5), so readers need not look them up. */
export const DEFINITIONS = [
  'ack latency: intended send time → outcome returned (coordinated-omission safe); percentiles are exact (the observed value at rank floor(q·n), the rule of quantileExact, no interpolation)',
  'offered/s: planned ops / schedule seconds; goodput (ops/s): (applied + accepted) / max(schedule, last ack) seconds; money_safe_goodput: the same less the ops lost, duplicated or overdrawn (the verdict ranks by it); suppressed: charges upstream never sent after the budget signal (on_threshold: stop)',
  ...waitDefinitions(),
  'rejects: count (reject_pct: percent of recorded ops)',
  'overdraft_count / overdraft_amount: incidents / sum of the amounts below the floor (minor units); conservation: ✓ held for every account, ✗ broken, — not audited',
  'column names are the metric catalog\'s (docs/metrics.md): the suffix is the unit (_ms milliseconds, _s seconds, _pct percent)',
];
