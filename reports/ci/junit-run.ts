/**
 * A run's verdict as JUnit suites (`run --junit FILE`): one suite per
 * strategy label, one test case per check the verdict made (each SLO limit,
 * then ledger integrity), so a CI page lists `atomic › ack p99 ≤ 50 ms`
 * beside the unit tests. A failed check's message is the verdict's own
 * `measured vs limit` text; a check the verdict could not call (its interval
 * straddles the limit) is skipped with that reason; a strategy that was not
 * judged (skipped: its needs unmet; failed; interrupted) is one case saying so.
 */
import type { RunReport } from '../common/report-types.js';
import type { VerdictCheck } from '../common/verdict-types.js';
import { isoTimestamp, renderJUnit, type CaseOutcome, type JUnitCase, type JUnitSuite } from './junit.js';

/**
 * A check as the verdict records it. `outcome` (or `status`) is read when
 * present: a verdict that weighs noise says `uncertain` for a check whose
 * interval straddles the limit (with `reason`); without it, `ok` decides.
 */
export type CheckLike = Pick<VerdictCheck, 'key' | 'rule' | 'limit' | 'measured' | 'ok' | 'text'> & {
  readonly outcome?: string;
  readonly status?: string;
  readonly reason?: string;
};

/** passed / failed (measured vs limit) / skipped (uncertain, with the reason). */
export function checkOutcome(check: CheckLike): CaseOutcome {
  if ((check.outcome ?? check.status) === 'uncertain') return { kind: 'skipped', message: `too close to call: ${check.reason ?? check.text}` };
  if (check.ok) return { kind: 'passed' };
  const measured = check.measured === null ? 'nothing was measured' : `measured ${check.measured}`;
  return { kind: 'failed', message: check.text, detail: `${check.rule}: ${check.text} (${measured}, limit ${check.limit}; values in the check's unit: µs, minor units, share or count)` };
}

/** The suites of `report`'s verdict. */
export function runJUnitSuites(report: Pick<RunReport, 'run' | 'strategies' | 'verdict'>): JUnitSuite[] {
  const run = report.run;
  const v = report.verdict;
  const classOf = (label: string) => `hotbench.${run.scenario}.${label}`;
  const firstReplay = (label: string) => report.strategies.find((s) => s.label === label);
  const suites: JUnitSuite[] = v.judged.map((j) => {
    const replay = firstReplay(j.label);
    const cases: JUnitCase[] = j.checks.map((c) => ({
      classname: classOf(j.label),
      name: c.rule,
      outcome: checkOutcome(c),
      properties: { key: c.key, limit: c.limit, ...(c.measured !== null ? { measured: c.measured } : {}) },
    }));
    return {
      name: `${j.label} [${j.backend || '?'}]`,
      ...(replay?.started_at ? { timestamp: isoTimestamp(replay.started_at)! } : {}),
      ...(replay ? { time: replay.elapsed_us / 1e6 } : {}),
      properties: { run_id: run.run_id, scenario: run.scenario, replays: j.replays, qualifies: String(j.qualifies), ...(j.goodput !== null ? { goodput: j.goodput } : {}) },
      cases,
    };
  });
  for (const n of v.not_judged) {
    const why = `${n.status}: ${n.detail || 'no reason recorded'}`;
    const outcome: CaseOutcome = n.status === 'skipped' ? { kind: 'skipped', message: why } : { kind: 'failed', message: `replay ${why}` };
    suites.push({ name: `${n.label} [${n.backend || '?'}]`, properties: { run_id: run.run_id, scenario: run.scenario }, cases: [{ classname: classOf(n.label), name: 'replay completed', outcome }] });
  }
  return suites;
}

/** The whole `run --junit` document. */
export function renderRunJUnit(report: Pick<RunReport, 'run' | 'strategies' | 'verdict'>): string {
  const v = report.verdict;
  return renderJUnit(`hotbench run ${report.run.run_id} (${report.run.scenario}): pick ${v.pick ?? 'none'}`, runJUnitSuites(report));
}
