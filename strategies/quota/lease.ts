/**
 * Moving budget between an account's main row and a worker's lease row, as
 * internal transfers (two entries sharing a `transfer_id`, netting to zero
 * within the owner). Lock order: the main row, then the lease row (lease rows
 * have higher ids than every main row, so this is ascending).
 */
import type { Pool } from 'pg';
import { inTransaction, timedLockRows } from '../ledger.js';

const TRANSFER_SQL = `
  WITH t AS (SELECT * FROM unnest($1::bigint[], $2::bigint[]) WITH ORDINALITY AS t(account, delta, n)),
       e AS (INSERT INTO entries (transfer_id, account_id, owner, delta)
             SELECT $3::bigint, t.account, $4::int, t.delta FROM t ORDER BY t.n)
  UPDATE accounts a SET balance = a.balance + t.delta, version = a.version + 1 FROM t WHERE a.id = t.account`;

/** What a lease move did: the amount moved (minor units) and the lock wait of both rows (µs). */
export interface LeaseMove {
  readonly moved: number;
  readonly lockWaitUs: number;
}

/**
 * Leases up to `want` from `main` (above its floor) to `lease`, in one
 * transaction. Moves nothing when the main row has nothing above its floor.
 */
export async function takeSlice(pool: Pool, owner: number, main: number, lease: number, want: number, transferId: number): Promise<LeaseMove> {
  return inTransaction(pool, 'read committed', async (client, rollback) => {
    const { rows, lockWaitUs } = await timedLockRows(client, [main, lease]);
    const m = rows.find((r) => r.id === main);
    if (m === undefined || rows.length !== 2) throw new Error(`account ${owner}: its main row ${main} or lease row ${lease} does not exist`);
    const moved = Math.min(want, m.balance - m.floor);
    if (moved <= 0) {
      await rollback();
      return { moved: 0, lockWaitUs };
    }
    await client.query({ name: 'hotbench_quota_transfer', text: TRANSFER_SQL, values: [[main, lease], [-moved, moved], transferId, owner] });
    return { moved, lockWaitUs };
  });
}

/** Returns `amount` (≤ the lease's unreserved remainder) from `lease` to `main`. */
export async function returnSlice(pool: Pool, owner: number, main: number, lease: number, amount: number, transferId: number): Promise<void> {
  if (amount <= 0) return;
  await inTransaction(pool, 'read committed', async (client) => {
    await timedLockRows(client, [main, lease]);
    await client.query({ name: 'hotbench_quota_transfer', text: TRANSFER_SQL, values: [[lease, main], [-amount, amount], transferId, owner] });
  });
}
