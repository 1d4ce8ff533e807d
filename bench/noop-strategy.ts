/**
 * `noop`: a strategy that does nothing and answers `applied` at once, in
 * process, with no ledger (it needs no PostgreSQL, so the replay skips the
 * audit and the ledger analyses). What it measures is the harness alone:
 * generator → open-loop driver → record sink → recorder → ClickHouse. It is
 * for the harness's own benchmarks (bench:driver, bench:memory) and is NOT
 * in `builtinRegistry()`.
 */
import { z } from 'zod';
import type { Outcome, Strategy, StrategyDefinition } from '../strategies/contract.js';

const APPLIED: Outcome = Object.freeze({ status: 'applied' });
const ANSWER: Promise<Outcome> = Promise.resolve(APPLIED);

/** The no-op strategy: one shared, already resolved promise per answer (no allocation of its own). */
export class NoopStrategy implements Strategy {
  readonly backend = 'none';
  async setup(): Promise<void> {}
  submit(): Promise<Outcome> {
    return ANSWER;
  }
  async drain(): Promise<void> {}
  async stop(): Promise<void> {}
}

/** Registry entry for `noop` (register it in a bench's own registry). */
export const noop: StrategyDefinition<Record<string, never>> = {
  name: 'noop',
  summary: 'HARNESS BENCH: answers applied at once, keeps no ledger; measures the driver, the recorder and ClickHouse alone',
  source: 'bench',
  needs: [],
  params: z.object({}).strict(),
  create: () => new NoopStrategy(),
};
