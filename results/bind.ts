/**
 * Client-side binding of ClickHouse `{name:Type}` placeholders.
 *
 * ClickHouse 18.16 has no server-side query parameters, so both stores bind
 * here, the same way: every value is checked against its placeholder's type
 * and written as a literal that can only ever be that value (strings are
 * escaped per ClickHouse's literal rules; numbers must be finite, integral
 * where the type is, and in range). Placeholders inside string literals,
 * quoted identifiers and comments are left alone, as ClickHouse does.
 *
 * Supported types: String, UInt8..UInt64, Int8..Int64, Float32, Float64,
 * Date, DateTime, Identifier, and Array(T) of any of these but Identifier.
 * Scalars become plain literals (so they also fit where ClickHouse wants a
 * literal, e.g. `LIMIT {n:UInt32}`); their ClickHouse type is the literal's
 * (`5` is UInt8), which compares and computes the same. Array elements are
 * converted to the element type (`toInt64(...)`).
 */
import type { SqlValue } from './store.js';
import { BindError } from './errors.js';

const INT_RANGES: Record<string, readonly [bigint, bigint]> = {
  UInt8: [0n, 255n],
  UInt16: [0n, 65_535n],
  UInt32: [0n, 4_294_967_295n],
  UInt64: [0n, 18_446_744_073_709_551_615n],
  Int8: [-128n, 127n],
  Int16: [-32_768n, 32_767n],
  Int32: [-2_147_483_648n, 2_147_483_647n],
  Int64: [-9_223_372_036_854_775_808n, 9_223_372_036_854_775_807n],
};
const FLOATS = new Set(['Float32', 'Float64']);
const INTEGER_TEXT = /^-?(0|[1-9][0-9]*)$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const PLACEHOLDER = /^\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*:\s*([A-Za-z0-9_() ]+?)\s*\}/;

const ESCAPES: Record<string, string> = { '\\': '\\\\', "'": "\\'", '\n': '\\n', '\r': '\\r', '\t': '\\t', '\0': '\\0', '\b': '\\b', '\f': '\\f' };

/**
 * A ClickHouse string literal for `s`: backslash and quote escaped, every
 * control character written as an escape, so the literal is one line and
 * nothing in it can end it early.
 */
export function quoteString(s: string): string {
  // eslint-disable-next-line no-control-regex
  return `'${s.replace(/[\\'\x00-\x1f\x7f]/g, (c) => ESCAPES[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)}'`;
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return Array.isArray(value) ? 'an array' : String(value);
}

function integerLiteral(name: string, type: string, value: unknown): string {
  const [min, max] = INT_RANGES[type]!;
  let n: bigint;
  if (typeof value === 'boolean') n = value ? 1n : 0n;
  else if (typeof value === 'number' && Number.isSafeInteger(value)) n = BigInt(value);
  else if (typeof value === 'string' && INTEGER_TEXT.test(value)) n = BigInt(value);
  else throw new BindError(`query parameter {${name}:${type}} needs an integer, got ${show(value)}.`);
  if (n < min || n > max) throw new BindError(`query parameter {${name}:${type}} is out of range (${min}..${max}): ${n}.`);
  // Parenthesised so `x -{v:Int64}` can never become a `--` comment.
  return n < 0n ? `(${n})` : String(n);
}

function literal(name: string, type: string, value: unknown): string {
  if (type in INT_RANGES) return integerLiteral(name, type, value);
  if (FLOATS.has(type)) {
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new BindError(`query parameter {${name}:${type}} needs a finite number, got ${show(value)}.`);
    return value < 0 ? `(${String(value)})` : String(value);
  }
  switch (type) {
    case 'String':
      if (typeof value !== 'string') throw new BindError(`query parameter {${name}:String} needs a string, got ${show(value)}.`);
      return quoteString(value);
    case 'Date':
    case 'DateTime': {
      const pattern = type === 'Date' ? DATE : DATE_TIME;
      if (typeof value !== 'string' || !pattern.test(value)) throw new BindError(`query parameter {${name}:${type}} needs '${type === 'Date' ? 'YYYY-MM-DD' : 'YYYY-MM-DD hh:mm:ss'}', got ${show(value)}.`);
      return `'${value}'`;
    }
    case 'Identifier':
      if (typeof value !== 'string' || !IDENTIFIER.test(value)) throw new BindError(`query parameter {${name}:Identifier} needs letters, digits and _ (not first), got ${show(value)}.`);
      return `\`${value}\``;
  }
  const array = /^Array\((.+)\)$/.exec(type);
  if (array && array[1] !== 'Identifier' && isKnownType(array[1]!)) {
    if (!Array.isArray(value)) throw new BindError(`query parameter {${name}:${type}} needs an array, got ${show(value)}.`);
    // An empty literal `[]` is Array(Nothing) on old servers: give it its element type.
    if (value.length === 0) return `CAST([] AS ${type})`;
    // Elements are converted to the element type: old servers find no common type for `[-1, 2^53]`.
    const element = array[1]!;
    const convert = element in INT_RANGES || FLOATS.has(element) || element === 'Date' || element === 'DateTime' ? `to${element}` : '';
    return `[${value.map((v: unknown) => (convert ? `${convert}(${literal(name, element, v)})` : literal(name, element, v))).join(', ')}]`;
  }
  throw new BindError(`query parameter {${name}:${type}} has a type hotbench cannot bind; use String, (U)Int8..64, Float32/64, Date, DateTime, Identifier or Array(...) of them.`);
}

function isKnownType(type: string): boolean {
  return type in INT_RANGES || FLOATS.has(type) || ['String', 'Date', 'DateTime', 'Identifier'].includes(type) || (/^Array\((.+)\)$/.test(type) && isKnownType(type.slice(6, -1)));
}

/** Index just past the quoted section starting at `i` (quote char `q`), honouring backslash and doubled-quote escapes. */
function skipQuoted(sql: string, i: number, q: string): number {
  let j = i + 1;
  while (j < sql.length) {
    const c = sql[j];
    if (c === '\\') j += 2;
    else if (c === q) {
      if (sql[j + 1] === q) j += 2;
      else return j + 1;
    } else j += 1;
  }
  throw new BindError(`query has an unterminated ${q} quote starting at character ${i}.`);
}

/**
 * Replaces every `{name:Type}` placeholder in `sql` with the literal of
 * `params[name]`. Throws {@link BindError} (one clear line) when a
 * placeholder has no parameter, a parameter is never used, a type is unknown
 * or a value does not fit its type.
 */
export function bindParams(sql: string, params: Readonly<Record<string, SqlValue>> = {}): string {
  const used = new Set<string>();
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    let end = i + 1;
    if (c === "'" || c === '"' || c === '`') end = skipQuoted(sql, i, c);
    else if (c === '-' && sql[i + 1] === '-') end = sql.includes('\n', i) ? sql.indexOf('\n', i) + 1 : sql.length;
    else if (c === '/' && sql[i + 1] === '*') {
      const close = sql.indexOf('*/', i + 2);
      if (close < 0) throw new BindError(`query has an unterminated /* comment starting at character ${i}.`);
      end = close + 2;
    } else if (c === '{') {
      const m = PLACEHOLDER.exec(sql.slice(i, i + 200));
      if (m) {
        const [whole, name, type] = m as unknown as [string, string, string];
        if (!Object.prototype.hasOwnProperty.call(params, name)) throw new BindError(`query parameter {${name}:${type}} was not given a value.`);
        out += literal(name, type, params[name]);
        used.add(name);
        i += whole.length;
        continue;
      }
    }
    out += sql.slice(i, end);
    i = end;
  }
  const unused = Object.keys(params).filter((k) => !used.has(k));
  if (unused.length > 0) throw new BindError(`query parameter(s) ${unused.join(', ')} given but not used by the query (a misspelt placeholder?).`);
  return out;
}
