/**
 * The Redis Streams adapter: one stream per partition
 * (`<namespace>:buffer:p<i>`), one consumer group (`buffer`), member i reads
 * partition i with `XREADGROUP`, acknowledges with `XACK` (and `XDEL`s the
 * entry, so the stream does not grow with the run).
 *
 * Durability across a member's crash: the entries it had read but not
 * acknowledged stay in the group's pending list under its (dead) name. Every
 * member starts by taking over the other names' pending entries with
 * `XAUTOCLAIM`, but only once they have sat idle for `reclaimIdleMs` (the
 * `buffer` parameter `reclaim_idle`, default 10 s): like a real deployment,
 * a new member cannot tell a crashed one from a slow one before that. Until
 * then it reads nothing new, so an account's order is kept; then it processes
 * the taken-over entries first, in stream order. Accepted ops are never lost
 * to a consumer crash; a batch committed just before the crash comes again,
 * and the ledger's op-id check skips it.
 *
 * Not protected here: Redis itself losing the stream (no persistence in
 * hotbench's Redis), which `--fault redis:restart` shows.
 */
import type { Redis } from 'ioredis';
import { nsKey, type RedisPort } from '../../ports.js';
import { decodeMessage, encodeMessage, partitionOf, pause, type ConsumeOptions, type Queue, type QueueConsumer, type QueueMessage } from './port.js';

const GROUP = 'buffer';
/** How long one blocking read waits for new entries, ms (also how fast `stop()` is noticed). */
const BLOCK_MS = 100;
const RETRY_MS = 50;
/** Default least idle time before a dead member's pending entry is taken over, ms. */
export const DEFAULT_RECLAIM_IDLE_MS = 10_000;

/** Options of the Redis Streams adapter. */
export interface RedisStreamsQueueOptions {
  /** Least idle time before another member's pending entry is taken over, ms. Default {@link DEFAULT_RECLAIM_IDLE_MS}. */
  readonly reclaimIdleMs?: number;
}

/** A stream entry as Redis returns it: `[id, [field, value, ...] | null]`. */
type Entry = [string, string[] | null];

/** The `redis-streams` adapter. */
export class RedisStreamsQueue implements Queue {
  readonly backend = 'redis-streams' as const;
  readonly durable = true;
  private readonly producer: Redis;
  private readonly keys: string[];
  private readonly clients = new Set<Redis>();
  private members = 0;
  private readonly reclaimIdleMs: number;

  /** @param partitions streams (= members), ≥ 1. */
  constructor(
    private readonly port: RedisPort,
    readonly partitions: number,
    options: RedisStreamsQueueOptions = {},
  ) {
    this.reclaimIdleMs = options.reclaimIdleMs ?? DEFAULT_RECLAIM_IDLE_MS;
    this.keys = Array.from({ length: partitions }, (_, i) => nsKey(port.namespace, 'buffer', `p${i}`));
    this.producer = port.client({ name: 'hotbench-buffer-producer', autoPipelining: true });
    this.clients.add(this.producer);
  }

  /** Creates each stream and its group. */
  async open(): Promise<void> {
    for (const key of this.keys) await this.ensureGroup(this.producer, key);
  }

  private async ensureGroup(client: Redis, key: string): Promise<void> {
    try {
      await client.call('XGROUP', 'CREATE', key, GROUP, '0', 'MKSTREAM');
    } catch (err) {
      if (!String((err as Error).message).startsWith('BUSYGROUP')) throw err;
    }
  }

  async enqueue(message: QueueMessage): Promise<void> {
    const key = this.keys[partitionOf(message.op.account, this.partitions)] as string;
    await this.producer.call('XADD', key, '*', 'm', encodeMessage(message));
  }

  consume(member: number, options: ConsumeOptions): QueueConsumer {
    const key = this.keys[member];
    if (key === undefined) throw new RangeError(`member ${member} is outside 0..${this.partitions - 1}`);
    // A new name per start: the dead member's pending entries are claimed, not inherited silently.
    const name = `m${member}-${++this.members}`;
    const client = this.port.client({ name: `hotbench-buffer-${name}`, commandTimeoutMs: 0 });
    this.clients.add(client);
    const crash = new AbortController();
    const halt = new AbortController(); // stop or kill: cut short any wait
    const poll = options.pollIntervalMs ?? 0;
    let stopping = false;

    const loop = async (): Promise<void> => {
      let ownPending: boolean; // set by the first successful take-over, the loop's only way out but return
      for (;;) {
        try {
          ownPending = await this.takeOverDead(client, key, name, options.max, halt.signal);
          break;
        } catch (err) {
          if (crash.signal.aborted || stopping) return;
          options.onError?.(err);
          await pause(RETRY_MS, crash.signal);
        }
      }
      while (!stopping && !crash.signal.aborted) {
        let entries: Entry[];
        try {
          entries = ownPending ? await this.read(client, key, name, options.max, '0') : await this.read(client, key, name, options.max, '>', poll === 0); // with a poll interval, read and sleep instead
        } catch (err) {
          if (crash.signal.aborted || stopping) return;
          if (String((err as Error).message).startsWith('NOGROUP')) await this.ensureGroup(client, key).catch(() => undefined); // Redis lost the stream
          options.onError?.(err);
          await pause(RETRY_MS, crash.signal);
          continue;
        }
        const live = entries.filter((e): e is [string, string[]] => Array.isArray(e[1]));
        if (ownPending && entries.length === 0) ownPending = false;
        if (entries.length === 0 && poll > 0) await pause(poll, halt.signal);
        if (live.length === 0) {
          // Entries deleted while pending (acknowledged elsewhere) are dropped from our pending list.
          const gone = entries.filter((e) => e[1] === null).map((e) => e[0]);
          if (gone.length > 0) await client.call('XACK', key, GROUP, ...gone).catch(() => undefined);
          continue;
        }
        const messages = live.map(([, fields]) => decodeMessage(fields[fields.indexOf('m') + 1] ?? ''));
        const ids = live.map(([id]) => id);
        try {
          await options.handler(messages, crash.signal);
        } catch (err) {
          if (crash.signal.aborted) return; // never acknowledged: the next member claims it
          options.onError?.(err);
          ownPending = true;
          await pause(RETRY_MS, crash.signal);
          continue;
        }
        if (crash.signal.aborted) return;
        try {
          await client.multi().call('XACK', key, GROUP, ...ids).call('XDEL', key, ...ids).exec();
        } catch (err) {
          if (crash.signal.aborted || stopping) return;
          options.onError?.(err); // the batch comes again; the handler is idempotent
          ownPending = true;
        }
        if (live.length < options.max && poll > 0) await pause(poll, halt.signal);
      }
    };
    const done = loop().catch((err: unknown) => options.onError?.(err));
    const clients = this.clients;
    const release = async (): Promise<void> => {
      clients.delete(client);
      await client.quit().catch(() => client.disconnect());
    };
    return {
      async stop() {
        stopping = true;
        halt.abort();
        await done;
        await release();
      },
      async kill() {
        crash.abort();
        halt.abort();
        client.disconnect(); // a crash: no goodbye, pending entries stay pending
        clients.delete(client);
        await Promise.race([done, pause(5_000)]);
        return [];
      },
    };
  }

  /**
   * Takes over the other (dead) members' pending entries once each has been
   * idle for `reclaimIdleMs`, waiting while any is younger (cut short by
   * `signal`); true if it took any.
   */
  private async takeOverDead(client: Redis, key: string, name: string, count: number, signal: AbortSignal): Promise<boolean> {
    let took = false;
    for (;;) {
      if (await this.claim(client, key, name, count)) took = true;
      if ((await this.pendingOfOthers(client, key, name)) === 0 || signal.aborted) return took;
      await pause(Math.min(250, Math.max(10, this.reclaimIdleMs / 10)), signal);
    }
  }

  /** Moves every pending entry idle ≥ `reclaimIdleMs` to `name`; true if there were any. */
  private async claim(client: Redis, key: string, name: string, count: number): Promise<boolean> {
    let cursor = '0-0';
    let claimed = 0;
    for (;;) {
      const reply = (await client.call('XAUTOCLAIM', key, GROUP, name, String(this.reclaimIdleMs), cursor, 'COUNT', String(count), 'JUSTID').catch((err: Error) => {
        if (err.message.startsWith('NOGROUP')) return ['0-0', []];
        throw err;
      })) as [string, string[]];
      claimed += reply[1]?.length ?? 0;
      cursor = reply[0];
      if (cursor === '0-0') return claimed > 0;
    }
  }

  /** Entries pending under names other than `name` (`XPENDING` summary). */
  private async pendingOfOthers(client: Redis, key: string, name: string): Promise<number> {
    const reply = (await client.call('XPENDING', key, GROUP).catch((err: Error) => {
      if (err.message.startsWith('NOGROUP')) return [0, null, null, null];
      throw err;
    })) as [number, unknown, unknown, [string, string][] | null];
    let others = 0;
    for (const [consumer, n] of reply[3] ?? []) if (consumer !== name) others += Number(n);
    return others;
  }

  /** Reads up to `count` entries: own pending ones (`0`) or new ones (`>`, waiting up to BLOCK_MS when `block`). */
  private async read(client: Redis, key: string, name: string, count: number, from: '0' | '>', block = true): Promise<Entry[]> {
    const args = ['GROUP', GROUP, name, 'COUNT', String(count)];
    if (from === '>' && block) args.push('BLOCK', String(BLOCK_MS));
    const reply = (await client.call('XREADGROUP', ...args, 'STREAMS', key, from)) as unknown[] | null;
    if (!Array.isArray(reply) || reply.length === 0) return [];
    // RESP2 answers [[key, entries]]; RESP3 (ioredis 6's default) a map, flattened to [key, entries].
    const entries = typeof reply[0] === 'string' ? reply[1] : (reply[0] as unknown[] | undefined)?.[1];
    return Array.isArray(entries) ? (entries as Entry[]) : [];
  }

  async close(): Promise<void> {
    const all = [...this.clients];
    this.clients.clear();
    await Promise.all(all.map((c) => c.quit().catch(() => c.disconnect())));
  }
}
