/**
 * The capacity report: per strategy, the highest offered rate on the hot
 * account sustained within the SLO, the rate → latency curve with the knee,
 * and what broke first. This type is the `capacity.json` / `hotbench capacity
 * --json` format. Times in µs, rates in ops/s, shares as fractions of 1.
 *
 * How steps are keyed in the store: a capacity run (runs.command
 * `hotbench capacity`) records each step as its own replay labelled
 * `<strategy label>@<rate>/s` (rep 0, idx = the step's position in the run),
 * so `hotbench report <run-id>` lists every step; the search settings are in
 * the run's config_json under `capacity`.
 */
import type { ReplayStatus, RunStatus } from '../common/report-types.js';
import type { Slo as Limits } from '../common/slo.js';
import type { BreachCategory, StepBreach } from './slo.js';

/** Identifies this JSON format; bumped on an incompatible change. */
export const CAPACITY_FORMAT = 'hotbench-capacity/1';

/** `runs.command` of a capacity run. */
export const CAPACITY_COMMAND = 'hotbench capacity';

/** Longest a step is stretched to plan `min_step_ops` ops, µs (the search's bound, and what the report says it was). */
export const MAX_STEP_US = 60_000_000;

/** The search settings, as recorded in config_json.capacity. */
export interface CapacitySettings {
  /** The SLO limits as resolved (the scenario's `slo` block with `--slo` on top, or the default `p99_ack_ms<50ms,overdraft_amount=0`), in `run --slo`'s recorded shape (catalog names and units). */
  readonly slo: Limits;
  readonly start_per_s: number;
  readonly max_per_s: number;
  /** Rate multiplier between steps before the first failure (2 = doubling). */
  readonly factor: number;
  /** A step's length, µs, unless the op bounds below change it. */
  readonly step_duration_us: number;
  /** Fewest ops a step planned (slower steps lasted longer, up to 60 s); absent in runs recorded before it existed. */
  readonly min_step_ops?: number;
  /** A step plans at most this many ops (its duration shrinks at high rates, never below 1 s). */
  readonly max_step_ops: number;
  /** Bisection steps between the last pass and the first failure. */
  readonly bisect: number;
  /** Strategy labels searched, in order. */
  readonly strategies: readonly string[];
}

/** One step: one replay at one offered rate. */
export interface CapacityStep {
  /** The replay's label, `<strategy>@<rate>/s`. */
  readonly label: string;
  /** Target offered rate, ops/s (the search's control value). */
  readonly rate_per_s: number;
  /** Position in the run (1 = first replay). */
  readonly order: number;
  readonly status: ReplayStatus;
  readonly schedule_us: number;
  readonly planned_ops: number;
  /** Measured: planned ops / schedule seconds. */
  readonly offered_per_s: number | null;
  readonly goodput_per_s: number | null;
  /** Over the last ¾ of the schedule: ops acked (applied or accepted) / ops intended; null when not measured. */
  readonly kept_up: number | null;
  readonly ack_us: { readonly p50: number | null; readonly p99: number | null; readonly p999: number | null; readonly max: number | null };
  readonly posting_p99_us: number | null;
  readonly reject_share: number;
  readonly overdrafts: number;
  readonly lost: number;
  /** Ops sent later than the late threshold, and their share of planned ops. */
  readonly late_ops: number;
  readonly late_share: number;
  /** The strategy's own time per op (acked − sent), p99, µs. */
  readonly service_p99_us: number | null;
  readonly max_in_flight: number;
  /** The concurrency cap of the step. */
  readonly concurrency: number;
  readonly verdict: 'pass' | 'fail' | 'driver-limited' | 'not-run';
  readonly breaches: readonly StepBreach[];
  readonly note: string;
  /** Repetitions of this step (it is replayed until its goodput interval is within ±10%, at most a few times). */
  readonly reps: number;
  /** 95% bootstrap interval of the median goodput over the repetitions, ops/s; null with one repetition. */
  readonly goodput_interval: { readonly lo: number; readonly hi: number } | null;
}

/** What ended the search for a strategy. */
export interface BrokeFirst {
  /** The category of the first (lowest-rate) failing step; `driver-limited` = the harness, not the strategy. */
  readonly category: BreachCategory;
  /** Every breached term at that step, and any driver note. */
  readonly detail: string;
  readonly at_per_s: number;
}

/** One strategy's result. */
export interface CapacityStrategy {
  /** The strategy's label (without the `@rate` suffix). */
  readonly label: string;
  readonly name: string;
  readonly backend: string;
  /** Highest passing rate below the lowest failing one; null when even the first step failed. */
  readonly max_sustained_per_s: number | null;
  /**
   * `between`: bracketed by a failing step; `at-least`: a lower bound (the
   * search reached --max, or the harness could not offer more); `none`: no
   * step passed.
   */
  readonly bound: 'between' | 'at-least' | 'none';
  /** Lowest failing rate, or null. */
  readonly first_fail_per_s: number | null;
  /** The knee of the rate → p99 curve: the last rate within the SLO (= max_sustained_per_s). */
  readonly knee_per_s: number | null;
  /** The goodput sustained at the knee, ops/s (median over its repetitions), with its 95% interval; null without a knee. */
  readonly knee_goodput: { readonly point: number; readonly lo: number; readonly hi: number; readonly reps: number } | null;
  readonly broke_first: BrokeFirst | null;
  /** Every step, by rate. */
  readonly steps: readonly CapacityStep[];
}

/** A strategy's maximum relative to the first strategy's. */
export interface CapacityRatio {
  readonly numerator: string;
  readonly denominator: string;
  readonly ratio: number;
  /** `=` both bracketed; `≥` the numerator is a lower bound; `≤` the denominator is; `?` both are. */
  readonly qualifier: '=' | '≥' | '≤' | '?';
}

/** The whole capacity report. */
export interface CapacityReport {
  readonly format: typeof CAPACITY_FORMAT;
  readonly run: {
    readonly run_id: string;
    readonly started_at: string;
    readonly finished_at: string | null;
    readonly status: RunStatus;
    readonly scenario: string;
    readonly git: { readonly rev: string; readonly branch: string };
    readonly host: { readonly name: string; readonly cores: number };
  };
  readonly settings: CapacitySettings;
  /** Every term judged, the sustained conditions included, e.g. `p99_ack_ms<=50ms,overdraft_amount<=0,reject_pct<=1%,kept_up>=95%,lost<=0`. */
  readonly slo: string;
  readonly strategies: readonly CapacityStrategy[];
  readonly ratios: readonly CapacityRatio[];
}
