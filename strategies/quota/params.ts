/** Parameters of `quota` (budget slices leased per worker: ad budget pacing). */
import { z } from 'zod';
import { duration, oneOf, positiveInt } from '../params.js';

/**
 * - `workers` (default 4, at most 64): ad servers, each holding its own lease per account; op `i`
 *   is handled by worker `i mod workers`.
 * - `slice` (default 10,000 minor units): budget one lease takes out of the account when a worker
 *   runs short (at least the op's amount; at most what the account has above its floor).
 * - `flush` (default `50ms`, `1ms`..`10s`): how often a worker posts the charges it deducted
 *   locally (one transaction per worker and account).
 * - `accounts` (default `hot`): which accounts are leased; the others post every op at once with
 *   `atomic`'s statement.
 */
export const quotaParams = z
  .object({
    workers: positiveInt(4, 64),
    slice: positiveInt(10_000, 1_000_000_000),
    flush: duration('50ms', { min: '1ms', max: '10s' }),
    accounts: oneOf(['hot', 'all'] as const, 'hot'),
  })
  .strict();

/** Parsed `quota` parameters (`flush` in µs, `slice` in minor units). */
export type QuotaParams = z.infer<typeof quotaParams>;
