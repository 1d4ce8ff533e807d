/**
 * The verdict's shapes (what `judge` returns and every renderer shows), in a
 * module of their own below both the report types and the verdict code, so
 * that the report (which carries a verdict) and the verdict (which reads a
 * report) do not import each other.
 */
import type { SloKey, Slo } from './slo.js';

/** Status of one strategy replay. */
export type ReplayStatus = 'completed' | 'skipped' | 'failed' | 'interrupted';

/** One constraint applied to one strategy. */
export interface VerdictCheck {
  /** An SLO key (`p99_ack_us`...), or `integrity:<what>` / `completed` for the built-in rules. */
  readonly key: string;
  /** The rule as people read it: `ack p99 ≤ 50 ms`, `lost ops = 0`. */
  readonly rule: string;
  /** The limit, in the key's unit (µs, minor units, share, count). */
  readonly limit: number;
  /** The measured value in the same unit (the worst over repetitions); null when there was nothing to measure. */
  readonly measured: number | null;
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
  readonly qualifies: boolean;
  /** Lowest goodput over its replays, ops/s. */
  readonly goodput_per_s: number | null;
  /** Lowest money-safe goodput over its replays, ops/s: what the pick ranks by. */
  readonly money_safe_goodput_per_s: number | null;
  /** Highest ack p99 over its replays, µs. */
  readonly ack_p99_us: number | null;
  /** Highest ack p99.9 over its replays, µs (the second tie-break). */
  readonly ack_p999_us: number | null;
  /** Every constraint, in SLO order then the built-in ones; the failed ones have `ok: false`. */
  readonly checks: readonly VerdictCheck[];
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
  /** The label to pick, or null when none qualifies. */
  readonly pick: string | null;
  /** Why, in one sentence. */
  readonly reason: string;
  /** Where a measurement within 10% of its limit decides the pick; [] when none does. */
  readonly close_calls: readonly CloseCall[];
}

/** One limit that a measurement passed or missed by less than the margin. */
export interface NearCheck {
  /** The SLO key. */
  readonly key: SloKey;
  /** The limit, in the key's unit. */
  readonly limit: number;
  /** The measured value, in the key's unit. */
  readonly measured: number;
  /** The check's own text (`posting delay p99 1,009 ms > 1,000 ms`). */
  readonly text: string;
}

/** A pick that a rerun could plausibly change. */
export interface CloseCall {
  /** `missed`: `label` missed only narrowly and would otherwise be the pick; `passed`: the pick (`label`) passed narrowly. */
  readonly kind: 'missed' | 'passed';
  readonly label: string;
  /** The near limits (all of `label`'s failures for `missed`; one limit for `passed`). */
  readonly checks: readonly NearCheck[];
  /** The pick had the checks gone the other way (`label` for `missed`; another label or null for `passed`). */
  readonly pick_otherwise: string | null;
  /** One sentence for people. */
  readonly text: string;
}

