/** Parameters of `atomic`: none. */
import { z } from 'zod';

/** `atomic` takes no parameters. */
export const atomicParams = z.object({}).strict();

/** Parsed `atomic` parameters. */
export type AtomicParams = z.infer<typeof atomicParams>;
