/**
 * A comparison as a pull-request comment (Markdown), as terminal text, and as
 * JSON. Markdown and terminal show the same cells: per strategy, every metric
 * that has a threshold, with baseline, candidate, change and verdict.
 */
import { NONE } from '../common/format.js';
import { formatMetricBare as formatBare, formatMetricValue as formatValue } from '../common/metrics.js';
import { alignTable, escapeMarkdown, markdownTable, type Table } from '../common/table.js';
import type { Comparison, MetricComparison, Spread, StrategyComparison } from './types.js';

export { formatMetricValue as formatValue } from '../common/metrics.js';

/** Median, with the range when the repetitions differ: `12.3 ms (11.9–13.0)`. */
function spreadText(unit: string, s: Spread | null): string {
  if (s === null) return NONE;
  const mid = formatValue(unit, s.median);
  return s.n > 1 && s.min !== s.max ? `${mid} (${formatBare(unit, s.min)}–${formatBare(unit, s.max)})` : mid;
}

function changeText(m: MetricComparison): string {
  if (m.change === null) return NONE;
  if (m.relative_change !== null && m.unit !== '%') {
    const v = Math.round(m.relative_change * 1000) / 10;
    return `${v > 0 ? '+' : ''}${v}%`;
  }
  const sign = m.change > 0 ? '+' : m.change < 0 ? '−' : '';
  const abs = Math.abs(m.change);
  return `${sign}${m.unit === '%' ? `${formatBare(m.unit, abs)} pp` : formatValue(m.unit, abs)}`;
}

const VERDICT_TEXT: Readonly<Record<MetricComparison['verdict'], string>> = { pass: 'pass', regression: 'REGRESSION', inconclusive: 'inconclusive', improved: 'improved', info: '', 'n/a': 'n/a' };

/** The 95% interval of the worse-direction change, as signed percentages of the baseline (`+3.1%..+40.2%`), or ''. */
function intervalText(m: MetricComparison): string {
  const i = m.change_interval;
  if (i === null) return '';
  const worseSign = m.direction === 'higher_is_worse' ? 1 : -1;
  const pct = (x: number): string => (Number.isFinite(x) ? `${x >= 0 ? '+' : '−'}${Math.abs(Math.round(x * 1000) / 10)}%` : x > 0 ? '+∞' : '−∞');
  // Back from "worse" to the metric's own sign, so the interval reads like the change column.
  const [a, b] = [worseSign * i.lo, worseSign * i.hi].sort((x, y) => x - y) as [number, number];
  return `${pct(a)}..${pct(b)}`;
}

/** The per-strategy table: gated metrics only. */
export function strategyTable(s: StrategyComparison): Table {
  const rows = s.metrics
    .filter((m) => m.threshold !== null)
    .map((m) => [m.metric, spreadText(m.unit, m.baseline), spreadText(m.unit, m.candidate), changeText(m), intervalText(m), m.threshold!.rule, VERDICT_TEXT[m.verdict]]);
  return {
    columns: [
      { header: 'metric', align: 'left' },
      { header: 'baseline', align: 'right' },
      { header: 'candidate', align: 'right' },
      { header: 'change', align: 'right' },
      { header: '95% CI of change', align: 'right' },
      { header: 'min effect / cap', align: 'left' },
      { header: 'verdict', align: 'left' },
    ],
    rows,
  };
}

function runLine(label: string, r: Comparison['baseline']): string {
  const git = r.git.branch || r.git.rev ? ` (${r.git.branch || '?'} @ ${r.git.rev.slice(0, 10) || '?'})` : '';
  return `${label} ${r.run_id}${git}, started ${r.started_at} UTC`;
}

function headline(c: Comparison): string {
  const names = (xs: Comparison['breaches']): string => [...new Set(xs.map((b) => `${b.metric} on ${b.strategy}`))].join(', ');
  if (c.decision === 'regression') return `regression: ${names(c.breaches)}`;
  if (c.decision === 'inconclusive') return `inconclusive (the noise is too wide to tell; more repetitions would): ${names(c.inconclusive)}`;
  return 'pass';
}

/** The Markdown headline's mark: ✅ pass, ❌ regression, ❔ inconclusive. */
function mark(c: Comparison): string {
  return c.decision === 'regression' ? '❌' : c.decision === 'inconclusive' ? '❔' : '✅';
}

function strategyHeader(s: StrategyComparison): string {
  const backend = s.backend.candidate || s.backend.baseline;
  const verdict = s.verdict === 'regression' ? 'REGRESSION' : s.verdict;
  return `${s.label}${backend ? ` [${backend}]` : ''}: ${verdict}`;
}

function strategyLines(s: StrategyComparison): string[] {
  const lines = [`${s.reps.baseline} baseline vs ${s.reps.candidate} candidate repetitions; ${s.test_description}`];
  for (const d of s.not_completed.baseline) lines.push(`baseline repetition ${d}`);
  for (const d of s.not_completed.candidate) lines.push(`candidate repetition ${d}`);
  return lines;
}

function footer(c: Comparison): string[] {
  const out: string[] = [];
  if (c.only_in_baseline.length > 0) out.push(`only in the baseline (not compared): ${c.only_in_baseline.join(', ')}`);
  if (c.only_in_candidate.length > 0) out.push(`only in the candidate (not compared): ${c.only_in_candidate.join(', ')}`);
  out.push(...c.notes);
  return out;
}

/** The comparison as GitHub Markdown, fit for a pull-request comment (newline-terminated). */
export function renderCompareMarkdown(c: Comparison): string {
  const out = [
    `## hotbench compare: ${mark(c)} ${escapeMarkdown(headline(c))}`,
    '',
    `- ${escapeMarkdown(runLine('candidate', c.candidate))}`,
    `- ${escapeMarkdown(runLine('baseline', c.baseline))}`,
    `- scenario ${escapeMarkdown(c.candidate.scenario)}${c.same_scenario ? '' : ` (baseline: ${escapeMarkdown(c.baseline.scenario)})`}; same op stream: ${c.same_stream ? 'yes' : 'no'}`,
  ];
  for (const b of c.breaches) out.push(`- **regression**: ${escapeMarkdown(`${b.metric} on ${b.strategy}: ${b.reason}`)}`);
  for (const b of c.inconclusive) out.push(`- inconclusive: ${escapeMarkdown(`${b.metric} on ${b.strategy}: ${b.reason}`)}`);
  for (const s of c.strategies) {
    out.push('', `### ${escapeMarkdown(strategyHeader(s))}`, '', ...strategyLines(s).map((l) => `${escapeMarkdown(l)}  `));
    const table = strategyTable(s);
    if (table.rows.length > 0) out.push('', ...markdownTable(table).map((row) => row.replace('| REGRESSION |', '| **REGRESSION** |')));
  }
  const notes = footer(c);
  if (notes.length > 0) out.push('', ...notes.map((n) => `- ${escapeMarkdown(n)}`));
  out.push(
    '',
    `<sub>A change is a regression when its 95% interval lies wholly on the worse side of 0 and it is at least the metric's minimum effect; a pass when the interval's worse end stays below the minimum effect; inconclusive otherwise (exit 3: repeat with more repetitions). Caps are checked on the candidate alone (worst repetition for money-safety counts). Exit codes: 0 pass, 1 regression, 3 inconclusive, 2 usage or tool error.</sub>`,
  );
  return `${out.join('\n')}\n`;
}

/** The comparison as plain terminal text (newline-terminated). */
export function renderCompareTerminal(c: Comparison): string {
  const out = [`hotbench compare: ${headline(c)}`, runLine('candidate', c.candidate), runLine('baseline ', c.baseline), `scenario ${c.candidate.scenario}${c.same_scenario ? '' : ` (baseline: ${c.baseline.scenario})`}; same op stream: ${c.same_stream ? 'yes' : 'no'}`];
  for (const s of c.strategies) {
    out.push('', strategyHeader(s), ...strategyLines(s).map((l) => `  ${l}`));
    const table = strategyTable(s);
    if (table.rows.length > 0) out.push(...alignTable(table).map((l) => `  ${l}`));
  }
  const notes = footer(c);
  if (notes.length > 0) out.push('', ...notes);
  return `${out.join('\n')}\n`;
}

/** The comparison as pretty JSON text (the {@link Comparison} object, newline-terminated). */
export function renderCompareJson(c: Comparison): string {
  return `${JSON.stringify(c, null, 2)}\n`;
}
