/**
 * A registry for spec tests: the built-ins plus stand-ins shaped like the
 * later `aggregate` (plain, with parameters) and `rate-limit` (composite).
 */
import { z } from 'zod';
import type { InnerStrategy, Strategy, StrategyDefinition } from '../../strategies/contract.js';
import { bool, duration, positiveInt } from '../../strategies/params.js';
import { atomic } from '../../strategies/atomic/index.js';
import { optimistic } from '../../strategies/optimistic/index.js';
import { StrategyRegistry } from '../../strategies/registry.js';
import { rowLock } from '../../strategies/row-lock/index.js';

/** A stand-in strategy that remembers what it was built with. */
export class Probe implements Strategy {
  readonly backend = 'none';
  constructor(readonly params: unknown, readonly inner?: InnerStrategy) {}
  async setup(): Promise<void> {}
  async submit(): Promise<never> {
    throw new Error('not used');
  }
  async drain(): Promise<void> {}
  async stop(): Promise<void> {}
}

const aggregateParams = z.object({ window: duration('10ms'), max: positiveInt(1000), strict: bool(false), tag: z.string().default('x') }).strict();
const aggregateLike: StrategyDefinition<z.infer<typeof aggregateParams>> = {
  name: 'aggregate',
  summary: 'test stand-in',
  source: 'test',
  needs: ['postgres'],
  params: aggregateParams,
  create: (params) => new Probe(params),
};
const rateParams = z.object({ rate: positiveInt(1000), burst: positiveInt(50) }).strict();
const rateLimitLike: StrategyDefinition<z.infer<typeof rateParams>> = {
  name: 'rate-limit',
  summary: 'test stand-in',
  source: 'test',
  needs: ['postgres'],
  composite: true,
  params: rateParams,
  create: (params, inner) => new Probe(params, inner),
};

/**
 * The three baselines + stand-ins `aggregate` (window, max, strict, tag) and
 * composite `rate-limit` (rate, burst): fixed, so the exact error texts do
 * not change when real strategies are added to the built-ins.
 */
export function testRegistry(): StrategyRegistry {
  return new StrategyRegistry().register(rowLock).register(optimistic).register(atomic).register(aggregateLike).register(rateLimitLike);
}

