/**
 * The capacity report as terminal text, Markdown and JSON: a summary (highest
 * sustained rate per strategy, first breach, what broke first, the ratio to
 * the first strategy), then each strategy's rate → latency curve with the
 * knee and the first breach marked. The cells are built once here, so the
 * terminal and Markdown show the same figures.
 */
import { formatInt, formatMs, formatRate, formatShare, NONE } from '../common/format.js';
import { alignTable, escapeMarkdown, markdownTable, type Table } from '../common/table.js';
import { MAX_STEP_US, type CapacityRatio, type CapacityReport, type CapacityStep, type CapacityStrategy } from './types.js';

/** `566/s`, `≥ 25,600/s`, `< 13/s` (the lowest rate tried; step rates are whole ops/s). */
export function maxText(s: CapacityStrategy, startPerS: number): string {
  if (s.max_sustained_per_s === null) return `< ${formatInt(s.steps[0]?.rate_per_s ?? startPerS)}/s`;
  const k = s.knee_goodput;
  const interval = k && k.reps > 1 ? ` (goodput there ${formatInt(k.point)}/s, 95% CI ${formatInt(k.lo)}–${formatInt(k.hi)}, ${k.reps} repetitions)` : '';
  return `${s.bound === 'at-least' ? '≥ ' : ''}${formatInt(s.max_sustained_per_s)}/s${interval}`;
}

/** Printed under every capacity report: the figures are only comparable at the same step length. */
export const RUN_LENGTH_NOTE =
  "capacity depends on run length: a hot row's dead versions and a growing entries table slow every later update (see pg_dead_tuples and pg_ledger_bytes in the telemetry), so compare knees measured with the same step settings (--step-duration, --min-step-ops, --max-step-ops)";

/** `aggregate / row-lock = 45.2×` (with ≥ / ≤ / ? when a side is a lower bound). */
export function ratioText(r: CapacityRatio): string {
  const value = `${r.ratio >= 10 ? r.ratio.toFixed(1) : r.ratio.toFixed(2)}×`;
  const q = r.qualifier === '=' ? '' : r.qualifier === '?' ? '? ' : `${r.qualifier} `;
  const caveat = r.qualifier === '?' ? ' (both are lower bounds: undetermined)' : '';
  return `${r.numerator} / ${r.denominator} = ${q}${value}${caveat}`;
}

/** The summary table: one row per strategy. */
export function summaryTable(c: CapacityReport): Table {
  return {
    columns: [
      { header: 'strategy [backend]', align: 'left' },
      { header: 'max within SLO', align: 'right' },
      { header: 'first breach', align: 'right' },
      { header: 'steps', align: 'right' },
      { header: 'what broke first', align: 'left' },
    ],
    rows: c.strategies.map((s) => [
      `${s.label} [${s.backend || '?'}]`,
      maxText(s, c.settings.start_per_s),
      s.first_fail_per_s === null ? `none ≤ ${formatInt(c.settings.max_per_s)}/s` : `${formatInt(s.first_fail_per_s)}/s`,
      String(s.steps.length),
      s.broke_first ? `${s.broke_first.category}: ${s.broke_first.detail}` : 'nothing (the search reached --max)',
    ]),
  };
}

function mark(s: CapacityStrategy, step: CapacityStep): string {
  if (s.knee_per_s === step.rate_per_s && step.verdict === 'pass') return '← knee: max within SLO';
  if (s.first_fail_per_s === step.rate_per_s && step.verdict !== 'pass') return '← first breach';
  return '';
}

function verdictText(step: CapacityStep): string {
  if (step.verdict === 'pass') return 'pass';
  if (step.verdict === 'not-run') return `not run (${step.status})`;
  const terms = step.breaches.map((b) => b.term).join(', ');
  return step.verdict === 'driver-limited' ? `driver-limited (${terms})` : `fail: ${terms}`;
}

/** One strategy's curve, by rate. */
export function curveTable(s: CapacityStrategy): Table {
  const right = (header: string) => ({ header, align: 'right' as const });
  return {
    columns: [
      right('rate/s'),
      right('step s'),
      right('goodput/s'),
      right('kept up'),
      right('p50 ms'),
      right('p99 ms'),
      right('p99.9 ms'),
      right('service p99 ms'),
      right('rejects'),
      right('late'),
      right('max in flight'),
      { header: 'verdict', align: 'left' },
    ],
    rows: s.steps.map((st) => [
      formatInt(st.rate_per_s),
      (st.schedule_us / 1e6).toFixed(1),
      formatRate(st.goodput_per_s),
      st.kept_up === null ? NONE : formatShare(st.kept_up),
      formatMs(st.ack_us.p50),
      formatMs(st.ack_us.p99),
      formatMs(st.ack_us.p999),
      formatMs(st.service_p99_us),
      formatShare(st.reject_share),
      formatShare(st.late_share),
      formatInt(st.max_in_flight),
      [verdictText(st), mark(s, st)].filter((t) => t !== '').join('  '),
    ]),
  };
}

function headerLines(c: CapacityReport): string[] {
  const s = c.settings;
  return [
    `SLO ${c.slo}`,
    `steps from ${formatInt(s.start_per_s)}/s ×${s.factor} up to ${formatInt(s.max_per_s)}/s, then ${s.bisect} bisection steps; ${stepLengthText(s)}`,
  ];
}

/** How long a step lasted, in words: its duration and the op bounds that stretch or shrink it. */
export function stepLengthText(s: CapacityReport['settings']): string {
  // Runs recorded before the op minimum existed repeated a step only until its goodput was tight.
  const min = s.min_step_ops ? `, stretched to plan at least ${formatInt(s.min_step_ops)} ops (up to ${MAX_STEP_US / 1e6} s)` : '';
  const agree = s.min_step_ops ? ' and its repetitions agree on the verdict' : '';
  return `each step ${(s.step_duration_us / 1e6).toFixed(1)} s${min}, shrunk to plan at most ${formatInt(s.max_step_ops)} ops (never under 1 s), repeated until its goodput is within ±10%${agree}`;
}

const DRIVER_NOTE = 'driver-limited = the harness could not offer the load (ops sent late while the strategy answered within the SLO): the maximum is a lower bound, not the strategy\'s ceiling.';

/** The report as terminal text (newline-terminated). */
export function renderCapacityTerminal(c: CapacityReport): string {
  const out = [`hotbench capacity ${c.run.run_id}: ${c.run.scenario} (${c.run.status})`, ...headerLines(c), '', ...alignTable(summaryTable(c))];
  if (c.ratios.length > 0) out.push('', ...c.ratios.map(ratioText));
  for (const s of c.strategies) out.push('', `${s.label} [${s.backend || '?'}]: rate → ack latency`, ...alignTable(curveTable(s)).map((l) => `  ${l}`));
  if (c.strategies.some((s) => s.steps.some((st) => st.verdict === 'driver-limited'))) out.push('', DRIVER_NOTE);
  out.push('', RUN_LENGTH_NOTE);
  return `${out.join('\n')}\n`;
}

/** The report as GitHub Markdown (newline-terminated). */
export function renderCapacityMarkdown(c: CapacityReport): string {
  const out = [`# hotbench capacity ${escapeMarkdown(c.run.run_id)}: ${escapeMarkdown(c.run.scenario)} (${c.run.status})`, '', ...headerLines(c).map((l) => `- ${escapeMarkdown(l)}`), '', ...markdownTable(summaryTable(c))];
  if (c.ratios.length > 0) out.push('', ...c.ratios.map((r) => `- **${escapeMarkdown(ratioText(r))}**`));
  for (const s of c.strategies) out.push('', `## ${escapeMarkdown(`${s.label} [${s.backend || '?'}]`)}`, '', ...markdownTable(curveTable(s)));
  if (c.strategies.some((s) => s.steps.some((st) => st.verdict === 'driver-limited'))) out.push('', escapeMarkdown(DRIVER_NOTE));
  out.push('', escapeMarkdown(RUN_LENGTH_NOTE));
  out.push('', `Run ${escapeMarkdown(c.run.run_id)} · git ${escapeMarkdown(c.run.git.branch || NONE)} @ ${escapeMarkdown(c.run.git.rev || NONE)} · host ${escapeMarkdown(c.run.host.name)} (${c.run.host.cores} cores)`);
  return `${out.join('\n')}\n`;
}

/** The report as pretty JSON (newline-terminated). */
export function renderCapacityJson(c: CapacityReport): string {
  return `${JSON.stringify(c, null, 2)}\n`;
}
