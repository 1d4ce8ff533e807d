/**
 * Replays a spool folder left by an earlier process into a store, table by
 * table, in spool order. A `Recorder` opened on the same folder does this by
 * itself; this is for tools that only want the rows written.
 */
import type { TableName } from '../../results/rows.js';
import { TABLES } from '../../results/rows.js';
import type { Store } from '../../results/store.js';
import { acquireSpoolDir, SPOOL_FORMAT, SpoolFile } from './spool.js';

/**
 * Writes every spooled row under `dir` to `store` (batches of `batchRows`,
 * default 20 000) and deletes the spool files once written. Resolves with
 * the rows written per table. Throws the store's error if an insert fails;
 * what was written stays committed, so calling it again resumes.
 */
export async function replaySpool(dir: string, store: Store, batchRows = 20_000): Promise<Record<TableName, number>> {
  const held = await acquireSpoolDir(dir);
  const written = Object.fromEntries(TABLES.map((t) => [t, 0])) as Record<TableName, number>;
  try {
    for (const table of TABLES) {
      const spool = await SpoolFile.open(held.dir, table);
      for (let batch = await spool.read(batchRows); batch; batch = await spool.read(batchRows)) {
        await store.insertEncoded(table, batch.body, SPOOL_FORMAT);
        await spool.commit(batch);
        written[table] += batch.lines;
      }
    }
  } finally {
    await held.release();
  }
  return written;
}
