/** Parameters of `sharded`: none. The shard count is the run's (`--pg` URLs or `--pg-shards`), not the strategy's. */
import { z } from 'zod';

/** `sharded` takes no parameters. */
export const shardedParams = z.object({}).strict();

/** Parsed `sharded` parameters. */
export type ShardedParams = z.infer<typeof shardedParams>;
