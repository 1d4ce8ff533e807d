/**
 * The Kafka adapter (seed 000's design): one topic per replay
 * (`<namespace>.buffer`) with one partition per member, messages keyed to the
 * partition `account mod partitions` so an account's ops stay in order; a
 * kafkajs consumer group whose members the coordinator assigns partitions to.
 * Each fetched batch is cut into chunks of at most `max` messages (kafkajs has
 * no `max.poll.records`); a chunk's offset is committed only after its handler
 * resolved, so a member that crashes leaves its chunk to be fetched again by
 * whichever member gets the partition next (at least once).
 *
 * Enqueues issued in the same tick are sent as one produce request
 * (`acks: -1`, all in-sync replicas).
 *
 * This adapter runs only against a real broker (`--kafka` / `KAFKA_BROKERS`);
 * no broker exists on the machines hotbench was developed on, so it was
 * compiled and reviewed but NOT exercised there (see the README).
 */
import type { Consumer, Kafka, Producer } from 'kafkajs';
import type { KafkaPort } from '../../ports.js';
import { decodeMessage, encodeMessage, partitionOf, pause, type ConsumeOptions, type Queue, type QueueConsumer, type QueueMessage } from './port.js';

const RETRY_MS = 50;

interface PendingSend {
  readonly partition: number;
  readonly value: string;
  resolve(): void;
  reject(err: unknown): void;
}

/** The `kafka` adapter. */
export class KafkaQueue implements Queue {
  readonly backend = 'kafka' as const;
  readonly durable = true;
  private readonly kafka: Kafka;
  private readonly topic: string;
  private readonly groupId: string;
  private producer: Producer | undefined;
  private readonly consumers = new Set<Consumer>();
  private pending: PendingSend[] = [];
  private flushScheduled = false;

  /** @param partitions topic partitions (= members), ≥ 1. */
  constructor(
    port: KafkaPort,
    readonly partitions: number,
  ) {
    this.kafka = port.kafka(`hotbench-${port.namespace}`);
    this.topic = `${port.namespace}.buffer`;
    this.groupId = `${port.namespace}.buffer`;
  }

  /** Creates the topic and connects the producer. */
  async open(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic: this.topic, numPartitions: this.partitions }], waitForLeaders: true });
    } finally {
      await admin.disconnect();
    }
    this.producer = this.kafka.producer({ allowAutoTopicCreation: false });
    await this.producer.connect();
  }

  enqueue(message: QueueMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ partition: partitionOf(message.op.account, this.partitions), value: encodeMessage(message), resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => void this.flushSends());
      }
    });
  }

  private async flushSends(): Promise<void> {
    this.flushScheduled = false;
    const sends = this.pending;
    this.pending = [];
    if (sends.length === 0) return;
    try {
      if (this.producer === undefined) throw new Error('kafka queue used before open()');
      await this.producer.send({ topic: this.topic, acks: -1, messages: sends.map((s) => ({ partition: s.partition, value: s.value })) });
      for (const s of sends) s.resolve();
    } catch (err) {
      for (const s of sends) s.reject(err);
    }
  }

  consume(member: number, options: ConsumeOptions): QueueConsumer {
    if (member < 0 || member >= this.partitions) throw new RangeError(`member ${member} is outside 0..${this.partitions - 1}`);
    const consumer = this.kafka.consumer({ groupId: this.groupId, allowAutoTopicCreation: false });
    this.consumers.add(consumer);
    const crash = new AbortController();
    const halt = new AbortController(); // stop or kill: cut short any wait
    const poll = options.pollIntervalMs ?? 0;
    let stopping = false;
    const topic = this.topic;
    const started = (async () => {
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: async ({ batch, heartbeat, isRunning, isStale }) => {
          for (let i = 0; i < batch.messages.length; i += options.max) {
            const chunk = batch.messages.slice(i, i + options.max);
            const messages = chunk.map((m) => decodeMessage(m.value?.toString('utf8') ?? ''));
            for (;;) {
              if (crash.signal.aborted || stopping || !isRunning() || isStale()) return;
              try {
                await options.handler(messages, crash.signal);
                break;
              } catch (err) {
                if (crash.signal.aborted) return;
                options.onError?.(err);
                await pause(RETRY_MS, crash.signal);
              }
            }
            const last = chunk[chunk.length - 1];
            if (last !== undefined && !crash.signal.aborted) {
              await consumer.commitOffsets([{ topic, partition: batch.partition, offset: String(BigInt(last.offset) + 1n) }]);
            }
            await heartbeat();
          }
          if (batch.messages.length < options.max && poll > 0) await pause(poll, halt.signal);
        },
      });
    })().catch((err: unknown) => options.onError?.(err));
    const consumers = this.consumers;
    const disconnect = async (): Promise<void> => {
      consumers.delete(consumer);
      await started;
      await consumer.disconnect().catch(() => undefined);
    };
    return {
      async stop() {
        stopping = true;
        halt.abort();
        await disconnect();
      },
      async kill() {
        halt.abort();
        crash.abort(); // the handler drops its batch; nothing after the last commit is acknowledged
        await Promise.race([disconnect(), pause(10_000)]);
        return [];
      },
    };
  }

  async close(): Promise<void> {
    await this.flushSends();
    await Promise.all([...this.consumers].map((c) => c.disconnect().catch(() => undefined)));
    this.consumers.clear();
    await this.producer?.disconnect().catch(() => undefined);
  }
}
