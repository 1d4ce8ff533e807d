/**
 * What opening a part of the stack beyond PostgreSQL (Redis, Kafka, a
 * replica) is given and must do: shared by each part's module and the list
 * in ./providers.ts, in a module of their own so neither imports the other.
 */
import type { Need } from '../../strategies/contract.js';
import type { ResolvedRunConfig } from '../config/run-config.js';
import type { PortProviders } from './needs.js';
import type { PostgresStack } from './postgres.js';

/** What opening a part can use. */
export interface ProviderContext {
  readonly config: ResolvedRunConfig;
  readonly postgres: PostgresStack;
  /** What the planned strategies need; a part hotbench would have to start is started only if needed. Default: everything. */
  readonly needs?: readonly Need[];
  log(line: string): void;
}

/** Opens one part: sets a provider on `providers`, or marks the need unavailable with a reason. Never throws. */
export type ProviderOpener = (providers: PortProviders, ctx: ProviderContext) => Promise<void>;
