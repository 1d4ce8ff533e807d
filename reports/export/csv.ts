/**
 * A run's per-op rows as CSV (`hotbench export <run-id> --format csv`), for a
 * notebook: one header line, then one line per op of every replay, in
 * strategy, repetition and op order. The rows are streamed: ClickHouse
 * writes the CSV and each chunk is passed on as it arrives, so a 10 M-op run
 * never sits in this process's memory (the sort is ClickHouse's: it reads in
 * the table's own order where it can, and sorts on its side where it cannot).
 *
 * Columns are the `ops` table's (results/schema.ts) without `run_id`: times
 * in µs from the replay's schedule start, -1 where an op never got that far
 * (e.g. `acked_us` of an op never acknowledged); amounts in minor units.
 */
import { once } from 'node:events';
import { columnNamesOf } from '../../results/schema.js';
import type { Store } from '../../results/store.js';
import { canStream } from '../../results/stream.js';
import { StoreError } from '../../results/errors.js';
import { checkRunId, runExists } from '../run/queries.js';

/** The exported columns, in order. */
export const CSV_COLUMNS: readonly string[] = columnNamesOf('ops').filter((c) => c !== 'run_id');

/** What was written. */
export interface CsvExport {
  readonly bytes: number;
  readonly chunks: number;
}

/**
 * Writes run `runId`'s ops as CSV to `out`, waiting for `out` to drain
 * whenever it asks (so a slow pipe slows the read instead of filling memory).
 * Does not end `out` (it may be stdout). Throws a {@link StoreError} when the
 * run does not exist or the store cannot stream.
 */
export async function writeOpsCsv(store: Store, runId: string, out: NodeJS.WritableStream): Promise<CsvExport> {
  checkRunId(runId);
  if (!canStream(store)) throw new StoreError(`${store.description} cannot stream query results; export from the chdb store or a ClickHouse server`);
  if (!(await runExists(store, runId))) throw new StoreError(`no run ${runId} in ${store.description}: see \`hotbench runs\` for the recorded ones.`);
  const sql = `SELECT ${CSV_COLUMNS.join(', ')} FROM ops WHERE run_id = {run:String} ORDER BY strategy, rep, op_id`;
  // The header is written here: chdb's streamed CSVWithNames repeats it in every chunk.
  const header = `${CSV_COLUMNS.join(',')}\n`;
  if (!out.write(header)) await once(out as NodeJS.EventEmitter, 'drain');
  let bytes = Buffer.byteLength(header);
  let chunks = 0;
  for await (const chunk of store.queryStream(sql, { run: runId }, 'CSV')) {
    bytes += chunk.byteLength;
    chunks += 1;
    if (!out.write(chunk)) await once(out as NodeJS.EventEmitter, 'drain');
  }
  return { bytes, chunks };
}
