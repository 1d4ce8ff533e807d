/**
 * Plain-text rendering of a {@link PlanSummary}: aligned columns, no colour,
 * what `hotbench run --dry-run` prints.
 */
import { OP_KINDS } from './op.js';
import type { PlanSummary } from './summary.js';
import { formatUsAsSeconds as formatSeconds } from '../units/duration.js';

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const rate = (n: number) => n.toFixed(1);
const pct = (part: number, whole: number) => (whole > 0 ? `${((100 * part) / whole).toFixed(1)}%` : '-');

/** Lays out rows as columns: the first column left-aligned, the rest right-aligned unless `left`. */
function table(rows: readonly (readonly string[])[], left = false): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === 0 || left ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ').trimEnd());
}

/** The summary as aligned plain text, one section per block, ending with a newline. */
export function formatPlanSummary(s: PlanSummary): string {
  const scaled = s.timeScale !== 1 || s.rateScale !== 1 ? `  (time ×${s.timeScale.toFixed(3)}, rate ×${s.rateScale}, budgets ×${s.budgetScale.toFixed(3)})` : '';
  const kinds = OP_KINDS.filter((k) => s.byKind[k] > 0).map((k) => `${k} ${int(s.byKind[k])}`).join(', ');
  const lines = [
    ...table([
      ['scenario', `${s.name} (seed ${s.seed})`],
      ['file', s.file],
      ['duration', `${formatSeconds(s.durationUs)}${scaled}`],
      ['accounts', `${int(s.accounts.total)} (${s.accounts.hot} hot)`],
      ['ops', `${int(s.totalOps)}: ${kinds || 'none'}`],
      ['hot / other', `${int(s.byClass.hot)} (${pct(s.byClass.hot, s.totalOps)}) / ${int(s.byClass.other)}`],
      ['bulk jobs', `${int(s.jobs.count)} job${s.jobs.count === 1 ? '' : 's'}, ${int(s.jobs.ops)} ops`],
      ['peak', `${int(s.peakPerSecond.ops)} ops in the second from ${formatSeconds(s.peakPerSecond.atUs)}`],
      ['sha256', s.sha256],
    ], true),
    '',
    ...table([
      ['phase', 'start', 'end', 'ops', 'expected/s', 'realised/s'],
      ...s.phases.map((p) => [p.name, formatSeconds(p.startUs), formatSeconds(p.endUs), int(p.ops), rate(p.expectedRate), rate(p.realisedRate)]),
    ]),
  ];
  if (s.hotAccounts.length > 0) {
    lines.push(
      '',
      ...table([
        ['hot account', 'balance', 'floor', 'threshold', 'debits', 'credits', 'below threshold', 'budget exhausted'],
        ...s.hotAccounts.map((h) => [
          h.name,
          int(h.balance),
          int(h.floor),
          int(h.threshold),
          int(h.debits),
          int(h.credits),
          h.thresholdAtUs === null ? 'never' : formatSeconds(h.thresholdAtUs),
          h.exhaustedAtUs === null ? 'never' : `${formatSeconds(h.exhaustedAtUs)} (${h.exhaustedPhase ?? '?'}${h.exhaustedInBurst ? ', in a burst' : ''})`,
        ]),
      ]),
    );
  }
  return lines.join('\n') + '\n';
}
