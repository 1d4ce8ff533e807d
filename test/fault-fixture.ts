/**
 * Drives a strategy like test/support/replay.ts, but injects a fault at a
 * chosen op: when op index `at` is next, submissions pause, the ops in flight
 * finish, `inject()` runs, then submissions go on. So a fault test knows
 * exactly which ops were accepted before the fault and which after.
 */
import type { Op, Outcome, Strategy } from '../strategies/contract.js';
import { OpFates, fateOf } from '../runner/audit/fates.js';

/** Outcomes by position, the fates by op id. */
export interface FaultReplayResult {
  readonly outcomes: Outcome[];
  readonly fates: OpFates;
}

/** Submits `ops` with `concurrency` in flight, calls `inject` before op index `at`, then drains. */
export async function replayWithFault(
  strategy: Strategy,
  ops: readonly Op[],
  fault: { readonly at: number; inject(): Promise<void> },
  options: { readonly concurrency?: number; readonly drain?: boolean } = {},
): Promise<FaultReplayResult> {
  const fates = new OpFates(ops.reduce((max, op) => Math.max(max, op.id + 1), 0));
  const outcomes = new Array<Outcome>(ops.length);
  const run = async (from: number, to: number): Promise<void> => {
    let next = from;
    const worker = async (): Promise<void> => {
      while (next < to) {
        const i = next++;
        const op = ops[i] as Op;
        const outcome = await strategy.submit(op);
        outcomes[i] = outcome;
        fates.set(op.id, fateOf(outcome));
      }
    };
    await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 4, Math.max(1, to - from)) }, worker));
  };
  await run(0, fault.at);
  await fault.inject();
  await run(fault.at, ops.length);
  if (options.drain ?? true) await strategy.drain();
  return { outcomes, fates };
}
