/**
 * `atomic`: one autocommit statement per op. A data-modifying CTE updates the
 * balance only if a debit keeps it at or above the floor and inserts the entry
 * from the UPDATE's RETURNING, so the check, the entry and the balance cannot
 * disagree and the row lock is held for one statement plus its commit, with no
 * client round trip inside.
 */
import type { Pool } from 'pg';
import type { Op, Outcome, StrategyDefinition } from '../contract.js';
import { LOCK_WAIT_US_SQL, toInt } from '../ledger.js';
import { LedgerStrategy } from '../ledger-strategy.js';
import { atomicParams, type AtomicParams } from './params.js';

/**
 * $1 account id, $2 signed delta, $3 op id, $4 the counterparty's physical
 * account id (NULL under single entry). Returns one row: `updated` (0 or 1),
 * `balance` (after, NULL if not updated) and `lock_wait_us`. The aggregate
 * over `u` runs the UPDATE before the clock expression, and yields a row
 * (with the wait) even when the floor check refused the debit. Credits
 * (`$2 >= 0`) never fail. The counterparty's row is updated (and its leg
 * inserted, `counter_op` = $3) only when the op's own update happened: it
 * reads `u`, so it locks after the op's row (the lock order of
 * `counterparties` in the contract) and the legs commit together.
 */
export const ATOMIC_SQL = `
  WITH u AS (
         UPDATE accounts SET balance = balance + $2::bigint, version = version + 1
         WHERE id = $1 AND ($2::bigint >= 0 OR balance + $2::bigint >= floor)
         RETURNING id, owner, balance),
       e AS (
         INSERT INTO entries (op_id, account_id, owner, delta, balance_after)
         SELECT $3::bigint, id, owner, $2::bigint, balance FROM u),
       c AS (
         UPDATE accounts SET balance = balance - $2::bigint, version = version + 1
         WHERE id = $4::bigint AND EXISTS (SELECT 1 FROM u)
         RETURNING id, owner, balance),
       f AS (
         INSERT INTO entries (counter_op, account_id, owner, delta, balance_after)
         SELECT $3::bigint, id, owner, -$2::bigint, balance FROM c),
       w AS MATERIALIZED (SELECT count(*) AS updated, max(balance) AS balance, (SELECT count(*) FROM c) AS legs FROM u)
  SELECT w.updated, w.balance, w.legs, ${LOCK_WAIT_US_SQL} AS lock_wait_us FROM w`;

/**
 * Posts `op` with {@link ATOMIC_SQL} on `pool` (autocommit) to physical row
 * `account` (default the op's own), with its counterparty leg on physical row
 * `counterRow` (default none: single entry): `applied`, or
 * `insufficient_funds` for a refused debit; both carry `lockWaitUs`. Throws
 * on a database error or a missing row. Shared with strategies built on the
 * same statement.
 */
export async function postAtomic(pool: Pick<Pool, 'query'>, op: Op, delta: number, counterRow: number | null = null, account: number = op.account): Promise<Outcome> {
  const res = await pool.query<{ updated: string; balance: string | null; legs: string; lock_wait_us: string }>({
    name: 'hotbench_atomic',
    text: ATOMIC_SQL,
    values: [account, delta, op.id, counterRow],
  });
  const row = res.rows[0];
  const lockWaitUs = Math.max(0, toInt(row?.lock_wait_us ?? 0));
  if (toInt(row?.updated ?? 0) === 1) {
    if (counterRow !== null && toInt(row?.legs ?? 0) !== 1) throw new Error(`counterparty account ${counterRow} does not exist (op ${op.id} posted without its counterparty leg)`);
    return { status: 'applied', lockWaitUs };
  }
  if (delta < 0) return { status: 'rejected', reason: 'insufficient_funds', lockWaitUs };
  throw new Error(`account ${account} does not exist`);
}

/** The `atomic` strategy. */
export class AtomicStrategy extends LedgerStrategy {
  constructor() {
    super('atomic');
  }

  protected write(op: Op, delta: number): Promise<Outcome> {
    return postAtomic(this.pool, op, delta, this.counterLegs(op, delta)[0]?.account ?? null);
  }
}

/** Registry entry for `atomic`. */
export const atomic: StrategyDefinition<AtomicParams> = {
  name: 'atomic',
  summary: 'one conditional UPDATE ... WHERE balance + delta >= floor plus the entry, in one statement: the simplest correct baseline',
  source: 'DESIGN.md §4 (the conditional update behind seeds 001 and 002)',
  needs: ['postgres'],
  loadShards: true,
  params: atomicParams,
  create: () => new AtomicStrategy(),
};
