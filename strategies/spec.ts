/**
 * Parses the `--strategies` text into specs and resolves them against a
 * registry.
 *
 * Grammar (whitespace around tokens is ignored):
 *
 *     list     := entry ( ',' entry )*
 *     entry    := strategy | key '=' value      -- a bare key=value continues the
 *                                                 previous strategy's parameters
 *     strategy := name [ '(' strategy ')' ] [ ':' key '=' value ]
 *
 * so `aggregate:window=10ms,max=500,row-lock` is two strategies, and
 * `rate-limit(aggregate:window=10ms,max=500):rate=100` is one composite.
 * A continuation needs a strategy that already opened its parameters with a
 * colon (`row-lock,window=1ms` is an error, not silently row-lock's parameter).
 *
 * Labels are canonical: the name, the inner label in parentheses, then only the
 * parameters whose value differs from the documented default, keys sorted,
 * values printed canonically (durations with their largest whole unit). So the
 * same configuration always gets the same label however it was written
 * (`aggregate:max=500,window=10000us` and `aggregate:window=10ms,max=500`
 * both become `aggregate:max=500,window=10ms`), and a label is itself a valid
 * spec. The full resolved parameters are recorded beside the label, so
 * dropping defaults loses nothing. Labels may only contain `[a-z0-9:=,.()_-]`.
 */
import { z } from 'zod';
import type { Need, Strategy } from './contract.js';
import { paramInfo } from './params.js';
import type { AnyStrategyDefinition, StrategyRegistry } from './registry.js';

/** A spec that cannot be parsed or resolved. `.message` is one line naming the spec, the problem and the fix. */
export class SpecError extends Error {
  override readonly name = 'SpecError';
}

/** One parsed strategy spec, not yet checked against a registry. */
export interface SpecNode {
  readonly name: string;
  /** Parameters in the order given, values as text. */
  readonly params: [key: string, value: string][];
  readonly inner?: SpecNode;
  /** Whether a `:` opened a parameter list (a following `key=value` entry may continue it). */
  readonly colon: boolean;
}

/** A strategy spec resolved against a registry: validated parameters, canonical label, factory. */
export interface ResolvedStrategy {
  /** Canonical label, e.g. `aggregate:max=500,window=10ms` (see module docs). */
  readonly label: string;
  readonly definition: AnyStrategyDefinition;
  /** The parameters parsed by the definition's schema, defaults filled in. */
  readonly params: unknown;
  readonly inner?: ResolvedStrategy;
  /** A new, not yet set up instance (with a new inner instance for a composite). */
  create(): Strategy;
}

/** The characters a label may contain. */
export const LABEL_PATTERN = /^[a-z0-9:=,.()_-]+$/;
const NAME = /^[a-z][a-z0-9-]*$/;
const KEY = /^[a-z][a-z0-9_-]*$/;

/** Parses a strategy list; throws {@link SpecError}. */
export function parseStrategyList(text: string): SpecNode[] {
  const fail = (problem: string): never => {
    throw new SpecError(`strategy spec '${text}': ${problem}`);
  };
  checkParentheses(text, fail);
  return parseList(text, fail);
}

function checkParentheses(text: string, fail: (problem: string) => never): void {
  const open: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') open.push(i);
    else if (text[i] === ')' && open.pop() === undefined) fail(`unbalanced parentheses: the ')' at position ${i + 1} closes nothing`);
  }
  const unclosed = open.pop();
  if (unclosed !== undefined) fail(`unbalanced parentheses: the '(' at position ${unclosed + 1} is never closed`);
}

/** Splits at commas outside parentheses. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim());
}

function parseList(text: string, fail: (problem: string) => never): SpecNode[] {
  if (text.trim() === '') fail('no strategy given (e.g. row-lock,atomic)');
  const nodes: SpecNode[] = [];
  let previous = '';
  for (const segment of splitTopLevel(text)) {
    if (segment === '') fail(previous === '' ? 'empty entry at the start (a leading comma?)' : `empty entry after '${previous}' (two commas in a row, or a trailing comma?)`);
    const last = nodes[nodes.length - 1];
    if (segment.includes('=') && !segment.includes(':') && !segment.includes('(')) {
      if (last === undefined) fail(`'${segment}' comes before any strategy; parameters follow a strategy and a colon, e.g. aggregate:${segment}`);
      if (!last.colon) fail(`'${segment}' is not a strategy; parameters follow a colon: ${last.name}${last.inner ? '(...)' : ''}:${segment}`);
      addParam(last, segment, fail);
    } else {
      nodes.push(parseStrategy(segment, fail));
    }
    previous = segment;
  }
  return nodes;
}

function parseStrategy(segment: string, fail: (problem: string) => never): SpecNode {
  const stop = segment.search(/[(:]/);
  const name = (stop < 0 ? segment : segment.slice(0, stop)).trim();
  if (!NAME.test(name)) fail(`'${name}' is not a strategy name (lowercase letters, digits and '-', starting with a letter)`);
  if (stop < 0) return { name, params: [], colon: false };
  let rest = segment.slice(stop);
  let inner: SpecNode | undefined;
  if (rest.startsWith('(')) {
    const close = matchingParen(rest);
    const innerText = rest.slice(1, close).trim();
    if (innerText === '') fail(`'${name}()' has no inner strategy; write ${name}(row-lock) or similar`);
    const inners = parseList(innerText, fail);
    if (inners.length !== 1) fail(`'${name}(${innerText})' wraps ${inners.length} strategies; a composite wraps exactly one`);
    inner = inners[0];
    rest = rest.slice(close + 1).trim();
    if (rest !== '' && !rest.startsWith(':')) fail(`unexpected '${rest}' after '${name}(${innerText})'; parameters follow a colon: ${name}(${innerText}):key=value`);
  }
  const node: SpecNode = { name, params: [], colon: rest.startsWith(':'), ...(inner ? { inner } : {}) };
  if (node.colon) {
    const paramText = rest.slice(1).trim();
    if (paramText.includes('(')) fail(`in '${segment}': parameters come after the inner strategy, e.g. ${name}(row-lock):key=value`);
    if (paramText === '') fail(`'${segment}' has a colon but no parameters; write ${name}:key=value or just ${name}`);
    addParam(node, paramText, fail);
  }
  return node;
}

/** Index of the ')' matching the '(' at index 0 (parentheses were checked to balance). */
function matchingParen(text: string): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return i;
  }
  return text.length;
}

function addParam(node: SpecNode, text: string, fail: (problem: string) => never): void {
  const eq = text.indexOf('=');
  const key = text.slice(0, eq).trim();
  const value = text.slice(eq + 1).trim();
  if (eq < 0 || !KEY.test(key) || value === '' || value.includes('=')) {
    fail(`'${text}' is not a parameter; write key=value (lowercase key), e.g. window=10ms`);
  }
  if (node.params.some(([k]) => k === key)) fail(`parameter '${key}' of ${node.name} is given twice`);
  node.params.push([key, value]);
}

/**
 * Parses and resolves a whole `--strategies` text. Throws {@link SpecError}
 * for the first problem, including the same strategy listed twice (two specs
 * with one canonical label).
 */
export function resolveStrategies(text: string, registry: StrategyRegistry): ResolvedStrategy[] {
  const resolved = parseStrategyList(text).map((node) => resolveSpec(node, registry, text));
  const seen = new Set<string>();
  for (const r of resolved) {
    if (seen.has(r.label)) throw new SpecError(`strategy spec '${text}': '${r.label}' is listed twice (labels are canonical: defaults dropped, keys sorted); list it once`);
    seen.add(r.label);
  }
  return resolved;
}

/**
 * Resolves one parsed spec: finds the definition, checks composite/inner,
 * validates the parameters with the definition's schema and builds the label.
 * `context` is the full text shown in errors.
 */
export function resolveSpec(node: SpecNode, registry: StrategyRegistry, context: string = node.name): ResolvedStrategy {
  const fail = (problem: string): never => {
    throw new SpecError(`strategy spec '${context}': ${problem}`);
  };
  if (!registry.has(node.name)) fail(`unknown strategy '${node.name}'; known strategies: ${registry.names().join(', ')}`);
  const definition = registry.get(node.name);
  if (definition.composite && node.inner === undefined) fail(`'${node.name}' wraps another strategy; write ${node.name}(row-lock) or similar`);
  if (!definition.composite && node.inner !== undefined) fail(`'${node.name}' does not wrap another strategy; remove '(${node.inner.name}...)'`);
  const inner = node.inner === undefined ? undefined : resolveSpec(node.inner, registry, context);
  if (inner !== undefined) {
    const refused = definition.accepts?.({ name: inner.definition.name, label: inner.label, needs: needsOf(inner), layers: layersOf(inner) });
    if (refused !== undefined) fail(`${node.name} cannot wrap ${inner.label}: ${refused}`);
  }

  const shape = definition.params instanceof z.ZodObject ? (definition.params.shape as Record<string, z.ZodType>) : undefined;
  const known = shape === undefined ? [] : Object.keys(shape).sort();
  for (const [key] of node.params) {
    if (shape !== undefined && !(key in shape)) {
      fail(known.length === 0 ? `'${node.name}' takes no parameters (got '${key}')` : `unknown parameter '${key}' for ${node.name}; known parameters: ${known.join(', ')}`);
    }
  }
  const given = Object.fromEntries(node.params);
  const parsed = definition.params.safeParse(given);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = String(issue?.path[0] ?? '');
    const schema = shape?.[key];
    const info = schema === undefined ? undefined : paramInfo(schema);
    // The helpers' description already states bounds; a hand-written schema's own message is the best we have.
    const expected = info?.expected ?? issue?.message ?? 'a valid value';
    fail(key in given ? `bad value for ${node.name} parameter '${key}': '${given[key]}' (expected ${expected})` : `bad parameters for ${node.name}: ${issue?.message ?? 'invalid'}${key ? ` at '${key}'` : ''}`);
  }
  const params: unknown = parsed.data;
  const label = `${node.name}${inner ? `(${inner.label})` : ''}${paramSuffix(definition, shape, params)}`;
  if (!LABEL_PATTERN.test(label)) fail(`label '${label}' may only contain a-z, 0-9 and :=,.()_- ; change the parameter values`);
  return {
    label,
    definition,
    params,
    ...(inner ? { inner } : {}),
    create: () => definition.create(params, inner === undefined ? undefined : { strategy: inner.create(), label: inner.label, create: () => inner.create() }),
  };
}

/** What a resolved spec needs with its parameters, its inner strategies' needs included. */
export function needsOf(r: ResolvedStrategy): Need[] {
  const needs = new Set(r.definition.needsFor ? r.definition.needsFor(r.params) : r.definition.needs);
  if (r.inner) for (const n of needsOf(r.inner)) needs.add(n);
  return [...needs];
}

/** The registry names of every layer of a resolved spec, outermost first. */
export function layersOf(r: ResolvedStrategy): string[] {
  return [r.definition.name, ...(r.inner ? layersOf(r.inner) : [])];
}

/** `:k=v,...` for the parameters that differ from their defaults, keys sorted; '' when none. */
function paramSuffix(definition: AnyStrategyDefinition, shape: Record<string, z.ZodType> | undefined, params: unknown): string {
  if (shape === undefined || typeof params !== 'object' || params === null) return '';
  const defaults = definition.params.safeParse({});
  const defaultValues = (defaults.success ? defaults.data : {}) as Record<string, unknown>;
  const values = params as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of Object.keys(shape).sort()) {
    const value = values[key];
    if (value === undefined) continue;
    if (defaults.success && JSON.stringify(value) === JSON.stringify(defaultValues[key])) continue;
    const schema = shape[key];
    const info = schema === undefined ? undefined : paramInfo(schema);
    parts.push(`${key}=${info ? info.format(value) : String(value)}`);
  }
  return parts.length === 0 ? '' : `:${parts.join(',')}`;
}

/** One row of a strategy's parameter documentation. */
export interface ParamDoc {
  readonly key: string;
  /** The default printed canonically, or undefined when the parameter is required. */
  readonly default: string | undefined;
  /** What a value looks like, e.g. "a positive integer". */
  readonly expected: string;
}

/** The parameters of a definition with defaults and expected values, sorted by key (for `hotbench strategies`). */
export function describeParams(definition: AnyStrategyDefinition): ParamDoc[] {
  if (!(definition.params instanceof z.ZodObject)) return [];
  const shape = definition.params.shape as Record<string, z.ZodType>;
  const defaults = definition.params.safeParse({});
  const defaultValues = (defaults.success ? defaults.data : {}) as Record<string, unknown>;
  return Object.keys(shape)
    .sort()
    .map((key) => {
      const schema = shape[key] as z.ZodType;
      const info = paramInfo(schema);
      const value = defaultValues[key];
      return {
        key,
        default: value === undefined ? undefined : info ? info.format(value) : String(value),
        expected: info?.expected ?? 'see the strategy README',
      };
    });
}
