/**
 * The comparison of a candidate run against a baseline run: the
 * `hotbench compare --json` format (and what the Markdown and terminal
 * renderers show). Values are in each metric's unit (`./metrics.ts`).
 */
import type { RunStatus } from '../common/report-types.js';
import type { Direction } from '../common/metrics.js';
import type { NoiseTest } from './statistics.js';
import type { NoiseSettings } from './thresholds.js';

/** Identifies this JSON format; bumped on an incompatible change. */
export const COMPARE_FORMAT = 'hotbench-compare/1';

/**
 * - `pass`: within the threshold (or the change is within noise in the better direction).
 * - `breach`: beyond the threshold and outside the repetitions' noise (or a cap broken).
 * - `noise`: beyond the threshold but inside the repetitions' spread: not a regression.
 * - `improved`: better than the threshold's size, outside the noise.
 * - `info`: no threshold on this metric; shown for reference.
 * - `n/a`: no value on one side (e.g. no op took a lock).
 */
export type MetricVerdict = 'pass' | 'breach' | 'noise' | 'improved' | 'info' | 'n/a';

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
  readonly test: NoiseTest | 'cap' | null;
  /** One-sided p-value of the U test in the direction that mattered, when it ran. */
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
  readonly test: NoiseTest;
  /** One line naming the test and why it was chosen. */
  readonly test_description: string;
  readonly verdict: 'pass' | 'breach' | 'n/a';
  /** Every metric; ungated ones have verdict `info`. */
  readonly metrics: readonly MetricComparison[];
}

/** A breached threshold. */
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
  readonly breaches: readonly Breach[];
  /** Caveats, one line each. */
  readonly notes: readonly string[];
  /** 1 when a threshold was breached, else 0. */
  readonly exit_code: 0 | 1;
}
