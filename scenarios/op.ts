/**
 * The op stream's vocabulary: what a scenario generates and a strategy is
 * handed (re-exported by strategies/contract.ts, which strategies import).
 * A leaf: it imports nothing, so scenarios/ stands apart from strategies/.
 *
 * Units: times are integer µs on the run's monotonic clock; amounts integer
 * minor currency units (cents).
 */

/** Microseconds on the run's monotonic clock. Integers only. */
export type Micros = number;

/** The kinds of operation a scenario generates (DESIGN.md §3). */
export const OP_KINDS = ['charge', 'topup', 'adjust', 'withdraw', 'read'] as const;

/**
 * - `charge`: a debit that may be accepted before it is posted (an ad click).
 * - `topup`: a credit.
 * - `adjust`: a signed bulk adjustment, submitted in jobs of K ops.
 * - `withdraw`: a debit that must be checked against the real balance before it is accepted.
 * - `read`: a balance check (an ad server asking "is there budget?").
 */
export type OpKind = (typeof OP_KINDS)[number];

/** One operation of the replayed stream. Immutable; created by the generator. */
export interface Op {
  /**
   * Dense sequence number within one replay of the stream, starting at 0.
   * It is the ledger's op id: at most one entry per op id may be posted.
   */
  readonly id: number;
  /** Intended send time: µs after the schedule start of this strategy's replay. */
  readonly at: Micros;
  readonly kind: OpKind;
  /** Logical account id: the index into the accounts a strategy is handed (`StrategyContext.accounts`). */
  readonly account: number;
  /**
   * Amount in minor units. Non-negative for `charge`, `topup` and `withdraw`
   * (the kind gives the sign); signed for `adjust`; 0 for `read`.
   */
  readonly amount: number;
  /** The bulk job an `adjust` op belongs to; -1 for every other op. */
  readonly job: number;
}

/**
 * The signed change an op makes to its account's balance when posted:
 * negative for debits (`charge`, `withdraw`, a negative `adjust`), positive for
 * credits, 0 for `read`.
 */
export function deltaOf(op: Op): number {
  switch (op.kind) {
    case 'charge':
    case 'withdraw':
      return -op.amount;
    case 'topup':
    case 'adjust':
      return op.amount;
    case 'read':
      return 0;
  }
}

/** True when posting the op lowers the balance (so the floor must be respected). */
export function isDebit(op: Op): boolean {
  return deltaOf(op) < 0;
}

/** One account as the scenario defines it; the ledger is seeded from these. */
export interface AccountSpec {
  /** Logical account id, 0-based and dense. */
  readonly id: number;
  /** Initial balance, minor units. */
  readonly balance: number;
  /** Lowest balance allowed: 0, or minus a credit limit. Minor units. */
  readonly floor: number;
  /** Whether the scenario names it a hot account. */
  readonly hot: boolean;
  /** The scenario's name for a hot account (e.g. "big-advertiser"); '' otherwise. */
  readonly name: string;
  /**
   * Stop-delivery threshold (DESIGN.md "stop-delivery delay"): when the ledger
   * balance falls below it, upstream should stop sending. Defaults to the floor.
   */
  readonly threshold: number;
  /**
   * The platform account this row is, under double entry (DESIGN.md §4
   * "Double entry"); absent for a customer account. See {@link counterpartyOf}.
   */
  readonly role?: SystemRole;
}

/**
 * Platform accounts of the double-entry model:
 * - `revenue`: every charge credits it (seed 000: the platform earns each click);
 * - `settlement`: withdrawals and adjustments move money between it and the customer;
 * - `clearing`: the outside world. Top-ups come from it and whatever leaves a platform
 *   account goes to it; its floor is far below 0, since it only records external flows.
 */
export const SYSTEM_ROLES = ['revenue', 'settlement', 'clearing'] as const;
/** One of {@link SYSTEM_ROLES}. */
export type SystemRole = (typeof SYSTEM_ROLES)[number];

/**
 * The counterparty of each op under the accounts' double-entry model: a
 * function from an op to the logical account id that takes the opposite leg
 * (`-deltaOf(op)`), or -1 when the op has none (reads, or single entry: no
 * account has a {@link SystemRole}). Rules:
 * - an op on a platform account (revenue or settlement paying out) → clearing;
 * - `charge` → revenue; `withdraw`, `adjust` → settlement; `topup` → clearing.
 *
 * Every rule points from a customer to a platform account, or from revenue or
 * settlement to clearing, never back: a strategy that locks the op's account
 * and then its counterparty can never wait in a cycle.
 */
export function counterparties(accounts: readonly AccountSpec[]): (op: Op) => number {
  const byRole = new Map<SystemRole, number>();
  for (const a of accounts) if (a.role !== undefined && !byRole.has(a.role)) byRole.set(a.role, a.id);
  const clearing = byRole.get('clearing');
  if (clearing === undefined) return () => -1;
  const revenue = byRole.get('revenue') ?? clearing;
  const settlement = byRole.get('settlement') ?? clearing;
  return (op) => {
    if (op.kind === 'read' || op.account === clearing) return -1;
    if (op.account === revenue || op.account === settlement) return clearing;
    switch (op.kind) {
      case 'charge':
        return revenue;
      case 'withdraw':
      case 'adjust':
        return settlement;
      case 'topup':
        return clearing;
    }
  };
}

/** Whether the accounts follow the double-entry model (a clearing account exists). */
export function isDoubleEntry(accounts: readonly AccountSpec[]): boolean {
  return accounts.some((a) => a.role === 'clearing');
}
