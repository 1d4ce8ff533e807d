/**
 * A minimal stand-in for the load driver: submits ops with up to N in flight
 * (no schedule, as fast as the strategy answers), records every outcome and
 * each op's fate, then drains the strategy.
 */
import type { Op, Outcome, Strategy } from '../../strategies/contract.js';
import { OpFates, fateOf } from '../../runner/audit/fates.js';

/** Outcomes by position in the submitted list, and the fates by op id. */
export interface ReplayResult {
  readonly outcomes: Outcome[];
  readonly fates: OpFates;
}

/**
 * Submits `ops` in list order with at most `concurrency` (default 8) in
 * flight, then calls `strategy.drain()`. `fates` has room for ids up to the
 * largest op id. A `submit` that throws (a contract violation) fails the replay.
 */
export async function replay(strategy: Strategy, ops: readonly Op[], options: { concurrency?: number } = {}): Promise<ReplayResult> {
  const concurrency = options.concurrency ?? 8;
  const fates = new OpFates(ops.reduce((max, op) => Math.max(max, op.id + 1), 0));
  const outcomes = new Array<Outcome>(ops.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < ops.length) {
      const i = next++;
      const op = ops[i] as Op;
      const outcome = await strategy.submit(op);
      outcomes[i] = outcome;
      fates.set(op.id, fateOf(outcome));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, ops.length) }, worker));
  await strategy.drain();
  return { outcomes, fates };
}
