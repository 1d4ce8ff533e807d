/**
 * Posting one aggregate batch: lock the account row once, validate each op in
 * order against the running balance, insert every accepted entry with one
 * `INSERT ... SELECT FROM unnest(...)`, update the balance once, commit.
 *
 * Paths, same result:
 * - one statement (the common case: one round trip, one commit): when the
 *   balance covers every debit of the batch in order, i.e. balance + the
 *   lowest running sum right after a debit ≥ floor (the client computes that
 *   sum from the deltas alone). One autocommit statement locks the row,
 *   checks exactly that against the locked balance, and only then inserts and
 *   updates; otherwise it writes nothing and returns the balance it locked.
 * - near the floor: the client validates op by op against that locked
 *   balance; if it refuses every debit (the usual case once a budget is
 *   spent) that is the answer, with no second round trip; otherwise the same
 *   statement posts the accepted ops (covered by construction, re-checked
 *   under the lock).
 * - checked, if the balance moved between those two statements (another
 *   writer): a transaction locks the row, validates op by op, inserts the
 *   accepted entries and updates the balance with one statement, commits.
 * Nothing is sent per op on any path. Under double entry a batch always
 * takes the checked path, whose transaction also posts the counterparty legs
 * (one statement for all of them, after the account's own entries).
 */
import type { Pool } from 'pg';
import type { Op, Outcome } from '../contract.js';
import { inTransaction, LOCK_WAIT_US_SQL, postCounterLegs, timedLockRow, toInt, type CounterLeg } from '../ledger.js';

/** Double entry: the counterparty legs of an op whose own signed change is `delta` (none: single entry). */
export type CounterLegsOf = (op: Op, delta: number) => readonly CounterLeg[];

/**
 * The fast path. $1 op ids, $2 deltas, $3 running sums after each op (from
 * 0), $4 account id, $5 the lowest running sum right after a debit (NULL
 * when the batch has no debit: credits never fail), $6 the sum of all deltas. Locks the row (`FOR UPDATE`, the wait
 * measured as in `ledger.ts`), and only if `balance + $5 >= floor` inserts
 * the entries in array order (`balance_after` = balance + running sum) and
 * adds $6 to the balance. Returns the balance before, the floor, whether it
 * posted, and the lock wait; no row when the account does not exist.
 */
export const AGGREGATE_FAST_SQL = `
  WITH l AS MATERIALIZED (SELECT id, owner, balance, floor FROM accounts WHERE id = $4::bigint FOR UPDATE),
       ok AS MATERIALIZED (SELECT id, owner, balance FROM l WHERE $5::bigint IS NULL OR balance + $5::bigint >= floor),
       e AS (
         INSERT INTO entries (op_id, account_id, owner, delta, balance_after)
         SELECT t.op_id, ok.id, ok.owner, t.delta, ok.balance + t.running
         FROM ok, unnest($1::bigint[], $2::bigint[], $3::bigint[]) WITH ORDINALITY AS t(op_id, delta, running, n)
         ORDER BY t.n),
       u AS (UPDATE accounts a SET balance = a.balance + $6::bigint, version = a.version + 1 FROM ok WHERE a.id = ok.id)
  SELECT l.balance, l.floor, (SELECT count(*) FROM ok) AS posted, ${LOCK_WAIT_US_SQL} AS lock_wait_us FROM l`;

/**
 * The checked path's write, inside its transaction: inserts the accepted
 * entries in array order (`WITH ORDINALITY ... ORDER BY` makes the `seq`
 * order the validation order, which the ledger's posting-order contract
 * requires) and adds their sum to the balance. $1 op ids, $2 deltas, $3
 * balances after each entry, $4 account id, $5 owner, $6 sum of the deltas.
 * Returns the new balance.
 */
export const AGGREGATE_POST_SQL = `
  WITH e AS (
    INSERT INTO entries (op_id, account_id, owner, delta, balance_after)
    SELECT t.op_id, $4::bigint, $5::int, t.delta, t.after
    FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) WITH ORDINALITY AS t(op_id, delta, after, n)
    ORDER BY t.n)
  UPDATE accounts SET balance = balance + $6::bigint, version = version + 1 WHERE id = $4::bigint
  RETURNING balance`;

/** What a posted batch did. */
export interface BatchResult {
  /** One per op, in order (shared objects: one for applied, one for refused). */
  readonly outcomes: readonly Outcome[];
  /** The account's balance after the commit, minor units. */
  readonly balance: number;
  /** Ops refused for insufficient funds. */
  readonly refused: number;
  /** Whether the first statement posted the whole batch (no op-by-op validation was needed). */
  readonly fast: boolean;
}

/**
 * Posts `ops` (signed changes `deltas`) to physical account `account` on
 * `pool`. A debit that would take the running balance below the floor is
 * refused (`insufficient_funds`) and the batch goes on with the next op;
 * credits are always applied. Every outcome carries the batch's lock wait
 * (the batcher keeps it on the batch's first op only, so it is counted once).
 * Throws on a database error (nothing of the batch is then posted).
 */
export async function postBatch(pool: Pool, account: number, ops: readonly Op[], deltas: readonly number[], counterLegs?: CounterLegsOf): Promise<BatchResult> {
  // Double entry: the counterparty legs must commit with the batch, so it takes the transaction.
  if (counterLegs !== undefined && ops.some((op, i) => counterLegs(op, deltas[i] as number).length > 0)) return postChecked(pool, account, ops, deltas, counterLegs);
  const first = await postIfCovered(pool, account, ops, deltas);
  if (first.posted) {
    const applied: Outcome = { status: 'applied', lockWaitUs: first.lockWaitUs };
    return { outcomes: new Array<Outcome>(ops.length).fill(applied), balance: first.balance, refused: 0, fast: true };
  }
  // The locked balance did not cover every debit: validate op by op against it, as a transaction would.
  const applied: Outcome = { status: 'applied', lockWaitUs: first.lockWaitUs };
  const refusedOutcome: Outcome = { status: 'rejected', reason: 'insufficient_funds', lockWaitUs: first.lockWaitUs };
  const outcomes = new Array<Outcome>(ops.length);
  const keptOps: Op[] = [];
  const kept: number[] = [];
  let balance = first.balance;
  for (let i = 0; i < ops.length; i++) {
    const delta = deltas[i] as number;
    if (delta < 0 && balance + delta < first.floor) {
      outcomes[i] = refusedOutcome;
      continue;
    }
    balance += delta;
    outcomes[i] = applied;
    keptOps.push(ops[i] as Op);
    kept.push(delta);
  }
  // Every debit refused (the usual case once a budget is spent): the decision stands on the locked read, nothing to write.
  if (kept.length === 0) return { outcomes, balance: first.balance, refused: ops.length, fast: false };
  // The rest is covered by construction; the same statement re-checks that under the lock.
  const second = await postIfCovered(pool, account, keptOps, kept);
  if (second.posted) return { outcomes, balance: second.balance, refused: ops.length - kept.length, fast: false };
  // The balance moved in between (another writer): decide everything again inside one transaction.
  return postChecked(pool, account, ops, deltas);
}

/** What {@link postIfCovered} saw and did. */
interface CoveredResult {
  readonly posted: boolean;
  /** The balance after the statement (posted or not), minor units. */
  readonly balance: number;
  readonly floor: number;
  readonly lockWaitUs: number;
}

/** Runs {@link AGGREGATE_FAST_SQL}: posts the whole batch if the locked balance covers all its debits in order. */
async function postIfCovered(pool: Pool, account: number, ops: readonly Op[], deltas: readonly number[]): Promise<CoveredResult> {
  const ids = new Array<number>(ops.length);
  const running = new Array<number>(ops.length);
  let sum = 0;
  let lowest: number | null = null;
  for (let i = 0; i < ops.length; i++) {
    const delta = deltas[i] as number;
    sum += delta;
    ids[i] = (ops[i] as Op).id;
    running[i] = sum;
    if (delta < 0 && (lowest === null || sum < lowest)) lowest = sum;
  }
  const res = await pool.query<{ balance: string; floor: string; posted: string; lock_wait_us: string }>({
    name: 'hotbench_aggregate_fast',
    text: AGGREGATE_FAST_SQL,
    values: [arrayLiteral(ids), arrayLiteral(deltas), arrayLiteral(running), account, lowest, sum],
  });
  const row = res.rows[0];
  if (row === undefined) throw new Error(`account ${account} does not exist`);
  const posted = toInt(row.posted) === 1;
  return { posted, balance: toInt(row.balance) + (posted ? sum : 0), floor: toInt(row.floor), lockWaitUs: Math.max(0, toInt(row.lock_wait_us)) };
}

/**
 * The checked path: one transaction, op-by-op validation (see the module
 * docs). Same contract as {@link postBatch}, four round trips; exported so
 * the paths can be compared.
 */
export async function postChecked(pool: Pool, account: number, ops: readonly Op[], deltas: readonly number[], counterLegs?: CounterLegsOf): Promise<BatchResult> {
  return inTransaction(pool, 'read committed', async (client, rollback) => {
    const row = await timedLockRow(client, account);
    if (row === undefined) throw new Error(`account ${account} does not exist`);
    const applied: Outcome = { status: 'applied', lockWaitUs: row.lockWaitUs };
    const refusedOutcome: Outcome = { status: 'rejected', reason: 'insufficient_funds', lockWaitUs: row.lockWaitUs };
    const outcomes = new Array<Outcome>(ops.length);
    const ids: number[] = [];
    const accepted: number[] = [];
    const afters: number[] = [];
    let balance = row.balance;
    let refused = 0;
    for (let i = 0; i < ops.length; i++) {
      const delta = deltas[i] as number;
      const after = balance + delta;
      if (delta < 0 && after < row.floor) {
        outcomes[i] = refusedOutcome;
        refused += 1;
        continue;
      }
      balance = after;
      ids.push((ops[i] as Op).id);
      accepted.push(delta);
      afters.push(after);
      outcomes[i] = applied;
    }
    if (ids.length === 0) {
      // Nothing to write: release the lock without a commit flush.
      await rollback();
      return { outcomes, balance, refused, fast: false };
    }
    const res = await client.query<{ balance: string }>({
      name: 'hotbench_aggregate_post',
      text: AGGREGATE_POST_SQL,
      values: [arrayLiteral(ids), arrayLiteral(accepted), arrayLiteral(afters), row.id, row.owner, balance - row.balance],
    });
    const after = toInt(res.rows[0]?.balance ?? Number.NaN);
    if (after !== balance) throw new Error(`account ${account} balance ${after} after the batch, expected ${balance}`);
    if (counterLegs !== undefined) {
      const legs = ops.flatMap((op, i) => (outcomes[i] === applied ? counterLegs(op, deltas[i] as number) : []));
      // One wait for the whole batch, like the account's own lock: the batch's ops share it.
      const counterWaitUs = await postCounterLegs(client, legs);
      if (counterWaitUs > 0) {
        const waited: Outcome = { status: 'applied', lockWaitUs: row.lockWaitUs + counterWaitUs };
        for (let i = 0; i < outcomes.length; i++) if (outcomes[i] === applied) outcomes[i] = waited;
      }
    }
    return { outcomes, balance, refused, fast: false };
  });
}

/**
 * A PostgreSQL array literal of integers, `{1,-2,3}`. pg would serialize a JS
 * array element by element through its generic string escaping, which costs
 * more than the rest of the batch on the client; integers need no escaping.
 */
function arrayLiteral(values: readonly number[]): string {
  return `{${values.join(',')}}`;
}
