/**
 * `buffer`: accept = enqueue (seed 000's Kafka peak shaving, seed 002 方案4,
 * seed 003's MQ instead of a thread pool). A group of `consumers` members
 * applies batches of up to `batch` messages to the ledger, one transaction per
 * batch with one balance update per account (seed 000's batch deduction), an
 * account's ops in order (an account maps to one partition).
 *
 * The accept path holds no balance of its own: a debit is refused at once only
 * when the balance *as last applied* (what the consumers last posted) is
 * already below the floor: seed 000's "stop delivery" once the books say the
 * budget is gone. Everything queued past that point is the late overdraft
 * this strategy risks (`check=false`), or a lost promise (`check=true`).
 *
 * `withdraw` does not go through the queue: seed 001 says a withdrawal needs a
 * real-time check, so it is posted synchronously with a floor check against
 * the ledger (`applied`), in the same per-account lock order as the consumers.
 * Reads answer from the ledger. See README.md.
 */
import type { Pool } from 'pg';
import type { Clock, FaultTarget, Observable, Op, Outcome, Strategy, StrategyContext, StrategyDefinition, Need } from '../contract.js';
import { counterparties, deltaOf } from '../contract.js';
import { postDeferred, type DeferredPostResult } from '../deferred-post.js';
import { createLedger, errorDetail, readBalance } from '../ledger.js';
import { LagTracker } from './lag.js';
import { bufferParams, type BufferParams } from './params.js';
import { createQueue, MemoryQueue, type Queue, type QueueConsumer, type QueueMessage } from './queue/index.js';

/** Fault kinds `buffer` understands. */
export const BUFFER_FAULTS = ['consumer:kill'] as const;

/** How often `drain()` looks at the backlog, ms. */
const DRAIN_POLL_MS = 20;

/** The `buffer` strategy. */
export class BufferStrategy implements Strategy, Observable, FaultTarget {
  readonly backend: string;
  readonly faults: readonly string[] = BUFFER_FAULTS;
  private ctx: StrategyContext | undefined;
  /** Double entry: each op's counterparty, posted with it by the consumers (-1: none). */
  private counterparty: (op: Op) => number = () => -1;
  private pool: Pool | undefined;
  private queue: Queue | undefined;
  private fallbackQueue: MemoryQueue | undefined;
  private usingFallback = false;
  private members: QueueConsumer[] = [];
  private fallbackMembers: QueueConsumer[] = [];
  private readonly tracker = new LagTracker();
  /** Balance of each account as last applied (what the books say), minor units. */
  private known: number[] = [];
  private exhausted: boolean[] = [];
  /** 1 = this op's posting was reported. Grows with the largest op id seen. */
  private reported = new Uint8Array(1024);
  /** Set by a kill: the schedule time of the kill, until the restarted members apply a batch. */
  private resumeFrom: number | undefined;
  private errors = 0;
  private stopped = false;

  constructor(private readonly params: BufferParams) {
    this.backend = params.queue;
  }

  private get clock(): Clock {
    if (this.ctx === undefined) throw new Error('buffer: used before setup');
    return this.ctx.clock;
  }

  async setup(ctx: StrategyContext): Promise<void> {
    this.ctx = ctx;
    this.counterparty = counterparties(ctx.accounts);
    this.pool = ctx.postgres.pool({ max: Math.max(ctx.postgres.connections, this.params.consumers + 2), applicationName: 'hotbench-buffer' });
    await createLedger(this.pool, ctx.accounts);
    this.known = ctx.accounts.map((a) => a.balance);
    this.exhausted = ctx.accounts.map((a) => a.balance < a.threshold);
    this.queue = createQueue(this.params.queue, ctx, this.params.consumers, { sessionTimeoutMs: this.params.session / 1_000, reclaimIdleMs: this.params.reclaim_idle / 1_000 });
    await this.queue.open();
    this.members = this.startMembers(this.queue);
  }

  async submit(op: Op): Promise<Outcome> {
    try {
      const pool = this.pool;
      const ctx = this.ctx;
      if (pool === undefined || ctx === undefined) throw new Error('buffer: submit before setup');
      if (op.kind === 'read') return { status: 'applied', balance: await readBalance(pool, op.account) };
      if (op.kind === 'withdraw') return await this.withdraw(pool, op);
      const delta = deltaOf(op);
      const account = ctx.accounts[op.account];
      if (account === undefined) throw new Error(`account ${op.account} does not exist`);
      if (delta < 0 && (this.known[op.account] ?? 0) + delta < account.floor) return { status: 'rejected', reason: 'insufficient_funds' };
      await this.enqueue({ op, acceptedAt: ctx.clock.now() });
      return { status: 'accepted' };
    } catch (err) {
      return { status: 'rejected', reason: 'error', detail: errorDetail(err) };
    }
  }

  /** A withdrawal: checked against the ledger and posted now, under the account's row lock. */
  private async withdraw(pool: Pool, op: Op): Promise<Outcome> {
    const result = await postDeferred(pool, [op], { check: true, counterparty: this.counterparty });
    this.learn(result);
    if (result.refused.length > 0) return { status: 'rejected', reason: 'insufficient_funds' };
    this.markReported(op.id); // applied synchronously: the runner records it at ack
    return { status: 'applied' };
  }

  private async enqueue(message: QueueMessage): Promise<void> {
    const queue = this.queue;
    if (queue === undefined) throw new Error('buffer: submit before setup');
    // Tracked before the enqueue resolves: a fast member may apply it first.
    this.tracker.accept(message.op.id, message.acceptedAt);
    try {
      if (this.usingFallback && this.fallbackQueue !== undefined) {
        await this.tryLeaveFallback(queue, message);
        return;
      }
      await queue.enqueue(message);
    } catch (err) {
      if (this.params.fallback !== 'memory') {
        this.tracker.forget(message.op.id); // refused, not accepted: not a loss
        throw err;
      }
      this.enterFallback(err);
      await this.fallbackQueue?.enqueue(message);
    }
  }

  /** While degraded, each enqueue tries the real queue first and leaves the fallback once it works. */
  private async tryLeaveFallback(queue: Queue, message: QueueMessage): Promise<void> {
    try {
      await queue.enqueue(message);
      this.usingFallback = false;
      this.ctx?.events.note('fallback_end', `${this.params.queue} accepts enqueues again`, this.clock.now());
    } catch {
      await this.fallbackQueue?.enqueue(message);
    }
  }

  private enterFallback(err: unknown): void {
    if (this.usingFallback) return;
    this.usingFallback = true;
    if (this.fallbackQueue === undefined) {
      this.fallbackQueue = new MemoryQueue(this.params.consumers);
      this.fallbackMembers = this.startMembers(this.fallbackQueue);
    }
    this.ctx?.events.note('fallback', `${this.params.queue} refused an enqueue (${errorDetail(err)}); degraded to the in-process queue`, this.clock.now());
  }

  private startMembers(queue: Queue): QueueConsumer[] {
    return Array.from({ length: queue.partitions }, (_, member) =>
      queue.consume(member, {
        max: this.params.batch,
        pollIntervalMs: this.params.poll / 1_000,
        handler: (messages, signal) => this.apply(messages, signal),
        onError: (err) => this.onMemberError(err),
      }),
    );
  }

  /** One batch: post it, report what was posted, learn the balances. */
  private async apply(messages: readonly QueueMessage[], signal: AbortSignal): Promise<void> {
    const pool = this.pool;
    const ctx = this.ctx;
    if (pool === undefined || ctx === undefined) throw new Error('buffer: consumer before setup');
    const result = await postDeferred(pool, messages.map((m) => m.op), { check: this.params.check, signal, counterparty: this.counterparty });
    const at = ctx.clock.now();
    const fresh = [...result.posted, ...result.already].filter((op) => this.markReported(op.id));
    if (fresh.length > 0) ctx.events.posted(fresh, at);
    for (const op of [...result.posted, ...result.already, ...result.refused]) this.tracker.apply(op.id);
    if (result.refused.length > 0) {
      ctx.events.note('late_reject', `${result.refused.length} accepted debits refused by the floor check when applied (ops ${result.refused[0]?.id}..): promised, never posted`, at);
    }
    this.learn(result);
    if (this.resumeFrom !== undefined) {
      ctx.events.note('consumers_resumed', `restarted consumers applied their first batch ${at - this.resumeFrom} µs after the kill`, at);
      ctx.events.sample('consumer_recovery_us', at - this.resumeFrom, at);
      this.resumeFrom = undefined;
    }
  }

  /** Takes the posted balances as the known ones and raises stop-delivery signals on threshold crossings. */
  private learn(result: DeferredPostResult): void {
    const ctx = this.ctx;
    if (ctx === undefined) return;
    const at = ctx.clock.now();
    for (const [account, balance] of result.balances) {
      this.known[account] = balance;
      const threshold = ctx.accounts[account]?.threshold ?? 0;
      const below = balance < threshold;
      if (below !== this.exhausted[account]) {
        this.exhausted[account] = below;
        ctx.events.signal(below ? 'budget_exhausted' : 'budget_restored', account, at);
      }
    }
  }

  /** Records that op `id`'s posting was reported; false if it already was. */
  private markReported(id: number): boolean {
    if (id >= this.reported.length) {
      const grown = new Uint8Array(Math.max(id + 1, this.reported.length * 2));
      grown.set(this.reported);
      this.reported = grown;
    }
    if (this.reported[id] === 1) return false;
    this.reported[id] = 1;
    return true;
  }

  private onMemberError(err: unknown): void {
    this.errors += 1;
    // One line for the first failure and then every 100th: a dead database must not flood the log.
    if (this.errors === 1 || this.errors % 100 === 0) this.ctx?.log(`consumer error #${this.errors}: ${errorDetail(err)} (the batch is retried)`);
  }

  async observe(): Promise<readonly { readonly name: string; readonly value: number }[]> {
    return [
      { name: 'consumer_lag', value: this.tracker.lag },
      { name: 'lag_us', value: this.tracker.oldestAgeUs(this.clock.now()) },
    ];
  }

  /**
   * `consumer:kill`: every member (and fallback member) crashes at once and a
   * new set starts. A durable queue hands the crashed members' unacknowledged
   * batches to the new ones; the memory queue loses them and everything it
   * queued. Resolves once the new members run.
   */
  async inject(kind: string): Promise<void> {
    if (kind !== 'consumer:kill') throw new Error(`buffer cannot inject '${kind}' (it knows ${BUFFER_FAULTS.join(', ')})`);
    const ctx = this.ctx;
    const queue = this.queue;
    if (ctx === undefined || queue === undefined) throw new Error('buffer: fault before setup');
    const at = ctx.clock.now();
    const killed = [...this.members, ...this.fallbackMembers];
    const lost = (await Promise.all(killed.map((m) => m.kill()))).flat();
    let dropped = 0;
    for (const m of lost) if (this.tracker.drop(m.op.id)) dropped += 1;
    this.resumeFrom = at;
    this.members = this.startMembers(queue);
    if (this.fallbackQueue !== undefined) this.fallbackMembers = this.startMembers(this.fallbackQueue);
    const durable = queue.durable && this.fallbackQueue === undefined;
    ctx.events.note(
      'consumers_killed',
      `killed ${killed.length} consumers; ${dropped} accepted ops were lost with them${durable ? ` (${queue.backend} keeps unacknowledged messages)` : ' (an in-process queue is not durable)'}`,
      at,
    );
    if (dropped > 0) ctx.events.sample('dropped_ops', dropped, at);
  }

  /** Waits until every accepted op is applied or known lost, then stops the members gracefully. */
  async drain(): Promise<void> {
    while (this.tracker.lag > 0 && !this.stopped) await new Promise((r) => setTimeout(r, DRAIN_POLL_MS));
    await this.stopMembers();
  }

  private async stopMembers(): Promise<void> {
    const members = [...this.members, ...this.fallbackMembers];
    this.members = [];
    this.fallbackMembers = [];
    await Promise.all(members.map((m) => m.stop()));
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    // stop() also runs after an interrupted run: members may be mid-batch against a dying database.
    await Promise.race([this.stopMembers(), new Promise((r) => setTimeout(r, 10_000))]);
    await this.queue?.close().catch(() => undefined);
    await this.fallbackQueue?.close().catch(() => undefined);
  }
}

/** The needs of one `buffer` configuration (the queue decides whether Redis or Kafka is needed). */
export function bufferNeeds(params: Pick<BufferParams, 'queue'>): readonly Need[] {
  if (params.queue === 'kafka') return ['postgres', 'kafka'];
  if (params.queue === 'redis-streams') return ['postgres', 'redis'];
  return ['postgres'];
}

/**
 * Registry entry for `buffer`. `needs` lists every part some queue adapter
 * needs; `needsFor` gives the exact needs of one configuration, so
 * `buffer:queue=kafka` without a broker is skipped and `buffer:queue=memory`
 * runs without Redis.
 */
export const buffer: StrategyDefinition<BufferParams> = {
  name: 'buffer',
  summary: 'accept into a queue, parallel consumers post batches later: peak shaving vs consumer lag and late overdraft',
  source: 'seed 000 (Kafka peak shaving, batch deduction), seed 002 方案4, seed 003 (MQ instead of a thread pool, fallback)',
  needs: ['postgres', 'redis', 'kafka'],
  needsFor: bufferNeeds,
  // Redis Streams and Kafka side by side: the two durable queues seed 000 and 003 weigh.
  defaultSpecs: ['buffer', 'buffer:queue=kafka'],
  params: bufferParams,
  // Consumers read every 2 s, so nothing is applied while a burst arrives: every hot charge is accepted
  // against the untouched books and those past the budget post as late overdrafts (check=false, its documented risk).
  traits: { deferred: true, mayOverdraw: true, acceptsPastBudget: true, backend: 'redis-streams', conformanceSpec: 'buffer:poll=2s' },
  create: (params) => new BufferStrategy(params),
};
