/**
 * `credit-debit-split` (seed 001 §5.2.1, "separate credit and debit
 * accounts"): a split account is one debit row plus `credits` credit rows of
 * the same owner. Credits land on a credit row (round robin), never touching
 * the debit row; debits are checked against, and posted to, the debit row
 * only; a periodic sweep moves the credit rows' money into the debit row
 * (`./sweep.ts`). Every post is `atomic`'s single conditional statement, so
 * nothing is overdrawn or lost; the price is that money credited since the
 * last sweep cannot pay for a debit yet ("adds ... withdrawal delay").
 */
import { deltaOf, type Observable, type Op, type Outcome, type StrategyContext, type StrategyDefinition } from '../contract.js';
import { toInt, type PhysicalAccount } from '../ledger.js';
import { LedgerStrategy } from '../ledger-strategy.js';
import { postAtomic } from '../atomic/index.js';
import { creditDebitSplitParams, type CreditDebitSplitParams } from './params.js';
import { sweepCredits } from './sweep.js';

/** The `credit-debit-split` strategy. */
export class CreditDebitSplitStrategy extends LedgerStrategy implements Observable {
  /** Credit row ids per logical account (empty for an account that is not split). */
  #creditRows: number[][] = [];
  /** Next credit row to use, per logical account. */
  #turn: number[] = [];
  #transfers = 0;
  #timer: NodeJS.Timeout | undefined;
  /** The sweep in progress (sweeps never overlap), or a resolved promise. */
  #sweeping: Promise<void> = Promise.resolve();
  #stopped = false;
  #paused = false;

  constructor(private readonly params: CreditDebitSplitParams) {
    super('credit-debit-split');
  }

  /** Debit row `id = owner` (role `debit`, the whole balance and floor) and `credits` empty credit rows per split account. */
  protected override layout(ctx: StrategyContext): readonly PhysicalAccount[] {
    const rows: PhysicalAccount[] = [];
    let nextId = ctx.accounts.length;
    this.#creditRows = ctx.accounts.map(() => []);
    this.#turn = ctx.accounts.map(() => 0);
    for (const a of ctx.accounts) {
      const split = this.params.accounts === 'all' || a.hot;
      rows.push({ id: a.id, owner: a.id, role: split ? 'debit' : 'main', balance: a.balance, floor: a.floor });
      if (!split) continue;
      for (let c = 0; c < this.params.credits; c++) {
        const id = nextId++;
        rows.push({ id, owner: a.id, role: 'credit', balance: 0, floor: 0 });
        this.#creditRows[a.id]?.push(id);
      }
    }
    return rows;
  }

  override async setup(ctx: StrategyContext): Promise<void> {
    await super.setup(ctx);
    this.#schedule();
  }

  /** Credits go to the account's next credit row (if split); debits to its debit row, checked there. */
  protected write(op: Op, delta: number): Promise<Outcome> {
    const counter = this.counterLegs(op, delta)[0]?.account ?? null;
    if (delta <= 0) return postAtomic(this.pool, op, delta, counter);
    return postAtomic(this.pool, op, delta, counter, this.#creditRow(op.account));
  }

  /** Under double entry a credit leg lands like any credit: on the counterparty's next credit row, if it is split. */
  protected override counterRow(counterparty: number, op: Op): number {
    return deltaOf(op) < 0 ? this.#creditRow(counterparty) : counterparty;
  }

  /** The next credit row of `owner` (round robin), or its main row when it is not split. */
  #creditRow(owner: number): number {
    const credits = this.#creditRows[owner] ?? [];
    if (credits.length === 0) return owner;
    const turn = this.#turn[owner] ?? 0;
    this.#turn[owner] = (turn + 1) % credits.length;
    return credits[turn] ?? owner;
  }

  #schedule(): void {
    if (this.#stopped || this.#paused || this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#sweeping = this.#sweep().finally(() => this.#schedule());
    }, Math.max(1, Math.round(this.params.sweep / 1000)));
  }

  /** One sweep; a failure is a note (the next sweep retries: nothing was moved by the failed owner's transaction). */
  async #sweep(): Promise<void> {
    try {
      await sweepCredits(this.pool, (owner) => owner, () => ++this.#transfers);
    } catch (err) {
      if (!this.#stopped) this.ctx.events.note('sweep_failed', err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err), this.ctx.clock.now());
    }
  }

  /** Waits for the sweep in flight and sweeps once more, so every credit accepted before is in its debit account. */
  override async drain(): Promise<void> {
    this.#paused = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    try {
      await this.#sweeping;
      await sweepCredits(this.pool, (owner) => owner, () => ++this.#transfers);
    } finally {
      this.#paused = false;
      this.#schedule();
    }
  }

  override async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#sweeping;
  }

  /** `unswept_credit_balance`: money on credit rows, not yet movable to debit accounts (minor units). */
  async observe(): Promise<readonly { readonly name: string; readonly value: number }[]> {
    const res = await this.pool.query<{ s: string | null }>(`SELECT sum(balance)::text AS s FROM accounts WHERE role = 'credit'`);
    return [{ name: 'unswept_credit_balance', value: toInt(res.rows[0]?.s ?? 0) }];
  }
}

/** Registry entry for `credit-debit-split`. */
export const creditDebitSplit: StrategyDefinition<CreditDebitSplitParams> = {
  name: 'credit-debit-split',
  summary: 'credits land on credit sub-accounts, swept into the debit account periodically; debits check the debit account only: sweep delay vs withdrawal declines',
  source: 'seed 001 §5.2.1 (separate credit and debit accounts)',
  needs: ['postgres'],
  params: creditDebitSplitParams,
  traits: { transfers: true },
  create: (params) => new CreditDebitSplitStrategy(params),
};
