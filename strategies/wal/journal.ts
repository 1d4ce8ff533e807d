/**
 * The `wal` strategy's journal: the ledger's own `entries` (seed 002 方案2:
 * the detail rows are written first, by INSERT alone) and the roll-up that
 * only moves balances.
 *
 * Which entries a roll-up has already applied is not stored per row (that
 * would write every entry twice): each roll-up records the snapshot it saw
 * (`wal_rollup.snap`, a `pg_snapshot`), and every entry carries the id of the
 * transaction that inserted it (`entries.tx`, `xid8`). An entry is pending
 * exactly when its transaction is not visible in the last roll-up's snapshot;
 * the next roll-up applies those visible in its own snapshot. Every
 * committed entry falls in exactly one roll-up, whatever order concurrent
 * inserts commit in (which a `seq` watermark could not promise).
 *
 * Lock order: account rows in ascending id order, in the roll-up and in a
 * withdrawal (which locks its account and its counterparty's together).
 */
import type { PoolClient } from 'pg';
import { LOCK_WAIT_US_SQL, toInt } from '../ledger.js';

/**
 * Adds the transaction id to `entries` and creates the roll-up's state, in
 * the strategy's (fresh) database. `pg_current_snapshot()` at creation: no
 * entry exists yet, so nothing is pending.
 */
export const CREATE_JOURNAL_SQL = `
  ALTER TABLE entries ADD COLUMN tx xid8 NOT NULL DEFAULT pg_current_xact_id();
  CREATE INDEX entries_tx ON entries (tx);
  CREATE TABLE wal_rollup (snap pg_snapshot NOT NULL);
  INSERT INTO wal_rollup VALUES (pg_current_snapshot());`;

/** Entries of the last roll-up's pending window: `e` aliased entries, `r` the wal_rollup row. */
const PENDING = 'e.tx >= pg_snapshot_xmin(r.snap) AND NOT pg_visible_in_snapshot(e.tx, r.snap)';

/**
 * Journals one op: its entry and, under double entry, its counterparty leg,
 * in one statement (one transaction). $1 op id, $2 account, $3 delta, $4
 * counterparty account (NULL: none). `balance_after` stays NULL: the roll-up
 * never rewrites an entry.
 */
export const JOURNAL_INSERT_SQL = `
  INSERT INTO entries (op_id, counter_op, account_id, owner, delta)
  SELECT * FROM (VALUES ($1::bigint, NULL::bigint, $2::bigint, $2::bigint::int, $3::bigint),
                        (NULL, $1::bigint, $4::bigint, $4::bigint::int, -$3::bigint)) AS v(op_id, counter_op, account_id, owner, delta)
  WHERE v.account_id IS NOT NULL`;

/**
 * One roll-up, one statement: the entries committed since the last roll-up
 * (visible now, pending under its snapshot), summed per account, added to
 * the balances (rows locked in ascending id order first), and this
 * statement's snapshot recorded as the new boundary. Returns one row per
 * account moved (`id`, `balance`, `version`, `op_ids` of the op entries
 * posted, `lock_wait_us`); no row when nothing was pending.
 */
const ROLL_UP_SQL = `
  WITH r AS (SELECT snap FROM wal_rollup),
       d AS (SELECT e.account_id AS id, sum(e.delta) AS total, array_agg(e.op_id) FILTER (WHERE e.op_id IS NOT NULL) AS op_ids
             FROM entries e, r WHERE ${PENDING} GROUP BY e.account_id),
       l AS MATERIALIZED (SELECT a.id FROM accounts a WHERE a.id IN (SELECT id FROM d) ORDER BY a.id FOR UPDATE),
       u AS (UPDATE accounts a SET balance = a.balance + d.total, version = a.version + 1
             FROM d, l WHERE a.id = d.id AND l.id = d.id RETURNING a.id, a.balance, a.version),
       w AS (UPDATE wal_rollup SET snap = pg_current_snapshot() RETURNING 1)
  SELECT u.id, u.balance, u.version, coalesce(d.op_ids, '{}') AS op_ids, ${LOCK_WAIT_US_SQL} AS lock_wait_us
  FROM u JOIN d ON d.id = u.id, (SELECT count(*) FROM w) AS wc
  ORDER BY u.id`;

/** An account's balance and row version right after a roll-up. */
export interface AccountState {
  readonly balance: number;
  /** `accounts.version`: it grows with every change, so a later state has a larger one. */
  readonly version: number;
}

/** What one roll-up moved. */
export interface RolledUp {
  /** Op ids whose entries it posted. */
  readonly opIds: number[];
  /** Each account touched → its state after the roll-up. */
  readonly after: Map<number, AccountState>;
  /** Lock wait of the account rows, µs. */
  readonly lockWaitUs: number;
}

/** Runs one roll-up (autocommit, one statement) on `client`. */
export async function rollUp(client: Pick<PoolClient, 'query'>): Promise<RolledUp> {
  const res = await client.query<{ id: string; balance: string; version: string; op_ids: string[]; lock_wait_us: string }>({ name: 'hotbench_wal_roll_up', text: ROLL_UP_SQL });
  const after = new Map<number, AccountState>();
  const opIds: number[] = [];
  let lockWaitUs = 0;
  for (const r of res.rows) {
    after.set(toInt(r.id), { balance: toInt(r.balance), version: toInt(r.version) });
    for (const id of r.op_ids) opIds.push(toInt(id));
    lockWaitUs = Math.max(0, toInt(r.lock_wait_us));
  }
  return { opIds, after, lockWaitUs };
}

/**
 * The real balance of `account` inside the caller's transaction, which must
 * already hold the account's row lock (so no roll-up can move it meanwhile):
 * the rolled-up balance plus the journal's pending entries. Minor units.
 */
export async function realBalance(client: PoolClient, account: number): Promise<{ balance: number; floor: number }> {
  const res = await client.query<{ balance: string; floor: string }>({
    name: 'hotbench_wal_real_balance',
    text: `SELECT a.balance + coalesce((SELECT sum(e.delta) FROM entries e, wal_rollup r WHERE e.account_id = a.id AND ${PENDING}), 0) AS balance, a.floor
           FROM accounts a WHERE a.id = $1`,
    values: [account],
  });
  const row = res.rows[0];
  if (row === undefined) throw new Error(`account ${account} does not exist`);
  return { balance: toInt(row.balance), floor: toInt(row.floor) };
}
