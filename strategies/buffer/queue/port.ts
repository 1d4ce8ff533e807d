/**
 * The queue port of the `buffer` strategy: accept = enqueue, a group of
 * members consumes batches and applies them. Three adapters implement it
 * (`memory.ts`, `redis-streams.ts`, `kafka.ts`); `test/queue-contract.test.ts`
 * runs the same suite against each one available.
 *
 * ## Contract
 *
 * - Messages are partitioned by account (`partitionOf`), and a partition is
 *   consumed by one member at a time, in enqueue order: per-account order is
 *   kept end to end.
 * - A batch is acknowledged when the handler resolves. A handler that rejects
 *   gets the same messages again (after a short pause), first, in order.
 * - `stop()` is graceful: the current batch finishes and is acknowledged.
 * - `kill()` is a crash: the handler's signal aborts, its batch is never
 *   acknowledged. A **durable** adapter delivers the unacknowledged messages
 *   to the member started next for that partition (at least once: a message
 *   whose handler committed just before the kill comes again, so handlers
 *   must be idempotent). A **non-durable** adapter (memory) loses what the
 *   killed member held, in flight and queued, and `kill()` returns it.
 */
import type { Micros, Op, OpKind } from '../../contract.js';
import { OP_KINDS } from '../../contract.js';

/** The adapters, named as the strategy's `backend`. */
export const QUEUE_BACKENDS = ['kafka', 'redis-streams', 'memory'] as const;
/** One of {@link QUEUE_BACKENDS}. */
export type QueueBackend = (typeof QUEUE_BACKENDS)[number];

/** One accepted op on the queue. */
export interface QueueMessage {
  readonly op: Op;
  /** When the strategy accepted it, µs on the run clock (for `lag_us`). */
  readonly acceptedAt: Micros;
}

/**
 * Applies one batch (≤ `max` messages, one partition, in order). Resolve to
 * acknowledge; reject to get the batch again. When `signal` aborts (a kill),
 * stop at once: the batch will not be acknowledged.
 */
export type BatchHandler = (messages: readonly QueueMessage[], signal: AbortSignal) => Promise<void>;

/** Options for {@link Queue.consume}. */
export interface ConsumeOptions {
  /** Most messages per batch (seed 000's `max.poll.records`). */
  readonly max: number;
  readonly handler: BatchHandler;
  /**
   * After a batch with fewer than `max` messages (or an empty read), wait this
   * long before reading again, ms: seed 000's scheduled aggregation interval,
   * or a consumer's fetch wait. Default 0: read again at once (a blocking read
   * waits for new messages by itself).
   */
  readonly pollIntervalMs?: number;
  /** Called with each handler or transport failure (the batch is retried). */
  readonly onError?: (err: unknown) => void;
}

/** A running member of the consumer group. */
export interface QueueConsumer {
  /** Finish the current batch, acknowledge it, stop. */
  stop(): Promise<void>;
  /**
   * Crash: abort the current batch without acknowledging it. Resolves with
   * the messages this kill lost for good: always [] for a durable adapter.
   */
  kill(): Promise<readonly QueueMessage[]>;
}

/** A queue for one replay. */
export interface Queue {
  readonly backend: QueueBackend;
  /** Whether acknowledged-accepted messages survive a member's crash. */
  readonly durable: boolean;
  /** Number of partitions (= members of the group). */
  readonly partitions: number;
  /** Creates what the adapter needs (streams and groups, a topic). */
  open(): Promise<void>;
  /** Appends one message; resolves when the adapter holds it (durably, for a durable one). */
  enqueue(message: QueueMessage): Promise<void>;
  /**
   * Starts member `member` (0 ≤ member < partitions). Memory and Redis
   * Streams: member i consumes partition i. Kafka: the group coordinator
   * assigns partitions to members.
   */
  consume(member: number, options: ConsumeOptions): QueueConsumer;
  /** Releases clients. Does not delete data (the runner's provider deletes the replay's namespace). */
  close(): Promise<void>;
}

/** The partition of an account: `account mod partitions`. */
export function partitionOf(account: number, partitions: number): number {
  return account % partitions;
}

/** A problem of the queue itself (unavailable, misused). `.message` is one line. */
export class QueueError extends Error {
  override readonly name = 'QueueError';
}

const KIND_CODE: Readonly<Record<OpKind, number>> = Object.fromEntries(OP_KINDS.map((k, i) => [k, i])) as Record<OpKind, number>;

/** Text form of a message for adapters that carry strings: `id,at,kind,account,amount,job,acceptedAt`. */
export function encodeMessage(m: QueueMessage): string {
  const { op } = m;
  return `${op.id},${op.at},${KIND_CODE[op.kind]},${op.account},${op.amount},${op.job},${m.acceptedAt}`;
}

/** Inverse of {@link encodeMessage}; throws {@link QueueError} on anything else. */
export function decodeMessage(text: string): QueueMessage {
  const f = text.split(',').map(Number);
  const kind = OP_KINDS[f[2] ?? -1];
  if (f.length !== 7 || kind === undefined || !f.every(Number.isSafeInteger)) throw new QueueError(`not a buffer message: '${text.slice(0, 80)}'`);
  const [id, at, , account, amount, job, acceptedAt] = f as [number, number, number, number, number, number, number];
  return { op: { id, at, kind, account, amount, job }, acceptedAt };
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
