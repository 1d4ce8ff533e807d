/**
 * The verdict as lines of text, shared by the terminal, Markdown and HTML
 * reports (each escapes them for its format): the constraints, one line per
 * strategy (✓ qualifies, ? uncertain and on what, ✗ fails and on what, – not
 * judged and why), every headline figure with its 95% interval, the pick with
 * its reason (or "too close to call"), and how the intervals were made.
 */
import { formatMetricValue, metricNamed } from '../common/metrics.js';
import type { Estimate } from '../noise/interval.js';
import { HEADLINE_FIGURES } from '../common/verdict-types.js';
import type { JudgedStrategy, Verdict } from './verdict.js';

/** Mark of a strategy line. */
export type VerdictMark = '✓' | '?' | '✗' | '–';

/** `1,234/s (95% CI 1,180/s–1,290/s)` in the catalog's format for `unit`, or the value alone without an interval; `–` when not measured. */
function withInterval(e: Estimate | null, unit: string): string {
  if (e === null) return '–';
  const fmt = (v: number) => formatMetricValue(unit, v);
  return `${fmt(e.point)}${e.method === 'none' ? '' : ` (95% CI ${fmt(e.lo)}–${fmt(e.hi)})`}`;
}

/** The headline figures of one strategy with their intervals, by their catalog names: goodput, p99_ack_ms, posting_delay_p99_ms, overdraft_count. */
export function headlineText(j: JudgedStrategy): string {
  return HEADLINE_FIGURES.map((name) => `${name} ${withInterval(j.intervals.figures[name], metricNamed(name)?.unit ?? '')}`).join('; ');
}

/** One strategy's line. */
export interface VerdictLine {
  readonly mark: VerdictMark;
  /** `label [backend]`. */
  readonly title: string;
  /** `qualifies: ...`, `fails: ...`, `not judged (skipped): ...`. */
  readonly text: string;
}

/** The always-on rules, as printed after the SLO. */
export const INTEGRITY_RULES = 'ledger integrity: no lost, duplicated, phantom or mismatched op; conservation held on an audited ledger';

/** `constraints: p99_ack_ms ≤ 50.0 ms, overdraft_amount ≤ 0; always: ledger integrity ...`. */
export function verdictConstraints(v: Verdict): string {
  const slo = v.slo_text === 'none' ? 'no SLO given (set one in the scenario\'s slo block or with run --slo)' : v.slo_text;
  return `constraints: ${slo}; always: ${INTEGRITY_RULES}`;
}

/** One line per strategy label: judged ones in run order, then the ones not judged. */
export function verdictLines(v: Verdict): VerdictLine[] {
  const lines: VerdictLine[] = v.judged.map((j) => {
    const title = `${j.label} [${j.backend || '?'}]${j.replays > 1 ? ` ×${j.replays}` : ''}`;
    // The SLO checks not already shown as a headline figure (p99_ack_ms and posting_delay_p99_ms are).
    const slo = j.checks.filter((c) => !c.key.startsWith('integrity:') && c.key !== 'completed' && !(HEADLINE_FIGURES as readonly string[]).includes(c.key));
    if (j.standing === 'pass') return { mark: '✓', title, text: `qualifies: ${headlineText(j)}${slo.length > 0 ? `; ${slo.map((c) => c.text).join('; ')}` : ''}` };
    if (j.standing === 'uncertain') {
      return { mark: '?', title, text: `uncertain: ${j.checks.filter((c) => c.outcome === 'uncertain').map((c) => c.text).join('; ')}; ${headlineText(j)}` };
    }
    return { mark: '✗', title, text: `fails: ${j.checks.filter((c) => c.outcome === 'fail').map((c) => c.text).join('; ')}` };
  });
  for (const n of v.not_judged) lines.push({ mark: '–', title: `${n.label} [${n.backend || '?'}]`, text: `not judged (${n.status}): ${n.detail || 'no reason recorded'}` });
  return lines;
}

/** How the intervals were made, once per method used (`95% CI: bootstrap over 3 repetitions ...`). */
export function verdictIntervalNotes(v: Verdict): string[] {
  return [...new Set(v.judged.map((j) => j.intervals.method_text))];
}

/** `pick: atomic. <reason>`, `pick: too close to call (A, B). <reason>` or `pick: none. <reason>`. */
export function verdictPick(v: Verdict): string {
  if (v.too_close_to_call) return `pick: too close to call (${v.too_close_to_call.labels.join(', ')}). ${v.reason}`;
  return `pick: ${v.pick ?? 'none'}. ${v.reason}`;
}
