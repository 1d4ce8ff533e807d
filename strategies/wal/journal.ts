/**
 * The `wal` strategy's journal: an append-only table of accepted ops, and the
 * roll-up that moves journal rows into the ledger (entries + balances).
 *
 * Lock order, so a roll-up and a withdraw can never deadlock: a transaction
 * locks the account rows first (ascending ids), and only then deletes the
 * journal rows *of those accounts*. Journal inserts take no account lock.
 */
import type { PoolClient } from 'pg';
import type { Op, OpKind } from '../contract.js';
import { timedLockRows, toInt } from '../ledger.js';

/** Creates the journal in the strategy's (fresh) database. */
export const CREATE_JOURNAL_SQL = `
  CREATE TABLE wal_journal (
    id      bigserial PRIMARY KEY,       -- journal order = posting order within an account
    op_id   bigint NOT NULL UNIQUE,      -- an op is journaled at most once
    account int    NOT NULL,             -- logical = physical id (one main row per account)
    delta   bigint NOT NULL,
    amount  bigint NOT NULL,             -- the op's own fields, to report it posted later
    kind    text   NOT NULL,
    at_us   bigint NOT NULL,
    job     int    NOT NULL
  );
  CREATE INDEX wal_journal_account ON wal_journal (account, id);`;

/** Appends one op: $1 op id, $2 account, $3 delta, $4 amount, $5 kind, $6 intended time (µs), $7 job. */
export const JOURNAL_INSERT_SQL = 'INSERT INTO wal_journal (op_id, account, delta, amount, kind, at_us, job) VALUES ($1, $2, $3, $4, $5, $6, $7)';

/** The accounts and the last journal id of the next (at most $1) journal rows, oldest first. */
const NEXT_BATCH_SQL = `
  SELECT coalesce(array_agg(DISTINCT account), '{}') AS accounts, max(id) AS last
  FROM (SELECT id, account FROM wal_journal ORDER BY id LIMIT $1) b`;

/**
 * Moves the journal rows of the (already locked) accounts $1 with id ≤ $2 into
 * the ledger in one statement: delete them, insert their entries in journal
 * order (`balance_after` = the running balance), add their sums to the
 * balances. There is no floor check: this is where the overdrafts happen.
 * Every part reads the snapshot from before the statement, so `a.balance` is
 * the balance before this roll-up. Returns the rolled-up rows in journal
 * order, each with its account's balance and version after the statement.
 */
const ROLL_UP_SQL = `
  WITH j AS (
         DELETE FROM wal_journal WHERE account = ANY($1::int[]) AND id <= $2::bigint
         RETURNING id, op_id, account, delta, amount, kind, at_us, job),
       e AS (
         INSERT INTO entries (op_id, account_id, owner, delta, balance_after)
         SELECT j.op_id, j.account, a.owner, j.delta, a.balance + sum(j.delta) OVER (PARTITION BY j.account ORDER BY j.id)
         FROM j JOIN accounts a ON a.id = j.account
         ORDER BY j.id),
       u AS (
         UPDATE accounts a SET balance = a.balance + s.total, version = a.version + 1
         FROM (SELECT account, sum(delta) AS total FROM j GROUP BY account) s
         WHERE a.id = s.account
         RETURNING a.id, a.balance, a.version)
  SELECT j.op_id, j.account, j.amount, j.kind, j.at_us, j.job, u.balance, u.version
  FROM j JOIN u ON u.id = j.account ORDER BY j.id`;

/** An account's balance and row version right after a roll-up. */
export interface AccountState {
  readonly balance: number;
  /** `accounts.version`: it grows with every change, so a later state has a larger one. */
  readonly version: number;
}

/** What one roll-up moved. */
export interface RolledUp {
  /** The posted ops, journal order. */
  readonly ops: Op[];
  /** Each account touched (logical id) → its state after the roll-up. */
  readonly after: Map<number, AccountState>;
  /** Lock wait of the account rows, µs. */
  readonly lockWaitUs: number;
}

/**
 * Rolls up the next at most `batch` journal rows inside the caller's
 * transaction: lock their accounts (ascending), move their rows. Returns
 * undefined when the journal is empty.
 */
export async function rollUpNext(client: PoolClient, batch: number): Promise<RolledUp | undefined> {
  const next = await client.query<{ accounts: number[]; last: string | null }>(NEXT_BATCH_SQL, [batch]);
  const row = next.rows[0];
  if (row === undefined || row.last === null || row.accounts.length === 0) return undefined;
  const accounts = [...row.accounts].sort((a, b) => a - b);
  const { lockWaitUs } = await timedLockRows(client, accounts);
  return { ...(await moveRows(client, accounts, toInt(row.last))), lockWaitUs };
}

/** Rolls up every journal row of `account`, whose row the caller has already locked. */
export function rollUpAccount(client: PoolClient, account: number): Promise<Omit<RolledUp, 'lockWaitUs'>> {
  return moveRows(client, [account], Number.MAX_SAFE_INTEGER);
}

async function moveRows(client: PoolClient, accounts: readonly number[], lastId: number): Promise<Omit<RolledUp, 'lockWaitUs'>> {
  const res = await client.query<{ op_id: string; account: number; amount: string; kind: OpKind; at_us: string; job: number; balance: string; version: string }>({
    name: 'hotbench_wal_roll_up',
    text: ROLL_UP_SQL,
    values: [accounts, lastId],
  });
  const after = new Map<number, AccountState>();
  const ops = res.rows.map((r) => {
    if (!after.has(r.account)) after.set(r.account, { balance: toInt(r.balance), version: toInt(r.version) });
    return { id: toInt(r.op_id), at: toInt(r.at_us), kind: r.kind, account: r.account, amount: toInt(r.amount), job: r.job };
  });
  return { ops, after };
}
