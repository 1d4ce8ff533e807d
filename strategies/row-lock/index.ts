/**
 * `row-lock`: the textbook posting (seeds 001 §3, 002 intro). One transaction
 * per op: lock the account row `FOR UPDATE`, check the floor, insert the
 * entry, update the balance, commit. Every op on an account queues behind the
 * previous one's whole transaction (four round trips and a commit flush),
 * which is the hot-account ceiling this baseline exists to show. Under
 * double entry the counterparty's row (e.g. the platform revenue account) is
 * updated in the same transaction, so it becomes a hot row of its own.
 */
import type { Op, Outcome, StrategyDefinition } from '../contract.js';
import { inTransaction, postCounterLegs, timedLockRow } from '../ledger.js';
import { LedgerStrategy } from '../ledger-strategy.js';
import { rowLockParams, type RowLockParams } from './params.js';

/** SQL after the lock: the entry first, then the balance (seed 001 order). */
export const ROW_LOCK_INSERT_SQL = 'INSERT INTO entries (op_id, account_id, owner, delta, balance_after) VALUES ($1, $2, $3, $4, $5)';
/** Sets the balance computed from the locked read. */
export const ROW_LOCK_UPDATE_SQL = 'UPDATE accounts SET balance = $2, version = version + 1 WHERE id = $1';

/** The `row-lock` strategy. */
export class RowLockStrategy extends LedgerStrategy {
  constructor() {
    super('row-lock');
  }

  protected async write(op: Op, delta: number): Promise<Outcome> {
    return inTransaction(this.pool, 'read committed', async (client, rollback) => {
      const row = await timedLockRow(client, op.account);
      if (row === undefined) throw new Error(`account ${op.account} does not exist`);
      const after = row.balance + delta;
      if (delta < 0 && after < row.floor) {
        // Release the lock at once: the next op in the queue is waiting for it.
        await rollback();
        return { status: 'rejected', reason: 'insufficient_funds', lockWaitUs: row.lockWaitUs };
      }
      await client.query({ name: 'hotbench_row_lock_insert', text: ROW_LOCK_INSERT_SQL, values: [op.id, row.id, row.owner, delta, after] });
      await client.query({ name: 'hotbench_row_lock_update', text: ROW_LOCK_UPDATE_SQL, values: [row.id, after] });
      // Double entry: the counterparty's leg in the same transaction, its row locked after the op's own.
      const counterWaitUs = await postCounterLegs(client, this.counterLegs(op, delta));
      return { status: 'applied', lockWaitUs: row.lockWaitUs + counterWaitUs };
    });
  }
}

/** Registry entry for `row-lock`. */
export const rowLock: StrategyDefinition<RowLockParams> = {
  name: 'row-lock',
  summary: 'SELECT ... FOR UPDATE, insert the entry, update the balance: correct, but every op on an account waits for the previous one',
  source: 'seed 001 §3, seed 002 intro',
  needs: ['postgres'],
  loadShards: true,
  params: rowLockParams,
  create: () => new RowLockStrategy(),
};
