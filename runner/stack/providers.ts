/**
 * Opens the parts of the stack beyond PostgreSQL that this run can offer
 * (Redis, Kafka, a PostgreSQL replica) and records, for each one it cannot
 * offer, why: strategies needing it are then skipped with that reason.
 *
 * Each part lives in its own module (`redis.ts`, `kafka.ts`, `replica.ts`);
 * this file only lists them (STYLE.md §5: explicit, no import side effects).
 */
import { PortProviders } from './needs.js';
import type { ProviderOpener, ProviderContext } from './provider-types.js';
import { openKafka } from './kafka.js';
import { openRedis } from './redis.js';
import { openReplica } from './replica.js';

export type { ProviderContext, ProviderOpener } from './provider-types.js';

/** The parts, in the order they are opened. */
export const PROVIDER_OPENERS: readonly ProviderOpener[] = [openReplica, openRedis, openKafka];

/** Opens every part this run can offer. */
export async function openProviders(ctx: ProviderContext, openers: readonly ProviderOpener[] = PROVIDER_OPENERS): Promise<PortProviders> {
  const providers = new PortProviders();
  for (const open of openers) await open(providers, ctx);
  return providers;
}
