/**
 * Parameters of `cache`.
 *
 * - `flush`: how often the flusher moves pending deltas from Redis to the
 *   ledger (default 1s). Every accepted op waits up to this long to be posted,
 *   and a Redis that dies loses up to this much accepted traffic.
 * - `max`: most pending entries posted per ledger transaction (default 5000);
 *   a flush loops until the pending list is empty.
 */
import { z } from 'zod';
import { duration, positiveInt } from '../params.js';

/** `cache` parameters with their documented defaults. */
export const cacheParams = z
  .object({
    flush: duration('1s', { min: '1ms', max: '10m' }),
    max: positiveInt(5_000, 100_000),
  })
  .strict();

/** Parsed `cache` parameters. */
export type CacheParams = z.infer<typeof cacheParams>;
