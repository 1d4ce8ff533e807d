/**
 * The Kafka adapter drains a backlog bigger than one fetch: 100,000 messages
 * (several MB) in ONE partition, queued before the member starts, are all
 * handled, each exactly once, in order. kafkajs takes the next fetch position
 * from the offsets the consumer *resolved*, and answers one fetch with at most
 * `maxBytesPerPartition` (1 MB): a consumer that only commits, never resolves,
 * re-reads the same first megabyte forever and never reaches the rest.
 *
 * Runs on the real broker (KAFKA_BROKERS, or the embedded one).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Op } from '../strategies/contract.js';
import { KafkaQueue, encodeMessage, type QueueMessage } from '../strategies/buffer/queue/index.js';
import { closeKafka, KAFKA_START_TIMEOUT_MS, kafkaPort, kafkaProvider } from './kafka-fixture.js';
import { waitFor } from './redis-fixture.js';

const N = 100_000;
const CHUNK = 2_000;

// The broker starts once, before the tests, with room for a slow JVM start; a start that fails fails the file.
beforeAll(async () => void (await kafkaProvider()), KAFKA_START_TIMEOUT_MS);
afterAll(closeKafka);

it('a backlog of several MB in one partition drains completely, every message handled exactly once, in order', async () => {
  const fx = await kafkaPort();
  const queue = new KafkaQueue(fx.port, 1);
  await queue.open();
  try {
    const messages: QueueMessage[] = Array.from({ length: N }, (_, i) => ({ op: { id: i, at: i * 10, kind: 'charge', account: i % 50, amount: 1 + (i % 9), job: -1 } satisfies Op, acceptedAt: i * 10 }));
    const bytes = messages.reduce((n, m) => n + encodeMessage(m).length, 0);
    expect(bytes).toBeGreaterThan(2_500_000); // well past one 1-MB fetch, before any record overhead
    for (let i = 0; i < N; i += CHUNK) await Promise.all(messages.slice(i, i + CHUNK).map((m) => queue.enqueue(m)));

    const seen = new Uint8Array(N);
    let handled = 0;
    let duplicates = 0;
    let last = -1;
    let outOfOrder = 0;
    const member = queue.consume(0, {
      max: 500,
      handler: async (batch) => {
        for (const m of batch) {
          if (seen[m.op.id] === 1) duplicates += 1;
          else handled += 1;
          seen[m.op.id] = 1;
          if (m.op.id <= last) outOfOrder += 1;
          last = m.op.id;
        }
      },
    });
    try {
      await waitFor(() => handled === N || duplicates > 0, `all ${N} messages (handled ${handled})`, 180_000);
    } finally {
      await member.stop();
    }
    expect({ handled, duplicates, outOfOrder }).toEqual({ handled: N, duplicates: 0, outOfOrder: 0 });
  } finally {
    await queue.close();
    await fx.release();
  }
}, KAFKA_START_TIMEOUT_MS);
