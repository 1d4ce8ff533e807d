/**
 * What a capacity step must meet: the run's SLO limits (the scenario's `slo`
 * block with `--slo` on top, the same language and inclusive limits as
 * `run --slo`, see `../common/slo.ts`; default `p99_ack_ms<50ms,overdraft_amount=0`),
 * turned into terms, plus the conditions that make a rate "sustained":
 * the strategy kept up (`kept_up>=95%`: over the last three quarters of the
 * schedule, ops acked as applied or accepted ≥ 95 % of the ops intended in
 * that span; for constant arrivals a strategy that keeps up acks as many as
 * arrive, one that saturates only its ceiling, and neither warm-up nor the
 * last ops' latency decides, unlike goodput over the whole replay), rejects
 * ≤ 1 % (unless the SLO sets reject_pct) and no lost op. The capacity
 * scenario never runs out of budget, so a refusal is never the traffic's fault.
 *
 * Each term has a category, for "what broke first": `latency` (ack
 * percentiles), `lag` (posting delay, not keeping up), `rejects`,
 * `overdraft`, `loss`. The stop-delivery limit counts as `lag` (a crossing
 * never signalled breaks it); the capacity scenario never crosses one.
 */
import type { StrategyReport } from '../common/report-types.js';
import { parseSloText, type Slo as Limits, type SloKey } from '../common/slo.js';

/** What broke, for "what broke first". `driver-limited` is not the strategy's failure: the harness could not offer the load. */
export type BreachCategory = 'latency' | 'lag' | 'rejects' | 'overdraft' | 'loss' | 'driver-limited' | 'failed';

/** A term's metric: an SLO key (a catalog metric name), `lost` (also the catalog's), or `kept_up` (capacity's own). */
type TermMetric = SloKey | 'kept_up' | 'lost';

/**
 * One term. The bound is in capacity's working units, not the catalog's:
 * durations in µs (compared with µs service times), shares as fractions of 1,
 * amounts in minor units. The text shows it in the catalog's name.
 */
export interface SloTerm {
  readonly metric: TermMetric;
  readonly op: '<=' | '>=';
  readonly bound: number;
  readonly category: BreachCategory;
  /** A "sustained" condition added by capacity, not a limit of the SLO. */
  readonly implicit: boolean;
  /** e.g. `p99_ack_ms<=50ms`. */
  readonly text: string;
}

/** The terms a step is judged by. */
export interface CapacitySlo {
  readonly terms: readonly SloTerm[];
  /** Every term's text, comma-separated. */
  readonly text: string;
}

/** The SLO used when neither `--slo` nor the scenario sets a limit. */
export const DEFAULT_SLO = 'p99_ack_ms<50ms,overdraft_amount=0';

/** The limits of {@link DEFAULT_SLO}. */
export function defaultLimits(): Limits {
  return parseSloText(DEFAULT_SLO, 'the default SLO').slo;
}

const ms = (us: number): string => `${Math.round(us / 100) / 10}ms`;
const pct = (share: number): string => `${Math.round(share * 1e4) / 100}%`;

/** The terms for `limits` (the resolved run SLO; {} = none) plus the sustained conditions. */
export function capacitySlo(limits: Limits): CapacitySlo {
  const terms: SloTerm[] = [];
  const add = (metric: TermMetric, op: SloTerm['op'], bound: number, category: BreachCategory, implicit: boolean, shown: string) =>
    terms.push({ metric, op, bound, category, implicit, text: `${metric}${op}${shown}` });
  const duration = (key: 'p99_ack_ms' | 'p999_ack_ms' | 'posting_delay_p99_ms' | 'max_stop_delivery_ms', category: BreachCategory) => {
    const limit = limits[key];
    if (limit === undefined) return;
    const us = Math.round(limit * 1000);
    add(key, '<=', us, category, false, ms(us));
  };
  duration('p99_ack_ms', 'latency');
  duration('p999_ack_ms', 'latency');
  duration('posting_delay_p99_ms', 'lag');
  duration('max_stop_delivery_ms', 'lag');
  if (limits.overdraft_amount !== undefined) add('overdraft_amount', '<=', limits.overdraft_amount, 'overdraft', false, String(limits.overdraft_amount));
  const rejectShare = limits.reject_pct === undefined ? 0.01 : limits.reject_pct / 100;
  add('reject_pct', '<=', rejectShare, 'rejects', limits.reject_pct === undefined, pct(rejectShare));
  add('kept_up', '>=', 0.95, 'lag', true, '95%');
  add('lost', '<=', 0, 'loss', true, '0');
  return { terms, text: terms.map((t) => t.text).join(',') };
}

/** Facts about one step beyond its {@link StrategyReport}: how the driver fared. */
export interface DriverFacts {
  /** Quantiles of acked − sent (the strategy's own service time), µs, at 0.5, 0.9, 0.99, 0.999, and the max. */
  readonly service_us: { readonly p50: number; readonly p90: number; readonly p99: number; readonly p999: number; readonly max: number } | null;
  /** 99th percentile of sent − intended (how late the driver sent), µs; null when nothing was sent. */
  readonly send_delay_p99_us: number | null;
  /** Over the last three quarters of the schedule ([T/4, T), T = the latest intended time): ops intended, and ops acked applied or accepted. */
  readonly steady: { readonly intended: number; readonly acked: number } | null;
  /** Most ops in flight at once, computed from the op rows. */
  readonly max_in_flight: number;
}

/** One failed term. */
export interface StepBreach {
  readonly term: string;
  readonly category: BreachCategory;
  /** The observed value, as text with its unit. */
  readonly observed: string;
}

/** A step's judgement. */
export interface StepJudgement {
  readonly verdict: 'pass' | 'fail' | 'driver-limited' | 'not-run';
  readonly breaches: readonly StepBreach[];
  /** Why the step is driver-limited or not run (one line), else ''. */
  readonly note: string;
}

/** Share of ops sent late above which a failing step's lateness is examined. */
export const LATE_SHARE_LIMIT = 0.01;

/** The value a term reads from a step, in the term's unit; null when there is nothing to measure. */
function observed(t: SloTerm, s: StrategyReport, driver: DriverFacts | undefined): number | null {
  switch (t.metric) {
    case 'p99_ack_ms':
      return s.ack_latency_us.p99;
    case 'p999_ack_ms':
      return s.ack_latency_us.p999;
    case 'posting_delay_p99_ms':
      return s.posting_delay_us.p99;
    case 'max_stop_delivery_ms':
      return s.stop_delivery.missed > 0 ? Number.POSITIVE_INFINITY : s.stop_delivery.max_delay_us;
    case 'kept_up':
      return driver?.steady && driver.steady.intended > 0 ? driver.steady.acked / driver.steady.intended : null;
    case 'reject_pct':
      return s.rejects.share;
    case 'overdraft_amount':
      return s.overdrafts.amount;
    case 'lost':
      return s.incidents.lost;
  }
}

function holds(op: SloTerm['op'], v: number, bound: number): boolean {
  return op === '<=' ? v <= bound : v >= bound;
}

function show(t: SloTerm, v: number): string {
  if (v === Number.POSITIVE_INFINITY) return 'a crossing never signalled';
  if (t.metric === 'max_stop_delivery_ms' || t.metric === 'p99_ack_ms' || t.metric === 'p999_ack_ms' || t.metric === 'posting_delay_p99_ms') return ms(v);
  if (t.metric === 'kept_up' || t.metric === 'reject_pct') return pct(v);
  return String(v);
}

/**
 * Judges one step. A step that broke only latency or lag terms, with more
 * than 1 % of its ops sent late, is `driver-limited` (the harness could not
 * offer the load) when
 * - the concurrency cap was reached and the strategy's own service time
 *   (acked − sent) still met every latency term: the cap, not the strategy,
 *   held the ops back (raise --concurrency); or
 * - the cap was not reached and the ops waited longer to be sent than inside
 *   the strategy (send delay p99 > service time p99): the driver's CPU fell
 *   behind.
 * A strategy that queues work itself shows a long service time instead, and
 * fails. Money (overdraft, loss) and refusals are never excused.
 */
export function judgeStep(slo: CapacitySlo, s: StrategyReport, driver: DriverFacts | undefined): StepJudgement {
  if (s.status !== 'completed') return { verdict: 'not-run', breaches: [{ term: 'completed', category: 'failed', observed: s.status }], note: `${s.status}: ${s.detail}` };
  const breaches: StepBreach[] = [];
  for (const t of slo.terms) {
    const v = observed(t, s, driver);
    if (v === null) continue; // nothing to measure (e.g. no posting): the term cannot break
    if (!holds(t.op, v, t.bound)) breaches.push({ term: t.text, category: t.category, observed: show(t, v) });
  }
  if (breaches.length === 0) return { verdict: 'pass', breaches, note: '' };
  const lateShare = s.ops.planned > 0 ? s.ops.late / s.ops.planned : 0;
  const timing = breaches.every((b) => b.category === 'latency' || b.category === 'lag');
  const service = driver?.service_us;
  if (!timing || lateShare <= LATE_SHARE_LIMIT || !driver || !service) return { verdict: 'fail', breaches, note: '' };
  const late = `${Math.round(lateShare * 1000) / 10}% of ops were sent late`;
  if (driver.max_in_flight >= s.ops.concurrency) {
    const latencyTerms = slo.terms.filter((t) => t.category === 'latency');
    const served = latencyTerms.length > 0 && latencyTerms.every((t) => holds(t.op, t.metric === 'p999_ack_ms' ? service.p999 : service.p99, t.bound));
    if (served) return { verdict: 'driver-limited', breaches, note: `${late} while the strategy's own service time p99 was ${ms(service.p99)}: the concurrency cap (${s.ops.concurrency}) was reached: raise --concurrency` };
  } else if (driver.send_delay_p99_us !== null && driver.send_delay_p99_us > service.p99) {
    return { verdict: 'driver-limited', breaches, note: `${late} (send delay p99 ${ms(driver.send_delay_p99_us)}, more than the strategy's own service time p99 ${ms(service.p99)}): the driver fell behind its schedule (CPU)` };
  }
  return { verdict: 'fail', breaches, note: '' };
}
