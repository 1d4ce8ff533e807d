/**
 * `wal`: write-ahead journal, periodic roll-up (seed 002 方案2 预写日志记账).
 * Charges, top-ups and adjustments are one INSERT into an append-only journal
 * and `accepted` at once, with no balance check (INSERT is cheaper than a
 * contended UPDATE: no row lock). A background job rolls the journal into the
 * ledger every `interval` and reports the ops posted. Withdrawals must be
 * checked against the real balance (DESIGN.md §3), so they take the
 * synchronous path: lock the account row, roll up that account's journal
 * first, then check and post the withdrawal in the same transaction.
 *
 * What it risks (seed 002: 账户减钱透支地风险): charges are accepted blind,
 * so when a budget runs out the roll-up posts them past the floor: overdrafts,
 * which the auditor reports with their amounts. Reads see the ledger only
 * (up to one interval stale).
 */
import type { Observable, Op, Outcome, StrategyContext, StrategyDefinition } from '../contract.js';
import { ATOMIC_SQL } from '../atomic/index.js';
import { inTransaction, timedLockRow, toInt } from '../ledger.js';
import { LedgerStrategy } from '../ledger-strategy.js';
import { CREATE_JOURNAL_SQL, JOURNAL_INSERT_SQL, rollUpAccount, rollUpNext, type AccountState, type RolledUp } from './journal.js';
import { walParams, type WalParams } from './params.js';

/** The `wal` strategy. */
export class WalStrategy extends LedgerStrategy implements Observable {
  #timer: NodeJS.Timeout | undefined;
  /** The roll-up in progress (roll-ups never overlap), or a resolved promise. */
  #rolling: Promise<void> = Promise.resolve();
  #stopped = false;
  /** Set while drain() rolls up itself: the periodic job must not start. */
  #paused = false;
  /** Accepted into the journal minus reported posted. */
  #unposted = 0;
  /** Row version per account of the latest state seen (roll-ups and withdrawals finish in any order). */
  readonly #versions: number[] = [];
  /** Accounts currently signalled `budget_exhausted`. */
  readonly #exhausted = new Set<number>();

  /** The base class would signal at the (synchronous) withdrawals only; this strategy signals at roll-ups too. */
  protected override readonly watchesBudget: boolean = false;

  constructor(private readonly params: WalParams) {
    super('wal');
  }

  override async setup(ctx: StrategyContext): Promise<void> {
    await super.setup(ctx);
    await this.pool.query(CREATE_JOURNAL_SQL);
    for (const a of ctx.accounts) {
      this.#versions[a.id] = 0;
      if (a.balance < a.threshold) this.#exhausted.add(a.id);
    }
    this.#schedule();
  }

  protected async write(op: Op, delta: number): Promise<Outcome> {
    if (op.kind === 'withdraw') return this.#withdraw(op, delta);
    await this.pool.query({ name: 'hotbench_wal_insert', text: JOURNAL_INSERT_SQL, values: [op.id, op.account, delta, op.amount, op.kind, op.at, op.job] });
    this.#unposted += 1;
    return { status: 'accepted' };
  }

  /** Lock the row, roll up the account's journal, check the withdrawal against the real balance, post it. */
  async #withdraw(op: Op, delta: number): Promise<Outcome> {
    const { outcome, rolled, state } = await inTransaction(this.pool, 'read committed', async (client) => {
      const row = await timedLockRow(client, op.account);
      if (row === undefined) throw new Error(`account ${op.account} does not exist`);
      const rolled = await rollUpAccount(client, op.account);
      // ATOMIC_SQL on the row we hold: the floor check sees the balance the roll-up just set.
      const res = await client.query<{ updated: string; balance: string | null }>(ATOMIC_SQL, [op.account, delta, op.id]);
      const posted = toInt(res.rows[0]?.updated ?? 0) === 1;
      const before = rolled.after.get(op.account) ?? { balance: row.balance, version: row.version };
      const state = posted ? { balance: before.balance + delta, version: before.version + 1 } : before;
      const outcome: Outcome = posted
        ? { status: 'applied', lockWaitUs: row.lockWaitUs }
        : { status: 'rejected', reason: 'insufficient_funds', lockWaitUs: row.lockWaitUs };
      return { outcome, rolled, state };
    });
    this.#reportPosted(rolled);
    this.#track(op.account, state);
    return outcome;
  }

  #schedule(): void {
    if (this.#stopped || this.#paused || this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#rolling = this.#rollUpAll()
        .catch((err: unknown) => this.ctx.events.note('wal_roll_up_failed', err instanceof Error ? err.message.split('\n')[0] ?? '' : String(err), this.ctx.clock.now()))
        .finally(() => this.#schedule());
    }, Math.max(1, Math.round(this.params.interval / 1000)));
  }

  /** Rolls up batches until one finds fewer than `batch` rows (the journal as this roll-up sees it is empty). */
  async #rollUpAll(): Promise<void> {
    while (!this.#stopped && (await this.#rollUpOnce()) === this.params.batch) {
      // a full batch: there may be more
    }
  }

  /** One roll-up transaction; returns how many ops it posted (0 when the journal was empty). */
  async #rollUpOnce(): Promise<number> {
    const rolled = await inTransaction(this.pool, 'read committed', (client) => rollUpNext(client, this.params.batch));
    if (rolled === undefined) return 0;
    this.#reportPosted(rolled);
    for (const [account, state] of rolled.after) this.#track(account, state);
    return rolled.ops.length;
  }

  #reportPosted(rolled: Pick<RolledUp, 'ops'>): void {
    if (rolled.ops.length === 0) return;
    this.#unposted -= rolled.ops.length;
    this.ctx.events.posted(rolled.ops, this.ctx.clock.now());
  }

  /**
   * Signals upstream when an account's balance crosses its stop-delivery
   * threshold (seed 000). `state` is ignored when a later one (a larger row
   * version) was already seen: roll-ups and withdrawals commit in lock order
   * but their continuations may run in any order.
   */
  #track(account: number, state: AccountState): void {
    if (state.version <= (this.#versions[account] ?? -1)) return;
    this.#versions[account] = state.version;
    const threshold = this.ctx.accounts[account]?.threshold;
    if (threshold === undefined) return;
    if (state.balance < threshold && !this.#exhausted.has(account)) {
      this.#exhausted.add(account);
      this.ctx.events.signal('budget_exhausted', account, this.ctx.clock.now());
    } else if (state.balance >= threshold && this.#exhausted.delete(account)) {
      this.ctx.events.signal('budget_restored', account, this.ctx.clock.now());
    }
  }

  /** Rolls up until the journal is empty: after it, every accepted op is in the ledger. */
  override async drain(): Promise<void> {
    this.#paused = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    try {
      await this.#rolling.catch(() => undefined);
      while (!this.#stopped && (await this.#rollUpOnce())) {
        // until a roll-up finds the journal empty
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
    return [{ name: 'wal_unposted_ops', value: this.#unposted }];
  }
}

/** Registry entry for `wal`. */
export const wal: StrategyDefinition<WalParams> = {
  name: 'wal',
  summary: 'insert-only journal, accepted at once, rolled up into the balances every interval: fast inserts, but posting delay and overdrafts when a budget runs out',
  source: 'seed 002 方案2',
  needs: ['postgres'],
  params: walParams,
  traits: { deferred: true, mayOverdraw: true },
  create: (params) => new WalStrategy(params),
};
