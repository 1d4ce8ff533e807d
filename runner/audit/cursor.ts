/**
 * Streams a query's rows in batches through a server-side cursor, so the
 * auditor holds one batch at a time however large the ledger is.
 */
import type { PoolClient } from 'pg';

let cursorCount = 0;

/**
 * Yields `batchRows` rows at a time (as arrays, columns in select order,
 * bigints as text) from `sql` run with `params`. The client must be inside a
 * transaction. The cursor is closed when the loop ends or breaks.
 */
export async function* cursorBatches(client: PoolClient, sql: string, params: readonly unknown[], batchRows: number): AsyncGenerator<unknown[][]> {
  const name = `hotbench_audit_${++cursorCount}`;
  await client.query(`DECLARE ${name} NO SCROLL CURSOR FOR ${sql}`, [...params]);
  try {
    for (;;) {
      const res = await client.query<unknown[]>({ text: `FETCH ${batchRows} FROM ${name}`, rowMode: 'array' });
      if (res.rows.length === 0) return;
      yield res.rows;
    }
  } finally {
    await client.query(`CLOSE ${name}`);
  }
}
