/**
 * Posting deferred ops to the shared ledger in batches: the write path of the
 * strategies that accept first and post later (`cache`'s flusher, `buffer`'s
 * consumers). One transaction per batch:
 *
 * 1. lock every account the batch touches (`FOR UPDATE`, ascending id, so two
 *    posters cannot deadlock);
 * 2. skip ops whose entry already exists (a redelivered message after a
 *    consumer died between COMMIT and acknowledging it: at-least-once delivery
 *    becomes exactly-once posting; the account lock makes the check race-free);
 * 3. walk the ops in batch order with a running balance per account, refusing
 *    a debit that would cross the floor when `check` is on;
 * 4. insert the entries in that order (`WITH ORDINALITY ... ORDER BY`, so
 *    `seq` follows the application order, as the ledger contract requires),
 *    then one balance update per account.
 *
 * Under double entry each posted op's counterparty leg is applied in the same
 * walk (its row is locked with the others) and inserted right after the op's
 * own entry.
 *
 * Assumes the default layout: one `main` row per logical account, `id = owner`.
 */
import type { Pool, PoolClient } from 'pg';
import { deltaOf, type Op } from './contract.js';
import { toInt } from './ledger.js';

/** What one batch did. */
export interface DeferredPostResult {
  /** Ops whose entries this transaction inserted, in batch order. */
  readonly posted: Op[];
  /** Debits refused by the floor check (`check: true` only): promised, never posted. */
  readonly refused: Op[];
  /** Ops already in the ledger before this batch (redeliveries), skipped. */
  readonly already: Op[];
  /** Balance of each touched account after the batch, by account id (minor units). */
  readonly balances: ReadonlyMap<number, number>;
}

/** Options for {@link postDeferred}. */
export interface DeferredPostOptions {
  /** Refuse debits that would take an account below its floor (default false: post everything, overdrafts included). */
  readonly check?: boolean;
  /**
   * Aborting it ends the connection at once, so the server rolls the
   * transaction back (a killed consumer). The call then rejects.
   */
  readonly signal?: AbortSignal;
  /**
   * Double entry: each op's counterparty (logical id = physical id, -1 for
   * none), from `counterparties(accounts)` in the contract. Its leg is
   * posted in the same transaction. Default: none (single entry).
   */
  readonly counterparty?: (op: Op) => number;
}

/** The batch was abandoned because its signal was aborted. */
export class PostAbortedError extends Error {
  override readonly name = 'PostAbortedError';
}

const INSERT_SQL = `
  INSERT INTO entries (op_id, counter_op, account_id, owner, delta, balance_after)
  SELECT t.op_id, t.counter_op, t.account, t.account, t.delta, t.after
  FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[]) WITH ORDINALITY AS t(op_id, counter_op, account, delta, after, n)
  ORDER BY t.n`;

const UPDATE_SQL = `
  UPDATE accounts a SET balance = t.balance, version = a.version + 1
  FROM unnest($1::bigint[], $2::bigint[]) AS t(id, balance)
  WHERE a.id = t.id`;

/**
 * Posts `ops` (no `read` ops) in one transaction on a client of `pool`; see
 * the module docs. Throws on a database error (nothing is posted then) and
 * {@link PostAbortedError} when `signal` aborted it.
 */
export async function postDeferred(pool: Pool, ops: readonly Op[], options: DeferredPostOptions = {}): Promise<DeferredPostResult> {
  const empty: DeferredPostResult = { posted: [], refused: [], already: [], balances: new Map() };
  if (ops.length === 0) return empty;
  if (options.signal?.aborted) throw new PostAbortedError('killed before posting');
  const client = await pool.connect();
  let killed = false;
  const onAbort = (): void => {
    killed = true;
    // Ending the connection mid-transaction makes the server roll it back.
    void client.end().catch(() => undefined);
  };
  options.signal?.addEventListener('abort', onAbort);
  let broken: Error | undefined;
  try {
    if (options.signal?.aborted) onAbort();
    return await postOn(client, ops, options.check ?? false, options.counterparty ?? (() => -1));
  } catch (err) {
    broken = err as Error;
    if (!killed) await client.query('ROLLBACK').then(() => (broken = undefined), () => undefined);
    throw killed ? new PostAbortedError('killed while posting') : err;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    client.release(killed ? new Error('killed') : broken);
  }
}

async function postOn(client: PoolClient, ops: readonly Op[], check: boolean, counterparty: (op: Op) => number): Promise<DeferredPostResult> {
  const touchedIds = new Set<number>();
  for (const op of ops) {
    touchedIds.add(op.account);
    const cp = counterparty(op);
    if (cp >= 0) touchedIds.add(cp);
  }
  const accountIds = [...touchedIds].sort((a, b) => a - b);
  await client.query('BEGIN');
  const locked = await client.query<{ id: string; balance: string; floor: string }>(
    'SELECT id, balance, floor FROM accounts WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE',
    [accountIds],
  );
  const balance = new Map<number, number>();
  const floor = new Map<number, number>();
  for (const r of locked.rows) {
    balance.set(toInt(r.id), toInt(r.balance));
    floor.set(toInt(r.id), toInt(r.floor));
  }
  const missing = accountIds.find((id) => !balance.has(id));
  if (missing !== undefined) throw new Error(`account ${missing} does not exist in the ledger`);
  const existing = await client.query<{ op_id: string }>('SELECT op_id FROM entries WHERE op_id = ANY($1::bigint[])', [ops.map((op) => op.id)]);
  const done = new Set(existing.rows.map((r) => toInt(r.op_id)));

  const posted: Op[] = [];
  const refused: Op[] = [];
  const already: Op[] = [];
  const cols = { opId: [] as (number | null)[], counterOp: [] as (number | null)[], account: [] as number[], delta: [] as number[], after: [] as number[] };
  for (const op of ops) {
    if (done.has(op.id)) {
      already.push(op);
      continue;
    }
    const delta = deltaOf(op);
    const before = balance.get(op.account) ?? 0;
    if (check && delta < 0 && before + delta < (floor.get(op.account) ?? 0)) {
      refused.push(op);
      continue;
    }
    done.add(op.id); // the same op twice in one batch is posted once
    balance.set(op.account, before + delta);
    posted.push(op);
    cols.opId.push(op.id);
    cols.counterOp.push(null);
    cols.account.push(op.account);
    cols.delta.push(delta);
    cols.after.push(before + delta);
    const cp = counterparty(op);
    if (cp >= 0 && delta !== 0) {
      const cpAfter = (balance.get(cp) ?? 0) - delta;
      balance.set(cp, cpAfter);
      cols.opId.push(null);
      cols.counterOp.push(op.id);
      cols.account.push(cp);
      cols.delta.push(-delta);
      cols.after.push(cpAfter);
    }
  }
  if (posted.length > 0) {
    await client.query(INSERT_SQL, [cols.opId, cols.counterOp, cols.account, cols.delta, cols.after]);
    const touched = [...new Set(cols.account)];
    await client.query(UPDATE_SQL, [touched, touched.map((id) => balance.get(id) ?? 0)]);
  }
  await client.query('COMMIT');
  return { posted, refused, already, balances: balance };
}
