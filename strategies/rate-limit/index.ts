/**
 * `rate-limit(inner)`: a token bucket per account in front of any other
 * strategy (seed 002 方案1 限流控制: refuse what the system cannot carry).
 * An op that finds no token is `rejected` with reason `rate_limited` at once
 * and never reaches the inner strategy; everything else is the inner
 * strategy's business (its backend, setup, drain, stop, reads).
 *
 * What it risks: refusals traded for stability (seed 002: 牺牲用户体验来保障
 * 系统性能): legitimate ops are turned away whenever an account is busier than
 * `rate`, whether or not the inner strategy could have kept up.
 */
import {
  isFaultTarget,
  type Clock,
  isObservable,
  type FaultTarget,
  type InnerStrategy,
  type Observable,
  type Op,
  type Outcome,
  type Strategy,
  type StrategyContext,
  type StrategyDefinition,
} from '../contract.js';
import { rateLimitParams, type RateLimitParams } from './params.js';
import { TokenBuckets } from './token-bucket.js';

const LIMITED: Outcome = Object.freeze({ status: 'rejected', reason: 'rate_limited' });

/** The `rate-limit` composite. */
export class RateLimitStrategy implements Strategy, Observable, FaultTarget {
  #buckets: TokenBuckets | undefined;
  #clock: Clock | undefined;
  #limited = 0;

  constructor(
    private readonly params: RateLimitParams,
    private readonly inner: InnerStrategy,
  ) {}

  /** The inner strategy's backend: the limiter itself runs in-process. */
  get backend(): string {
    return this.inner.strategy.backend;
  }

  async setup(ctx: StrategyContext): Promise<void> {
    this.#clock = ctx.clock;
    this.#buckets = new TokenBuckets(ctx.accounts.length, this.params.rate, this.params.burst);
    await this.inner.strategy.setup(ctx);
  }

  submit(op: Op): Promise<Outcome> {
    if (op.kind === 'read' && this.params.reads === 'bypass') return this.inner.strategy.submit(op);
    const buckets = this.#buckets;
    const clock = this.#clock;
    if (buckets === undefined || clock === undefined) return Promise.resolve({ status: 'rejected', reason: 'error', detail: 'rate-limit: submit before setup' });
    if (!buckets.take(op.account, clock.now())) {
      this.#limited += 1;
      return Promise.resolve(LIMITED);
    }
    return this.inner.strategy.submit(op);
  }

  drain(): Promise<void> {
    return this.inner.strategy.drain();
  }

  stop(): Promise<void> {
    return this.inner.strategy.stop();
  }

  /** The inner strategy's series, plus `rate_limited_ops`: ops refused by the limiter so far. */
  async observe(): Promise<readonly { readonly name: string; readonly value: number }[]> {
    const inner = isObservable(this.inner.strategy) ? await this.inner.strategy.observe() : [];
    return [...inner, { name: 'rate_limited_ops', value: this.#limited }];
  }

  /** The inner strategy's faults (none when it has none). */
  get faults(): readonly string[] {
    return isFaultTarget(this.inner.strategy) ? this.inner.strategy.faults : [];
  }

  inject(kind: string): Promise<void> {
    if (!isFaultTarget(this.inner.strategy)) return Promise.reject(new Error(`rate-limit(${this.inner.label}) knows no fault '${kind}'`));
    return this.inner.strategy.inject(kind);
  }
}

/** Registry entry for `rate-limit`. */
export const rateLimit: StrategyDefinition<RateLimitParams> = {
  name: 'rate-limit',
  summary: 'a token bucket per account in front of another strategy: ops beyond rate (+burst) are refused as rate_limited, never reaching it',
  source: 'seed 002 方案1',
  // The limiter runs in-process; the runner adds the inner strategy's needs.
  needs: [],
  loadShards: true,
  composite: true,
  params: rateLimitParams,
  // burst 150, 1 token/s: the hot account's first ~150 writes pass (enough to exhaust its budget), the rest are limited.
  traits: { limits: true, conformanceSpec: 'rate-limit(row-lock):burst=150,rate=1' },
  create: (params, inner) => {
    if (inner === undefined) throw new Error('rate-limit wraps another strategy; write rate-limit(row-lock) or similar');
    return new RateLimitStrategy(params, inner);
  },
};
