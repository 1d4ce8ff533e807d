/**
 * The shared ledger every PostgreSQL strategy writes to, in its own fresh
 * database, and the helpers to seed it, lock rows with a measured wait, and
 * run transactions.
 *
 * ## Schema
 *
 * - `accounts`: one row per *physical* account. `owner` is the logical account
 *   id (the scenario's {@link AccountSpec.id}); a strategy that splits an
 *   account (sub-accounts, credit/debit split) has several rows per owner,
 *   whose `initial` balances sum to the logical initial balance. `role` says
 *   what a row is for (`main`, `sub`, `credit`, ...). `floor` is the lowest
 *   balance that row may reach; `version` is for optimistic locking.
 * - `entries`: the journal. One row per posted op (`op_id`, unique where not
 *   NULL) or per leg of an internal transfer (`op_id` NULL, `transfer_id` set).
 *   `delta` is the signed change in minor units, `balance_after` the row's
 *   balance right after it (NULL where a strategy does not know it).
 *   Under double entry an op has a second entry, its counterparty leg
 *   (`counter_op` = the op id, `op_id` NULL, `delta` the opposite of the
 *   op's): written in the same transaction as the op's own entry, so the two
 *   legs of every posted op sum to zero ({@link COUNTER_LEGS_SQL}).
 *
 * There is deliberately no foreign key from `entries.account_id` to
 * `accounts.id`: checking it makes every entry INSERT take a KEY SHARE lock on
 * the account row, which adds lock traffic on exactly the hot row a real
 * ledger would not lock for journal writes. The auditor checks the reference
 * instead.
 *
 * ## Posting-order contract
 *
 * Entries for one physical account must be inserted in the order they are
 * applied to that account: while holding its row lock, or (for a batch) in
 * the order the batch validated them. The auditor replays entries in `seq`
 * order to find overdrafts; `seq` is assigned at INSERT time, so an entry
 * inserted out of application order would make the replay wrong.
 *
 * ## Lock wait
 *
 * Per-op lock wait is measured server-side: the statement that takes the row
 * lock also returns {@link LOCK_WAIT_US_SQL}, `clock_timestamp() -
 * statement_timestamp()` evaluated *after* the lock is held. So it is "the
 * server-side time of the lock-taking statement, which is the lock wait plus a
 * few µs of execution". The trick is to make the clock expression depend on
 * the locked rows: select the rows in a `MATERIALIZED` CTE (or a
 * data-modifying CTE for an UPDATE) and compute the expression in the outer
 * query, which can only run once the CTE produced its rows.
 */
import type { Pool, PoolClient } from 'pg';
import type { AccountSpec, Micros } from './contract.js';

/**
 * SQL expression: µs since the current statement started, as bigint. Put it in
 * the outer query over a CTE that took the lock (see module docs).
 */
export const LOCK_WAIT_US_SQL = '(extract(epoch from clock_timestamp() - statement_timestamp()) * 1e6)::bigint';

/** A ledger problem the caller should show as one line (bad layout, schema exists, ...). */
export class LedgerError extends Error {
  override readonly name = 'LedgerError';
}

/** One physical account row. Amounts in minor units. */
export interface PhysicalAccount {
  /** Primary key of the `accounts` row. */
  readonly id: number;
  /** Logical account id ({@link AccountSpec.id}). */
  readonly owner: number;
  /** `main`, `sub`, `credit`, ... Lowercase word. */
  readonly role: string;
  /** Initial balance of this row. */
  readonly balance: number;
  /** Lowest balance this row may reach. */
  readonly floor: number;
}

/** The default layout: one `main` row per logical account, with `id = owner`. */
export function oneAccountEach(accounts: readonly AccountSpec[]): PhysicalAccount[] {
  return accounts.map((a) => ({ id: a.id, owner: a.id, role: 'main', balance: a.balance, floor: a.floor }));
}

/**
 * Splits each logical account into `partsOf(account)` rows (1 = not split).
 * Balance and floor are divided as evenly as integers allow (the first rows
 * take the remainder), so they sum to the logical values. Part 0 keeps
 * `id = owner`, with role `main` when not split; extra parts get ids after the
 * last logical id, in order. Every part of a split account has role `role`
 * (default `sub`).
 */
export function splitAccounts(
  accounts: readonly AccountSpec[],
  partsOf: (account: AccountSpec) => number,
  role = 'sub',
): PhysicalAccount[] {
  const rows: PhysicalAccount[] = [];
  let nextId = accounts.length;
  for (const a of accounts) {
    const parts = partsOf(a);
    if (!Number.isSafeInteger(parts) || parts < 1) throw new LedgerError(`account ${a.id}: cannot split into ${parts} parts (need an integer ≥ 1)`);
    const balances = divide(a.balance, parts);
    const floors = divide(a.floor, parts);
    for (let p = 0; p < parts; p++) {
      rows.push({
        id: p === 0 ? a.id : nextId++,
        owner: a.id,
        role: parts === 1 ? 'main' : role,
        balance: balances[p] ?? 0,
        floor: floors[p] ?? 0,
      });
    }
  }
  return rows;
}

/** Integer division of `total` into `parts` values summing to `total`, remainders first (`divide(7, 3)` = 3, 2, 2). */
export function divide(total: number, parts: number): number[] {
  const base = Math.trunc(total / parts);
  let rest = total - base * parts;
  const step = Math.sign(rest);
  return Array.from({ length: parts }, () => {
    if (rest === 0) return base;
    rest -= step;
    return base + step;
  });
}

const ROLE = /^[a-z][a-z0-9_]{0,31}$/;
const SEED_CHUNK = 100_000;

/**
 * Creates `accounts` and `entries` in the (fresh) database behind `pool` and
 * seeds the accounts: one `main` row per logical account, or the rows of
 * `opts.physical` (from {@link splitAccounts} or built by the strategy), whose
 * initial balances must sum per owner to the logical initial balance.
 * Seeding is one `INSERT ... SELECT FROM unnest(...)` per 100,000 rows.
 *
 * Load shards of one run (`hotbench run --shard i/n`) share one ledger, and
 * each shard's strategy instance calls this: the first creates it, the others
 * find the same layout and attach. Creation runs in one transaction under an
 * advisory lock, so no shard ever sees a half-seeded ledger. Throws
 * {@link LedgerError} when the layout is inconsistent or a ledger with
 * another layout exists.
 */
export async function createLedger(
  pool: Pool,
  accounts: readonly AccountSpec[],
  opts: { readonly physical?: readonly PhysicalAccount[] } = {},
): Promise<void> {
  const rows = opts.physical ?? oneAccountEach(accounts);
  checkLayout(accounts, rows);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query("SELECT pg_advisory_xact_lock(hashtext('hotbench_ledger'))");
    const exists = await client.query<{ n: string }>(
      `SELECT count(*) AS n FROM pg_tables WHERE schemaname = current_schema() AND tablename IN ('accounts', 'entries')`,
    );
    if (Number(exists.rows[0]?.n ?? 0) > 0) {
      if (!(await sameLayout(client, rows))) throw new LedgerError('the ledger tables already exist in this database; strategies need a fresh database');
      await client.query('COMMIT');
      return;
    }
    await client.query(`
    CREATE TABLE accounts (
      id      bigint PRIMARY KEY,
      owner   int    NOT NULL,            -- logical account id
      role    text   NOT NULL DEFAULT 'main',
      balance bigint NOT NULL,
      floor   bigint NOT NULL,
      initial bigint NOT NULL,
      version bigint NOT NULL DEFAULT 0
    );
    CREATE INDEX accounts_owner ON accounts (owner);
    -- No FK to accounts: it would KEY SHARE-lock the (hot) account row on every insert.
    CREATE TABLE entries (
      seq           bigserial PRIMARY KEY,
      op_id         bigint,               -- NULL for internal transfers and counterparty legs
      transfer_id   bigint,
      counter_op    bigint,               -- the op whose counterparty leg this is (double entry)
      account_id    bigint NOT NULL,
      owner         int    NOT NULL,
      delta         bigint NOT NULL,
      balance_after bigint,
      created_at    timestamptz NOT NULL DEFAULT clock_timestamp()
    );
    CREATE UNIQUE INDEX entries_op_id ON entries (op_id) WHERE op_id IS NOT NULL;
    CREATE UNIQUE INDEX entries_counter_op ON entries (counter_op) WHERE counter_op IS NOT NULL;
  `);
    for (let i = 0; i < rows.length; i += SEED_CHUNK) {
      const chunk = rows.slice(i, i + SEED_CHUNK);
      await client.query(
        `INSERT INTO accounts (id, owner, role, balance, floor, initial)
       SELECT id, owner, role, balance, floor, balance
       FROM unnest($1::bigint[], $2::int[], $3::text[], $4::bigint[], $5::bigint[]) AS t(id, owner, role, balance, floor)`,
        [chunk.map((r) => r.id), chunk.map((r) => r.owner), chunk.map((r) => r.role), chunk.map((r) => r.balance), chunk.map((r) => r.floor)],
      );
    }
    await client.query('ANALYZE accounts');
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** Whether the existing `accounts` rows were seeded with exactly `rows` (ids, owners, roles, initial balances, floors). */
async function sameLayout(client: PoolClient, rows: readonly PhysicalAccount[]): Promise<boolean> {
  const res = await client.query<{ n: string; ids: string; owners: string; initial: string; floors: string; roles: string[] | null }>(
    `SELECT count(*)::text AS n, coalesce(sum(id), 0)::text AS ids, coalesce(sum(owner::numeric * (id + 1)), 0)::text AS owners,
            coalesce(sum(initial::numeric * (id + 1)), 0)::text AS initial, coalesce(sum(floor::numeric * (id + 1)), 0)::text AS floors,
            array_agg(DISTINCT role) AS roles FROM accounts`,
  );
  const r = res.rows[0];
  if (r === undefined) return false;
  // Weighted by id, so the same totals in other places do not pass for the same layout; exact in bigint.
  const sum = (f: (a: PhysicalAccount) => bigint) => rows.reduce((acc, a) => acc + f(a), 0n).toString();
  return (
    r.n === String(rows.length) &&
    r.ids === sum((a) => BigInt(a.id)) &&
    r.owners === sum((a) => BigInt(a.owner) * BigInt(a.id + 1)) &&
    r.initial === sum((a) => BigInt(a.balance) * BigInt(a.id + 1)) &&
    r.floors === sum((a) => BigInt(a.floor) * BigInt(a.id + 1)) &&
    [...(r.roles ?? [])].sort().join(',') === [...new Set(rows.map((a) => a.role))].sort().join(',')
  );
}

function checkLayout(accounts: readonly AccountSpec[], rows: readonly PhysicalAccount[]): void {
  const sums = new Array<number>(accounts.length).fill(0);
  const seen = new Set<number>();
  for (const r of rows) {
    if (!Number.isSafeInteger(r.id) || r.id < 0) throw new LedgerError(`physical account id ${r.id} is not a non-negative integer`);
    if (seen.has(r.id)) throw new LedgerError(`physical account id ${r.id} is used twice`);
    seen.add(r.id);
    if (!ROLE.test(r.role)) throw new LedgerError(`physical account ${r.id}: role '${r.role}' must match ${ROLE.source}`);
    if (!Number.isSafeInteger(r.balance) || !Number.isSafeInteger(r.floor)) throw new LedgerError(`physical account ${r.id}: balance and floor must be integers (minor units)`);
    if (r.owner < 0 || r.owner >= accounts.length || !Number.isInteger(r.owner)) throw new LedgerError(`physical account ${r.id}: owner ${r.owner} is not a logical account id`);
    sums[r.owner] = (sums[r.owner] ?? 0) + r.balance;
  }
  for (const a of accounts) {
    if (sums[a.id] !== a.balance) {
      throw new LedgerError(`account ${a.id}: physical initial balances sum to ${sums[a.id]}, not the logical ${a.balance}`);
    }
  }
}

/** A row locked `FOR UPDATE`, with the measured wait. Amounts in minor units. */
export interface LockedRow {
  readonly id: number;
  readonly owner: number;
  readonly balance: number;
  readonly floor: number;
  readonly version: number;
  /** Server-side time of the locking statement: the lock wait plus a few µs of execution. */
  readonly lockWaitUs: Micros;
}

/**
 * The statement {@link timedLockRow} sends (`$1` = account id). Exported so a
 * benchmark can replay exactly the same SQL outside hotbench (bench/fidelity.ts).
 */
export const TIMED_LOCK_ROW_SQL = `WITH l AS MATERIALIZED (SELECT id, owner, balance, floor, version FROM accounts WHERE id = $1 FOR UPDATE)
     SELECT l.id, l.owner, l.balance, l.floor, l.version, ${LOCK_WAIT_US_SQL} AS "lockWaitUs" FROM l`;

/**
 * `SELECT ... FOR UPDATE` on one account row inside the caller's transaction,
 * returning the row and the measured lock wait; undefined if no such row.
 */
export async function timedLockRow(client: PoolClient, id: number): Promise<LockedRow | undefined> {
  const res = await client.query<Record<keyof LockedRow, string>>({ name: 'hotbench_timed_lock_row', text: TIMED_LOCK_ROW_SQL, values: [id] });
  const row = res.rows[0];
  return row === undefined ? undefined : toLockedRow(row);
}

/**
 * Locks several account rows `FOR UPDATE` in ascending id order (so two
 * callers cannot deadlock), returning them in id order with ONE measured wait
 * (the statement's time: the sum of the waits for all of them).
 */
export async function timedLockRows(client: PoolClient, ids: readonly number[]): Promise<{ rows: LockedRow[]; lockWaitUs: Micros }> {
  const res = await client.query<Record<keyof LockedRow, string>>(
    `WITH l AS MATERIALIZED (SELECT id, owner, balance, floor, version FROM accounts WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE)
     SELECT l.id, l.owner, l.balance, l.floor, l.version, ${LOCK_WAIT_US_SQL} AS "lockWaitUs" FROM l ORDER BY l.id`,
    [ids],
  );
  const rows = res.rows.map(toLockedRow);
  return { rows, lockWaitUs: rows[0]?.lockWaitUs ?? 0 };
}

function toLockedRow(row: Record<keyof LockedRow, string>): LockedRow {
  return {
    id: toInt(row.id),
    owner: toInt(row.owner),
    balance: toInt(row.balance),
    floor: toInt(row.floor),
    version: toInt(row.version),
    lockWaitUs: Math.max(0, toInt(row.lockWaitUs)),
  };
}

/**
 * Posts counterparty legs inside the caller's transaction (or as one
 * autocommit statement): $1 op ids, $2 counterparty physical account ids, $3
 * the legs' signed deltas (the opposite of each op's). Locks the counterparty
 * rows in ascending id order (so batch posters never deadlock), adds each
 * one's sum to its balance, then inserts one entry per leg in array order
 * while the lock is held (the posting-order contract). `balance_after` is
 * left NULL: a leg may share its row with many others in one statement.
 * Returns `legs` (entries inserted) and `lock_wait_us`, the statement's time
 * (the wait for the counterparty rows plus a few µs).
 */
export const COUNTER_LEGS_SQL = `
  WITH t AS (SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) WITH ORDINALITY AS t(op_id, account, delta, n)),
       l AS MATERIALIZED (SELECT id, owner FROM accounts WHERE id IN (SELECT account FROM t) ORDER BY id FOR UPDATE),
       u AS (UPDATE accounts a SET balance = a.balance + s.total, version = a.version + 1
             FROM (SELECT account, sum(delta) AS total FROM t GROUP BY account) s, l
             WHERE a.id = s.account AND l.id = s.account RETURNING a.id, a.owner),
       e AS (INSERT INTO entries (counter_op, account_id, owner, delta)
             SELECT t.op_id, t.account, u.owner, t.delta FROM t JOIN u ON u.id = t.account ORDER BY t.n RETURNING 1)
  SELECT (SELECT count(*) FROM e) AS legs, ${LOCK_WAIT_US_SQL} AS lock_wait_us`;

/** One counterparty leg: the op, the physical row that takes it, its signed delta (minor units). */
export interface CounterLeg {
  readonly opId: number;
  readonly account: number;
  readonly delta: number;
}

/**
 * Runs {@link COUNTER_LEGS_SQL} on `client` (inside the caller's transaction,
 * after the op's own entry). Returns the counterparty lock wait, µs; 0 when
 * there is no leg. Throws when a counterparty row does not exist.
 */
export async function postCounterLegs(client: Pick<PoolClient, 'query'>, legs: readonly CounterLeg[]): Promise<Micros> {
  if (legs.length === 0) return 0;
  const res = await client.query<{ legs: string; lock_wait_us: string }>({
    name: 'hotbench_counter_legs',
    text: COUNTER_LEGS_SQL,
    values: [legs.map((l) => l.opId), legs.map((l) => l.account), legs.map((l) => l.delta)],
  });
  const row = res.rows[0];
  if (toInt(row?.legs ?? 0) !== legs.length) throw new LedgerError(`counterparty account missing: posted ${row?.legs ?? 0} of ${legs.length} counterparty legs`);
  return Math.max(0, toInt(row?.lock_wait_us ?? 0));
}

/** The logical balance of `owner` (sum over its physical rows), without locks. Minor units. */
export async function readBalance(pool: Pool, owner: number): Promise<number> {
  const res = await pool.query<{ balance: string | null }>('SELECT sum(balance) AS balance FROM accounts WHERE owner = $1', [owner]);
  const v = res.rows[0]?.balance;
  if (v === null || v === undefined) throw new LedgerError(`no account with owner ${owner}`);
  return toInt(v);
}

/** Parses a pg bigint/numeric text into a safe integer; throws if it is not one. */
export function toInt(v: string | number | bigint): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new LedgerError(`value ${String(v)} is not a safe integer`);
  return n;
}

/** Transaction isolation levels a strategy may ask for. */
export type Isolation = 'read committed' | 'repeatable read' | 'serializable';

/**
 * Runs `fn` in one transaction on a pooled client: BEGIN, `fn`, COMMIT; on an
 * error ROLLBACK and rethrow. `fn` may call `rollback()` to end the
 * transaction early (e.g. on insufficient funds) and return its result; the
 * lock is then released at once. A client whose ROLLBACK fails is destroyed
 * rather than returned to the pool.
 */
export async function inTransaction<T>(
  pool: Pool,
  isolation: Isolation,
  fn: (client: PoolClient, rollback: () => Promise<void>) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let open = false;
  let broken: Error | undefined;
  try {
    await client.query(isolation === 'read committed' ? 'BEGIN' : `BEGIN ISOLATION LEVEL ${isolation.toUpperCase()}`);
    open = true;
    const rollback = async (): Promise<void> => {
      open = false;
      await client.query('ROLLBACK');
    };
    const result = await fn(client, rollback);
    if (open) {
      open = false;
      await client.query('COMMIT');
    }
    return result;
  } catch (err) {
    if (open) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackErr) {
        broken = rollbackErr as Error;
      }
    }
    throw err;
  } finally {
    client.release(broken);
  }
}

/** SQLSTATE of a pg error, or undefined. */
export function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** One line describing a failure for an outcome's `detail`: `SQLSTATE message`, newlines removed, at most 200 chars. */
export function errorDetail(err: unknown): string {
  const code = sqlState(err);
  const message = err instanceof Error ? err.message : String(err);
  const line = (code ? `${code} ${message}` : message).replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}
