/**
 * `capped`: a test-only strategy with a known ceiling. It serves at most
 * `rate` ops/s: each op gets the next free service slot (1/rate apart, from
 * the later of its arrival and the previous slot), waits for it, then posts
 * with `atomic`. Below the ceiling every op is served on arrival; above it a
 * queue builds and goodput stays at `rate`, so a capacity search must find
 * `rate`. Slots are computed on arrival from the virtual schedule, so a late
 * timer delays one op without lowering the throughput.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { postAtomic } from '../strategies/atomic/index.js';
import type { Op, Outcome, StrategyDefinition } from '../strategies/contract.js';
import { positiveInt } from '../strategies/params.js';
import { builtinRegistry, type StrategyRegistry } from '../strategies/registry.js';
import { RelaxedCommitStrategy } from './compare-fixture.js';

/** `capped:rate=N` (default 150 ops/s). */
export const capped: StrategyDefinition<{ rate: number }> = {
  name: 'capped',
  summary: 'TEST: serves at most `rate` ops/s (queues the rest), posting with atomic',
  source: 'test fixture',
  needs: ['postgres'],
  params: z.object({ rate: positiveInt(150) }).strict(),
  create: ({ rate }) =>
    new (class extends RelaxedCommitStrategy {
      #nextSlotUs = 0;
      protected async write(op: Op, delta: number): Promise<Outcome> {
        const now = this.ctx.clock.now();
        const slot = Math.max(now, this.#nextSlotUs);
        this.#nextSlotUs = slot + 1e6 / rate;
        if (slot > now) await sleep((slot - now) / 1000);
        return postAtomic(this.pool, op, delta, this.counterLegs(op, delta)[0]?.account ?? null);
      }
    })('capped'),
};

/** The built-ins plus `capped`. */
export function cappedRegistry(): StrategyRegistry {
  return builtinRegistry().register(capped as never);
}
