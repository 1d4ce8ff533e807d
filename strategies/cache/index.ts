/**
 * `cache` (seed 002 方案5): balances live in Redis; each op is one Lua call
 * that checks the floor, moves the balance and appends the op to a pending
 * list, atomically. The op is then `accepted`; a flusher posts the pending
 * list to the ledger every `flush` interval (entries in order, one balance
 * update per account, one transaction per `max` entries) and reports the
 * postings. Reads answer from Redis.
 *
 * `withdraw` is checked in Redis like a charge (the Redis balance includes
 * every accepted op, so the check is real-time), then flushed synchronously:
 * it is `applied` only once its entry is in the ledger (seed 001: money
 * leaving must be checked and booked for real), and an `error` (fate unknown)
 * if the cache lost it first.
 *
 * Its documented risk: a Redis that dies loses the pending list: ops that
 * were accepted and never posted. When the cache finds its balances gone it
 * reloads them from the ledger (which lacks the lost ops) and goes on.
 */
import type { Pool } from 'pg';
import type { Redis } from 'ioredis';
import { counterparties, deltaOf, OP_KINDS, type Observable, type Op, type OpKind, type Outcome, type Strategy, type StrategyContext, type StrategyDefinition } from '../contract.js';
import { postDeferred } from '../deferred-post.js';
import { createLedger, errorDetail, toInt } from '../ledger.js';
import { nsKey, redisPortOf } from '../ports.js';
import { APPLIED, APPLY_LUA, INSUFFICIENT, LOAD_LUA, MISSING } from './lua.js';
import { cacheParams, type CacheParams } from './params.js';

/** Accounts written to Redis per pipeline when (re)loading. */
const LOAD_CHUNK = 10_000;

interface CacheRedis extends Redis {
  hbApply(bal: string, floor: string, pending: string, account: number, delta: number, entry: string, counterparty: number): Promise<[number, number]>;
  hbLoad(bal: string, floor: string, ...triplets: string[]): Promise<number>;
}

const KIND_CODE: Readonly<Record<OpKind, number>> = Object.fromEntries(OP_KINDS.map((k, i) => [k, i])) as Record<OpKind, number>;

/** `id,at,kind,account,amount,job`: everything needed to post the op and report it. */
function encodeOp(op: Op): string {
  return `${op.id},${op.at},${KIND_CODE[op.kind]},${op.account},${op.amount},${op.job}`;
}

function decodeOp(text: string): Op {
  const f = text.split(',').map(Number);
  const kind = OP_KINDS[f[2] ?? -1];
  if (f.length !== 6 || kind === undefined || !f.every(Number.isSafeInteger)) throw new Error(`not a pending cache entry: '${text.slice(0, 80)}'`);
  const [id, at, , account, amount, job] = f as [number, number, number, number, number, number];
  return { id, at, kind, account, amount, job };
}

/** The `cache` strategy. */
export class CacheStrategy implements Strategy, Observable {
  readonly backend = 'redis+postgres';
  private ctx: StrategyContext | undefined;
  /** Double entry: each op's counterparty (-1: none); its cached balance moves with the op, its leg is posted by the flush. */
  private counterparty: (op: Op) => number = () => -1;
  private pool: Pool | undefined;
  private redis: CacheRedis | undefined;
  private keys = { bal: '', floor: '', pending: '' };
  /** Serializes flushes and reloads: a reload must not read the ledger while a flush is committing. */
  private chain: Promise<unknown> = Promise.resolve();
  private flushing = false;
  private reloading: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private exhausted: boolean[] = [];
  /** Withdrawals accepted in Redis and posted by a flush, waiting for their `submit` to look. */
  private readonly postedWithdrawals = new Set<number>();
  private flushErrors = 0;
  private stopped = false;

  constructor(private readonly params: CacheParams) {}

  async setup(ctx: StrategyContext): Promise<void> {
    this.ctx = ctx;
    this.counterparty = counterparties(ctx.accounts);
    const port = redisPortOf(ctx);
    this.pool = ctx.postgres.pool({ applicationName: 'hotbench-cache' });
    await createLedger(this.pool, ctx.accounts);
    this.keys = { bal: nsKey(port.namespace, 'cache', 'bal'), floor: nsKey(port.namespace, 'cache', 'floor'), pending: nsKey(port.namespace, 'cache', 'pending') };
    const redis = port.client({ name: 'cache', autoPipelining: true }) as CacheRedis;
    redis.defineCommand('hbApply', { numberOfKeys: 3, lua: APPLY_LUA });
    redis.defineCommand('hbLoad', { numberOfKeys: 2, lua: LOAD_LUA });
    this.redis = redis;
    this.exhausted = ctx.accounts.map((a) => a.balance < a.threshold);
    await this.load('setup');
    this.timer = setInterval(() => {
      if (!this.flushing) void this.flushNow().catch(() => undefined);
    }, Math.max(1, Math.round(this.params.flush / 1_000)));
  }

  async submit(op: Op): Promise<Outcome> {
    try {
      return await this.perform(op, true);
    } catch (err) {
      return { status: 'rejected', reason: 'error', detail: errorDetail(err) };
    }
  }

  private async perform(op: Op, mayReload: boolean): Promise<Outcome> {
    const redis = this.redis;
    if (redis === undefined) throw new Error('cache: submit before setup');
    if (op.kind === 'read') {
      const balance = await redis.hget(this.keys.bal, String(op.account));
      if (balance !== null) return { status: 'applied', balance: toInt(balance) };
    } else {
      const [code, balance] = await redis.hbApply(this.keys.bal, this.keys.floor, this.keys.pending, op.account, deltaOf(op), encodeOp(op), this.counterparty(op));
      if (code === APPLIED) {
        this.watchBudget(op.account, balance);
        return op.kind === 'withdraw' ? await this.postWithdrawal(op) : { status: 'accepted' };
      }
      if (code === INSUFFICIENT) return { status: 'rejected', reason: 'insufficient_funds' };
      if (code !== MISSING) throw new Error(`cache script answered ${code}`);
    }
    // The account is not in Redis: the cache was lost. Reload from the ledger once, then retry.
    if (!mayReload) throw new Error(`account ${op.account} is not in the cache even after a reload`);
    await this.reload();
    return this.perform(op, false);
  }

  /** A withdrawal is `applied` once a flush that started after it posted it. */
  private async postWithdrawal(op: Op): Promise<Outcome> {
    await this.flushNow();
    if (this.postedWithdrawals.delete(op.id)) return { status: 'applied' };
    return { status: 'rejected', reason: 'error', detail: 'the cache lost this withdrawal before it was posted (or the flush failed): its fate is unknown to the caller' };
  }

  private watchBudget(account: number, balance: number): void {
    const ctx = this.ctx;
    const threshold = ctx?.accounts[account]?.threshold;
    if (ctx === undefined || threshold === undefined) return;
    const below = balance < threshold;
    if (below === this.exhausted[account]) return;
    this.exhausted[account] = below;
    ctx.events.signal(below ? 'budget_exhausted' : 'budget_restored', account, ctx.clock.now());
  }

  /** Runs `task` after every flush or reload queued before it. */
  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.chain.then(task, task);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Posts everything pending now (joins the queue of flushes). */
  flushNow(): Promise<void> {
    return this.serial(() => this.flushAll());
  }

  private async flushAll(): Promise<void> {
    const redis = this.redis;
    const pool = this.pool;
    const ctx = this.ctx;
    if (redis === undefined || pool === undefined || ctx === undefined) return;
    this.flushing = true;
    try {
      for (;;) {
        const raw = await redis.lrange(this.keys.pending, 0, this.params.max - 1);
        if (raw.length === 0) return;
        const ops = raw.map(decodeOp);
        const result = await postDeferred(pool, ops, { check: false, counterparty: this.counterparty });
        // Only now drop them from Redis: a failure above leaves them pending for the next flush.
        await redis.ltrim(this.keys.pending, raw.length, -1);
        const at = ctx.clock.now();
        // A withdrawal's submit answers `applied` after this flush: the runner records it at ack.
        const deferred = result.posted.filter((op) => op.kind !== 'withdraw');
        if (deferred.length > 0) ctx.events.posted(deferred, at);
        for (const op of result.posted) if (op.kind === 'withdraw') this.postedWithdrawals.add(op.id);
        if (raw.length < this.params.max) return;
      }
    } catch (err) {
      this.flushErrors += 1;
      if (this.flushErrors === 1 || this.flushErrors % 100 === 0) ctx.log(`flush failed (#${this.flushErrors}): ${errorDetail(err)}; retried at the next flush`);
      throw err;
    } finally {
      this.flushing = false;
    }
  }

  /**
   * Reloads the balances Redis lost (once, however many ops found them
   * missing): first posts whatever pending entries survived, then loads the
   * missing accounts from the ledger, which is then exact for them.
   */
  private reload(): Promise<void> {
    this.reloading ??= this.serial(async () => {
      await this.flushAll();
      await this.load('reload');
    }).finally(() => {
      this.reloading = undefined;
    });
    return this.reloading;
  }

  /** Writes the ledger's balances and floors into Redis where absent. At setup, and after Redis lost them. */
  private async load(why: 'setup' | 'reload'): Promise<void> {
    const redis = this.redis;
    const pool = this.pool;
    const ctx = this.ctx;
    if (redis === undefined || pool === undefined || ctx === undefined) return;
    const rows = await pool.query<{ id: string; balance: string; floor: string }>('SELECT id, balance, floor FROM accounts ORDER BY id');
    let loaded = 0;
    for (let i = 0; i < rows.rows.length; i += LOAD_CHUNK) {
      const chunk = rows.rows.slice(i, i + LOAD_CHUNK);
      loaded += await redis.hbLoad(this.keys.bal, this.keys.floor, ...chunk.flatMap((r) => [r.id, r.balance, r.floor]));
    }
    if (why === 'reload') {
      ctx.events.note('cache_reloaded', `Redis had lost balances: reloaded ${loaded} of ${rows.rows.length} accounts from the ledger (ops accepted but not flushed before the loss are lost)`, ctx.clock.now());
      ctx.log(`the cache lost its balances; reloaded ${loaded} accounts from the ledger`);
    }
  }

  async observe(): Promise<readonly { readonly name: string; readonly value: number }[]> {
    const pending = await this.redis?.llen(this.keys.pending);
    return pending === undefined ? [] : [{ name: 'cache_pending', value: pending }];
  }

  /** Flushes until nothing is pending. */
  async drain(): Promise<void> {
    await this.flushNow();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    await Promise.race([this.chain, new Promise((r) => setTimeout(r, 10_000))]);
    await this.redis?.quit().catch(() => this.redis?.disconnect());
  }
}

/** Registry entry for `cache`. */
export const cache: StrategyDefinition<CacheParams> = {
  name: 'cache',
  summary: 'atomic check-and-deduct in Redis (Lua), periodic flush to the ledger: speed vs loss when the cache dies',
  source: 'seed 002 方案5 (cache accounting); seed 003 §3.4 (cache loss as a failure mode)',
  needs: ['postgres', 'redis'],
  params: cacheParams,
  // Checks and deducts in Redis, flushes later: deferred, but never overdrawn and (without a fault) nothing lost.
  traits: { deferred: true, backend: 'redis+postgres' },
  create: (params) => new CacheStrategy(params),
};
