/**
 * The verdict as lines of text, shared by the terminal, Markdown and HTML
 * reports (each escapes them for its format): the constraints, one line per
 * strategy (✓ qualifies, ✗ fails and on what, – not judged and why), and the
 * pick with its reason.
 */
import { formatMs, formatRate } from '../common/format.js';
import type { Verdict } from './verdict.js';

/** Mark of a strategy line. */
export type VerdictMark = '✓' | '✗' | '–';

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

/** `constraints: ack p99 ≤ 50 ms, overdraft ≤ 0; always: ledger integrity ...`. */
export function verdictConstraints(v: Verdict): string {
  const slo = v.slo_text === 'none' ? 'no SLO given (set one in the scenario\'s slo block or with run --slo)' : v.slo_text;
  return `constraints: ${slo}; always: ${INTEGRITY_RULES}`;
}

/** One line per strategy label: judged ones in run order, then the ones not judged. */
export function verdictLines(v: Verdict): VerdictLine[] {
  const lines: VerdictLine[] = v.judged.map((j) => {
    const title = `${j.label} [${j.backend || '?'}]${j.replays > 1 ? ` ×${j.replays}` : ''}`;
    if (j.qualifies) {
      const slo = j.checks.filter((c) => !c.key.startsWith('integrity:') && c.key !== 'completed');
      const head = [`goodput ${formatRate(j.goodput_per_s)} ops/s`, ...(slo.some((c) => c.key === 'p99_ack_us') ? [] : [`ack p99 ${formatMs(j.ack_p99_us)} ms`])];
      return { mark: '✓', title, text: `qualifies: ${[...head, ...slo.map((c) => c.text)].join('; ')}` };
    }
    return { mark: '✗', title, text: `fails: ${j.checks.filter((c) => !c.ok).map((c) => c.text).join('; ')}` };
  });
  for (const n of v.not_judged) lines.push({ mark: '–', title: `${n.label} [${n.backend || '?'}]`, text: `not judged (${n.status}): ${n.detail || 'no reason recorded'}` });
  return lines;
}

/** One line per close call (`close call: ...`); none when the pick does not hinge on a near limit. */
export function verdictCloseCalls(v: Verdict): string[] {
  return v.close_calls.map((c) => c.text);
}

/** `pick: atomic. <reason>` or `pick: none. <reason>`. */
export function verdictPick(v: Verdict): string {
  return `pick: ${v.pick ?? 'none'}. ${v.reason}`;
}
