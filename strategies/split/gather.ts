/**
 * `split:on_insufficient=gather`: when the chosen part cannot cover a debit,
 * lock every part of the account, move the shortfall from the others into
 * the chosen part with internal transfers, and post the debit there, all in
 * one transaction. Declines only when the parts together cannot cover it.
 */
import type { Pool } from 'pg';
import type { Op, Outcome } from '../contract.js';
import { inTransaction, postCounterLegs, timedLockRows, type CounterLeg } from '../ledger.js';

/**
 * Inserts entries given as parallel arrays, in array order, and applies each
 * account's net change. $1 op ids (NULL for transfer legs), $2 transfer ids
 * (NULL for the op entry), $3 account ids, $4 owner, $5 deltas, $6 balances
 * after each entry.
 */
const GATHER_POST_SQL = `
  WITH t AS (
         SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $5::bigint[], $6::bigint[]) WITH ORDINALITY
                AS t(op_id, transfer_id, account_id, delta, after, n)),
       e AS (
         INSERT INTO entries (op_id, transfer_id, account_id, owner, delta, balance_after)
         SELECT op_id, transfer_id, account_id, $4::int, delta, after FROM t ORDER BY n)
  UPDATE accounts a SET balance = a.balance + s.net, version = a.version + 1
  FROM (SELECT account_id, sum(delta) AS net FROM t GROUP BY account_id) s
  WHERE a.id = s.account_id`;

/**
 * Posts debit `op` (signed `delta` < 0) to part `parts[chosen]`, gathering
 * from the other parts (chosen + 1, chosen + 2, ... wrapping) what it lacks.
 * `applied` or `insufficient_funds`, with the lock wait of all parts. Under
 * double entry `counterLegs` are posted in the same transaction, after it.
 */
export async function gatherAndDebit(pool: Pool, op: Op, delta: number, parts: readonly number[], chosen: number, counterLegs: readonly CounterLeg[] = []): Promise<Outcome> {
  return inTransaction(pool, 'read committed', async (client, rollback) => {
    const { rows, lockWaitUs } = await timedLockRows(client, parts);
    const byId = new Map(rows.map((r) => [r.id, r]));
    const target = byId.get(parts[chosen] as number);
    if (target === undefined || rows.length !== parts.length) throw new Error(`account ${op.account}: ${parts.length - rows.length} of its parts do not exist`);
    let shortfall = target.floor - (target.balance + delta);
    const ops: (number | null)[] = [];
    const transfers: (number | null)[] = [];
    const accounts: number[] = [];
    const deltas: number[] = [];
    const afters: number[] = [];
    let targetBalance = target.balance;
    for (let k = 1; k < parts.length && shortfall > 0; k++) {
      const donor = byId.get(parts[(chosen + k) % parts.length] as number);
      if (donor === undefined) continue;
      const take = Math.min(shortfall, donor.balance - donor.floor);
      if (take <= 0) continue;
      shortfall -= take;
      targetBalance += take;
      ops.push(null, null);
      transfers.push(op.id, op.id);
      accounts.push(donor.id, target.id);
      deltas.push(-take, take);
      afters.push(donor.balance - take, targetBalance);
    }
    if (shortfall > 0) {
      // The parts together cannot cover it: a true decline. Nothing was written.
      await rollback();
      return { status: 'rejected', reason: 'insufficient_funds', lockWaitUs };
    }
    ops.push(op.id);
    transfers.push(null);
    accounts.push(target.id);
    deltas.push(delta);
    afters.push(targetBalance + delta);
    await client.query({ name: 'hotbench_split_gather', text: GATHER_POST_SQL, values: [ops, transfers, accounts, target.owner, deltas, afters] });
    const counterWaitUs = await postCounterLegs(client, counterLegs);
    return { status: 'applied', lockWaitUs: lockWaitUs + counterWaitUs };
  });
}
