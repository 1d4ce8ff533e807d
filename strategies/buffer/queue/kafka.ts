/**
 * The Kafka adapter (seed 000's design): one topic per replay
 * (`<namespace>.buffer`) with one partition per member, messages keyed by
 * account and sent to the partition `account mod partitions`, so an account's
 * ops stay in order; a kafkajs consumer group whose members the coordinator
 * assigns partitions to.
 *
 * Producing: an idempotent producer (`acks: -1`, one request in flight), and
 * one send at a time: enqueues issued while a send is out wait and go in the
 * next one, in order, so a retried request can neither duplicate nor reorder
 * an account's messages. A send carries at most {@link MAX_SEND_BYTES}, well
 * under the broker's default `message.max.bytes` (1 MB).
 *
 * Consuming: each fetched batch is cut into chunks of at most `max` messages
 * (kafkajs has no `max.poll.records`). After a chunk's handler resolved, its
 * offset is committed and *resolved*: kafkajs fetches next from the resolved
 * offsets, so a consumer that only committed would read the same first
 * megabyte of a backlog forever. While a handler runs the member keeps
 * heartbeating, so a long batch is not mistaken for a dead member. A member
 * that crashes leaves its uncommitted chunk to whichever member gets the
 * partition next (at least once; the ledger's op-id check skips a repeat).
 *
 * `kill()` is a crash, not a goodbye: the member's sockets are cut and no
 * LeaveGroup is ever sent, so the coordinator notices only when the member's
 * session times out (`sessionTimeoutMs`, the `buffer` parameter `session`),
 * and until then its partitions wait.
 */
import { Socket, connect } from 'node:net';
import type { Consumer, EachBatchPayload, ISocketFactory, Kafka, Producer } from 'kafkajs';
import type { KafkaPort } from '../../ports.js';
import { decodeMessage, encodeMessage, partitionOf, pause, type ConsumeOptions, type Queue, type QueueConsumer, type QueueMessage } from './port.js';

const RETRY_MS = 50;
/** Largest produce request, bytes of message values (the broker's default limit is 1 MB per batch). */
export const MAX_SEND_BYTES = 512 * 1024;
/** Default consumer session timeout, ms: how long a crashed member holds its partitions. */
export const DEFAULT_SESSION_TIMEOUT_MS = 10_000;
/** While a handler runs, heartbeat at least this often, ms (kafkajs itself throttles to its heartbeat interval). */
const HEARTBEAT_MS = 1_000;

/** Options of the Kafka adapter. */
export interface KafkaQueueOptions {
  /** Consumer session timeout, ms (the broker accepts 6,000..1,800,000). Default {@link DEFAULT_SESSION_TIMEOUT_MS}. */
  readonly sessionTimeoutMs?: number;
}

interface PendingSend {
  readonly partition: number;
  readonly key: string;
  readonly value: string;
  resolve(): void;
  reject(err: unknown): void;
}

/** A socket factory whose sockets can all be cut at once, and which refuses new ones afterwards: a process that died. */
function killableSockets(): { factory: ISocketFactory; kill(): void } {
  const sockets = new Set<Socket>();
  let dead = false;
  const factory: ISocketFactory = ({ host, port, onConnect }) => {
    if (dead) {
      const socket = new Socket();
      setImmediate(() => socket.destroy(new Error('consumer killed')));
      return socket;
    }
    const socket = connect({ host, port }, onConnect);
    socket.setKeepAlive(true, 30_000);
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    return socket;
  };
  return {
    factory,
    kill() {
      dead = true;
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
  };
}

/** The `kafka` adapter. */
export class KafkaQueue implements Queue {
  readonly backend = 'kafka' as const;
  readonly durable = true;
  private readonly kafka: Kafka;
  private readonly topic: string;
  private readonly groupId: string;
  private readonly sessionTimeoutMs: number;
  private producer: Producer | undefined;
  private readonly consumers = new Set<Consumer>();
  private pending: PendingSend[] = [];
  /** The send in flight, if any; the next one starts when it settles. */
  private sending: Promise<void> | undefined;
  private members = 0;
  /** Members stopping gracefully, until their last batch is committed. */
  private readonly finishing = new Set<Promise<void>>();

  /** @param partitions topic partitions (= members), ≥ 1. */
  constructor(
    private readonly port: KafkaPort,
    readonly partitions: number,
    options: KafkaQueueOptions = {},
  ) {
    this.kafka = port.kafka(`hotbench-${port.namespace}`);
    this.topic = `${port.namespace}.buffer`;
    this.groupId = `${port.namespace}.buffer`;
    this.sessionTimeoutMs = options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS;
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
    this.producer = this.kafka.producer({ allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1 });
    await this.producer.connect();
  }

  enqueue(message: QueueMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      const account = message.op.account;
      this.pending.push({ partition: partitionOf(account, this.partitions), key: String(account), value: encodeMessage(message), resolve, reject });
      // Collect the enqueues of this tick (and of the send in flight) into the next send.
      if (this.sending === undefined) this.sending = new Promise<void>((r) => setImmediate(r)).then(() => this.sendLoop());
    });
  }

  /** Sends what is pending, one request at a time, until nothing is. */
  private async sendLoop(): Promise<void> {
    while (this.pending.length > 0) {
      let bytes = 0;
      let n = 0;
      while (n < this.pending.length && (n === 0 || bytes + (this.pending[n]?.value.length ?? 0) <= MAX_SEND_BYTES)) bytes += this.pending[n++]?.value.length ?? 0;
      const sends = this.pending.splice(0, n);
      try {
        if (this.producer === undefined) throw new Error('kafka queue used before open()');
        await this.producer.send({ topic: this.topic, acks: -1, messages: sends.map((s) => ({ partition: s.partition, key: s.key, value: s.value })) });
        for (const s of sends) s.resolve();
      } catch (err) {
        for (const s of sends) s.reject(err);
      }
    }
    this.sending = undefined;
  }

  consume(member: number, options: ConsumeOptions): QueueConsumer {
    if (member < 0 || member >= this.partitions) throw new RangeError(`member ${member} is outside 0..${this.partitions - 1}`);
    // Its own client and sockets: a kill cuts this member's connections only.
    const sockets = killableSockets();
    const kafka = this.port.kafka(`hotbench-${this.port.namespace}-m${member}-${++this.members}`, { socketFactory: sockets.factory });
    const consumer = kafka.consumer({
      groupId: this.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: this.sessionTimeoutMs,
      heartbeatInterval: Math.max(500, Math.floor(this.sessionTimeoutMs / 5)),
      rebalanceTimeout: this.sessionTimeoutMs + 10_000,
    });
    this.consumers.add(consumer);
    const crash = new AbortController();
    const halt = new AbortController(); // stop or kill: cut short any wait
    const poll = options.pollIntervalMs ?? 0;
    let stopping = false;
    const topic = this.topic;
    /** Settles when the batch being handled (if any) is applied and committed. */
    let inBatch: Promise<unknown> = Promise.resolve();
    /** One fetched batch: chunks of ≤ max, each applied, committed, resolved, in order. */
    const handleBatch = async ({ batch, heartbeat, resolveOffset, isRunning, isStale }: EachBatchPayload): Promise<void> => {
      for (let i = 0; i < batch.messages.length; i += options.max) {
        const chunk = batch.messages.slice(i, i + options.max);
        const messages = chunk.map((m) => decodeMessage(m.value?.toString('utf8') ?? ''));
        for (;;) {
          if (crash.signal.aborted || stopping || !isRunning() || isStale()) return;
          // Heartbeat while the handler runs: a batch held up (a lock, a slow database) is not a dead member.
          const beat = setInterval(() => void heartbeat().catch(() => undefined), HEARTBEAT_MS);
          try {
            await options.handler(messages, crash.signal);
            break;
          } catch (err) {
            if (crash.signal.aborted) return;
            options.onError?.(err);
            await pause(RETRY_MS, crash.signal);
          } finally {
            clearInterval(beat);
          }
        }
        const last = chunk[chunk.length - 1];
        if (last === undefined || crash.signal.aborted) return;
        try {
          await consumer.commitOffsets([{ topic, partition: batch.partition, offset: String(BigInt(last.offset) + 1n) }]);
        } catch (err) {
          // Applied but not committed (e.g. a rebalance): the next owner gets it again, and the op-id check skips it.
          if (crash.signal.aborted) return;
          options.onError?.(err);
        }
        resolveOffset(last.offset); // applied: fetch on from the next message, never this one again
        await heartbeat();
      }
      if (batch.messages.length < options.max && poll > 0) await pause(poll, halt.signal);
    };
    const started = (async () => {
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: (payload) => {
          const run = handleBatch(payload);
          inBatch = run.catch(() => undefined);
          return run;
        },
      });
    })().catch((err: unknown) => {
      if (!crash.signal.aborted) options.onError?.(err);
    });
    const consumers = this.consumers;
    const finishing = this.finishing;
    const disconnect = async (): Promise<void> => {
      consumers.delete(consumer);
      await started;
      await consumer.disconnect().catch(() => undefined);
    };
    return {
      async stop() {
        stopping = true;
        halt.abort();
        // Finish and commit the current batch before kafkajs stops: once stopped it drops commits
        // silently. And leave only when every member stopping with us has committed: a member that
        // left would start a rebalance, and the others' last commits would be refused.
        const done = started.then(() => inBatch).then(() => undefined);
        finishing.add(done);
        await done;
        await Promise.all([...finishing]);
        finishing.delete(done);
        await disconnect(); // leaves the group: its partitions move at once
      },
      async kill() {
        halt.abort();
        crash.abort(); // the handler drops its batch; nothing after the last commit is acknowledged
        sockets.kill(); // no LeaveGroup reaches the broker: the group finds out when the session times out
        // Stop the dead client's retries in the background (its goodbye has no socket to go out on,
        // and kafkajs takes seconds to give up): the new members must not wait for it.
        void disconnect();
        return [];
      },
    };
  }

  async close(): Promise<void> {
    await this.sending;
    await Promise.all([...this.consumers].map((c) => c.disconnect().catch(() => undefined)));
    this.consumers.clear();
    await this.producer?.disconnect().catch(() => undefined);
  }
}
