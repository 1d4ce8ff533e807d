/** Parameters of `row-lock`: none. The strategy is the fixed baseline of seeds 001 and 002. */
import { z } from 'zod';

/** `row-lock` takes no parameters. */
export const rowLockParams = z.object({}).strict();

/** Parsed `row-lock` parameters. */
export type RowLockParams = z.infer<typeof rowLockParams>;
