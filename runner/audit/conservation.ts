/**
 * Conservation (DESIGN.md §5): for every account, initial + sum of its entries
 * = final balance, checked per physical row and per logical account; and every
 * internal transfer nets to zero within its owner.
 *
 * Memory: O(physical accounts); the entry sums are computed by the server.
 */
import type { PoolClient } from 'pg';
import type { AccountSpec } from '../../strategies/contract.js';
import { cursorBatches } from './cursor.js';
import { int, type IncidentSink } from './types.js';

/** What the conservation pass found. */
export interface ConservationResult {
  /** Accounts (physical or logical) and transfers that failed. */
  readonly failures: number;
  /** Entries in the ledger. */
  readonly entries: number;
}

/**
 * Checks conservation on the ledger behind `client` (inside the audit's
 * snapshot). One `conservation` incident per failing account: per physical row
 * whose balance disagrees with its entries, else per logical account whose
 * rows disagree with it (its initial split, or entries booked to another
 * owner); one per (transfer, owner) that does not net to zero; one per
 * entry account id or owner that is not in the ledger. `amount` is the
 * absolute discrepancy in minor units.
 */
export async function checkConservation(client: PoolClient, accounts: readonly AccountSpec[], report: IncidentSink, batchRows: number): Promise<ConservationResult> {
  let failures = 0;
  const fail = (account: number, amount: number, detail: string): void => {
    failures++;
    report({ kind: 'conservation', opId: -1, account, amount: Math.abs(amount), detail });
  };

  const physical = await client.query<unknown[]>({ text: 'SELECT id, owner, role, initial, balance FROM accounts ORDER BY id', rowMode: 'array' });
  const sums = await client.query<unknown[]>({ text: 'SELECT account_id, sum(delta), count(*) FROM entries GROUP BY account_id', rowMode: 'array' });
  const byOwner = await client.query<unknown[]>({ text: 'SELECT owner, sum(delta) FROM entries GROUP BY owner', rowMode: 'array' });

  const entrySum = new Map<number, number>();
  let entries = 0;
  for (const [id, sum, count] of sums.rows) {
    entrySum.set(int(id), int(sum));
    entries += int(count);
  }

  const n = accounts.length;
  const initialOf = new Array<number>(n).fill(0);
  const balanceOf = new Array<number>(n).fill(0);
  const physicalFailed = new Array<boolean>(n).fill(false);
  const known = new Set<number>();
  for (const [rawId, rawOwner, role, rawInitial, rawBalance] of physical.rows) {
    const id = int(rawId);
    const owner = int(rawOwner);
    const initial = int(rawInitial);
    const balance = int(rawBalance);
    known.add(id);
    const posted = entrySum.get(id) ?? 0;
    if (initial + posted !== balance) {
      fail(owner, initial + posted - balance, `physical account ${id} (${String(role)}): initial ${initial} + entries ${posted} = ${initial + posted}, but balance is ${balance}`);
      if (owner >= 0 && owner < n) physicalFailed[owner] = true;
    }
    if (owner < 0 || owner >= n) {
      fail(owner, balance, `physical account ${id} belongs to owner ${owner}, which is not a scenario account`);
      continue;
    }
    initialOf[owner] = (initialOf[owner] ?? 0) + initial;
    balanceOf[owner] = (balanceOf[owner] ?? 0) + balance;
  }
  for (const [id, sum] of entrySum) {
    if (!known.has(id)) fail(-1, sum, `entries are booked to account id ${id}, which is not in accounts`);
  }

  const ownerSum = new Map<number, number>();
  for (const [owner, sum] of byOwner.rows) ownerSum.set(int(owner), int(sum));
  for (const a of accounts) {
    const initial = initialOf[a.id] ?? 0;
    const balance = balanceOf[a.id] ?? 0;
    const posted = ownerSum.get(a.id) ?? 0;
    if (initial !== a.balance) {
      fail(a.id, initial - a.balance, `account ${a.id}: its physical accounts start with ${initial} in total, not the scenario's ${a.balance}`);
    } else if (!physicalFailed[a.id] && a.balance + posted !== balance) {
      fail(a.id, a.balance + posted - balance, `account ${a.id}: initial ${a.balance} + entries ${posted} = ${a.balance + posted}, but its accounts hold ${balance}`);
    }
  }
  for (const [owner, sum] of ownerSum) {
    if (owner < 0 || owner >= n) fail(owner, sum, `entries name owner ${owner}, which is not a scenario account`);
  }

  const transfers = cursorBatches(
    client,
    'SELECT transfer_id, owner, sum(delta) FROM entries WHERE transfer_id IS NOT NULL GROUP BY transfer_id, owner HAVING sum(delta) <> 0 ORDER BY transfer_id, owner',
    [],
    batchRows,
  );
  for await (const batch of transfers) {
    for (const [transfer, owner, sum] of batch) {
      fail(int(owner), int(sum), `internal transfer ${String(transfer)} does not net to zero for account ${String(owner)} (net ${String(sum)})`);
    }
  }
  return { failures, entries };
}
