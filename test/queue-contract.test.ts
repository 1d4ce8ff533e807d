/**
 * The buffer's queue contract (strategies/buffer/queue/port.ts), run against
 * every adapter: memory, redis-streams, and kafka on a real broker
 * (KAFKA_BROKERS, else the embedded Apache Kafka this file starts; if it
 * cannot start, the kafka tests FAIL with the reason).
 *
 * Behaviours: per-account order and exactly-once delivery without faults;
 * batches ≤ max from one partition; a failed batch comes again first; a
 * graceful stop leaves the rest to the next member; a kill (crash) hands the
 * unacknowledged batch to the next member on a durable adapter and loses what
 * the member held on a non-durable one. The durable adapters take a crashed
 * member's messages over only after their timeout (Kafka's session timeout,
 * Redis Streams' reclaim idle time), set short here: 6 s (the broker's least)
 * and 500 ms.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Op } from '../strategies/contract.js';
import { createQueue, partitionOf, type Queue, type QueueBackend, type QueueConsumer, type QueueMessage } from '../strategies/buffer/queue/index.js';
import type { StrategyContext } from '../strategies/contract.js';
import { closeKafka, KAFKA_START_TIMEOUT_MS, kafkaPort, kafkaProvider } from './kafka-fixture.js';
import { redisPort, waitFor as waitForWithin, type RedisFixture } from './redis-fixture.js';

const PARTITIONS = 3;
/** Short takeover timeouts (Kafka's least session timeout is 6 s). */
const TIMEOUTS = { sessionTimeoutMs: 6_000, reclaimIdleMs: 500 };
/**
 * Least wait before a crashed member's messages reach a new member, ms: what
 * a polite (leave-the-group, claim-at-once) kill skips. Redis Streams counts
 * idle time from the entries' delivery; Kafka's session runs from the dead
 * member's last heartbeat, at most one heartbeat interval (1.2 s) before the kill.
 */
const TAKEOVER_MS: Readonly<Record<QueueBackend, { readonly from: 'delivery' | 'kill'; readonly ms: number }>> = {
  memory: { from: 'kill', ms: 0 },
  'redis-streams': { from: 'delivery', ms: TIMEOUTS.reclaimIdleMs - 50 },
  kafka: { from: 'kill', ms: TIMEOUTS.sessionTimeoutMs - 2_000 },
};
/** A real broker's group needs seconds to form, and a crashed member's session to time out. */
const waitFor = (check: () => boolean, what: string): Promise<void> => waitForWithin(check, what, 60_000);
const ACCOUNTS = 6;

/** `n` charge ops over ACCOUNTS accounts, ids from `first`. */
function ops(n: number, first = 0): Op[] {
  return Array.from({ length: n }, (_, i) => ({ id: first + i, at: (first + i) * 100, kind: 'charge', account: (first + i) % ACCOUNTS, amount: 1 + (i % 7), job: -1 }));
}

// The broker starts once, before the tests, with room for a slow JVM start; a start that fails fails the file.
beforeAll(async () => void (await kafkaProvider()), KAFKA_START_TIMEOUT_MS);

const fixtures: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const close of fixtures) await close();
  await closeKafka();
});

/** A fresh queue of `backend` in its own namespace. */
async function freshQueue(backend: QueueBackend): Promise<Queue> {
  const ports: Record<string, unknown> = {};
  if (backend === 'redis-streams') {
    const fx: RedisFixture = await redisPort();
    fixtures.push(() => fx.close());
    ports['redis'] = fx.port;
  }
  if (backend === 'kafka') {
    const fx = await kafkaPort();
    ports['kafka'] = fx.port;
    fixtures.push(() => fx.release());
  }
  const queue = createQueue(backend, { ports } as unknown as StrategyContext, PARTITIONS, TIMEOUTS);
  await queue.open();
  fixtures.push(() => queue.close());
  return queue;
}

/** Records every batch a member handled. */
class Log {
  readonly batches: QueueMessage[][] = [];
  get ids(): number[] {
    return this.batches.flat().map((m) => m.op.id);
  }
}

function startAll(queue: Queue, max: number, handler: (batch: readonly QueueMessage[], signal: AbortSignal) => Promise<void>): QueueConsumer[] {
  return Array.from({ length: queue.partitions }, (_, member) => queue.consume(member, { max, handler }));
}

function checkOrderPerAccount(batches: readonly (readonly QueueMessage[])[]): void {
  const last = new Map<number, number>();
  for (const m of batches.flat()) {
    expect(m.op.id, `op ${m.op.id} after ${last.get(m.op.account)} on account ${m.op.account}`).toBeGreaterThan(last.get(m.op.account) ?? -1);
    last.set(m.op.account, m.op.id);
  }
}

function contract(backend: QueueBackend): void {
  it('delivers every message exactly once, in order per account, in batches of at most max from one partition', async () => {
    const queue = await freshQueue(backend);
    const sent = ops(300);
    await Promise.all(sent.map((op) => queue.enqueue({ op, acceptedAt: op.at })));
    const log = new Log();
    const members = startAll(queue, 40, async (batch) => void log.batches.push([...batch]));
    await waitFor(() => log.ids.length >= 300, `${backend}: 300 messages`);
    await Promise.all(members.map((m) => m.stop()));
    expect([...log.ids].sort((a, b) => a - b)).toEqual(sent.map((op) => op.id));
    for (const batch of log.batches) {
      expect(batch.length).toBeLessThanOrEqual(40);
      expect(new Set(batch.map((m) => partitionOf(m.op.account, PARTITIONS))).size).toBe(1);
    }
    checkOrderPerAccount(log.batches);
    // The message round-trips intact.
    const first = log.batches.flat().find((m) => m.op.id === 7);
    expect(first).toEqual({ op: sent[7], acceptedAt: 700 });
  });

  it('hands a batch whose handler failed out again, first and in order', async () => {
    const queue = await freshQueue(backend);
    const sent = ops(60, 1000);
    await Promise.all(sent.map((op) => queue.enqueue({ op, acceptedAt: 0 })));
    const log = new Log();
    let failed: number[] | undefined;
    const members = startAll(queue, 10, async (batch) => {
      if (failed === undefined) {
        failed = batch.map((m) => m.op.id);
        throw new Error('planted failure');
      }
      log.batches.push([...batch]);
    });
    await waitFor(() => log.ids.length >= 60, `${backend}: 60 messages after a failure`);
    await Promise.all(members.map((m) => m.stop()));
    expect([...log.ids].sort((a, b) => a - b)).toEqual(sent.map((op) => op.id));
    expect(failed).toBeDefined();
    checkOrderPerAccount(log.batches);
  });

  it('after a graceful stop, the next member continues where the last one acknowledged', async () => {
    const queue = await freshQueue(backend);
    const sent = ops(90, 2000);
    await Promise.all(sent.map((op) => queue.enqueue({ op, acceptedAt: 0 })));
    const log = new Log();
    let gate!: () => void;
    const held = new Promise<void>((r) => (gate = r));
    let calls = 0;
    const first = startAll(queue, 5, async (batch) => {
      calls += 1;
      if (calls > 3) await held; // members stop after a few batches
      log.batches.push([...batch]);
    });
    await waitFor(() => calls > 3, `${backend}: a few batches`);
    const stopping = Promise.all(first.map((m) => m.stop()));
    gate();
    await stopping;
    const handledBefore = log.ids.length;
    expect(handledBefore).toBeGreaterThan(0);
    expect(handledBefore).toBeLessThan(90);
    const second = startAll(queue, 5, async (batch) => void log.batches.push([...batch]));
    await waitFor(() => log.ids.length >= 90, `${backend}: the rest after a stop`);
    await Promise.all(second.map((m) => m.stop()));
    expect([...log.ids].sort((a, b) => a - b)).toEqual(sent.map((op) => op.id)); // no duplicates, no gaps
  });

  it(backend === 'memory' ? 'a kill loses what the members held (not durable), and kill() says what' : 'a kill loses nothing: the unacknowledged batch goes to the next member, once the crashed one timed out', async () => {
    const queue = await freshQueue(backend);
    const sent = ops(120, 3000);
    await Promise.all(sent.map((op) => queue.enqueue({ op, acceptedAt: 0 })));
    const log = new Log();
    const inFlight: number[] = [];
    let deliveredAt: number | undefined;
    // The first members take one batch each and hang in it until killed.
    const first = startAll(queue, 8, (batch, signal) => {
      deliveredAt ??= Date.now();
      inFlight.push(...batch.map((m) => m.op.id));
      return new Promise<void>((_, reject) => signal.addEventListener('abort', () => reject(new Error('killed'))));
    });
    await waitFor(() => inFlight.length > 0, `${backend}: a batch in flight`);
    await new Promise((r) => setTimeout(r, 200)); // let every member take its batch
    const killedAt = Date.now();
    const lost = (await Promise.all(first.map((m) => m.kill()))).flat().map((m) => m.op.id);
    let firstRedelivery: number | undefined;
    const second = startAll(queue, 8, async (batch) => {
      if (firstRedelivery === undefined && batch.some((m) => inFlight.includes(m.op.id))) firstRedelivery = Date.now();
      log.batches.push([...batch]);
    });
    if (queue.durable) {
      expect(lost).toEqual([]);
      await waitFor(() => log.ids.length >= 120, `${backend}: everything after a kill`);
      // A crash says no goodbye: the held messages move only after the queue's timeout.
      const takeover = TAKEOVER_MS[backend];
      expect((firstRedelivery ?? 0) - (takeover.from === 'kill' ? killedAt : (deliveredAt ?? 0))).toBeGreaterThanOrEqual(takeover.ms);
      expect(new Set(log.ids)).toEqual(new Set(sent.map((op) => op.id)));
      for (const id of inFlight) expect(log.ids).toContain(id);
      checkOrderPerAccount(log.batches);
    } else {
      for (const id of inFlight) expect(lost).toContain(id);
      expect(lost.length).toBe(120); // nothing was handled before the kill: all of it was held
      await new Promise((r) => setTimeout(r, 300));
      expect(log.ids).toEqual([]);
      // What is enqueued after the kill is delivered by the new members.
      const later = ops(12, 4000);
      await Promise.all(later.map((op) => queue.enqueue({ op, acceptedAt: 0 })));
      await waitFor(() => log.ids.length >= 12, 'memory: messages after the kill');
      expect([...log.ids].sort((a, b) => a - b)).toEqual(later.map((op) => op.id));
    }
    await Promise.all(second.map((m) => m.stop()));
  });
}

describe('queue contract: memory adapter', () => contract('memory'));
describe('queue contract: redis-streams adapter', () => contract('redis-streams'));
describe('queue contract: kafka adapter', () => contract('kafka'));
