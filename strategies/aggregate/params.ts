/** Parameters of `aggregate` (seeds 000 "batch deduction", 002 方案3, 004). */
import { z } from 'zod';
import { duration, oneOf, positiveInt } from '../params.js';

/**
 * - `window` (default `5ms`): how long the first op queued for an account may
 *   wait for company before its batch is posted. It bounds the added ack
 *   latency when the account is quiet; under load, batches go back to back and
 *   the window only matters while the previous batch is still in flight.
 * - `max` (default 500, at most 100,000): most ops in one batch (one
 *   transaction, one `INSERT ... SELECT FROM unnest(...)`, one balance update);
 *   a full queue is posted at once without waiting for the window.
 * - `reads` (default `ledger`): where a `read` op's balance comes from:
 *   `ledger` = a plain SELECT on the accounts table (one round trip);
 *   `committed` = the balance this strategy saw committed by its last batch
 *   for that account (no round trip; exact, since this strategy is the
 *   ledger's only writer and batches for one account are serialized).
 * - `counter` (default `same`): under double entry, where an op's
 *   counterparty leg is posted. `same`: in the op's own batch transaction
 *   (atomic; the counterparty row, e.g. the platform revenue account, is then
 *   updated once per payer batch, so it becomes the queue every batch waits
 *   in). `batched`: the legs are batched per counterparty account like any
 *   op (seed 002 方案3: the collection account is itself aggregated), and an
 *   op is `applied` once both its batches committed; the two legs commit
 *   apart, so a crash between them leaves an op without its counterparty
 *   leg (the auditor's global conservation names it).
 */
export const aggregateParams = z
  .object({
    window: duration('5ms', { max: '10s' }),
    max: positiveInt(500, 100_000),
    reads: oneOf(['ledger', 'committed'], 'ledger'),
    counter: oneOf(['same', 'batched'], 'same'),
  })
  .strict();

/** Parsed `aggregate` parameters (`window` in µs). */
export type AggregateParams = z.infer<typeof aggregateParams>;
