/**
 * Overdraft incidents (DESIGN.md §5): an accepted or applied debit that, in
 * the order the ledger posted it, left the account below its floor.
 *
 * Per logical account the op entries are replayed in `seq` order (the
 * posting order, see `strategies/ledger.ts`), starting from the scenario's
 * initial balance. Internal transfers are left out: they net to zero within
 * the owner (conservation checks that) and their two legs may be posted apart.
 * A debit entry after which the running balance is below the floor is an
 * incident whose amount is `min(debit, floor - running)`: the part of that
 * debit that was not funded at the time. Until a later credit refills the
 * account, the amounts add up to how far below the floor it went, i.e. the
 * money lost.
 *
 * The running sums are computed by the server (a window over `entries`), and
 * only the incidents are streamed back, so memory is O(accounts).
 */
import type { PoolClient } from 'pg';
import type { AccountSpec } from '../../strategies/contract.js';
import { cursorBatches } from './cursor.js';
import { int, type IncidentSink } from './types.js';

/** Overdraft count and total amount (minor units). */
export interface OverdraftResult {
  readonly count: number;
  readonly amount: number;
}

const OVERDRAFT_SQL = `
  SELECT x.seq, x.op_id, x.owner, -x.delta AS debit, l.initial + x.cum AS running, l.floor
  FROM (SELECT seq, coalesce(op_id, counter_op) AS op_id, owner, delta,
               sum(delta) OVER (PARTITION BY owner ORDER BY seq ROWS UNBOUNDED PRECEDING) AS cum
        FROM entries WHERE op_id IS NOT NULL OR counter_op IS NOT NULL) x
  JOIN unnest($1::int[], $2::bigint[], $3::bigint[]) AS l(owner, initial, floor) ON l.owner = x.owner
  WHERE x.delta < 0 AND l.initial + x.cum < l.floor
  ORDER BY x.seq`;

/** Finds overdraft incidents in the ledger behind `client`, reporting each one. */
export async function findOverdrafts(client: PoolClient, accounts: readonly AccountSpec[], report: IncidentSink, batchRows: number): Promise<OverdraftResult> {
  let count = 0;
  let amount = 0;
  const params = [accounts.map((a) => a.id), accounts.map((a) => a.balance), accounts.map((a) => a.floor)];
  for await (const batch of cursorBatches(client, OVERDRAFT_SQL, params, batchRows)) {
    for (const [seq, opId, owner, rawDebit, rawRunning, rawFloor] of batch) {
      const debit = int(rawDebit);
      const running = int(rawRunning);
      const floor = int(rawFloor);
      const unfunded = Math.min(debit, floor - running);
      count++;
      amount += unfunded;
      report({
        kind: 'overdraft',
        opId: int(opId),
        account: int(owner),
        amount: unfunded,
        detail: `debit of ${debit} (entry seq ${String(seq)}) left the balance at ${running}, ${floor - running} below the floor ${floor}`,
      });
    }
  }
  return { count, amount };
}
