/**
 * Global conservation (DESIGN.md §5): under double entry money moves and
 * never appears. Two checks, beside the per-account ones of
 * `conservation.ts`:
 *
 * 1. the sum of all balances equals the sum of the scenario's initial balances (the
 *    outside world is an account too, `clearing`, so even a top-up only
 *    moves money);
 * 2. every posted op's legs net to zero: as many counterparty legs
 *    (`counter_op`) as entries of its own, summing to the opposite (an op
 *    posted twice with both legs each time is the `duplicated` check's
 *    finding, not this one's).
 *
 * Under single entry (no `clearing` account) neither applies: a top-up
 * creates money by construction, and the result says so.
 */
import type { PoolClient } from 'pg';
import { isDoubleEntry, type AccountSpec } from '../../strategies/contract.js';
import { cursorBatches } from './cursor.js';
import { int, type IncidentSink } from './types.js';

/** What the global pass found. Amounts in minor units. */
export interface GlobalConservationResult {
  /** `double`: the checks ran; `single`: not applicable (no counterparty model). */
  readonly model: 'double' | 'single';
  /** Sum of balances minus sum of initial balances: money created (> 0) or destroyed (< 0). 0 under single entry. */
  readonly drift: number;
  /** Ops whose legs do not net to zero (a leg missing, or legs of different sizes). */
  readonly unbalancedOps: number;
  /** Money that entered from outside: minus the clearing account's change. 0 under single entry. */
  readonly externalIn: number;
}

const LEGS_SQL = `
  SELECT coalesce(op_id, counter_op) AS op, sum(delta) AS net, count(op_id) AS own, count(counter_op) AS counter
  FROM entries WHERE op_id IS NOT NULL OR counter_op IS NOT NULL
  GROUP BY 1 HAVING sum(delta) <> 0 OR count(counter_op) <> count(op_id) ORDER BY 1`;

/**
 * Runs both checks inside the audit's snapshot, one `global_conservation`
 * incident per failure (the drift once, with account -1; each unbalanced op
 * with its id and net amount).
 */
export async function checkGlobalConservation(client: PoolClient, accounts: readonly AccountSpec[], report: IncidentSink, batchRows: number): Promise<GlobalConservationResult> {
  if (!isDoubleEntry(accounts)) return { model: 'single', drift: 0, unbalancedOps: 0, externalIn: 0 };
  const clearing = accounts.find((a) => a.role === 'clearing')?.id ?? -1;
  // Against the scenario's balances, not the ledger's `initial` column: a strategy that seeded extra money is caught too.
  const totals = await client.query<{ total: string | null; clearing: string | null }>(
    'SELECT sum(balance) AS total, sum(balance) FILTER (WHERE owner = $1) AS clearing FROM accounts',
    [clearing],
  );
  const initial = accounts.reduce((sum, a) => sum + a.balance, 0);
  const drift = int(totals.rows[0]?.total ?? 0) - initial;
  const externalIn = (accounts[clearing]?.balance ?? 0) - int(totals.rows[0]?.clearing ?? 0);
  if (drift !== 0) {
    report({ kind: 'global_conservation', opId: -1, account: -1, amount: Math.abs(drift), detail: `the balances sum to ${drift} ${drift > 0 ? 'more' : 'less'} than the initial balances: money was ${drift > 0 ? 'created' : 'destroyed'}` });
  }
  let unbalancedOps = 0;
  for await (const batch of cursorBatches(client, LEGS_SQL, [], batchRows)) {
    for (const [rawOp, rawNet, rawOwn, rawCounter] of batch) {
      const own = int(rawOwn);
      const counter = int(rawCounter);
      const net = int(rawNet);
      // An op without any counterparty leg and no own entry cannot appear here; one without a counterparty by rule has none (net = its delta).
      unbalancedOps++;
      const why = counter === 0 ? 'posted without its counterparty leg' : own === 0 ? 'has a counterparty leg but no entry of its own' : counter !== own ? `has ${counter} counterparty legs for ${own} entries of its own` : `its legs net to ${net}`;
      report({ kind: 'global_conservation', opId: int(rawOp), account: -1, amount: Math.abs(net), detail: `op ${String(rawOp)} ${why}` });
    }
  }
  return { model: 'double', drift, unbalancedOps, externalIn };
}
