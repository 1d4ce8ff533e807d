/**
 * The common frame of a strategy that posts synchronously to the PostgreSQL
 * ledger: set up the ledger in its own database, answer `read` ops with a
 * plain SELECT, turn every failure into a `rejected`/`error` outcome, and
 * leave only the write path to the subclass.
 */
import type { Pool } from 'pg';
import { counterparties, deltaOf, type Op, type Outcome, type Strategy, type StrategyContext } from './contract.js';
import { createLedger, errorDetail, readBalance, type CounterLeg, type PhysicalAccount } from './ledger.js';

/** Base class for synchronous ledger strategies (`row-lock`, `optimistic`, `atomic`, ...). */
export abstract class LedgerStrategy implements Strategy {
  /** This family runs on PostgreSQL only. */
  readonly backend: string = 'postgres';
  private pg: Pool | undefined;
  private context: StrategyContext | undefined;
  private budget: BudgetWatch | undefined;
  private counterpartyOf: (op: Op) => number = () => -1;
  /**
   * Whether this base class signals `budget_exhausted` / `budget_restored`
   * from the `applied` outcomes (see {@link BudgetWatch}). Default true; a
   * subclass that signals by itself sets it to false. The watch also stands
   * down at the first `accepted` outcome (posting deferred), which a subclass
   * that defers must then cover with its own signals.
   */
  protected readonly watchesBudget: boolean = true;

  /** @param name the registry name, used as the pool's `application_name`. */
  constructor(protected readonly name: string) {}

  /** The pool opened in `setup`; throws before `setup`. */
  protected get pool(): Pool {
    if (this.pg === undefined) throw new Error(`${this.name}: submit before setup`);
    return this.pg;
  }

  /** The context given to `setup`; throws before `setup`. */
  protected get ctx(): StrategyContext {
    if (this.context === undefined) throw new Error(`${this.name}: used before setup`);
    return this.context;
  }

  /** Opens a pool (default size) and creates and seeds the ledger. */
  async setup(ctx: StrategyContext): Promise<void> {
    this.context = ctx;
    this.counterpartyOf = counterparties(ctx.accounts);
    this.budget = this.watchesBudget ? new BudgetWatch(ctx) : undefined;
    this.pg = ctx.postgres.pool({ applicationName: `hotbench-${this.name}` });
    const physical = this.layout(ctx);
    await createLedger(this.pg, ctx.accounts, physical === undefined ? {} : { physical });
  }

  /**
   * The physical account layout; undefined (the default) for one `main` row
   * per logical account with `id = owner`.
   */
  protected layout(_ctx: StrategyContext): readonly PhysicalAccount[] | undefined {
    return undefined;
  }

  /**
   * The counterparty legs of `op` (whose own signed change is `delta`) under
   * the accounts' double-entry model: none for single entry or a read, else
   * one leg of `-delta` on {@link counterRow}. Post them with
   * `postCounterLegs` in the transaction that posts the op's own entry.
   */
  protected counterLegs(op: Op, delta: number): CounterLeg[] {
    const cp = this.counterpartyOf(op);
    return cp < 0 || delta === 0 ? [] : [{ opId: op.id, account: this.counterRow(cp, op), delta: -delta }];
  }

  /** The logical counterparty id of `op`, -1 for none (see `counterparties` in the contract). */
  protected counterparty(op: Op): number {
    return this.counterpartyOf(op);
  }

  /** The physical row that takes `op`'s counterparty leg; default the counterparty's main row (`id = owner`). */
  protected counterRow(counterparty: number, _op: Op): number {
    return counterparty;
  }

  /** Reads answer from the ledger; writes go to {@link write}; nothing throws. */
  async submit(op: Op): Promise<Outcome> {
    try {
      if (op.kind === 'read') return { status: 'applied', balance: await readBalance(this.pool, op.account) };
      const delta = deltaOf(op);
      const outcome = await this.write(op, delta);
      if (outcome.status === 'applied') this.budget?.applied(op.account, delta);
      // Deferred posting: applied outcomes no longer tell the whole balance; the subclass must signal.
      else if (outcome.status === 'accepted') this.budget = undefined;
      return outcome;
    } catch (err) {
      return { status: 'rejected', reason: 'error', detail: errorDetail(err) };
    }
  }

  /** Posts one non-read op whose signed change is `delta`. May throw: {@link submit} turns it into an `error` outcome. */
  protected abstract write(op: Op, delta: number): Promise<Outcome>;

  /** Nothing is deferred. */
  async drain(): Promise<void> {}

  /** The runner ends the pool after `stop()`; nothing else is held. */
  async stop(): Promise<void> {}
}

/**
 * Tells upstream to stop delivery (seed 000's control measure, DESIGN.md
 * "stop-delivery delay"): keeps each logical account's balance as the initial
 * balance plus every applied change, in the order the commits returned, and
 * signals `budget_exhausted` when a debit takes it below the account's
 * threshold, `budget_restored` when a credit brings it back. Posting is
 * synchronous, so this is the ledger's balance once the ops in flight have
 * returned: a debit's signal follows its commit, never precedes it.
 */
class BudgetWatch {
  private readonly balances: number[];
  private readonly below: boolean[];

  constructor(private readonly ctx: StrategyContext) {
    this.balances = ctx.accounts.map((a) => a.balance);
    this.below = ctx.accounts.map((a) => a.balance < a.threshold);
  }

  applied(account: number, delta: number): void {
    const spec = this.ctx.accounts[account];
    if (spec === undefined || delta === 0) return;
    const balance = (this.balances[account] ?? 0) + delta;
    this.balances[account] = balance;
    const below = balance < spec.threshold;
    if (below === this.below[account]) return;
    this.below[account] = below;
    this.ctx.events.signal(below ? 'budget_exhausted' : 'budget_restored', account, this.ctx.clock.now());
  }
}
