/**
 * The recorder's compiled encoders (runner/record/fast-encode.ts, a speed-up)
 * write what the store's `encodeRow` writes: for every table, the same JSON
 * object over the table's columns, and on a bad value the same error; odd
 * strings (escapes, lone surrogates, non-ASCII) come out identical too.
 */
import { describe, expect, it } from 'vitest';
import { encodeRow } from '../reports/store/encode.js';
import { TABLES, type RowOf, type TableName } from '../reports/store/rows.js';
import { columnsOf } from '../reports/store/schema.js';
import { fastEncodeRow } from '../runner/record/fast-encode.js';

const STRINGS = ['', 'plain', 'quote " and \\ backslash', 'tab\tnew\nline\u0001', 'héllo — 東京 😀', 'lone \uD800 surrogate', 'x'.repeat(300)];
const INTS = [0, -0, 1, -1, 42, 255, 65_535, 4_294_967_295, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER];
const FLOATS = [0, -0, 1.5, -2.25, 1e21, 1e-7, 123456789.125];

/** A deterministic row of `table` whose i-th variation picks different values per column. */
function rowOf(table: TableName, i: number): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  columnsOf(table).forEach(([name, type], c) => {
    const k = i + c;
    if (type === 'String') row[name] = STRINGS[k % STRINGS.length];
    else if (type === 'DateTime') row[name] = '2026-11-22 04:45:12';
    else if (type === 'Float64') row[name] = FLOATS[k % FLOATS.length];
    else if (type === 'Int64') row[name] = INTS[k % INTS.length];
    else row[name] = Math.min(Math.abs(INTS[k % INTS.length]!), type === 'UInt8' ? 255 : type === 'UInt16' ? 65_535 : type === 'UInt32' ? 4_294_967_295 : Number.MAX_SAFE_INTEGER);
  });
  return row;
}

const columnsOnly = (table: TableName, json: string): Record<string, unknown> => {
  const all = JSON.parse(json) as Record<string, unknown>;
  return Object.fromEntries(columnsOf(table).map(([name]) => [name, all[name]]));
};

const outcome = (f: () => string): { ok: string } | { error: string } => {
  try {
    return { ok: f() };
  } catch (err) {
    return { error: `${(err as Error).name}: ${(err as Error).message}` };
  }
};

describe('the recorder encodes rows as the store does', () => {
  it.each(TABLES)('%s: same object for good rows, strings byte for byte', (table) => {
    for (let i = 0; i < 70; i++) {
      const row = rowOf(table, i) as unknown as RowOf[typeof table];
      const fast = fastEncodeRow(table, row);
      expect(JSON.parse(fast)).toEqual(columnsOnly(table, encodeRow(table, row)));
      for (const [name, type] of columnsOf(table)) {
        if (type === 'String') expect(fast).toContain(`"${name}":${JSON.stringify(JSON.parse(encodeRow(table, row))[name])}`);
      }
    }
  });

  it.each(TABLES)('%s: the same error for each bad value', (table) => {
    const bad: unknown[] = [undefined, null, '1', 1.5, Number.NaN, Number.POSITIVE_INFINITY, -1, 2 ** 60, {}, 'not a date'];
    for (const [name] of columnsOf(table)) {
      for (const value of bad) {
        const row = { ...rowOf(table, 3), [name]: value } as unknown as RowOf[typeof table];
        const a = outcome(() => encodeRow(table, row));
        const b = outcome(() => fastEncodeRow(table, row));
        if ('error' in a) expect(b).toEqual(a);
        else expect('ok' in b && JSON.parse(b.ok)).toEqual(columnsOnly(table, a.ok));
      }
    }
  });

  it('skips fields that are not columns, as ClickHouse would', () => {
    const row = { ...rowOf('postings', 1), extra: 'ignored' } as unknown as RowOf['postings'];
    expect(JSON.parse(fastEncodeRow('postings', row))).toEqual(columnsOnly('postings', encodeRow('postings', row)));
    expect(fastEncodeRow('postings', row)).not.toContain('extra');
  });
});
