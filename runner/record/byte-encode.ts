/**
 * The recorder's hot-path row writers: one compiled function per table that
 * writes a row's `TabSeparated` line (newline included) straight into a byte
 * buffer, allocating nothing: integers are written digit by digit, and
 * strings come from a cache of their escaped bytes.
 *
 * The line is byte for byte what `encodeTsvRow` gives for the same row. A
 * row the writer is not sure of (a value that fails a check, a string not
 * yet cached that is long or has a lone surrogate) makes it return -1 before
 * it claims any bytes; the caller then takes `encodeTsvRow`, which replaces
 * the surrogate or throws the precise complaint.
 *
 * Why (perf, bench:driver): building each line by string concatenation
 * allocated ~1.5 KB of short-lived strings per row, so young-generation GCs
 * ran every few hundred rows at 30k ops/s, each a pause of 1–2 ms on this
 * 2-core machine.
 */
import type { RowOf, TableName } from '../../results/rows.js';
import { columnsOf } from '../../results/schema.js';
import type { ByteWriter } from './encoded-rows.js';
import { DATE_TIME, UNSIGNED_MAX, tsvString } from '../../results/encode.js';

/** Column names reach generated code: only plain identifiers are compiled (all of schema.ts's are). */
const PLAIN_NAME = /^[a-z_][a-z0-9_]*$/;

/** A lone surrogate (a valid pair is written as its UTF-8, as `encodeTsvRow` does). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** Longest string (in UTF-16 units) the writer takes; longer ones go the string path. */
const MAX_STRING_UNITS = 1_024;
/** Bytes of one string value at most: 3 UTF-8 bytes per UTF-16 unit (a pair is 4 bytes for 2; an escape 2 bytes for 1). */
const MAX_STRING_BYTES = MAX_STRING_UNITS * 3;
/** A safe integer with its sign, or a Float64's shortest form: at most 25 ASCII bytes. */
const MAX_NUMBER_BYTES = 25;

/** TabSeparated bytes of recent strings (run ids, labels, kinds, statuses, reasons repeat on every row). Bounded; cleared when full. */
const stringBytes = new Map<string, Uint8Array>();
const MAX_CACHED = 4_096;

/** TabSeparated bytes of `s`, or undefined when it is long or has a lone surrogate (`encodeTsvRow` replaces it). */
function tsvBytes(s: string): Uint8Array | undefined {
  let out = stringBytes.get(s);
  if (out !== undefined) return out;
  if (s.length > MAX_STRING_UNITS || LONE_SURROGATE.test(s)) return undefined;
  out = Buffer.from(tsvString(s), 'utf8');
  if (stringBytes.size >= MAX_CACHED) stringBytes.clear();
  stringBytes.set(s, out);
  return out;
}

function putBytes(buf: Uint8Array, pos: number, src: Uint8Array): number {
  for (let i = 0; i < src.length; i++) buf[pos + i] = src[i]!;
  return pos + src.length;
}

/** ASCII of `s` (a number's or a checked DateTime's text). */
function putAscii(buf: Uint8Array, pos: number, s: string): number {
  for (let i = 0; i < s.length; i++) buf[pos + i] = s.charCodeAt(i);
  return pos + s.length;
}

/** Decimal digits of a safe integer, as `'' + v` writes them (-0 as 0). */
function putInt(buf: Uint8Array, pos: number, v: number): number {
  if (v < 0) {
    buf[pos++] = 0x2d;
    v = -v;
  }
  let digits = 1;
  for (let n = v; n >= 10; n = Math.floor(n / 10)) digits++;
  let p = pos + digits - 1;
  while (v >= 10) {
    const q = Math.floor(v / 10);
    buf[p--] = 0x30 + (v - q * 10);
    v = q;
  }
  buf[p] = 0x30 + v;
  return pos + digits;
}

function compileWriter(table: TableName): ByteWriter<Record<string, unknown>> {
  const columns = columnsOf(table);
  const checks: string[] = [];
  const writes: string[] = [];
  let maxBytes = columns.length; // a tab between values, and the newline
  columns.forEach(([name, type], i) => {
    if (!PLAIN_NAME.test(name)) throw new Error(`column ${table}.${name} is not a plain identifier`);
    const v = `v${i}`;
    checks.push(`const ${v} = row.${name};`);
    if (i > 0) writes.push('buf[pos++] = 0x09;');
    switch (type) {
      case 'String':
        checks.push(`const s${i} = typeof ${v} === 'string' ? tsvBytes(${v}) : undefined; if (s${i} === undefined) return -1;`);
        writes.push(`pos = putBytes(buf, pos, s${i});`);
        maxBytes += MAX_STRING_BYTES;
        break;
      case 'DateTime':
        checks.push(`if (typeof ${v} !== 'string' || !DATE_TIME.test(${v})) return -1;`);
        writes.push(`pos = putAscii(buf, pos, ${v});`);
        maxBytes += 19;
        break;
      case 'Float64':
        checks.push(`if (typeof ${v} !== 'number' || !Number.isFinite(${v})) return -1;`);
        writes.push(`pos = putAscii(buf, pos, JSON.stringify(${v}));`);
        maxBytes += MAX_NUMBER_BYTES;
        break;
      case 'Int64':
        checks.push(`if (!Number.isSafeInteger(${v})) return -1;`);
        writes.push(`pos = putInt(buf, pos, ${v});`);
        maxBytes += MAX_NUMBER_BYTES;
        break;
      default:
        checks.push(`if (!Number.isSafeInteger(${v}) || ${v} < 0 || ${v} > ${UNSIGNED_MAX[type] ?? 0}) return -1;`);
        writes.push(`pos = putInt(buf, pos, ${v});`);
        maxBytes += MAX_NUMBER_BYTES;
    }
  });
  const body = `${checks.join('\n')}\n${writes.join('\n')}\nbuf[pos++] = 0x0a;\nreturn pos;`;
  const make = new Function('tsvBytes', 'putBytes', 'putAscii', 'putInt', 'DATE_TIME', `return function write_${table}(row, buf, pos) {\n${body}\n};`) as (
    ...args: unknown[]
  ) => (row: Record<string, unknown>, buf: Uint8Array, pos: number) => number;
  const write = make(tsvBytes, putBytes, putAscii, putInt, DATE_TIME);
  return Object.assign(write, { maxBytes });
}

const WRITERS = new Map<TableName, ByteWriter<Record<string, unknown>>>();

/** The byte writer of `table`'s rows (compiled once per table). */
export function byteWriterOf<T extends TableName>(table: T): ByteWriter<RowOf[T]> {
  let writer = WRITERS.get(table);
  if (writer === undefined) WRITERS.set(table, (writer = compileWriter(table)));
  return writer as unknown as ByteWriter<RowOf[T]>;
}
