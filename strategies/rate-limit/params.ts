/** Parameters of `rate-limit` (seed 002 方案1 限流控制). */
import { z } from 'zod';
import { oneOf, positiveInt, ratePerS } from '../params.js';

/**
 * - `rate` (default 500/s, at most 10,000,000/s; the rate grammar of
 *   units/rate.ts: `500`, `500/s`, `2k/s`): tokens added per second to each
 *   account's bucket, i.e. the sustained ops/s one account may send.
 * - `burst` (default 50, at most 10,000,000): the bucket's size, i.e. how many
 *   ops an idle account may send at once. A bucket starts full at the
 *   account's first op.
 * - `reads` (default `bypass`): `bypass` lets balance reads through without a
 *   token; `limit` makes them take one like any other op.
 */
export const rateLimitParams = z
  .object({
    rate: ratePerS(500),
    burst: positiveInt(50, 10_000_000),
    reads: oneOf(['bypass', 'limit'], 'bypass'),
  })
  .strict();

/** Parsed `rate-limit` parameters. */
export type RateLimitParams = z.infer<typeof rateLimitParams>;
