/**
 * The verdict's shapes (what `judge` returns and every renderer shows), in a
 * module of their own below both the report types and the verdict code, so
 * that the report (which carries a verdict) and the verdict (which reads a
 * report) do not import each other.
 */
import type { Slo } from '../common/slo.js';
import type { HeadlineIntervals } from '../noise/headline.js';
import type { DecidingFigure } from '../noise/pick.js';
import type { CheckOutcome } from '../noise/separation.js';

export type { CheckOutcome } from '../noise/separation.js';

/** Status of one strategy replay. */
export type ReplayStatus = 'completed' | 'skipped' | 'failed' | 'interrupted';

/** The headline figures that carry an interval in every report (units: ops/s, µs, µs, count). */
export const HEADLINE_FIGURES = ['goodput_per_s', 'ack_p99_us', 'posting_delay_p99_us', 'overdraft_count'] as const;
/** One headline figure's name. */
export type HeadlineFigure = (typeof HEADLINE_FIGURES)[number];

/** One constraint applied to one strategy. */
export interface VerdictCheck {
  /** An SLO key (`p99_ack_us`...), or `integrity:<what>` / `completed` for the built-in rules. */
  readonly key: string;
  /** The rule as people read it: `ack p99 ≤ 50 ms`, `lost ops = 0`. */
  readonly rule: string;
  /** The limit, in the key's unit (µs, minor units, share, count). */
  readonly limit: number;
  /** The measured value in the same unit (the median over repetitions, or the worst for money checks); null when there was nothing to measure. */
  readonly measured: number | null;
  /** The 95% interval of `measured` when it has one (repetitions or batch means), else null. */
  readonly interval: { readonly lo: number; readonly hi: number } | null;
  /** `pass`, `fail`, or `uncertain` (the interval straddles the limit). */
  readonly outcome: CheckOutcome;
  /** True when `outcome` is `pass`. */
  readonly ok: boolean;
  /** Measured against the limit: `ack p99 212 ms > 50 ms`, `ack p99 4.10 ms`. */
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
  /** Median goodput over its replays, ops/s. */
  readonly goodput_per_s: number | null;
  /** Median money-safe goodput over its replays, ops/s (what the pick ranks by). */
  readonly money_safe_goodput_per_s: number | null;
  /** Median ack p99 over its replays, µs. */
  readonly ack_p99_us: number | null;
  /** Highest ack p99.9 over its replays, µs (the second tie-break). */
  readonly ack_p999_us: number | null;
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
