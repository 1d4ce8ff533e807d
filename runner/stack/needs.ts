/**
 * Meeting a strategy's needs beyond PostgreSQL (Redis, Kafka, a replica).
 * Each part is a provider; a need without a provider makes the strategy
 * *skipped*, with one line saying which part is missing and how to provide it
 * (DESIGN.md §2), never a pass.
 */
import type { Need, StrategyContext } from '../../strategies/contract.js';
import type { StrategyDatabase } from './postgres.js';

/** What a provider knows about the replay it serves. */
export interface PortRequest {
  /** The strategy's fresh database (a replica provider opens the same database on the replica). */
  readonly database: StrategyDatabase;
  /** A prefix unique to this replay, for keys, topics and streams: `[a-z0-9_]+`. */
  readonly namespace: string;
}

/** Provides one part of the stack to strategies. */
export interface PortProvider {
  /** Safe to print, e.g. `Redis 7.0.15 at 127.0.0.1:6379`. */
  readonly description: string;
  /** The version recorded with the run. */
  readonly version: string;
  /** The port object handed to the strategy in `ctx.ports[need]`. */
  provide(request: PortRequest): Promise<unknown>;
  /** Releases what `provide` opened for this replay. */
  release?(request: PortRequest): Promise<void>;
  /** Stops the part if hotbench started it. */
  stop?(): Promise<void>;
  /**
   * The server process behind the part, for `--isolate`: its name and pid
   * when hotbench started it, pid undefined for an external server. Absent
   * when the part has no server process of its own.
   */
  serverProcess?(): { readonly name: string; readonly pid: number | undefined };
}

/** How to get each part, shown when it is missing. */
export const HOW_TO_PROVIDE: Readonly<Record<Exclude<Need, 'postgres'>, string>> = {
  redis: 'give --redis redis://host:6379 (or REDIS_URL), or put redis-server on PATH',
  kafka: 'give --kafka host:9092 (or KAFKA_BROKERS), or put Java ≥ 17 and Maven on PATH so hotbench starts an embedded broker',
  replica: 'give --pg-replica URL (or PG_REPLICA_URL) for an external --pg, or omit --pg so hotbench starts an embedded primary and replica',
};

/** The providers available to this run, keyed by need. */
export class PortProviders {
  readonly #providers = new Map<Exclude<Need, 'postgres'>, PortProvider>();
  readonly #missing = new Map<Exclude<Need, 'postgres'>, string>();

  /** Adds a provider for `need`. */
  set(need: Exclude<Need, 'postgres'>, provider: PortProvider): void {
    this.#providers.set(need, provider);
    this.#missing.delete(need);
  }

  /** Records why `need` cannot be met (e.g. the server was unreachable). */
  unavailable(need: Exclude<Need, 'postgres'>, why: string): void {
    if (!this.#providers.has(need)) this.#missing.set(need, why);
  }

  /** The provider for `need`, if any. */
  get(need: Exclude<Need, 'postgres'>): PortProvider | undefined {
    return this.#providers.get(need);
  }

  /** One line per unmet need, or [] when every need is met. */
  unmet(needs: readonly Need[]): string[] {
    const lines: string[] = [];
    for (const need of needs) {
      if (need === 'postgres' || this.#providers.has(need)) continue;
      const why = this.#missing.get(need);
      lines.push(`needs ${need}${why ? ` (${why})` : ''}: ${HOW_TO_PROVIDE[need]}`);
    }
    return lines;
  }

  /** Builds `ctx.ports` for a replay. Call only when {@link unmet} is empty. */
  async provide(needs: readonly Need[], request: PortRequest): Promise<StrategyContext['ports']> {
    const ports: Partial<Record<Exclude<Need, 'postgres'>, unknown>> = {};
    for (const need of needs) {
      if (need === 'postgres') continue;
      const provider = this.#providers.get(need);
      if (provider) ports[need] = await provider.provide(request);
    }
    return ports;
  }

  /** Releases a replay's ports. */
  async release(needs: readonly Need[], request: PortRequest): Promise<void> {
    for (const need of needs) {
      if (need === 'postgres') continue;
      await this.#providers.get(need)?.release?.(request).catch(() => undefined);
    }
  }

  /** Versions for provenance, e.g. `{ redis: '7.0.15' }`. */
  versions(): Partial<Record<Exclude<Need, 'postgres'>, string>> {
    return Object.fromEntries([...this.#providers].map(([need, p]) => [need, p.version]));
  }

  /** The server processes behind the parts (see {@link PortProvider.serverProcess}), in the order they were opened. */
  servers(): { readonly name: string; readonly pid: number | undefined }[] {
    return [...this.#providers.values()].flatMap((p) => (p.serverProcess ? [p.serverProcess()] : []));
  }

  /** Stops every part hotbench started. */
  async stop(): Promise<void> {
    for (const provider of this.#providers.values()) await provider.stop?.().catch(() => undefined);
  }
}
