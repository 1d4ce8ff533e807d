/**
 * The in-process queue: one array per partition, consumed by async workers in
 * the same process. This is the thread-pool design seed 003 moved away from:
 * fast, but not durable. The queue lives with its workers, so a crash of the
 * workers (`kill`) loses everything they held, in flight and still queued,
 * and the caller had already been told `accepted` for all of it.
 */
import { pause, type ConsumeOptions, type Queue, type QueueConsumer, type QueueMessage, partitionOf } from './port.js';

/** Pause after a failed batch before it is handed out again, ms. */
const RETRY_MS = 50;
/** Longest an idle worker sleeps before looking again, ms (enqueue wakes it sooner). */
const IDLE_MS = 100;

/** A FIFO with O(1) push and batch take. */
class Partition {
  private items: QueueMessage[] = [];
  private head = 0;
  private waiters: (() => void)[] = [];

  get size(): number {
    return this.items.length - this.head;
  }

  push(m: QueueMessage): void {
    this.items.push(m);
    this.wake();
  }

  /** Up to `max` messages from the front. */
  take(max: number): QueueMessage[] {
    const batch = this.items.slice(this.head, this.head + max);
    this.head += batch.length;
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return batch;
  }

  /** Puts a batch back at the front (a failed handler). */
  putBack(batch: readonly QueueMessage[]): void {
    this.items = [...batch, ...this.items.slice(this.head)];
    this.head = 0;
  }

  /** Removes and returns everything queued. */
  clear(): QueueMessage[] {
    const all = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    return all;
  }

  /** Resolves on the next push or wake, or after `ms`. */
  waitForItems(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const waiter = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve();
      }, ms);
      this.waiters.push(waiter);
    });
  }

  wake(): void {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }
}

/** The `memory` adapter. */
export class MemoryQueue implements Queue {
  readonly backend = 'memory' as const;
  readonly durable = false;
  private readonly parts: Partition[];

  /** @param partitions number of partitions (= workers), ≥ 1. */
  constructor(readonly partitions: number) {
    this.parts = Array.from({ length: partitions }, () => new Partition());
  }

  async open(): Promise<void> {}

  async enqueue(message: QueueMessage): Promise<void> {
    this.parts[partitionOf(message.op.account, this.partitions)]?.push(message);
  }

  /** Messages queued and not yet taken by a worker (all partitions). */
  get depth(): number {
    return this.parts.reduce((n, p) => n + p.size, 0);
  }

  consume(member: number, options: ConsumeOptions): QueueConsumer {
    const part = this.parts[member];
    if (part === undefined) throw new RangeError(`member ${member} is outside 0..${this.partitions - 1}`);
    const crash = new AbortController();
    const halt = new AbortController(); // stop or kill: cut short any wait
    const poll = options.pollIntervalMs ?? 0;
    let inFlight: readonly QueueMessage[] = [];
    const loop = async (): Promise<void> => {
      while (!halt.signal.aborted) {
        if (part.size === 0) {
          if (poll > 0) await pause(poll, halt.signal);
          else await part.waitForItems(IDLE_MS);
          continue;
        }
        const batch = part.take(options.max);
        inFlight = batch;
        try {
          await options.handler(batch, crash.signal);
          inFlight = []; // handled, even if a kill came while it finished: not lost
          if (batch.length < options.max && poll > 0) await pause(poll, halt.signal);
        } catch (err) {
          if (crash.signal.aborted) return; // died with the workers: the kill reports it lost
          inFlight = [];
          options.onError?.(err);
          part.putBack(batch);
          await pause(RETRY_MS, crash.signal);
        }
      }
    };
    const done = loop();
    return {
      async stop() {
        halt.abort();
        part.wake();
        await done;
      },
      async kill() {
        crash.abort();
        halt.abort();
        part.wake();
        // The queue dies with its workers at once; what is enqueued from now on goes to the next ones.
        const queued = part.clear();
        // A batch whose handler still finished (it committed just before the kill) is not lost.
        await Promise.race([done.catch(() => undefined), pause(5_000)]);
        const lost = [...inFlight, ...queued];
        inFlight = [];
        return lost;
      },
    };
  }

  async close(): Promise<void> {
    for (const p of this.parts) p.wake();
  }
}
