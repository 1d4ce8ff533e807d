/** Parameters of `wal` (seed 002 方案2 预写日志记账). */
import { z } from 'zod';
import { duration, positiveInt } from '../params.js';

/**
 * - `interval` (default `200ms`, between `1ms` and `1m`): pause between roll-ups. A roll-up moves
 *   every journal row present when it starts into the ledger, in batches, then
 *   the job sleeps `interval`. Posting delay is about `interval` plus a roll-up.
 * - `batch` (default 10,000, at most 1,000,000): most journal rows posted by
 *   one roll-up transaction.
 */
export const walParams = z
  .object({
    interval: duration('200ms', { min: '1ms', max: '1m' }),
    batch: positiveInt(10_000, 1_000_000),
  })
  .strict();

/** Parsed `wal` parameters (`interval` in µs). */
export type WalParams = z.infer<typeof walParams>;
