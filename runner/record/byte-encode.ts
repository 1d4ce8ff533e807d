/**
 * The recorder's hot-path row writers: one compiled function per table that
 * writes a row's `JSONEachRow` line (newline included) straight into a byte
 * buffer, allocating nothing: keys are pre-encoded bytes, integers are
 * written digit by digit, and strings come from a cache of their JSON bytes.
 *
 * The line is byte for byte what `fastEncodeRow` (and so `encodeRow`) gives
 * for the same row. A row the writer is not sure of (a value that fails a
 * check, a string not yet cached that is long or has a lone surrogate) makes
 * it return -1 before it claims any bytes; the caller then takes the string
 * path, which escapes it or throws the precise complaint.
 *
 * Why (perf, bench:driver): building each line by string concatenation
 * allocated ~1.5 KB of short-lived strings per row, so young-generation GCs
 * ran every few hundred rows at 30k ops/s, each a pause of 1–2 ms on this
 * 2-core machine.
 */
import type { RowOf, TableName } from '../../reports/store/rows.js';
import { columnsOf } from '../../reports/store/schema.js';
import type { ByteWriter } from './encoded-rows.js';
import { DATE_TIME, PLAIN_NAME, UNSIGNED_MAX } from './fast-encode.js';

/** A lone surrogate (a valid pair is left to JSON.stringify, which writes it as is, as `encodeRow` does). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** Longest string (in UTF-16 units) the writer takes; longer ones go the string path. */
const MAX_STRING_UNITS = 1_024;
/** Bytes of one string value at most: quotes plus escapes (`\uXXXX` is 6 bytes per unit). */
const MAX_STRING_BYTES = MAX_STRING_UNITS * 6 + 2;
/** A safe integer with its sign, or a Float64's shortest form: at most 25 ASCII bytes. */
const MAX_NUMBER_BYTES = 25;

/** JSON bytes of recent strings (run ids, labels, kinds, statuses, reasons repeat on every row). Bounded; cleared when full. */
const stringBytes = new Map<string, Uint8Array>();
const MAX_CACHED = 4_096;

/** JSON bytes of `s`, or undefined when it is long or needs the store's escaping (a lone surrogate). */
function jsonBytes(s: string): Uint8Array | undefined {
  let out = stringBytes.get(s);
  if (out !== undefined) return out;
  if (s.length > MAX_STRING_UNITS || LONE_SURROGATE.test(s)) return undefined;
  out = Buffer.from(JSON.stringify(s), 'utf8');
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
  const keys: Uint8Array[] = [];
  const checks: string[] = [];
  const writes: string[] = [];
  let maxBytes = 2; // '}' and '\n'
  columns.forEach(([name, type], i) => {
    if (!PLAIN_NAME.test(name)) throw new Error(`column ${table}.${name} is not a plain identifier`);
    const key = Buffer.from(`${i === 0 ? '{' : ','}"${name}":`, 'utf8');
    keys.push(key);
    maxBytes += key.length;
    const v = `v${i}`;
    checks.push(`const ${v} = row.${name};`);
    writes.push(`pos = putBytes(buf, pos, keys[${i}]);`);
    switch (type) {
      case 'String':
        checks.push(`const s${i} = typeof ${v} === 'string' ? jsonBytes(${v}) : undefined; if (s${i} === undefined) return -1;`);
        writes.push(`pos = putBytes(buf, pos, s${i});`);
        maxBytes += MAX_STRING_BYTES;
        break;
      case 'DateTime':
        checks.push(`if (typeof ${v} !== 'string' || !DATE_TIME.test(${v})) return -1;`);
        writes.push(`buf[pos++] = 0x22; pos = putAscii(buf, pos, ${v}); buf[pos++] = 0x22;`);
        maxBytes += 21;
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
  const body = `${checks.join('\n')}\n${writes.join('\n')}\nbuf[pos++] = 0x7d;\nbuf[pos++] = 0x0a;\nreturn pos;`;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const make = new Function('keys', 'jsonBytes', 'putBytes', 'putAscii', 'putInt', 'DATE_TIME', `return function write_${table}(row, buf, pos) {\n${body}\n};`) as (
    ...args: unknown[]
  ) => (row: Record<string, unknown>, buf: Uint8Array, pos: number) => number;
  const write = make(keys, jsonBytes, putBytes, putAscii, putInt, DATE_TIME);
  return Object.assign(write, { maxBytes });
}

const WRITERS = new Map<TableName, ByteWriter<Record<string, unknown>>>();

/** The byte writer of `table`'s rows (compiled once per table). */
export function byteWriterOf<T extends TableName>(table: T): ByteWriter<RowOf[T]> {
  let writer = WRITERS.get(table);
  if (writer === undefined) WRITERS.set(table, (writer = compileWriter(table)));
  return writer as unknown as ByteWriter<RowOf[T]>;
}
