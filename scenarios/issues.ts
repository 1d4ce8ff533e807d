/**
 * Turns zod's issues into one-line messages a scenario author can act on:
 * what was expected, what was found, and for an unknown key which keys are
 * allowed there (with a "did you mean" when one is close).
 */
import type { z } from 'zod';

type Issue = z.core.$ZodIssue & { input?: unknown; received?: string };

/** One readable line for a zod issue (without the path, which the caller adds). */
export function describeIssue(issue: Issue, allowedKeys?: readonly string[]): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined && issue.received === undefined) return `missing (required): expected ${noun(issue.expected)}`;
      if (issue.received === 'Infinity' || issue.received === '-Infinity' || issue.received === 'NaN')
        return `expected ${noun(issue.expected)}, got a number too large to use`;
      return `expected ${noun(issue.expected)}, got ${show(issue.input)}`;
    case 'too_small':
    case 'too_big':
      return bound(issue);
    case 'unrecognized_keys':
      return unknownKey(issue.keys[0] ?? '', allowedKeys);
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${show(issue.input)}`;
    case 'invalid_union': {
      const options = (issue as { options?: unknown[] }).options;
      const discriminator = (issue as { discriminator?: string }).discriminator;
      if (discriminator !== undefined && options !== undefined) {
        const input = issue.input as Record<string, unknown> | undefined;
        const got = input !== null && typeof input === 'object' ? input[discriminator] : input;
        return `expected one of ${options.map((o) => JSON.stringify(o)).join(', ')}, got ${show(got)}`;
      }
      return withGot(issue.message, issue.input);
    }
    case 'invalid_format':
    case 'custom':
      return withGot(issue.message, issue.input);
    default:
      return issue.message;
  }
}

function bound(issue: Issue & { code: 'too_small' | 'too_big' }): string {
  const small = issue.code === 'too_small';
  const limit = Number(small ? issue.minimum : issue.maximum);
  switch (issue.origin) {
    case 'array':
      return small ? `needs at least ${limit} entr${limit === 1 ? 'y' : 'ies'}` : `has more than ${limit} entries`;
    case 'string':
      return small ? `needs at least ${limit} character${limit === 1 ? '' : 's'}` : `is longer than ${limit} characters`;
    default: {
      const op = small ? (issue.inclusive ? '≥' : '>') : issue.inclusive ? '≤' : '<';
      return `must be ${op} ${formatNumber(limit)}, got ${show(issue.input)}`;
    }
  }
}

function unknownKey(key: string, allowed: readonly string[] | undefined): string {
  if (allowed === undefined || allowed.length === 0) return `unknown key "${key}"`;
  const near = closest(key, allowed);
  const hint = near !== undefined ? ` (did you mean "${near}"?)` : '';
  return `unknown key "${key}"${hint}; allowed here: ${allowed.join(', ')}`;
}

/** Appends ", got <value>" unless the message already says what it got. */
function withGot(message: string, input: unknown): string {
  if (input === undefined || /\bgot\b|^is /.test(message)) return message;
  if (typeof input === 'object' && input !== null) return message;
  return `${message}, got ${show(input)}`;
}

function noun(expected: string): string {
  const nouns: Record<string, string> = {
    number: 'a number',
    int: 'an integer',
    string: 'a string',
    object: 'a mapping (key: value lines)',
    array: 'a list',
    boolean: 'true or false',
  };
  return nouns[expected] ?? expected;
}

/** A short rendering of a YAML value for messages. */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null (an empty value)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return String(value);
}

function formatNumber(n: number): string {
  if (Math.abs(n) >= 1e15 || (Math.abs(n) < 1e-6 && n !== 0)) return n.toExponential();
  return String(n);
}

/** The allowed key closest to `key` by edit distance, when it is close enough to be a typo. */
function closest(key: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(key.length / 3)) + 1;
  for (const candidate of allowed) {
    const d = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

type Def = { type: string; shape?: Record<string, unknown>; innerType?: unknown; in?: unknown; element?: unknown; options?: unknown[]; discriminator?: string };
const defOf = (schema: unknown): Def | undefined => (schema as { _zod?: { def?: Def } } | undefined)?._zod?.def;

/**
 * The keys a strict object accepts at `path` of `schema`, following the input
 * `data` through discriminated unions. Undefined when the path does not lead
 * to an object schema (the message then just names the key).
 */
export function allowedKeysAt(schema: unknown, path: readonly PropertyKey[], data: unknown): string[] | undefined {
  let node: unknown = schema;
  let value: unknown = data;
  for (let i = 0; ; ) {
    const def = defOf(node);
    if (def === undefined) return undefined;
    if (def.type === 'optional' || def.type === 'default' || def.type === 'nullable' || def.type === 'readonly') node = def.innerType;
    else if (def.type === 'pipe') node = def.in;
    else if (def.type === 'union') {
      const options = def.options ?? [];
      const key = def.discriminator;
      const tag = key !== undefined && value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
      node = options.find((o) => defOf(o)?.type === 'object' && (key === undefined || literalOf(defOf(o)?.shape?.[key]) === tag));
    } else if (i === path.length) return def.type === 'object' ? Object.keys(def.shape ?? {}) : undefined;
    else {
      const part = path[i++];
      value = value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[part as PropertyKey] : undefined;
      if (def.type === 'object') node = def.shape?.[String(part)];
      else if (def.type === 'array') node = def.element;
      else return undefined;
    }
  }
}

function literalOf(schema: unknown): unknown {
  const values = (defOf(schema) as { values?: unknown[] } | undefined)?.values;
  return values?.[0];
}
