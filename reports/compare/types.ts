/**
 * The comparison of a candidate run against a baseline run: the
 * `hotbench compare --json` format (and what the Markdown and terminal
 * renderers show). Values are in each metric's unit (`./metrics.ts`).
 */
import type { RunStatus } from '../common/report-types.js';
import type { Direction } from '../common/metrics.js';
import type { Decision } from '../noise/decision.js';
import type { NoiseSettings } from './thresholds.js';

/**
 * How the interval of a change was obtained: `bootstrap` over repetitions
 * (2+ a side), `batch-means` (a side recorded once: each replay's batches),
 * `one-value` (one value a side, no batches: nothing to judge noise by).
 */
export type ChangeTest = 'bootstrap' | 'batch-means' | 'one-value';

/** Identifies this JSON format; bumped on an incompatible change. */
export const COMPARE_FORMAT = 'hotbench-compare/2';

/**
 * - `pass`: the interval of the change stays below the minimum effect (the
 *   metric's threshold) in the worse direction; a cap kept.
 * - `regression`: the change is at least the minimum effect and its interval
 *   lies wholly on the worse side of 0; a cap broken.
 * - `inconclusive`: neither: the noise is too wide to tell (more repetitions would).
 * - `improved`: better by at least the minimum effect, beyond noise.
 * - `info`: no threshold on this metric; shown for reference.
 * - `n/a`: no value on one side (e.g. no op took a lock).
 */
export type MetricVerdict = 'pass' | 'regression' | 'inconclusive' | 'improved' | 'info' | 'n/a';

/** One run as compared. */
export interface RunSide {
  readonly run_id: string;
  /** UTC `YYYY-MM-DD hh:mm:ss`. */
  readonly started_at: string;
  readonly scenario: string;
  readonly status: RunStatus;
  readonly command: string;
  readonly git: { readonly rev: string; readonly branch: string };
  readonly stream_sha256: string;
}

/** A metric's per-repetition values on one side. */
export interface Spread {
  readonly n: number;
  /** In repetition order. */
  readonly values: readonly number[];
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

/** One metric of one strategy. */
export interface MetricComparison {
  readonly metric: string;
  readonly unit: string;
  readonly direction: Direction;
  /** Null when no completed repetition has a value. */
  readonly baseline: Spread | null;
  readonly candidate: Spread | null;
  /** Candidate median − baseline median; null when a side has no value. */
  readonly change: number | null;
  /** change / |baseline median|; null when the baseline median is 0 or a side has no value. */
  readonly relative_change: number | null;
  /** The threshold in force, or null (verdict `info`). */
  readonly threshold: { readonly text: string; readonly rule: string; readonly source: string } | null;
  /** How noise was judged; `cap` for absolute bounds (no noise test), null without a threshold. */
  readonly test: ChangeTest | 'cap' | null;
  /** The worse-direction relative change (+0.25 = 25% worse) with its 95% interval; null without a threshold or a value. */
  readonly change_interval: { readonly worse: number; readonly lo: number; readonly hi: number } | null;
  /** The minimum effect the change was held against (a share), null for caps and ungated metrics. */
  readonly min_effect: number | null;
  /** One-sided Mann-Whitney U p-value in the worse direction, for information, with 5+ repetitions a side; else null. */
  readonly p_value: number | null;
  readonly verdict: MetricVerdict;
  /** Why, in one line ('' for `info`). */
  readonly reason: string;
}

/** One strategy (matched by label) across the two runs. */
export interface StrategyComparison {
  readonly label: string;
  readonly name: string;
  readonly backend: { readonly baseline: string; readonly candidate: string };
  /** Completed repetitions compared on each side. */
  readonly reps: { readonly baseline: number; readonly candidate: number };
  /** Repetitions that did not complete: `#2 failed: <detail>`. */
  readonly not_completed: { readonly baseline: readonly string[]; readonly candidate: readonly string[] };
  readonly test: ChangeTest;
  /** One line naming the test and why it was chosen. */
  readonly test_description: string;
  readonly verdict: Decision | 'n/a';
  /** Every metric; ungated ones have verdict `info`. */
  readonly metrics: readonly MetricComparison[];
}

/** A regression (or an inconclusive metric, in {@link Comparison.inconclusive}). */
export interface Breach {
  readonly strategy: string;
  /** A metric name, or `status` when the candidate did not complete. */
  readonly metric: string;
  readonly reason: string;
}

/** The whole comparison. */
export interface Comparison {
  readonly format: typeof COMPARE_FORMAT;
  readonly baseline: RunSide;
  readonly candidate: RunSide;
  readonly same_scenario: boolean;
  /** Same op stream (sha256): same scenario, seed, duration and rate. */
  readonly same_stream: boolean;
  readonly noise: NoiseSettings;
  readonly strategies: readonly StrategyComparison[];
  readonly only_in_baseline: readonly string[];
  readonly only_in_candidate: readonly string[];
  /** Regressions: metrics whose change is real and at least the minimum effect, caps broken, candidates that did not complete. */
  readonly breaches: readonly Breach[];
  /** Metrics the noise left undecided. */
  readonly inconclusive: readonly Breach[];
  /** Overall: any regression → `regression`, else any inconclusive → `inconclusive`, else `pass`. */
  readonly decision: Decision;
  /** Caveats, one line each. */
  readonly notes: readonly string[];
  /** 0 pass, 1 regression, 3 inconclusive (2 is for usage and tool errors, never in a comparison). */
  readonly exit_code: 0 | 1 | 3;
}
