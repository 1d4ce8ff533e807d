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

/**
 * A new, not yet opened queue of `backend` with `partitions` partitions.
 * Throws a one-line `PortMissingError` when the port it needs is absent.
 */
export function createQueue(backend: QueueBackend, ctx: StrategyContext, partitions: number): Queue {
  switch (backend) {
    case 'memory':
      return new MemoryQueue(partitions);
    case 'redis-streams':
      return new RedisStreamsQueue(redisPortOf(ctx), partitions);
    case 'kafka':
      return new KafkaQueue(kafkaPortOf(ctx), partitions);
  }
}
