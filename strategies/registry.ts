/**
 * The explicit registry of strategies (STYLE.md §5): name → definition,
 * filled by calling `register`, never as an import side effect.
 */
import type { StrategyDefinition } from './contract.js';
import { aggregate } from './aggregate/index.js';
import { atomic } from './atomic/index.js';
import { buffer } from './buffer/index.js';
import { cache } from './cache/index.js';
import { creditDebitSplit } from './credit-debit-split/index.js';
import { optimistic } from './optimistic/index.js';
import { quota } from './quota/index.js';
import { rateLimit } from './rate-limit/index.js';
import { readWriteSplit } from './read-write-split/index.js';
import { rowLock } from './row-lock/index.js';
import { sharded } from './sharded/index.js';
import { split } from './split/index.js';
import { wal } from './wal/index.js';

/** A definition with its parameter type erased, as the registry stores it. */
export type AnyStrategyDefinition = StrategyDefinition<unknown>;

/** A registry problem (duplicate or unknown name). `.message` is one line. */
export class RegistryError extends Error {
  override readonly name = 'RegistryError';
}

const NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

/** Name → {@link StrategyDefinition}. */
export class StrategyRegistry {
  private readonly byName = new Map<string, AnyStrategyDefinition>();

  /** Adds a definition. Throws {@link RegistryError} on a duplicate or a name that is not lowercase kebab-case. */
  register(def: AnyStrategyDefinition): this {
    if (!NAME.test(def.name)) throw new RegistryError(`strategy name '${def.name}' must be lowercase kebab-case (e.g. row-lock)`);
    if (this.byName.has(def.name)) throw new RegistryError(`strategy '${def.name}' is registered twice`);
    this.byName.set(def.name, def);
    return this;
  }

  /** True when `name` is registered. */
  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** The definition named `name`; throws {@link RegistryError} listing the known names when there is none. */
  get(name: string): AnyStrategyDefinition {
    const def = this.byName.get(name);
    if (def === undefined) throw new RegistryError(`unknown strategy '${name}'; known strategies: ${this.names().join(', ')}`);
    return def;
  }

  /** Every definition, sorted by name. */
  list(): AnyStrategyDefinition[] {
    return [...this.byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Every name, sorted. */
  names(): string[] {
    return [...this.byName.keys()].sort();
  }
}

/**
 * The built-in strategies, in the order DESIGN.md §4 lists them. Later
 * strategies are added here.
 */
export const BUILTIN_STRATEGIES: readonly AnyStrategyDefinition[] = [rowLock, optimistic, atomic, rateLimit, wal, aggregate, buffer, cache, split, readWriteSplit, creditDebitSplit, quota, sharded];

/** A fresh registry holding {@link BUILTIN_STRATEGIES}. */
export function builtinRegistry(): StrategyRegistry {
  const registry = new StrategyRegistry();
  for (const def of BUILTIN_STRATEGIES) registry.register(def);
  return registry;
}
