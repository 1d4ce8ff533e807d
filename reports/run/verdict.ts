/**
 * The verdict: given a run's report and its constraints (an SLO), which
 * strategies qualify, which fail and on what (measured vs limit), and the
 * one to pick with the reason in one sentence. A pure function of
 * RunReport + SLO, so every renderer shows the same decision.
 *
 * Rules, in full:
 * - Only completed replays are judged; a label none of whose replays
 *   completed is listed as not judged (skipped, failed, interrupted) with its
 *   reason. A label with several repetitions is judged on its worst one (the
 *   worst measured value per constraint, its lowest goodput, its highest p99),
 *   and fails when any of its repetitions did not complete.
 * - Besides the SLO's limits, every strategy must keep the ledger whole, as
 *   no SLO can trade that away: no lost, duplicated, phantom or mismatched
 *   op, and conservation held on an audited ledger.
 * - A measurement that does not exist (no op acked, nothing posted) fails its
 *   limit; a stop-delivery limit fails on any threshold crossing that was
 *   never signalled, and passes when the balance never crossed.
 * - The pick: the highest money-safe goodput (applied and accepted ops never
 *   lost, duplicated or overdrawn, per second) among those that qualify; strategies
 *   within {@link GOODPUT_TIE_SHARE} of that goodput tie, and a tie goes to
 *   the lowest ack p99 (then the lowest p99.9, then run order).
 * - When none qualifies there is no pick; the reason names the nearest miss
 *   (fewest failed constraints, then highest goodput).
 * - Close calls (`./verdict-close-calls.ts`) name where a measurement within
 *   10% of its limit decides the pick, so that a reader knows a rerun may
 *   pick otherwise.
 */
import type { RunReport, StrategyReport } from '../common/report-types.js';
import { formatInt, formatMs, formatRate } from '../common/format.js';
import { closeCalls } from './verdict-close-calls.js';
import { SLO_KEYS, SLO_LABELS, describeSlo, formatValue, type Slo, type SloKey } from '../common/slo.js';
import type { JudgedStrategy, UnjudgedStrategy, Verdict, VerdictCheck } from '../common/verdict-types.js';

export type { JudgedStrategy, UnjudgedStrategy, Verdict, VerdictCheck } from '../common/verdict-types.js';

/** Goodputs within this share of the best one are a tie (run-to-run noise of the goodput window is about this size). */
export const GOODPUT_TIE_SHARE = 0.01;

/** Judges the report's strategies against `slo` (see the module docs for the rules). Reads `report.strategies` only. */
export function judge(report: Pick<RunReport, 'strategies'>, slo: Slo): Verdict {
  const labels = [...new Set(report.strategies.map((s) => s.label))];
  const judged: JudgedStrategy[] = [];
  const notJudged: UnjudgedStrategy[] = [];
  for (const label of labels) {
    const replays = report.strategies.filter((s) => s.label === label);
    const completed = replays.filter((s) => s.status === 'completed');
    if (completed.length === 0) {
      const first = replays[0]!;
      notJudged.push({ label, backend: first.backend, status: first.status, detail: first.detail });
      continue;
    }
    judged.push(judgeLabel(label, completed, replays, slo));
  }
  const qualified = judged.filter((j) => j.qualifies);
  const { pick, reason } = choose(judged, qualified);
  const close = closeCalls(judged, pick, (q) => choose(judged, q).pick);
  return { slo, slo_text: describeSlo(slo), judged, not_judged: notJudged, qualified: qualified.map((q) => q.label), pick, reason, close_calls: close };
}

function judgeLabel(label: string, completed: readonly StrategyReport[], all: readonly StrategyReport[], slo: Slo): JudgedStrategy {
  const perReplay = completed.map((s) => checksOf(s, slo));
  const checks = perReplay[0]!.map((_, i) => worst(perReplay.map((c) => c[i]!)));
  const unfinished = all.filter((s) => s.status !== 'completed');
  if (unfinished.length > 0) {
    const u = unfinished[0]!;
    checks.push({ key: 'completed', rule: 'every repetition completes', limit: 0, measured: unfinished.length, ok: false, text: `${unfinished.length} of ${all.length} repetitions did not complete (#${u.rep + 1} ${u.status}: ${u.detail || 'no reason recorded'})` });
  }
  const goodputs = completed.map((s) => s.goodput_per_s);
  const safe = completed.map((s) => s.money_safe_goodput_per_s ?? s.goodput_per_s);
  const highest = (values: readonly (number | null)[]) => (values.includes(null) ? null : Math.max(...(values as number[])));
  return {
    label,
    backend: [...new Set(completed.map((s) => s.backend))].join('/'),
    replays: completed.length,
    qualifies: checks.every((c) => c.ok),
    goodput_per_s: goodputs.includes(null) ? null : Math.min(...(goodputs as number[])),
    money_safe_goodput_per_s: safe.includes(null) ? null : Math.min(...(safe as number[])),
    ack_p99_us: highest(completed.map((s) => s.ack_latency_us.p99)),
    ack_p999_us: highest(completed.map((s) => s.ack_latency_us.p999)),
    checks,
  };
}

/** The worst of the same check over repetitions: a failure first, then nothing measured, then the largest value. */
function worst(checks: readonly VerdictCheck[]): VerdictCheck {
  const rank = (c: VerdictCheck) => (c.ok ? 0 : 2) + (c.measured === null ? 1 : 0);
  return checks.reduce((a, b) => (rank(b) > rank(a) || (rank(b) === rank(a) && (b.measured ?? 0) > (a.measured ?? 0)) ? b : a));
}

/** Every check of one replay: the SLO's limits in {@link SLO_KEYS} order, then ledger integrity. */
function checksOf(s: StrategyReport, slo: Slo): VerdictCheck[] {
  const checks: VerdictCheck[] = [];
  for (const key of SLO_KEYS) {
    const limit = slo[key];
    if (limit !== undefined) checks.push(sloCheck(s, key, limit));
  }
  const count = (key: string, what: string, n: number): VerdictCheck =>
    ({ key: `integrity:${key}`, rule: `${what} = 0`, limit: 0, measured: n, ok: n === 0, text: n === 0 ? `${what} 0` : `${what} ${formatInt(n)} > 0` });
  checks.push(count('lost', 'lost ops', s.incidents.lost));
  checks.push(count('duplicated', 'duplicated ops', s.incidents.duplicated));
  checks.push(count('phantom', 'phantom postings', s.incidents.phantom));
  checks.push(count('mismatch', 'mismatched postings', s.incidents.mismatch));
  const audited = s.conservation.audited && s.conservation.ok !== null;
  const broken = audited ? (s.conservation.ok ? 0 : Math.max(1, s.incidents.conservation)) : null;
  checks.push({
    key: 'integrity:conservation',
    rule: 'conservation holds (audited)',
    limit: 0,
    measured: broken,
    ok: broken === 0,
    text: broken === null ? 'ledger not audited' : broken === 0 ? 'conservation held' : `conservation broken on ${formatInt(broken)} account(s)`,
  });
  return checks;
}

function sloCheck(s: StrategyReport, key: SloKey, limit: number): VerdictCheck {
  const label = SLO_LABELS[key];
  const rule = `${label} ≤ ${formatValue(key, limit)}`;
  const judged = (measured: number | null, missing: string): VerdictCheck => {
    if (measured === null) return { key, rule, limit, measured, ok: false, text: `${label} not measured (${missing})` };
    const ok = measured <= limit;
    return { key, rule, limit, measured, ok, text: ok ? `${label} ${formatValue(key, measured)}` : `${label} ${formatValue(key, measured)} > ${formatValue(key, limit)}` };
  };
  switch (key) {
    case 'p99_ack_us':
      return judged(s.ack_latency_us.p99, 'no op was acked');
    case 'p999_ack_us':
      return judged(s.ack_latency_us.p999, 'no op was acked');
    case 'max_posting_delay_us':
      return judged(s.posting_delay_us.p99, 'nothing was posted');
    case 'max_overdraft':
      return judged(s.overdrafts.amount, '');
    case 'max_reject_share':
      return judged(s.ops.recorded > 0 ? s.rejects.share : null, 'no op was recorded');
    case 'max_stop_delivery_us': {
      const sd = s.stop_delivery;
      if (sd.missed > 0) {
        const crossings = sd.missed + sd.signalled;
        return { key, rule, limit, measured: null, ok: false, text: `${label}: ${formatInt(sd.missed)} of ${formatInt(crossings)} threshold crossings never signalled` };
      }
      if (sd.signalled === 0) return { key, rule, limit, measured: null, ok: true, text: `${label}: no threshold crossing` };
      return judged(sd.max_delay_us, '');
    }
  }
}

function choose(judged: readonly JudgedStrategy[], qualified: readonly JudgedStrategy[]): { pick: string | null; reason: string } {
  if (judged.length === 0) return { pick: null, reason: 'No strategy completed, so none can be judged.' };
  if (qualified.length === 0) {
    const failures = (j: JudgedStrategy) => j.checks.filter((c) => !c.ok);
    const nearest = [...judged].sort((a, b) => failures(a).length - failures(b).length || (b.money_safe_goodput_per_s ?? -1) - (a.money_safe_goodput_per_s ?? -1))[0]!;
    return { pick: null, reason: `No strategy meets every constraint; the nearest is ${nearest.label}, which fails on ${failures(nearest).map((c) => c.text).join('; ')}.` };
  }
  // Ranked by money-safe goodput: an op lost, duplicated or overdrawn is no good to the business.
  const goodput = (j: JudgedStrategy) => j.money_safe_goodput_per_s ?? -1;
  const best = Math.max(...qualified.map(goodput));
  const tied = qualified.filter((j) => goodput(j) >= best * (1 - GOODPUT_TIE_SHARE));
  const latency = (us: number | null) => us ?? Number.POSITIVE_INFINITY;
  // Array.prototype.sort is stable: equal latencies keep run order.
  const pick = [...tied].sort((a, b) => latency(a.ack_p99_us) - latency(b.ack_p99_us) || latency(a.ack_p999_us) - latency(b.ack_p999_us))[0]!;
  const rate = `${formatRate(pick.money_safe_goodput_per_s)} ops/s`;
  if (qualified.length === 1) return { pick: pick.label, reason: `${pick.label} is the only strategy that meets every constraint (money-safe goodput ${rate}).` };
  if (tied.length === 1) return { pick: pick.label, reason: `${pick.label} has the highest money-safe goodput (${rate}) of the ${qualified.length} strategies that meet every constraint.` };
  return {
    pick: pick.label,
    reason: `${pick.label} has the lowest ack p99 (${formatMs(pick.ack_p99_us)} ms) of the ${tied.length} strategies within ${GOODPUT_TIE_SHARE * 100}% of the highest money-safe goodput (${formatRate(best)} ops/s) among the ${qualified.length} that meet every constraint.`,
  };
}
