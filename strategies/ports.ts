/**
 * The ports a strategy receives for parts of the stack beyond PostgreSQL
 * (`ctx.ports.redis`, `ctx.ports.kafka`, `ctx.ports.replica`), typed here so
 * strategies never import runner code (DESIGN.md §1: `strategies →
 * strategies/contract` and the ports the runner hands them), and the runner
 * never imports a strategy's folder. The runner's providers
 * (`runner/stack/redis.ts`, `kafka.ts`, `replica.ts`) build objects of
 * exactly these shapes.
 */
import type { Pool } from 'pg';
import type { Redis } from 'ioredis';
import type { ISocketFactory, Kafka } from 'kafkajs';
import type { StrategyContext } from './contract.js';

/** Options of {@link RedisPort.client}. */
export interface RedisClientOptions {
  /** Connection name (`CLIENT SETNAME`), for `CLIENT LIST`. */
  readonly name?: string;
  /** Fail a command after this many ms (default 5,000). 0 = never: only for blocking reads that set their own timeout. */
  readonly commandTimeoutMs?: number;
  /** Send commands issued in the same tick as one pipeline (ioredis `enableAutoPipelining`). Default false. */
  readonly autoPipelining?: boolean;
}

/** What `ctx.ports.redis` holds. */
export interface RedisPort {
  /**
   * Prefix unique to this replay, `[a-z0-9_]+`. Every key a strategy writes
   * must start with `<namespace>:`; the provider deletes them at release.
   */
  readonly namespace: string;
  /**
   * A new ioredis client on the run's Redis (lazy: it connects on first use).
   * The strategy quits the clients it opened in `stop()`; the provider
   * disconnects any left open when the replay is released. Commands time out
   * after `commandTimeoutMs` (default 5,000 ms) instead of waiting forever
   * for a Redis that is gone.
   */
  client(options?: RedisClientOptions): Redis;
  /** `redis_version` of the server, e.g. "7.0.15". */
  readonly version: string;
}

/** What `ctx.ports.kafka` holds. */
export interface KafkaPort {
  /** Prefix unique to this replay for topics and group ids, `[a-z0-9_]+`; the provider deletes its topics at release. */
  readonly namespace: string;
  /** The brokers, `host:port`. */
  readonly brokers: readonly string[];
  /**
   * A kafkajs client on the run's brokers (no logging to stdout). A
   * `socketFactory` lets the caller own the client's sockets, e.g. to cut
   * them all at once the way a crashed process would.
   */
  kafka(clientId: string, options?: { readonly socketFactory?: ISocketFactory }): Kafka;
}

/** A port the strategy needs is not in its context. `.message` is one line. */
export class PortMissingError extends Error {
  override readonly name = 'PortMissingError';
}

/** `ctx.ports.redis`, checked; throws {@link PortMissingError} when the runner did not provide it. */
export function redisPortOf(ctx: StrategyContext): RedisPort {
  const port = ctx.ports.redis as Partial<RedisPort> | undefined;
  if (port === undefined || typeof port.client !== 'function' || typeof port.namespace !== 'string') {
    throw new PortMissingError('needs redis: give --redis redis://host:6379 (or REDIS_URL), or put redis-server on PATH');
  }
  return port as RedisPort;
}

/** `ctx.ports.kafka`, checked; throws {@link PortMissingError} when the runner did not provide it. */
export function kafkaPortOf(ctx: StrategyContext): KafkaPort {
  const port = ctx.ports.kafka as Partial<KafkaPort> | undefined;
  if (port === undefined || typeof port.kafka !== 'function' || typeof port.namespace !== 'string') {
    throw new PortMissingError('needs kafka: give --kafka host:9092 (or KAFKA_BROKERS), or put Java ≥ 17 and Maven on PATH so hotbench starts an embedded broker');
  }
  return port as KafkaPort;
}

/** Key names must stay inside the namespace and be plain: `[a-z0-9_:.-]`. */
const KEY = /^[a-z0-9_]+(?::[a-z0-9_.-]+)+$/;

/** `<namespace>:<parts joined by ':'>`, validated; throws on anything unusual. */
export function nsKey(namespace: string, ...parts: readonly (string | number)[]): string {
  const key = [namespace, ...parts].join(':');
  if (!KEY.test(key)) throw new PortMissingError(`refusing an unusual key name '${key}'`);
  return key;
}

/** A read-only view of this replay's database, served by a replica of the primary. */
export interface ReplicaPort {
  /**
   * Opens a pool on the same database, on the replica (read-only: writes
   * fail with SQLSTATE 25006). Default `max` is the run's `--connections`.
   * The runner ends every pool it handed out when the replay is released.
   */
  pool(options?: { readonly max?: number; readonly applicationName?: string }): Pool;
  /**
   * Replication lag right now, µs: how long a change committed on the primary
   * now takes to become visible on the replica. Measured by reading the
   * primary's WAL flush position (`pg_current_wal_flush_lsn()`: every commit
   * visible there is flushed) and polling the replica's
   * `pg_last_wal_replay_lsn()` until it has replayed that far; 0 when the
   * replica had already replayed it at the first poll (caught up within one
   * round trip). Capped at 10 s (a lower bound past that).
   */
  lagUs(): Promise<number>;
}

/** A port the strategy needs is not in its context. `.message` is one line. */
export class ReplicaPortMissingError extends Error {
  override readonly name = 'ReplicaPortMissingError';
}

/** `ctx.ports.replica`, checked; throws {@link ReplicaPortMissingError} when the runner did not provide it. */
export function replicaPortOf(ctx: StrategyContext): ReplicaPort {
  const port = ctx.ports.replica as Partial<ReplicaPort> | undefined;
  if (port === undefined || typeof port.pool !== 'function' || typeof port.lagUs !== 'function') {
    throw new ReplicaPortMissingError('needs replica: use the embedded PostgreSQL (it starts a replica), or give --pg-replica URL (or PG_REPLICA_URL)');
  }
  return port as ReplicaPort;
}
