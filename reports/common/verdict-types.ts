/**
 * The verdict's shapes (what `judge` returns and every renderer shows), in a
 * module of their own below both the report types and the verdict code, so
 * that the report (which carries a verdict) and the verdict (which reads a
 * report) do not import each other.
 */
import type { Slo } from './slo-types.js';
import type { HeadlineIntervals } from '../noise/headline.js';
import type { DecidingFigure } from '../noise/pick.js';
import type { CheckOutcome } from '../noise/separation.js';

export type { CheckOutcome } from '../noise/separation.js';

/** Status of one strategy replay. */
export type ReplayStatus = 'completed' | 'skipped' | 'failed' | 'interrupted';

/** The headline figures that carry an interval in every report: catalog metrics (./metrics.ts), in their units (ops/s, ms, ms, count). */
export const HEADLINE_FIGURES = ['goodput', 'p99_ack_ms', 'posting_delay_p99_ms', 'overdraft_count'] as const;
/** One headline figure's name. */
export type HeadlineFigure = (typeof HEADLINE_FIGURES)[number];

/** One constraint applied to one strategy. */
export interface VerdictCheck {
  /** An SLO key, i.e. a catalog metric name (`p99_ack_ms`...), or `integrity:<what>` / `completed` for the built-in rules. */
  readonly key: string;
  /** The rule as people read it: `p99_ack_ms ≤ 50.0 ms`, `lost ops = 0`. */
  readonly rule: string;
  /** The limit, in the key's catalog unit (ms, minor units, percent, count). */
  readonly limit: number;
  /** The measured value in the same unit (the median over repetitions, or the worst for money checks); null when there was nothing to measure. */
  readonly measured: number | null;
  /** The 95% interval of `measured` when it has one (repetitions or batch means), else null. */
  readonly interval: { readonly lo: number; readonly hi: number } | null;
  /** `pass`, `fail`, or `uncertain` (the interval straddles the limit). */
  readonly outcome: CheckOutcome;
  /** True when `outcome` is `pass`. */
  readonly ok: boolean;
  /** Measured against the limit: `p99_ack_ms 212 ms > 50.0 ms`, `p99_ack_ms 4.10 ms`. */
  readonly text: string;
}

/** A judged strategy label. */
export interface JudgedStrategy {
  readonly label: string;
  readonly backend: string;
  /** Completed replays judged (repetitions). */
  readonly replays: number;
  /** Every check passes. */
  readonly qualifies: boolean;
  /** `pass` (qualifies), `uncertain` (no check fails, one straddles its limit), `fail`. */
  readonly standing: CheckOutcome;
  /** Median `goodput` over its replays, ops/s. */
  readonly goodput: number | null;
  /** Median `money_safe_goodput` over its replays, ops/s (what the pick ranks by). */
  readonly money_safe_goodput: number | null;
  /** Median `p99_ack_ms` over its replays, ms. */
  readonly p99_ack_ms: number | null;
  /** Highest `p999_ack_ms` over its replays, ms. */
  readonly p999_ack_ms: number | null;
  /** Every constraint, in SLO order then the built-in ones; the failed ones have `ok: false`. */
  readonly checks: readonly VerdictCheck[];
  /** The headline figures with their 95% intervals and the method that made them. */
  readonly intervals: HeadlineIntervals<HeadlineFigure>;
}

/** A label that was not judged, and why. */
export interface UnjudgedStrategy {
  readonly label: string;
  readonly backend: string;
  readonly status: ReplayStatus;
  readonly detail: string;
}

/** The decision section of every report. */
export interface Verdict {
  /** The limits judged against. */
  readonly slo: Slo;
  /** The limits as one line (`none` when no SLO was given). */
  readonly slo_text: string;
  /** Labels judged, in run order. */
  readonly judged: readonly JudgedStrategy[];
  readonly not_judged: readonly UnjudgedStrategy[];
  /** Labels that meet every constraint, in run order. */
  readonly qualified: readonly string[];
  /** The label to pick, or null when none qualifies or it is too close to call. */
  readonly pick: string | null;
  /** Why, in one sentence (or two). */
  readonly reason: string;
  /** When the noise leaves the pick open: the labels, the figure, and the repetitions likely to separate them (null: unknown). */
  readonly too_close_to_call: { readonly labels: readonly string[]; readonly figure: DecidingFigure; readonly repetitions: number | null } | null;
}
