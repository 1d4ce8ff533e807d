/** Parameters of `wal` (seed 002 方案2 预写日志记账). */
import { z } from 'zod';
import { duration, oneOf } from '../params.js';

/**
 * - `interval` (default `200ms`, between `1ms` and `1m`): pause between roll-ups. A roll-up moves
 *   the balances by every journal entry committed when it starts, then the job sleeps `interval`.
 *   Posting delay is about `interval` plus a roll-up.
 * - `check` (default `none`): `none` journals charges blind (seed 002's design, the overdraft risk);
 *   `pending` accepts a debit only if the balance minus the journal's pending debits covers it
 *   (kept in the strategy's memory: the balance the roll-ups will reach, debits counted when
 *   accepted, credits once journaled), the same check `buffer` makes at accept.
 */
export const walParams = z
  .object({
    interval: duration('200ms', { min: '1ms', max: '1m' }),
    check: oneOf(['none', 'pending'] as const, 'none'),
  })
  .strict();

/** Parsed `wal` parameters (`interval` in µs). */
export type WalParams = z.infer<typeof walParams>;
