/**
 * Turns a ClickHouse `FORMAT JSON` answer into row objects whose numeric
 * columns are JS numbers on both backends. A server quotes 64-bit integers
 * by default (and 18.16 quotes them inside arrays whatever the settings say),
 * so values are coerced by the column types the answer's `meta` declares.
 */

/** A `FORMAT JSON` answer: column names and types, then the rows. */
export interface JsonAnswer {
  readonly meta: readonly { readonly name: string; readonly type: string }[];
  readonly data: readonly Record<string, unknown>[];
}

const NUMERIC = /^(U?Int(8|16|32|64|128|256)|Float(32|64)|Decimal(32|64|128)?\(.*\))$/;

type Coerce = (value: unknown) => unknown;

function toNumber(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  switch (value) {
    case 'nan':
    case '-nan':
      return Number.NaN;
    case 'inf':
    case '+inf':
      return Number.POSITIVE_INFINITY;
    case '-inf':
      return Number.NEGATIVE_INFINITY;
    default:
      return Number(value);
  }
}

/** How to turn a value of ClickHouse type `type` into its JS form (undefined: leave as is). */
function coercerFor(type: string): Coerce | undefined {
  const wrapped = /^(Nullable|LowCardinality)\((.*)\)$/.exec(type);
  if (wrapped) return coercerFor(wrapped[2]!);
  if (NUMERIC.test(type)) return toNumber;
  const array = /^Array\((.*)\)$/.exec(type);
  if (array) {
    const inner = coercerFor(array[1]!);
    return inner ? (v) => (Array.isArray(v) ? v.map(inner) : v) : undefined;
  }
  return undefined;
}

/** The rows of a `FORMAT JSON` answer, numeric columns (and arrays of them) as JS numbers. */
export function coerceRows<T>(answer: JsonAnswer): T[] {
  const coercers = answer.meta.map((m) => [m.name, coercerFor(m.type)] as const).filter((e): e is readonly [string, Coerce] => e[1] !== undefined);
  if (coercers.length === 0) return answer.data as T[];
  return answer.data.map((row) => {
    const out: Record<string, unknown> = { ...row };
    for (const [name, coerce] of coercers) if (out[name] !== null && out[name] !== undefined) out[name] = coerce(out[name]);
    return out as T;
  });
}

/** The SQL with any trailing `;` and whitespace removed, so `FORMAT JSON` can follow it. */
export function stripTrailingSemicolon(sql: string): string {
  return sql.replace(/[\s;]+$/, '');
}
