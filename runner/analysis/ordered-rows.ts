/**
 * Reading a replay's recorded rows (ClickHouse) and ledger rows (PostgreSQL)
 * back in a fixed order, a page or a cursor batch at a time, so a timeline
 * analysis holds O(accounts) state and one page, never the whole replay.
 */
import type { Pool } from 'pg';
import type { SqlValue, Store } from '../../results/store.js';
import { cursorBatches } from '../audit/cursor.js';
import type { RunReplayKey } from '../../results/rows.js';

/** Rows per ClickHouse page / PostgreSQL cursor batch. */
export const PAGE_ROWS = 20_000;

/**
 * Pages through `sql` by keyset on the integer columns `(t, id)`, which must
 * be unique together and are the query's ORDER BY. The SQL binds the replay
 * key as `{run:String}`, `{strategy:String}`, `{rep:UInt32}` and must contain
 * the page condition
 * `({first:UInt8} = 1 OR t > {after_t:Int64} OR (t = {after_t:Int64} AND id > {after_id:Int64}))`
 * (with its own column names) and end with `LIMIT {limit:UInt32}`.
 */
export async function* keysetPages<R extends Record<string, number | string>>(
  store: Store,
  key: RunReplayKey,
  sql: string,
  order: { readonly t: keyof R & string; readonly id: keyof R & string },
  params: Readonly<Record<string, SqlValue>> = {},
): AsyncGenerator<R> {
  let after: { t: number; id: number } | undefined;
  for (;;) {
    const rows = await store.query<R>(sql, {
      ...params,
      run: key.run_id,
      strategy: key.strategy,
      rep: key.rep,
      first: after === undefined ? 1 : 0,
      after_t: after?.t ?? 0,
      after_id: after?.id ?? 0,
      limit: PAGE_ROWS,
    });
    for (const row of rows) yield row;
    const last = rows[rows.length - 1];
    if (last === undefined || rows.length < PAGE_ROWS) return;
    after = { t: Number(last[order.t]), id: Number(last[order.id]) };
  }
}

/**
 * Streams `sql` from the ledger through a server-side cursor inside a
 * read-only repeatable-read transaction (one consistent snapshot), rows as
 * arrays (bigints as text).
 */
export async function* ledgerRows(ledger: Pool, sql: string, params: readonly unknown[] = []): AsyncGenerator<unknown[]> {
  const client = await ledger.connect();
  let open = false;
  let broken: Error | undefined;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    open = true;
    for await (const batch of cursorBatches(client, sql, params, PAGE_ROWS)) yield* batch;
    open = false;
    await client.query('COMMIT');
  } finally {
    // Also when the consumer stopped early or a query failed: never return a client inside a transaction.
    if (open) await client.query('ROLLBACK').catch((e: Error) => (broken = e));
    client.release(broken);
  }
}

/** An async iterator one can look ahead in by one item. */
export class Peekable<T> {
  #next: IteratorResult<T> | undefined;
  constructor(private readonly source: AsyncIterator<T>) {}

  /** The next item without consuming it; undefined at the end. */
  async peek(): Promise<T | undefined> {
    this.#next ??= await this.source.next();
    return this.#next.done ? undefined : this.#next.value;
  }

  /** Consumes and returns the next item; undefined at the end. */
  async take(): Promise<T | undefined> {
    const item = await this.peek();
    if (item !== undefined) this.#next = undefined;
    return item;
  }

  /** Ends the source early (closes its cursor). */
  async close(): Promise<void> {
    await this.source.return?.();
  }
}
