/**
 * The verdict's pick under noise: a strategy is picked only when it is
 * separated from the runner-up on the deciding figure; otherwise the answer
 * is "too close to call", with the figures and how many repetitions would
 * likely separate them. This replaces the 10% close-call text heuristic.
 *
 * Rules, in full:
 * - Contenders are the strategies none of whose checks fails: each check
 *   passes or is uncertain (its interval straddles the limit).
 * - The deciding figure is goodput (higher is better). When the leaders'
 *   goodputs are within {@link GOODPUT_TIE_SHARE} of each other (typically:
 *   both kept up with the offered rate, so goodput cannot tell them apart),
 *   it is ack p99, `p99_ack_ms` (lower is better), among those within that share.
 * - The leader on the deciding figure is picked when its interval is
 *   separated from the runner-up's on that figure and every one of its checks
 *   passes. A single contender is picked when its checks all pass. Where a
 *   side has no interval (one repetition too short for batch means), the
 *   points decide and the reason says the pick rests on one measurement.
 * - Otherwise: too close to call between the leader and the runner-up (or
 *   the leader alone, when an uncertain check is all that stands in its way).
 */
import { formatMs, formatRate } from '../common/format.js';
import type { Estimate } from './interval.js';
import { repetitionsToSeparate, separatedBetter, type Better, type CheckOutcome } from './separation.js';

/** Goodputs within this share of the best one are the same figure: ack p99 decides between them. */
export const GOODPUT_TIE_SHARE = 0.01;

/** One strategy as the pick sees it. */
export interface Contender {
  readonly label: string;
  /** `pass`: every check passes; `uncertain`: none fails, at least one straddles its limit; `fail`: at least one fails. */
  readonly standing: CheckOutcome;
  /** Texts of the checks that are uncertain (`posting delay p99 1,009 ms (95% CI 960–1,060) vs ≤ 1,000 ms`). */
  readonly uncertain: readonly string[];
  /** Goodput, ops/s, with its interval. */
  readonly goodput: Estimate;
  /** Goodput per repetition (for the repetitions estimate). */
  readonly goodputValues: readonly number[];
  /** Ack p99 (the catalog's `p99_ack_ms`), ms, with its interval. */
  readonly ackP99: Estimate;
  /** Ack p99 per repetition, ms. */
  readonly ackP99Values: readonly number[];
}

/** The figure that decided (or could not decide). */
export type DecidingFigure = 'goodput' | 'p99_ack_ms';

/** What the pick concluded. */
export type PickOutcome =
  | { readonly kind: 'pick'; readonly label: string; readonly runnerUp: string | null; readonly figure: DecidingFigure; readonly reason: string }
  | { readonly kind: 'too-close'; readonly labels: readonly string[]; readonly figure: DecidingFigure; readonly repetitions: number | null; readonly reason: string }
  | { readonly kind: 'none'; readonly reason: string };

// The catalog's format for ms (formatMetricValue('ms', v)); the catalog itself is not imported here, as it imports the report types that import this module's DecidingFigure.
const ms = (v: number): string => `${formatMs(v * 1000)} ms`;
/** `1,234 ops/s (95% CI 1,180–1,290)` / `p99_ack_ms 21.4 ms (95% CI 19.0 ms–24.2 ms)`. */
function show(c: Contender, figure: DecidingFigure): string {
  if (figure === 'goodput') {
    const e = c.goodput;
    return `${c.label} ${formatRate(e.point)} ops/s${e.method === 'none' ? '' : ` (95% CI ${formatRate(e.lo)}–${formatRate(e.hi)})`}`;
  }
  const e = c.ackP99;
  return `${c.label} p99_ack_ms ${ms(e.point)}${e.method === 'none' ? '' : ` (95% CI ${ms(e.lo)}–${ms(e.hi)})`}`;
}

/** The leader and runner-up on the deciding figure. */
function leaders(contenders: readonly Contender[]): { figure: DecidingFigure; ordered: Contender[] } {
  const byGoodput = [...contenders].sort((a, b) => b.goodput.point - a.goodput.point);
  const top = byGoodput[0]!.goodput.point;
  const tied = byGoodput.filter((c) => c.goodput.point >= top * (1 - GOODPUT_TIE_SHARE));
  if (tied.length < 2) return { figure: 'goodput', ordered: byGoodput };
  // Array.prototype.sort is stable: equal p99s keep run order.
  return { figure: 'p99_ack_ms', ordered: [...tied].sort((a, b) => a.ackP99.point - b.ackP99.point) };
}

/** The uncertain checks' texts, saying once that they straddle their limits (a verdict's check text already does). */
function straddling(texts: readonly string[]): string {
  const joined = texts.join('; ');
  return /straddles/.test(joined) ? joined : `${joined} straddles the limit`;
}

/** Decides the pick among `all` (every judged strategy; failing ones are left out here). */
export function decidePick(all: readonly Contender[]): PickOutcome {
  const contenders = all.filter((c) => c.standing !== 'fail');
  if (contenders.length === 0) return { kind: 'none', reason: 'No strategy meets every constraint.' };
  const { figure, ordered } = leaders(contenders);
  const lead = ordered[0]!;
  const runner = ordered[1];
  const better: Better = figure === 'goodput' ? 'higher' : 'lower';
  const interval = (c: Contender): Estimate => (figure === 'goodput' ? c.goodput : c.ackP99);
  const values = (c: Contender): readonly number[] => (figure === 'goodput' ? c.goodputValues : c.ackP99Values);
  if (lead.standing === 'uncertain') {
    const labels = runner ? [lead.label, runner.label] : [lead.label];
    return {
      kind: 'too-close',
      labels,
      figure,
      repetitions: null,
      reason: `Too close to call: ${labels.join(', ')}. ${lead.label} leads (${show(lead, figure)}) but its ${straddling(lead.uncertain)}, so it may or may not meet the SLO; repeat to narrow the interval.`,
    };
  }
  if (runner === undefined) return { kind: 'pick', label: lead.label, runnerUp: null, figure, reason: `${lead.label} is the only strategy that meets every constraint (${show(lead, 'goodput')}).` };
  if (separatedBetter(interval(lead), interval(runner), better)) {
    const what = figure === 'goodput' ? 'highest goodput' : `lowest p99_ack_ms of those within ${GOODPUT_TIE_SHARE * 100}% of the highest goodput`;
    // Without a measured spread on either side the points are all there is: say so rather than claim a separation.
    const unmeasured = interval(lead).method === 'none' || interval(runner).method === 'none';
    const how = unmeasured ? 'ahead of the runner-up on one measurement (no interval: one repetition, too short for batch means; repeat to rule out noise)' : 'separated from the runner-up';
    return { kind: 'pick', label: lead.label, runnerUp: runner.label, figure, reason: `${lead.label} has the ${what}, ${how}: ${show(lead, figure)} vs ${show(runner, figure)}.` };
  }
  const n = repetitionsToSeparate(values(lead), values(runner));
  const more = n === null ? (lead.goodput.method === 'bootstrap' ? 'no number of repetitions is likely to separate them' : 'repeat (--repeat 3 or more) to tell them apart') : `about ${n} repetitions each would likely separate them`;
  return {
    kind: 'too-close',
    labels: [lead.label, runner.label],
    figure,
    repetitions: n,
    reason: `Too close to call: ${lead.label}, ${runner.label}: their ${figure} intervals overlap (${show(lead, figure)} vs ${show(runner, figure)}); ${more}.`,
  };
}
