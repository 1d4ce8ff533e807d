/**
 * Rows → `JSONEachRow` lines (`Store.insert`) or `TabSeparated` lines (the
 * recorder and its spool), checked against the column types of
 * `./schema.ts`. Both stores take both, so a row that encodes is a row
 * ClickHouse accepts on either backend, and a bad value is caught here with
 * its table and column named instead of failing a whole batch on the server.
 */
import type { RowOf, TableName } from './rows.js';
import { TABLES } from './rows.js';
import { StoreError } from './errors.js';
import { columnsOf, type ColumnType } from './schema.js';

/** A row whose value does not fit its column (wrong type, not an integer, out of range, not finite). */
export class RowError extends StoreError {}

type Encoder = (row: Record<string, unknown>) => string;

/** Largest value of each unsigned column type the encoders accept (UInt64: the largest safe integer). */
export const UNSIGNED_MAX: Partial<Record<ColumnType, number>> = { UInt8: 255, UInt16: 65_535, UInt32: 4_294_967_295, UInt64: Number.MAX_SAFE_INTEGER };
/** The only DateTime text the encoders accept: UTC `YYYY-MM-DD hh:mm:ss`. */
export const DATE_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const SURROGATE = /[\uD800-\uDFFF]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** `s` with each lone UTF-16 surrogate (not representable in UTF-8) replaced by U+FFFD; `s` itself when it has none. */
function wellFormed(s: string): string {
  return SURROGATE.test(s) ? s.replace(LONE_SURROGATE, '\uFFFD') : s;
}

/** JSON string literal of `s`; a lone UTF-16 surrogate (not representable in UTF-8) becomes U+FFFD. */
export function jsonString(s: string): string {
  return JSON.stringify(wellFormed(s));
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return typeof value === 'number' || typeof value === 'boolean' || value === undefined || value === null ? String(value) : typeof value;
}

function encodeValue(table: string, column: string, type: ColumnType, value: unknown): string {
  const fail = (expected: string): never => {
    throw new RowError(`${table}.${column}: expected ${expected}, got ${describe(value)}.`);
  };
  switch (type) {
    case 'String':
      return typeof value === 'string' ? jsonString(value) : fail('a string');
    case 'DateTime':
      return typeof value === 'string' && DATE_TIME.test(value) ? `"${value}"` : fail("a UTC DateTime 'YYYY-MM-DD hh:mm:ss'");
    case 'Float64':
      return typeof value === 'number' && Number.isFinite(value) ? String(value) : fail('a finite number');
    case 'Int64':
      return Number.isSafeInteger(value) ? String(value) : fail('a safe integer');
    default: {
      const max = UNSIGNED_MAX[type] ?? 0;
      return Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) <= max ? String(value) : fail(`an integer in 0..${max} (${type})`);
    }
  }
}

const enum Kind {
  String,
  DateTime,
  Float64,
  Int64,
  Unsigned,
}

const KIND: Record<ColumnType, Kind> = { String: Kind.String, DateTime: Kind.DateTime, Float64: Kind.Float64, Int64: Kind.Int64, UInt8: Kind.Unsigned, UInt16: Kind.Unsigned, UInt32: Kind.Unsigned, UInt64: Kind.Unsigned };

/**
 * Checks every column with cheap type tests, then lets the native
 * `JSON.stringify` write the line: about 3× faster than assembling the JSON
 * in JS (measured ~3 µs per `ops` row), which matters at 100k rows/s.
 * Fields that are not columns are skipped by ClickHouse
 * (`input_format_skip_unknown_fields`, set by both stores).
 */
function encoderFor(table: TableName): Encoder {
  const columns = columnsOf(table);
  const names = columns.map(([name]) => name);
  const kinds = columns.map(([, type]) => KIND[type]);
  const maxima = columns.map(([, type]) => UNSIGNED_MAX[type] ?? 0);
  const slow = (row: Record<string, unknown>): string => {
    const fixed: Record<string, unknown> = {};
    for (const [name, type] of columns) {
      encodeValue(table, name, type, row[name]); // throws the precise complaint
      const v = row[name];
      fixed[name] = typeof v === 'string' ? wellFormed(v) : v;
    }
    return JSON.stringify(fixed);
  };
  return (row) => {
    for (let i = 0; i < names.length; i++) {
      const v = row[names[i]!];
      switch (kinds[i]) {
        case Kind.String:
          if (typeof v !== 'string' || SURROGATE.test(v)) return slow(row);
          break;
        case Kind.DateTime:
          if (typeof v !== 'string' || !DATE_TIME.test(v)) return slow(row);
          break;
        case Kind.Float64:
          if (typeof v !== 'number' || !Number.isFinite(v)) return slow(row);
          break;
        case Kind.Int64:
          if (!Number.isSafeInteger(v)) return slow(row);
          break;
        default:
          if (!Number.isSafeInteger(v) || (v as number) < 0 || (v as number) > maxima[i]!) return slow(row);
      }
    }
    return JSON.stringify(row);
  };
}

const ENCODERS = Object.fromEntries(TABLES.map((t) => [t, encoderFor(t)])) as Record<TableName, Encoder>;

/**
 * One `JSONEachRow` line (no newline) for a row of `table`. Fields that are
 * not columns are written too and skipped by ClickHouse. Throws {@link RowError} naming
 * the table and column when a value does not fit its column type.
 */
export function encodeRow<T extends TableName>(table: T, row: RowOf[T]): string {
  return ENCODERS[table](row as unknown as Record<string, unknown>);
}

/** The NDJSON body for `rows` (each line newline-terminated). Throws {@link RowError} on the first bad row. */
export function encodeRows<T extends TableName>(table: T, rows: readonly RowOf[T][]): string {
  let out = '';
  for (const row of rows) out += `${encodeRow(table, row)}\n`;
  return out;
}

/**
 * The text formats rows reach ClickHouse in: `JSONEachRow` (`Store.insert`;
 * spools left by versions before TabSeparated) and `TabSeparated` (the
 * recorder and its spool: half chdb's parse CPU per row and a third of the
 * bytes of JSONEachRow, measured by `npm run bench:ingest-format`).
 * TabSeparated lines hold every column of `./schema.ts`, in its order.
 */
export type RowFormat = 'JSONEachRow' | 'TabSeparated';

/**
 * Newline-terminated lines of one {@link RowFormat}: a string, or its UTF-8
 * bytes (the recorder writes each row's bytes as it is pushed, so no step
 * converts a whole batch on the driver's thread).
 */
export type EncodedBody = string | Buffer;

/** Characters a TabSeparated string value must not hold raw, and their escapes (what ClickHouse writes, and reads back). */
const TSV_SPECIAL = /[\\\t\n\r\0\b\f]/g;
const TSV_ESCAPE: Readonly<Record<string, string>> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\\0', '\b': '\\b', '\f': '\\f' };

/** TabSeparated text of the string `s` (backslash, tab, newline, CR, NUL, BS, FF escaped); a lone surrogate becomes U+FFFD, as in {@link jsonString}. */
export function tsvString(s: string): string {
  return wellFormed(s).replace(TSV_SPECIAL, (c) => TSV_ESCAPE[c]!);
}

/**
 * One `TabSeparated` line (no newline) for a row of `table`: every column of
 * `./schema.ts`, in order; fields that are not columns are ignored. Throws
 * {@link RowError} naming the table and column, exactly as {@link encodeRow}
 * does, when a value does not fit its column type. Numbers are written as
 * in JSON; DateTime as its text.
 */
export function encodeTsvRow<T extends TableName>(table: T, row: RowOf[T]): string {
  const r = row as unknown as Record<string, unknown>;
  return columnsOf(table)
    .map(([name, type]) => {
      const json = encodeValue(table, name, type, r[name]); // checks it, with the precise complaint
      return type === 'String' ? tsvString(r[name] as string) : type === 'DateTime' ? (r[name] as string) : json;
    })
    .join('\t');
}
