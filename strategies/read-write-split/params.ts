/** Parameters of `read-write-split` (seed 002 方案7 读写分离). */
import { z } from 'zod';
import { bool } from '../params.js';

/**
 * - `precheck` (default `false`): whether a debit (charge, withdraw, negative
 *   adjust) first reads the balance on the replica and is declined there
 *   (`insufficient_funds`, the primary untouched) when the replica says it
 *   cannot be covered. A debit that passes is still posted with `atomic`'s
 *   conditional UPDATE on the primary, so a stale replica can cause false
 *   declines (it missed a credit) but never an overdraft.
 */
export const readWriteSplitParams = z
  .object({
    precheck: bool(false),
  })
  .strict();

/** Parsed `read-write-split` parameters. */
export type ReadWriteSplitParams = z.infer<typeof readWriteSplitParams>;
