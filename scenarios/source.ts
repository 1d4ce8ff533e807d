/**
 * A replayable op source: what the runner replays against each strategy,
 * whether the ops come from a plan's generator or from a trace file.
 */
import type { AccountSpec, Op } from './op.js';
import { generateOps } from './generate.js';
import type { Plan } from './plan.js';

/** Ops plus the accounts they refer to. */
export interface OpSource {
  /** Scenario name (from the plan or the trace header). */
  readonly scenario: string;
  readonly seed: number;
  /** Length of the schedule, µs; every op has 0 ≤ at < durationUs. */
  readonly durationUs: number;
  /** The accounts, indexed by id (dense from 0, hot ones first). */
  readonly accounts: readonly AccountSpec[];
  /**
   * A fresh pass over the ops, in order (ids dense from 0, `at` non-decreasing).
   * Every call yields the same ops. A trace source throws `TraceError` at the
   * first invalid line it reaches.
   */
  ops(): AsyncIterable<Op>;
}

/** The op source of a plan: its generator, replayed identically on every call. */
export function planSource(plan: Plan): OpSource {
  return {
    scenario: plan.name,
    seed: plan.seed,
    durationUs: plan.durationUs,
    accounts: plan.accounts,
    ops: async function* () {
      yield* generateOps(plan);
    },
  };
}
