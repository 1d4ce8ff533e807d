/**
 * A planted slowdown for compare's calibration: the same strategy, under the
 * same label (compare matches strategies by label, and a parameter is part
 * of the label), whose every op waits a fixed delay before it is submitted.
 * Latency is measured from the op's intended send time, so the delay adds
 * to every ack latency and posting delay as a real slowdown would, while
 * the strategy itself (its SQL, its connections) is untouched.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Op, Outcome, Strategy } from '../strategies/contract.js';
import type { PlannedStrategy } from '../runner/replay/plan.js';

/**
 * `planned` with `delayMs` (≥ 0, milliseconds) added before every submit.
 * The wrapper forwards every other member to the strategy itself, so its
 * optional capabilities (a read path, observed series, fault hooks) stay
 * visible to the runner.
 */
export function withPlantedDelay(planned: PlannedStrategy, delayMs: number): PlannedStrategy {
  if (!(delayMs >= 0)) throw new RangeError(`a planted delay must be ≥ 0 ms, got ${delayMs}`);
  return {
    ...planned,
    create(): Strategy {
      const inner = planned.create();
      const submit = async (op: Op): Promise<Outcome> => {
        await sleep(delayMs);
        return inner.submit(op);
      };
      return new Proxy(inner, {
        get(target, key, receiver) {
          if (key === 'submit') return submit;
          const value: unknown = Reflect.get(target, key, receiver);
          return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      });
    },
  };
}
