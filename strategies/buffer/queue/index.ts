/**
 * Builds the queue adapter a `buffer` instance asked for, from the ports the
 * runner handed it. The list is explicit: one `case` per adapter.
 */
import type { StrategyContext } from '../../contract.js';
import { kafkaPortOf, redisPortOf } from '../../ports.js';
import { KafkaQueue } from './kafka.js';
import { MemoryQueue } from './memory.js';
import type { Queue, QueueBackend } from './port.js';
import { RedisStreamsQueue } from './redis-streams.js';

export * from './port.js';
export { KafkaQueue, MemoryQueue, RedisStreamsQueue };

/** How long a crashed member's messages wait before a live member takes them (each adapter uses its own). */
export interface QueueTimeouts {
  /** Kafka: the consumers' session timeout, ms. Default 10,000. */
  readonly sessionTimeoutMs?: number;
  /** Redis Streams: least idle time before a pending entry is taken over, ms. Default 10,000. */
  readonly reclaimIdleMs?: number;
}

/**
 * A new, not yet opened queue of `backend` with `partitions` partitions.
 * Throws a one-line `PortMissingError` when the port it needs is absent.
 */
export function createQueue(backend: QueueBackend, ctx: StrategyContext, partitions: number, timeouts: QueueTimeouts = {}): Queue {
  switch (backend) {
    case 'memory':
      return new MemoryQueue(partitions);
    case 'redis-streams':
      return new RedisStreamsQueue(redisPortOf(ctx), partitions, timeouts.reclaimIdleMs === undefined ? {} : { reclaimIdleMs: timeouts.reclaimIdleMs });
    case 'kafka':
      return new KafkaQueue(kafkaPortOf(ctx), partitions, timeouts.sessionTimeoutMs === undefined ? {} : { sessionTimeoutMs: timeouts.sessionTimeoutMs });
  }
}
