/**
 * The TabSeparated encoder (`encodeTsvRow`, the recorder's format) says what
 * the JSONEachRow encoder (`encodeRow`) says: for every table, the same
 * values over the table's columns once the TabSeparated escapes are undone
 * (odd strings: escapes, lone surrogates, non-ASCII), and on a bad value the
 * same error. That ClickHouse reads both back alike is the round-trip tests'.
 */
import { describe, expect, it } from 'vitest';
import { encodeRow, encodeTsvRow } from '../results/encode.js';
import { TABLES, type RowOf, type TableName } from '../results/rows.js';
import { columnsOf } from '../results/schema.js';

const STRINGS = ['', 'plain', 'quote " and \\ backslash', 'tab\tnew\nline\u0001', 'cr\r nul\0 bs\b ff\f \\N \\t', 'héllo — 東京 😀', 'lone \uD800 surrogate', 'x'.repeat(300)];
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

const UNESCAPE: Record<string, string> = { '\\': '\\', t: '\t', n: '\n', r: '\r', '0': '\0', b: '\b', f: '\f' };

/** The row a TabSeparated line stands for, read as ClickHouse reads it (escapes undone; numbers as numbers). */
const fromTsv = (table: TableName, line: string): Record<string, unknown> => {
  const fields = line.split('\t');
  expect(fields).toHaveLength(columnsOf(table).length);
  return Object.fromEntries(
    columnsOf(table).map(([name, type], i) => {
      const text = fields[i]!;
      if (type === 'String') return [name, text.replace(/\\(.)/g, (_, c: string) => UNESCAPE[c] ?? c)];
      return [name, type === 'DateTime' ? text : Number(text)];
    }),
  );
};

const outcome = (f: () => string): { ok: string } | { error: string } => {
  try {
    return { ok: f() };
  } catch (err) {
    return { error: `${(err as Error).name}: ${(err as Error).message}` };
  }
};

describe('TabSeparated and JSONEachRow encode the same rows', () => {
  it.each(TABLES)('%s: the same values for good rows, odd strings included', (table) => {
    for (let i = 0; i < 70; i++) {
      const row = rowOf(table, i) as unknown as RowOf[typeof table];
      const line = encodeTsvRow(table, row);
      expect(line).not.toMatch(/[\n\r\0]/);
      expect(fromTsv(table, line)).toEqual(columnsOnly(table, encodeRow(table, row)));
    }
  });

  it.each(TABLES)('%s: the same error for each bad value', (table) => {
    const bad: unknown[] = [undefined, null, '1', 1.5, Number.NaN, Number.POSITIVE_INFINITY, -1, 2 ** 60, {}, 'not a date'];
    for (const [name] of columnsOf(table)) {
      for (const value of bad) {
        const row = { ...rowOf(table, 3), [name]: value } as unknown as RowOf[typeof table];
        const a = outcome(() => encodeRow(table, row));
        const b = outcome(() => encodeTsvRow(table, row));
        if ('error' in a) expect(b).toEqual(a);
        else expect('ok' in b && fromTsv(table, b.ok)).toEqual(columnsOnly(table, a.ok));
      }
    }
  });

  it('leaves out fields that are not columns', () => {
    const row = { ...rowOf('postings', 1), extra: 'ignored' } as unknown as RowOf['postings'];
    expect(encodeTsvRow('postings', row)).toBe(encodeTsvRow('postings', rowOf('postings', 1) as unknown as RowOf['postings']));
    expect(encodeTsvRow('postings', row)).not.toContain('ignored');
  });
});
