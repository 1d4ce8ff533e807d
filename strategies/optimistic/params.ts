/** Parameters of `optimistic` (seed 001 §4). */
import { z } from 'zod';
import { duration, nonNegativeInt, oneOf } from '../params.js';

/**
 * - `retries` (default 10): how many times a version conflict is retried; an
 *   op makes at most `retries + 1` attempts before it gives up.
 * - `isolation` (default `repeatable-read`, as in the seed): `read-committed`
 *   sees a conflict as an UPDATE matching 0 rows; `repeatable-read` mostly as
 *   a serialization failure (SQLSTATE 40001).
 * - `backoff` (default `1ms`): base of the jittered exponential pause before
 *   a retry: uniform in [0, backoff·2^(attempt-1)], capped at 32·backoff.
 */
export const optimisticParams = z
  .object({
    retries: nonNegativeInt(10, 1000),
    isolation: oneOf(['read-committed', 'repeatable-read'], 'repeatable-read'),
    backoff: duration('1ms', { max: '1s' }),
  })
  .strict();

/** Parsed `optimistic` parameters (`backoff` in µs). */
export type OptimisticParams = z.infer<typeof optimisticParams>;
