/** Parameters of `split` (seeds 000 "hotspot dispersion", 001 §5.2.2, 002 方案6). */
import { z } from 'zod';
import { oneOf, positiveInt } from '../params.js';

/** How an op on a split account chooses its sub-account. */
export const PICKS = ['random', 'round-robin', 'hash'] as const;
/** What a debit does when its sub-account cannot cover it. */
export const ON_INSUFFICIENT = ['decline', 'try-others', 'gather'] as const;

/**
 * - `parts` (default 8, at most 1,024): sub-accounts each hot account is split
 *   into (balance and floor divided as evenly as integers allow); accounts the
 *   scenario does not name hot stay whole.
 * - `pick` (default `random`): `random` (a seeded generator, the same choices
 *   for the same arrival order), `round-robin` (a counter per account, in
 *   arrival order, credits included) or `hash` (of the op id: the same op
 *   always lands on the same sub-account).
 * - `on_insufficient` (default `decline`): `decline` refuses a debit its
 *   sub-account cannot cover, even when the others together could (a false
 *   decline); `try-others` then tries the other sub-accounts in order
 *   (chosen + 1, chosen + 2, ... wrapping), one conditional UPDATE each;
 *   `gather` locks every part of the account (ascending ids) and, when
 *   together they cover the debit, moves the shortfall into the chosen part
 *   with internal transfers (entries with `transfer_id` = the op id, no
 *   `op_id`) and posts the debit there: no false declines, at the price of
 *   one lock over all parts, i.e. the hot row again, whenever a part runs dry.
 */
export const splitParams = z
  .object({
    parts: positiveInt(8, 1_024),
    pick: oneOf(PICKS, 'random'),
    on_insufficient: oneOf(ON_INSUFFICIENT, 'decline'),
  })
  .strict();

/** Parsed `split` parameters. */
export type SplitParams = z.infer<typeof splitParams>;
