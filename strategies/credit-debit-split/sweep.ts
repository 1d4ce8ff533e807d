/**
 * The sweep of `credit-debit-split`: moves what the credit sub-accounts of one
 * owner hold into its debit account as one internal transfer (seed 001
 * §5.2.1, "a periodic job syncs credit flows to a dedicated debit account").
 *
 * One transaction per owner: lock its credit rows (ascending id, after the
 * debit row's id, which nobody holds while waiting for a credit row, so no
 * deadlock), empty each into a leg entry, and credit their total to the debit
 * row with one more leg. Every leg carries the same `transfer_id` and no
 * `op_id`; the legs net to zero within the owner (the auditor checks that),
 * and the logical balance never changes, also not between the legs, since
 * they commit together.
 */
import type { Pool } from 'pg';
import { inTransaction, timedLockRows, toInt } from '../ledger.js';

/** What one sweep moved. */
export interface SweepResult {
  /** Owners whose credit rows held money. */
  readonly owners: number;
  /** Total moved into debit accounts, minor units. */
  readonly amount: number;
}

/** Owners whose credit rows hold money, with those rows' ids (ascending). */
const DUE_SQL = `SELECT owner, array_agg(id ORDER BY id)::text AS ids FROM accounts WHERE role = 'credit' AND balance > 0 GROUP BY owner ORDER BY owner`;

/** $1 row ids, $2 amounts, $3 transfer id: empties the locked credit rows and writes their legs. */
const DRAIN_CREDITS_SQL = `
  WITH m AS (SELECT * FROM unnest($1::bigint[], $2::bigint[]) AS m(id, amount)),
       u AS (UPDATE accounts a SET balance = a.balance - m.amount, version = a.version + 1 FROM m WHERE a.id = m.id
             RETURNING a.id, a.owner, a.balance, m.amount)
  INSERT INTO entries (op_id, transfer_id, account_id, owner, delta, balance_after)
  SELECT NULL, $3::bigint, id, owner, -amount, balance FROM u ORDER BY id`;

/** $1 debit row id, $2 total, $3 transfer id: credits the debit row and writes its leg. */
const FILL_DEBIT_SQL = `
  WITH u AS (UPDATE accounts SET balance = balance + $2::bigint, version = version + 1 WHERE id = $1 RETURNING id, owner, balance)
  INSERT INTO entries (op_id, transfer_id, account_id, owner, delta, balance_after)
  SELECT NULL, $3::bigint, id, owner, $2::bigint, balance FROM u`;

/**
 * Sweeps every owner whose credit rows hold money. `debitRowOf(owner)` is the
 * owner's debit row id; `nextTransfer()` returns a new transfer id (unique in
 * the ledger). Throws on a database error (the transaction of the owner being
 * swept is rolled back; earlier owners stay swept).
 */
export async function sweepCredits(pool: Pool, debitRowOf: (owner: number) => number, nextTransfer: () => number): Promise<SweepResult> {
  const due = await pool.query<{ owner: number; ids: string }>(DUE_SQL);
  let owners = 0;
  let amount = 0;
  for (const row of due.rows) {
    const ids = row.ids.replace(/[{}]/g, '').split(',').map(toInt);
    const moved = await inTransaction(pool, 'read committed', async (client) => {
      const { rows } = await timedLockRows(client, ids);
      // Only credits touch these rows between DUE_SQL and the lock, so all still hold money; check under the lock anyway.
      const full = rows.filter((r) => r.balance > 0);
      const total = full.reduce((sum, r) => sum + r.balance, 0);
      if (total === 0) return 0;
      const transfer = nextTransfer();
      await client.query(DRAIN_CREDITS_SQL, [full.map((r) => r.id), full.map((r) => r.balance), transfer]);
      await client.query(FILL_DEBIT_SQL, [debitRowOf(row.owner), total, transfer]);
      return total;
    });
    if (moved > 0) owners++;
    amount += moved;
  }
  return { owners, amount };
}
