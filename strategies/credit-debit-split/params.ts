/** Parameters of `credit-debit-split` (seed 001 §5.2.1). */
import { z } from 'zod';
import { duration, oneOf, positiveInt } from '../params.js';

/** Which accounts get credit sub-accounts. */
export const SPLIT_ACCOUNTS = ['hot', 'all'] as const;

/**
 * - `credits` (default 4, at most 1,024): credit sub-accounts per split
 *   account; credits go to them in turn (round robin per account).
 * - `sweep` (default 250ms, from 1ms): how often the sweep job moves the credit
 *   sub-accounts' balances into the debit account. A sweep starts `sweep`
 *   after the previous one ended, so a credit waits at most about
 *   `sweep` + one sweep's duration.
 * - `accounts` (default `hot`): `hot` splits the accounts the scenario names
 *   hot, the others stay one `main` row posted like `atomic`; `all` splits
 *   every account.
 */
export const creditDebitSplitParams = z
  .object({
    credits: positiveInt(4, 1_024),
    sweep: duration('250ms', { min: '1ms' }),
    accounts: oneOf(SPLIT_ACCOUNTS, 'hot'),
  })
  .strict();

/** Parsed `credit-debit-split` parameters. */
export type CreditDebitSplitParams = z.infer<typeof creditDebitSplitParams>;
