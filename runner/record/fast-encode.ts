/**
 * The recorder's JSONEachRow encoders, compiled per table: one straight-line
 * string template per table (the column list of `reports/store/schema.ts`),
 * with inline checks that every value fits its column. A row that passes
 * becomes the same JSON object `encodeRow` would write (same columns, same
 * values; only the columns, in column order). Anything unusual (a string
 * with a lone surrogate, a value out of range, a wrong type) is handed to
 * `encodeRow` itself, which escapes it or throws its precise complaint, so
 * behaviour on bad rows is unchanged.
 *
 * Why: at 100k ops/s the recorder encodes two rows per op (ops, postings) on
 * the main thread; `encodeRow` (checks + `JSON.stringify`) measured ~2.5 µs
 * per `ops` row and was the largest item of a bench:driver CPU profile
 * (~27% of busy time). The template measured ~0.9 µs. The recorder now writes
 * rows as bytes (`./byte-encode.ts`, allocation-free) and comes here only for
 * the rows that writer declines; its test holds it to this encoder's output.
 */
import type { RowOf, TableName } from '../../reports/store/rows.js';
import { encodeRow } from '../../reports/store/encode.js';
import { columnsOf, type ColumnType } from '../../reports/store/schema.js';

type Encoder = (row: Record<string, unknown>) => string;

/** Column names reach generated code: only plain identifiers are compiled (all of schema.ts's are). */
export const PLAIN_NAME = /^[a-z_][a-z0-9_]*$/;
/** Strings that may need escaping beyond JSON's usual (lone surrogates) go to the store's encoder. */
const SURROGATE = /[\uD800-\uDFFF]/;
/** The only DateTime text the encoders write unchecked. */
export const DATE_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
/** Largest value of each unsigned column type that the encoders accept (UInt64: the largest safe integer). */
export const UNSIGNED_MAX: Partial<Record<ColumnType, number>> = { UInt8: 255, UInt16: 65_535, UInt32: 4_294_967_295, UInt64: Number.MAX_SAFE_INTEGER };

/**
 * JSON literals of recent strings: run ids, labels, kinds, statuses and
 * reasons repeat on every row. Bounded; when full it is cleared (a run with
 * thousands of distinct error details only loses the caching).
 */
const literals = new Map<string, string>();
const MAX_LITERALS = 4_096;

/** JSON literal of `s`, or undefined when `s` needs the store's escaping (a lone surrogate). */
function literal(s: string): string | undefined {
  let out = literals.get(s);
  if (out !== undefined) return out;
  if (SURROGATE.test(s)) return undefined;
  out = JSON.stringify(s);
  if (literals.size >= MAX_LITERALS) literals.clear();
  literals.set(s, out);
  return out;
}

function compile(table: TableName): Encoder {
  const columns = columnsOf(table);
  const checks: string[] = [];
  const parts: string[] = [];
  columns.forEach(([name, type], i) => {
    if (!PLAIN_NAME.test(name)) throw new Error(`column ${table}.${name} is not a plain identifier`);
    const v = `v${i}`;
    checks.push(`const ${v} = row.${name};`);
    switch (type) {
      case 'String':
        checks.push(`const s${i} = typeof ${v} === 'string' ? literal(${v}) : undefined; if (s${i} === undefined) return slow(row);`);
        parts.push(`s${i}`);
        break;
      case 'DateTime':
        checks.push(`if (typeof ${v} !== 'string' || !DATE_TIME.test(${v})) return slow(row);`);
        parts.push(`'"' + ${v} + '"'`);
        break;
      case 'Float64':
        checks.push(`if (typeof ${v} !== 'number' || !Number.isFinite(${v})) return slow(row);`);
        parts.push(`JSON.stringify(${v})`);
        break;
      case 'Int64':
        checks.push(`if (!Number.isSafeInteger(${v})) return slow(row);`);
        parts.push(`(${v} === 0 ? '0' : '' + ${v})`); // -0 is written 0, as JSON.stringify does
        break;
      default:
        checks.push(`if (!Number.isSafeInteger(${v}) || ${v} < 0 || ${v} > ${UNSIGNED_MAX[type] ?? 0}) return slow(row);`);
        parts.push(`(${v} === 0 ? '0' : '' + ${v})`);
    }
  });
  const template = parts.map((p, i) => `'${i === 0 ? '{' : ','}"${columns[i]![0]}":' + ${p}`).join(' + ');
  const body = `${checks.join('\n')}\nreturn ${template} + '}';`;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const make = new Function('literal', 'slow', 'DATE_TIME', `return function encode_${table}(row) {\n${body}\n};`) as (
    l: typeof literal,
    s: Encoder,
    d: RegExp,
  ) => Encoder;
  return make(literal, (row) => encodeRow(table, row as never), DATE_TIME);
}

const ENCODERS = new Map<TableName, Encoder>();

/**
 * One `JSONEachRow` line (no newline) for a row of `table`: the row's columns
 * only, in column order. Throws `RowError` (from `encodeRow`) when a value does
 * not fit its column.
 */
export function fastEncodeRow<T extends TableName>(table: T, row: RowOf[T]): string {
  let encode = ENCODERS.get(table);
  if (encode === undefined) ENCODERS.set(table, (encode = compile(table)));
  return encode(row as unknown as Record<string, unknown>);
}
