/**
 * `quota`: budget slices leased per worker (ad budget pacing: each ad server
 * holds a slice of an advertiser's budget and spends it locally). For a
 * leased account, worker `w` (op id mod `workers`) deducts a charge from its
 * lease in memory and answers `accepted` at once, with no database round
 * trip; every `flush` it posts the charges it deducted against its own lease
 * row (one transaction, the account's hot row untouched). When a lease runs
 * short the worker takes another slice out of the account's main row (a
 * checked transfer: never past the floor); at `drain()` leases go back.
 *
 * Money-safety: a slice is taken only from what the main row holds above its
 * floor, and a worker never deducts more than its lease holds, so the account
 * is never overdrawn. The price: a charge is declined when its worker's lease
 * and the main row cannot cover it although another worker's lease could: a
 * false decline (the analysis counts it: the account's rows together covered
 * it). Withdrawals, credits and debit adjustments go to the main row at once
 * with `atomic`'s statement (a withdrawal is checked against the main row
 * only, not the leases: a decline while leases hold money is false too).
 */
import type { Observable, Op, Outcome, StrategyContext, StrategyDefinition } from '../contract.js';
import { postAtomic } from '../atomic/index.js';
import { postChecked } from '../aggregate/post-batch.js';
import type { PhysicalAccount } from '../ledger.js';
import { LedgerStrategy } from '../ledger-strategy.js';
import { returnSlice, takeSlice } from './lease.js';
import { quotaParams, type QuotaParams } from './params.js';

/** One worker's lease on one account. Amounts in minor units. */
interface Lease {
  /** Physical row id of the lease. */
  readonly row: number;
  /** What the worker may still deduct: the lease row's balance minus the charges not yet posted. */
  remaining: number;
  /** Charges deducted locally, not yet posted, in deduction order. */
  pending: Op[];
  /** The slice being taken now, if any (ops that find the lease short wait for it). */
  renewing: Promise<void> | undefined;
  /** The flush in progress, if any (flushes of one lease never overlap). */
  flushing: Promise<void> | undefined;
}

/** The `quota` strategy. */
export class QuotaStrategy extends LedgerStrategy implements Observable {
  /** Leases by logical account (undefined: not leased), one per worker. */
  #leases: (Lease[] | undefined)[] = [];
  /** The balance every accepted or applied op leaves per logical account, for the budget signal. */
  readonly #total: number[] = [];
  readonly #exhausted = new Set<number>();
  #transfers = 0;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #observed = { slices: 0, flushes: 0 };
  #slices = 0;
  #flushes = 0;

  /** This strategy signals from its own totals (most charges are deferred). */
  protected override readonly watchesBudget: boolean = false;

  constructor(private readonly params: QuotaParams) {
    super('quota');
  }

  /** Each leased account gets `workers` lease rows (balance 0, floor 0), ids after every main row. */
  protected override layout(ctx: StrategyContext): readonly PhysicalAccount[] {
    const rows: PhysicalAccount[] = ctx.accounts.map((a) => ({ id: a.id, owner: a.id, role: 'main', balance: a.balance, floor: a.floor }));
    let next = ctx.accounts.length;
    this.#leases = ctx.accounts.map((a) => {
      if (a.role !== undefined || (this.params.accounts === 'hot' && !a.hot)) return undefined;
      return Array.from({ length: this.params.workers }, (): Lease => {
        const row = next++;
        rows.push({ id: row, owner: a.id, role: 'lease', balance: 0, floor: 0 });
        return { row, remaining: 0, pending: [], renewing: undefined, flushing: undefined };
      });
    });
    return rows;
  }

  override async setup(ctx: StrategyContext): Promise<void> {
    await super.setup(ctx);
    for (const a of ctx.accounts) {
      this.#total[a.id] = a.balance;
      if (a.balance < a.threshold) this.#exhausted.add(a.id);
    }
    this.#schedule();
  }

  protected async write(op: Op, delta: number): Promise<Outcome> {
    const leases = this.#leases[op.account];
    if (leases === undefined || op.kind !== 'charge') {
      const outcome = await postAtomic(this.pool, op, delta, this.counterLegs(op, delta)[0]?.account ?? null);
      if (outcome.status === 'applied') this.#moved(op.account, delta);
      return outcome;
    }
    const lease = leases[op.id % leases.length] as Lease;
    if (lease.remaining < op.amount) await this.#renew(op.account, lease, op.amount);
    if (lease.remaining < op.amount) return { status: 'rejected', reason: 'insufficient_funds' };
    lease.remaining -= op.amount;
    lease.pending.push(op);
    this.#moved(op.account, delta);
    return { status: 'accepted' };
  }

  /** Takes a slice for `lease` (one at a time per lease; a caller that finds one under way waits for it). */
  async #renew(owner: number, lease: Lease, need: number): Promise<void> {
    while (lease.renewing !== undefined) {
      await lease.renewing;
      if (lease.remaining >= need) return;
    }
    const want = Math.max(this.params.slice, need - lease.remaining);
    lease.renewing = takeSlice(this.pool, owner, owner, lease.row, want, ++this.#transfers).then((move) => {
      lease.remaining += move.moved;
      if (move.moved > 0) this.#slices += 1;
    });
    try {
      await lease.renewing;
    } finally {
      lease.renewing = undefined;
    }
  }

  /** Keeps the account's total (main row and leases) and signals when it crosses the stop-delivery threshold. */
  #moved(account: number, delta: number): void {
    const total = (this.#total[account] ?? 0) + delta;
    this.#total[account] = total;
    const threshold = this.ctx.accounts[account]?.threshold;
    if (threshold === undefined) return;
    if (total < threshold && !this.#exhausted.has(account)) {
      this.#exhausted.add(account);
      this.ctx.events.signal('budget_exhausted', account, this.ctx.clock.now());
    } else if (total >= threshold && this.#exhausted.delete(account)) {
      this.ctx.events.signal('budget_restored', account, this.ctx.clock.now());
    }
  }

  #schedule(): void {
    if (this.#stopped || this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#flushAll()
        .catch((err: unknown) => this.ctx.events.note('quota_flush_failed', err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err), this.ctx.clock.now()))
        .finally(() => this.#schedule());
    }, Math.max(1, Math.round(this.params.flush / 1000)));
  }

  /** Posts every lease's pending charges (leases in parallel, each in one transaction). */
  async #flushAll(): Promise<void> {
    const work: Promise<void>[] = [];
    this.#leases.forEach((leases, owner) => {
      for (const lease of leases ?? []) if (lease.pending.length > 0 || lease.flushing !== undefined) work.push(this.#flush(owner, lease));
    });
    await Promise.all(work);
  }

  /** Posts `lease`'s pending charges against its row; the ops are reported posted after the commit. */
  async #flush(owner: number, lease: Lease): Promise<void> {
    while (lease.flushing !== undefined) await lease.flushing.catch(() => undefined);
    if (lease.pending.length === 0) return;
    const ops = lease.pending;
    lease.pending = [];
    lease.flushing = (async () => {
      try {
        const deltas = ops.map((op) => -op.amount);
        const result = await postChecked(this.pool, lease.row, ops, deltas, (op, delta) => this.counterLegs(op, delta));
        const posted = ops.filter((_, i) => result.outcomes[i]?.status === 'applied');
        if (posted.length < ops.length) this.ctx.events.note('quota_refused', `lease row ${lease.row} of account ${owner} refused ${ops.length - posted.length} charges its worker had deducted`, this.ctx.clock.now());
        this.#flushes += 1;
        if (posted.length > 0) this.ctx.events.posted(posted, this.ctx.clock.now());
      } catch (err) {
        lease.pending = [...ops, ...lease.pending]; // retried at the next flush
        throw err;
      }
    })();
    try {
      await lease.flushing;
    } finally {
      lease.flushing = undefined;
    }
  }

  /** Posts every pending charge, then returns every lease's remainder to its main row. */
  override async drain(): Promise<void> {
    for (let pass = 0; pass < 3; pass++) {
      await this.#flushAll().catch(() => undefined);
      if (this.#leases.every((ls) => (ls ?? []).every((l) => l.pending.length === 0))) break;
    }
    await this.#flushAll();
    const returns: Promise<void>[] = [];
    this.#leases.forEach((leases, owner) => {
      for (const lease of leases ?? []) {
        if (lease.remaining <= 0) continue;
        const amount = lease.remaining;
        lease.remaining = 0;
        returns.push(returnSlice(this.pool, owner, owner, lease.row, amount, ++this.#transfers));
      }
    });
    await Promise.all(returns);
  }

  override async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** `quota_slices`: slices taken since the previous observation; `quota_flushes`: lease flushes since then; `quota_pending_ops`: charges deducted, not yet posted. */
  async observe(): Promise<readonly { readonly name: string; readonly value: number }[]> {
    const slices = this.#slices - this.#observed.slices;
    const flushes = this.#flushes - this.#observed.flushes;
    this.#observed = { slices: this.#slices, flushes: this.#flushes };
    const pending = this.#leases.reduce((n, ls) => n + (ls ?? []).reduce((m, l) => m + l.pending.length, 0), 0);
    return [
      { name: 'quota_slices', value: slices },
      { name: 'quota_flushes', value: flushes },
      { name: 'quota_pending_ops', value: pending },
    ];
  }
}

/** Registry entry for `quota`. */
export const quota: StrategyDefinition<QuotaParams> = {
  name: 'quota',
  summary: 'budget slices leased per worker out of the account, charges deducted locally and posted per lease: no hot-row lock per op, never overdrawn, but declines while another worker holds the budget',
  source: 'ad budget pacing (leases/holds); DESIGN.md §4',
  needs: ['postgres'],
  params: quotaParams,
  traits: { deferred: true, transfers: true },
  create: (params) => new QuotaStrategy(params),
};
