/**
 * Repeating a measurement until its 95% interval is tight enough: capacity's
 * steps (row-lock's knee moved 2.6× between runs when each step
 * ran once) and the `--connections` sweep's points. Each repetition is a
 * full replay, so the count is bounded: at least `minReps` (2: one value has
 * no spread), at most `maxReps`, stopping as soon as the bootstrap interval
 * of the median is within ±`target` of it (and `settled`, when given, says so).
 */
import { bootstrapInterval, relativeHalfWidth, type Estimate } from '../reports/noise/interval.js';

/** Options of {@link repeatUntilTight}. */
export interface RepeatUntilTightOptions {
  /** Relative half-width to reach: 0.1 = ±10% (the default). */
  readonly target?: number;
  /** Repetitions always run. Default 2. */
  readonly minReps?: number;
  /** Repetitions at most. Default 5. */
  readonly maxReps?: number;
  /** Stops between repetitions. */
  readonly abort?: AbortSignal;
  /** A further condition to stop on, asked after each repetition once the interval is tight (e.g. capacity: the repetitions agree on the verdict). Default: always settled. */
  readonly settled?: () => boolean;
}

/** What {@link repeatUntilTight} measured. */
export interface TightMeasurement {
  /** One value per repetition (null values, e.g. a replay that did not run, are left out). */
  readonly values: readonly number[];
  readonly estimate: Estimate;
  /** Whether the interval reached ±target before maxReps. */
  readonly tight: boolean;
}

/** Defaults of {@link RepeatUntilTightOptions}. */
export const TIGHT_DEFAULTS = { target: 0.1, minReps: 2, maxReps: 5 } as const;

/** Runs `measure(rep)` (rep 0, 1, ...) until the median's interval is within ±target, or maxReps. */
export async function repeatUntilTight(measure: (rep: number) => Promise<number | null>, options: RepeatUntilTightOptions = {}): Promise<TightMeasurement> {
  const target = options.target ?? TIGHT_DEFAULTS.target;
  const minReps = options.minReps ?? TIGHT_DEFAULTS.minReps;
  const maxReps = Math.max(minReps, options.maxReps ?? TIGHT_DEFAULTS.maxReps);
  const values: number[] = [];
  for (let rep = 0; rep < maxReps && !options.abort?.aborted; rep++) {
    const v = await measure(rep);
    if (v !== null && Number.isFinite(v)) values.push(v);
    if (rep + 1 >= minReps && values.length >= 2 && relativeHalfWidth(bootstrapInterval(values)) <= target && (options.settled?.() ?? true)) break;
  }
  const estimate = bootstrapInterval(values);
  return { values, estimate, tight: values.length >= 2 && relativeHalfWidth(estimate) <= target };
}
