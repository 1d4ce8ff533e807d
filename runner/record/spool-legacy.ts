/**
 * Spools written before the recorder switched to TabSeparated held
 * `JSONEachRow` lines (`<table>.ndjson`, replay position in `<table>.pos`).
 * Such a spool may still be waiting on a machine that upgrades, and its rows
 * are measurements nobody can take again, so the next recorder on the
 * folder converts what is left of it into the current spool file before it
 * appends anything: line by line, in order, without ClickHouse.
 *
 * Crash safety: the converted lines are written to a side file that is
 * renamed to the spool's name in one step, and only then is the old file
 * deleted; if both files are found, the rename happened and the old one is
 * only deleted (a crash before the rename redoes the conversion, so a
 * set-aside line may then be in the set-aside file twice). A line that is
 * not a JSON object, or whose values do not fit their columns, is set aside
 * in `<table>.invalid.ndjson` with the reason (as the recorder does with bad
 * rows), never dropped silently.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { appendFile, rename, stat, unlink } from 'node:fs/promises';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { encodeTsvRow } from '../../results/encode.js';
import { firstLine } from '../../results/errors.js';
import type { RowOf, TableName } from '../../results/rows.js';
import { ADDED_COLUMNS, columnsOf, type ColumnType } from '../../results/schema.js';
import { exists, replayPosition } from './spool-fs.js';

/** What a conversion did (all zero when there was no old spool). */
export interface LegacyConversion {
  /** Lines converted into the current spool file. */
  readonly converted: number;
  /** Lines set aside in {@link file} because they could not be converted. */
  readonly setAside: number;
  /** The set-aside file (`<dir>/<table>.invalid.ndjson`). */
  readonly file: string;
  /** The first reason a line was set aside ('' when none was). */
  readonly reason: string;
}

/** What ClickHouse's JSONEachRow stored for a column missing from a line (an older schema): the type's default. */
const DEFAULTS: Record<ColumnType, unknown> = { String: '', DateTime: '0000-00-00 00:00:00', Float64: 0, Int64: 0, UInt8: 0, UInt16: 0, UInt32: 0, UInt64: 0 };

/** The value a column added after the table's first release reads as in older rows (what `migrate` declares), or undefined. */
function addedDefault(table: TableName, column: string): number | undefined {
  const added = ADDED_COLUMNS.find((c) => c.table === table && c.column === column);
  return added?.value;
}

/** The TabSeparated line of one old JSONEachRow line; throws the reason it cannot be converted. */
function convertLine(table: TableName, line: string): string {
  const parsed: unknown = JSON.parse(line);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
  const row: Record<string, unknown> = { ...(parsed as Record<string, unknown>) };
  for (const [name, type] of columnsOf(table)) if (!(name in row)) row[name] = addedDefault(table, name) ?? DEFAULTS[type];
  return encodeTsvRow(table, row as unknown as RowOf[typeof table]);
}

/**
 * Converts the old spool of `table` under `dir` (if any) into `spoolPath`,
 * which must not hold unreplayed lines of its own unless the conversion
 * already completed (then only the old file is removed). Resolves with
 * what it did; rejects only on disk errors, leaving the old spool in place.
 */
export async function convertLegacySpool(dir: string, table: TableName, spoolPath: string): Promise<LegacyConversion> {
  const old = join(dir, `${table}.ndjson`);
  const oldPos = join(dir, `${table}.pos`);
  const file = join(dir, `${table}.invalid.ndjson`);
  const nothing = { converted: 0, setAside: 0, file, reason: '' };
  if (!(await exists(old))) return nothing;
  if (await exists(spoolPath)) {
    // Converted before a crash that came between the rename and the delete.
    await unlink(old);
    await unlink(oldPos).catch(() => undefined);
    return nothing;
  }
  const size = (await stat(old)).size;
  const start = await replayPosition(oldPos, size);
  const side = `${spoolPath}.converting`;
  const out = createWriteStream(side);
  const setAside: string[] = [];
  let reason = '';
  let converted = 0;
  let consumed = start;
  try {
    const lines = createInterface({ input: createReadStream(old, { start }), crlfDelay: Number.POSITIVE_INFINITY });
    for await (const line of lines) {
      consumed += Buffer.byteLength(line) + 1;
      if (consumed > size) break; // a torn last line (the old process died mid-append): it was never reported spooled
      if (line === '') continue;
      let tsv: string;
      try {
        tsv = convertLine(table, line);
      } catch (err) {
        reason ||= `an old spool line could not be converted: ${firstLine(err)}`;
        setAside.push(JSON.stringify({ table, error: firstLine(err), line }));
        continue;
      }
      if (!out.write(`${tsv}\n`)) await once(out, 'drain');
      converted += 1;
    }
    out.end();
    await once(out, 'finish');
  } catch (err) {
    out.destroy();
    await unlink(side).catch(() => undefined);
    throw err;
  }
  if (setAside.length > 0) await appendFile(file, `${setAside.join('\n')}\n`);
  if (converted > 0) await rename(side, spoolPath);
  else await unlink(side);
  await unlink(old);
  await unlink(oldPos).catch(() => undefined);
  return { converted, setAside: setAside.length, file, reason };
}
