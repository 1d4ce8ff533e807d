/**
 * `split`: each hot account becomes `parts` sub-accounts holding its balance
 * (seed 000 "hotspot dispersion", seed 001 §5.2.2, seed 002 方案6), so its
 * writes spread over several rows and lock queues. Each op picks one
 * sub-account and posts there with `atomic`'s conditional UPDATE; a debit its
 * sub-account cannot cover is declined, tries the others in turn, or gathers
 * the shortfall from them (`on_insufficient`). Reads return the sum of the
 * sub-accounts.
 *
 * What it risks: false declines, a debit refused while the account's
 * sub-accounts together held enough (seed 002: 当选择子账户扣款的时候,可能
 * 出现扣款不成功的情况,但是总的子账户余额是够的情况).
 */
import type { AccountSpec, Op, Outcome, SpreadsAccounts, StrategyContext, StrategyDefinition } from '../contract.js';
import { postAtomic } from '../atomic/index.js';
import { splitAccounts, type PhysicalAccount } from '../ledger.js';
import { LedgerStrategy } from '../ledger-strategy.js';
import { gatherAndDebit } from './gather.js';
import { splitParams, type SplitParams } from './params.js';
import { subAccountPicker, type SubAccountPicker } from './pick.js';

/** The `split` strategy. */
export class SplitStrategy extends LedgerStrategy implements SpreadsAccounts {
  /** Physical row ids per logical account, part order; length 1 for accounts that are not split. */
  #rows: number[][] = [];
  #pick: SubAccountPicker | undefined;

  constructor(private readonly params: SplitParams) {
    super('split');
  }

  /** Hot accounts in `parts` sub-accounts (ledger.splitAccounts), the others whole. */
  protected override layout(ctx: StrategyContext): readonly PhysicalAccount[] {
    const physical = splitAccounts(ctx.accounts, (a) => (a.hot ? this.params.parts : 1));
    const rows: number[][] = ctx.accounts.map(() => []);
    for (const p of physical) rows[p.owner]?.push(p.id);
    this.#rows = rows;
    this.#pick = subAccountPicker(this.params.pick, ctx.accounts.length);
    return physical;
  }

  /** A split counterparty (a hot revenue account) spreads its legs over its sub-accounts like its own ops. */
  protected override counterRow(counterparty: number, op: Op): number {
    const rows = this.#rows[counterparty] ?? [];
    if (rows.length <= 1 || this.#pick === undefined) return counterparty;
    return rows[this.#pick({ ...op, account: counterparty }, rows.length)] ?? counterparty;
  }

  /** Hot accounts are split (when `parts` > 1): `sharded(split)` spreads them over the shards too. */
  spreads(account: AccountSpec): boolean {
    return account.hot && this.params.parts > 1;
  }

  /** The physical row ids of logical account `owner`, part order (for tests and analyses). */
  rowsOf(owner: number): readonly number[] {
    return this.#rows[owner] ?? [];
  }

  protected async write(op: Op, delta: number): Promise<Outcome> {
    const rows = this.#rows[op.account];
    if (rows === undefined || rows.length === 0 || this.#pick === undefined) throw new Error(`account ${op.account} does not exist`);
    const first = rows.length === 1 ? 0 : this.#pick(op, rows.length);
    const tries = delta < 0 && this.params.on_insufficient === 'try-others' ? rows.length : 1;
    const counter = this.counterLegs(op, delta)[0]?.account ?? null;
    let lockWaitUs = 0;
    for (let attempt = 1; attempt <= tries; attempt++) {
      const id = rows[(first + attempt - 1) % rows.length] as number;
      const outcome = await postAtomic(this.pool, op, delta, counter, id);
      lockWaitUs += outcome.lockWaitUs ?? 0;
      if (outcome.status === 'applied') return { status: 'applied', lockWaitUs, attempts: attempt };
    }
    if (this.params.on_insufficient === 'gather' && rows.length > 1) {
      const gathered = await gatherAndDebit(this.pool, op, delta, rows, first, this.counterLegs(op, delta));
      return { ...gathered, lockWaitUs: lockWaitUs + (gathered.lockWaitUs ?? 0), attempts: 2 };
    }
    return { status: 'rejected', reason: 'insufficient_funds', lockWaitUs, attempts: tries };
  }
}

/** Registry entry for `split`. */
export const split: StrategyDefinition<SplitParams> = {
  name: 'split',
  summary: 'each hot account split into N sub-accounts, each op posts to one of them: writes spread, but a debit can be declined while the total covers it',
  source: 'seed 000 (hotspot dispersion), seed 001 §5.2.2, seed 002 方案6',
  needs: ['postgres'],
  loadShards: true,
  params: splitParams,
  create: (params) => new SplitStrategy(params),
};
