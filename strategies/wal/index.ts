/**
 * `wal`: write-ahead journal, periodic roll-up (seed 002 方案2 预写日志记账).
 * Every op but a read is journaled as its ledger entries (the op's own and,
 * under double entry, its counterparty leg) by one INSERT, with no account
 * row lock, and `accepted`; a background job every `interval` moves the
 * balances by the entries committed since the last roll-up (one statement;
 * see `journal.ts`) and reports the ops posted. The journal rows are the
 * entries: nothing is written twice.
 *
 * `check` decides what a debit is accepted against:
 * - `none` (seed 002's design): nothing. Charges are journaled blind, so when a
 *   budget runs out the roll-up posts them past the floor: overdrafts, which
 *   the auditor reports with their amounts (账户减钱透支地风险).
 * - `pending`: the balance minus the journal's pending debits, kept in memory
 *   (this strategy is the only writer): a debit is counted when accepted,
 *   a credit once journaled, so the check can only be stricter than the
 *   ledger, never looser.
 *
 * Withdrawals must be checked against the real balance (DESIGN.md §3): one
 * transaction locks the account (and its counterparty, ascending ids), reads
 * the rolled-up balance plus the journal's pending entries, and journals the
 * withdrawal only if that covers it. The row lock keeps roll-ups and other
 * withdrawals of the account out meanwhile; charges are not blocked.
 */
import type { Observable, Op, Outcome, StrategyContext, StrategyDefinition } from '../contract.js';
import { inTransaction, timedLockRows } from '../ledger.js';
import { LedgerStrategy } from '../ledger-strategy.js';
import { CREATE_JOURNAL_SQL, JOURNAL_INSERT_SQL, realBalance, rollUp, type AccountState } from './journal.js';
import { walParams, type WalParams } from './params.js';

/** The `wal` strategy. */
export class WalStrategy extends LedgerStrategy implements Observable {
  #timer: NodeJS.Timeout | undefined;
  /** The roll-up in progress (roll-ups never overlap), or a resolved promise. */
  #rolling: Promise<void> = Promise.resolve();
  #stopped = false;
  /** Set while drain() rolls up itself: the periodic job must not start. */
  #paused = false;
  /** Accepted ops not yet reported posted, by op id. */
  readonly #unposted = new Map<number, Op>();
  /** Row version per account of the latest state seen (roll-ups finish in order, but be safe). */
  readonly #versions: number[] = [];
  /** Accounts currently signalled `budget_exhausted`. */
  readonly #exhausted = new Set<number>();
  /**
   * `check=pending`: per logical account, the balance every accepted op will
   * leave once rolled up (debits counted at accept, credits after their insert).
   */
  readonly #available: number[] = [];

  /** The base class would signal at nothing (every op is deferred); this strategy signals itself. */
  protected override readonly watchesBudget: boolean = false;

  constructor(private readonly params: WalParams) {
    super('wal');
  }

  override async setup(ctx: StrategyContext): Promise<void> {
    await super.setup(ctx);
    await this.pool.query(CREATE_JOURNAL_SQL);
    for (const a of ctx.accounts) {
      this.#versions[a.id] = 0;
      this.#available[a.id] = a.balance;
      if (a.balance < a.threshold) this.#exhausted.add(a.id);
    }
    this.#schedule();
  }

  protected async write(op: Op, delta: number): Promise<Outcome> {
    if (op.kind === 'withdraw') return this.#withdraw(op, delta);
    const counter = this.counterLegs(op, delta)[0]?.account ?? null;
    const checked = this.params.check === 'pending';
    if (checked && delta < 0 && !this.#reserve(op.account, delta)) return { status: 'rejected', reason: 'insufficient_funds' };
    // Registered before the insert: a roll-up may commit the row before this await resumes,
    // and an op it rolls up unregistered would never be reported posted.
    this.#unposted.set(op.id, op);
    try {
      await this.pool.query({ name: 'hotbench_wal_journal', text: JOURNAL_INSERT_SQL, values: [op.id, op.account, delta, counter] });
    } catch (err) {
      this.#unposted.delete(op.id);
      if (checked && delta < 0) this.#move(op.account, -delta);
      throw err;
    }
    if (checked && delta > 0) this.#move(op.account, delta);
    if (checked && counter !== null) this.#move(counter, -delta);
    return { status: 'accepted' };
  }

  /** `check=pending`: takes `delta` (< 0) off the account's available balance if it stays at or above the floor. */
  #reserve(account: number, delta: number): boolean {
    const floor = this.ctx.accounts[account]?.floor ?? 0;
    if ((this.#available[account] ?? 0) + delta < floor) return false;
    this.#move(account, delta);
    return true;
  }

  /** Moves the available balance and signals when it crosses the threshold (`check=pending` knows at accept). */
  #move(account: number, delta: number): void {
    const balance = (this.#available[account] ?? 0) + delta;
    this.#available[account] = balance;
    this.#signal(account, balance);
  }

  /** Lock the account (and counterparty), check the real balance (rolled up + pending), journal the withdrawal. */
  async #withdraw(op: Op, delta: number): Promise<Outcome> {
    const counter = this.counterLegs(op, delta)[0]?.account ?? null;
    const checked = this.params.check === 'pending';
    if (checked && !this.#reserve(op.account, delta)) return { status: 'rejected', reason: 'insufficient_funds' };
    let journaled = false;
    this.#unposted.set(op.id, op); // before the commit, for the same reason as in submit()
    try {
      const outcome = await inTransaction(this.pool, 'read committed', async (client, rollback): Promise<Outcome> => {
        const ids = counter === null ? [op.account] : [op.account, counter].sort((a, b) => a - b);
        const { lockWaitUs } = await timedLockRows(client, ids);
        const real = await realBalance(client, op.account);
        if (real.balance + delta < real.floor) {
          await rollback();
          return { status: 'rejected', reason: 'insufficient_funds', lockWaitUs };
        }
        await client.query({ name: 'hotbench_wal_journal', text: JOURNAL_INSERT_SQL, values: [op.id, op.account, delta, counter] });
        return { status: 'accepted', lockWaitUs };
      });
      journaled = outcome.status === 'accepted';
      if (journaled && checked && counter !== null) this.#move(counter, -delta);
      return outcome;
    } finally {
      if (!journaled) this.#unposted.delete(op.id);
      if (checked && !journaled) this.#move(op.account, -delta);
    }
  }

  #schedule(): void {
    if (this.#stopped || this.#paused || this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#rolling = this.#rollUpOnce()
        .then(() => undefined)
        .catch((err: unknown) => this.ctx.events.note('wal_roll_up_failed', err instanceof Error ? err.message.split('\n')[0] ?? '' : String(err), this.ctx.clock.now()))
        .finally(() => this.#schedule());
    }, Math.max(1, Math.round(this.params.interval / 1000)));
  }

  /** One roll-up; returns how many ops it posted. */
  async #rollUpOnce(): Promise<number> {
    const rolled = await rollUp(this.pool);
    const at = this.ctx.clock.now();
    const ops: Op[] = [];
    for (const id of rolled.opIds) {
      const op = this.#unposted.get(id);
      if (op === undefined) continue;
      this.#unposted.delete(id);
      ops.push(op);
    }
    if (ops.length > 0) this.ctx.events.posted(ops, at);
    if (this.params.check === 'none') for (const [account, state] of rolled.after) this.#track(account, state);
    return ops.length;
  }

  /** `check=none`: the strategy learns a balance only when a roll-up moves it (seed 002's blind journal). */
  #track(account: number, state: AccountState): void {
    if (state.version <= (this.#versions[account] ?? -1)) return;
    this.#versions[account] = state.version;
    this.#signal(account, state.balance);
  }

  /** Signals upstream when `balance` crosses the account's stop-delivery threshold (seed 000). */
  #signal(account: number, balance: number): void {
    const threshold = this.ctx.accounts[account]?.threshold;
    if (threshold === undefined) return;
    if (balance < threshold && !this.#exhausted.has(account)) {
      this.#exhausted.add(account);
      this.ctx.events.signal('budget_exhausted', account, this.ctx.clock.now());
    } else if (balance >= threshold && this.#exhausted.delete(account)) {
      this.ctx.events.signal('budget_restored', account, this.ctx.clock.now());
    }
  }

  /** Rolls up until every accepted op is posted (every journal insert has returned: one roll-up sees them all). */
  override async drain(): Promise<void> {
    this.#paused = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    try {
      await this.#rolling.catch(() => undefined);
      for (let pass = 0; pass < 3 && !this.#stopped; pass++) {
        await this.#rollUpOnce();
        if (this.#unposted.size === 0) break;
      }
    } finally {
      this.#paused = false;
      this.#schedule();
    }
  }

  override async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#rolling.catch(() => undefined);
  }

  /** `wal_unposted_ops`: ops accepted into the journal and not yet rolled up. */
  async observe(): Promise<readonly { readonly name: string; readonly value: number }[]> {
    return [{ name: 'wal_unposted_ops', value: this.#unposted.size }];
  }
}

/** Registry entry for `wal`. */
export const wal: StrategyDefinition<WalParams> = {
  name: 'wal',
  summary: 'entries journaled by INSERT alone and accepted at once, balances rolled up every interval: fast inserts, but posting delay, and overdrafts when a budget runs out unless check=pending',
  source: 'seed 002 方案2',
  needs: ['postgres'],
  params: walParams,
  traits: { deferred: true, mayOverdraw: true },
  create: (params) => new WalStrategy(params),
};
