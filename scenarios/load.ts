/**
 * Loading a scenario: a built-in name or a file path → a validated
 * {@link Scenario}. Every problem (file, YAML syntax, schema) is thrown as one
 * {@link ScenarioError} listing all issues with file, line:column and path.
 */
import { isAbsolute, relative, resolve } from 'node:path';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document } from 'yaml';
import type { z } from 'zod';
import { fileError, formatPath, ScenarioError, type ScenarioIssue } from './errors.js';
import { allowedKeysAt, describeIssue } from './issues.js';
import { builtInNames, libraryDir } from './library.js';
import { readScenarioText } from './read-text.js';
import { OLD_SLO_KEYS, scenarioSchema, type Scenario } from './schema.js';

/** A validated scenario and the file it came from. */
export interface LoadedScenario {
  readonly scenario: Scenario;
  /** Absolute path of the scenario file. */
  readonly file: string;
}

/** Most YAML alias expansions a scenario may use; more is treated as an alias bomb. */
export const MAX_YAML_ALIASES = 100;

/**
 * Loads and validates a scenario. A bare name (no `/`, no `.yaml`/`.yml`/`.json`
 * suffix) is a built-in from `scenarios/library/<name>.yaml`; anything else is
 * a path, relative to the working directory. Throws {@link ScenarioError}.
 */
export async function loadScenario(nameOrPath: string): Promise<LoadedScenario> {
  if (nameOrPath.trim() === '') throw fileError('(no scenario)', 'an empty name was given: give a built-in scenario name (`hotbench scenarios` lists them) or the path of a .yaml file');
  const isPath = /[/\\]/.test(nameOrPath) || /\.(ya?ml|json)$/i.test(nameOrPath);
  if (!isPath) return loadBuiltIn(nameOrPath);
  const absolute = resolve(nameOrPath);
  const shown = displayPath(absolute);
  const text = await readScenarioText(absolute, shown, 'Check the path, or give the name of a built-in scenario (`hotbench scenarios` lists them).');
  return { scenario: parseScenario(text, shown), file: absolute };
}

async function loadBuiltIn(name: string): Promise<LoadedScenario> {
  const names = await builtInNames();
  if (!names.includes(name)) {
    const list = names.length > 0 ? names.join(', ') : '(none found)';
    throw fileError(name, `no built-in scenario by that name. Built-in scenarios: ${list}. To load your own file, give its path (e.g. ./${name}.yaml).`);
  }
  const absolute = resolve(libraryDir(), `${name}.yaml`);
  const text = await readScenarioText(absolute, displayPath(absolute), 'The built-in library is incomplete: reinstall hotbench.');
  return { scenario: parseScenario(text, displayPath(absolute)), file: absolute };
}

/** A path as the user would recognise it: relative to the working directory when inside it. */
function displayPath(absolute: string): string {
  const rel = relative(process.cwd(), absolute);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : absolute;
}

/**
 * Parses and validates scenario text (YAML or JSON). `file` is only used in
 * messages. Throws {@link ScenarioError} with every problem found.
 */
export function parseScenario(text: string, file: string): Scenario {
  if (flowDepth(text) > MAX_FLOW_DEPTH) throw fileError(file, `nests [ ] or { } deeper than ${MAX_FLOW_DEPTH} levels`);
  const lines = new LineCounter();
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, strict: true });
  } catch (err) {
    throw fileError(file, `could not be parsed as YAML (${firstLine(err)})`);
  }
  const at = (offset: number | undefined) => (offset === undefined ? {} : { line: lines.linePos(offset).line, column: lines.linePos(offset).col });
  if (doc.errors.length > 0) {
    const syntax = (e: Error) => (/call stack/i.test(e.message) ? 'YAML nesting is too deep' : `YAML syntax error: ${firstLine(e)}`);
    const issues = doc.errors.map((e) => ({ file, path: '', message: syntax(e), ...at(e.pos[0]) }));
    // One problem, one line: a deep nest makes the parser fail once per level.
    const deep = issues.find((i) => i.message === 'YAML nesting is too deep');
    throw new ScenarioError(deep ? [deep] : issues);
  }
  if (doc.contents === null) throw fileError(file, 'is empty: expected a scenario (name, description, accounts, phases, mix); see scenarios/library/ for examples');
  // A mapping or list used as a key (`? [a]: 1`, `*alias: 1`, `!!binary x: 1`) is stringified by toJS,
  // exponentially in its nesting: 100 nested `? ` (200 bytes) take the process down. No scenario key is
  // anything but a name.
  const complexKey = firstComplexKey(doc);
  if (complexKey !== undefined) {
    throw new ScenarioError([{ file, path: '', message: 'uses a mapping, list or alias as a key: keys are plain names (e.g. `rate: 10`)', ...at(complexKey) }]);
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (err) {
    const why = /alias/i.test(firstLine(err)) ? `expands YAML aliases too many times (limit ${MAX_YAML_ALIASES})` : `could not be read (${firstLine(err)})`;
    throw fileError(file, why);
  }
  const parsed = scenarioSchema.safeParse(data, { reportInput: true });
  if (parsed.success) {
    noteOldSloKeys(parsed.data, file);
    return parsed.data;
  }
  const issues = tightestBounds(parsed.error.issues).flatMap((issue) => toIssues(issue, data, file, (path, key) => at(locate(doc, path, key))));
  throw new ScenarioError(sortByPosition(issues));
}

/** One line on stderr per old `slo` key (before the metric catalog's names): still read, but say the new name. */
function noteOldSloKeys(scenario: Scenario, file: string): void {
  for (const [old, now] of Object.entries(OLD_SLO_KEYS)) {
    if (scenario.slo?.[old as keyof typeof OLD_SLO_KEYS] !== undefined) process.stderr.write(`hotbench: ${file}: slo.${old} is now slo.${now}${old === 'max_reject_share' ? ' (in percent)' : ''}; the old name still works for now.\n`);
  }
}

type Locator = (path: readonly PropertyKey[], atKey: boolean) => { line?: number; column?: number };

function toIssues(issue: z.core.$ZodIssue, data: unknown, file: string, where: Locator): ScenarioIssue[] {
  if (issue.code === 'unrecognized_keys') {
    const allowed = allowedKeysAt(scenarioSchema, issue.path, data);
    return issue.keys.map((key) => {
      const path = [...issue.path, key];
      return { file, path: formatPath(path), message: describeIssue({ ...issue, keys: [key] }, allowed), ...where(path, true) };
    });
  }
  return [{ file, path: formatPath(issue.path) || '(top level)', message: describeIssue(issue), ...where(issue.path, false) }];
}

/**
 * One problem, one line: `z.int()` checks the safe-integer range besides the
 * schema's own bound, so `count: 1e300` fails both; only the tighter bound
 * (the one the user must meet) is reported.
 */
function tightestBounds(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  const bound = (i: z.core.$ZodIssue): number | undefined =>
    i.code === 'too_big' ? Number(i.maximum) : i.code === 'too_small' ? Number(i.minimum) : undefined;
  return issues.filter((issue, i) => {
    const mine = bound(issue);
    if (mine === undefined) return true;
    const key = formatPath(issue.path);
    return !issues.some((other, j) => {
      const theirs = bound(other);
      if (j === i || theirs === undefined || other.code !== issue.code || formatPath(other.path) !== key) return false;
      const tighter = issue.code === 'too_big' ? theirs < mine : theirs > mine;
      return tighter || (theirs === mine && j < i);
    });
  });
}

function sortByPosition(issues: ScenarioIssue[]): ScenarioIssue[] {
  const key = (i: ScenarioIssue) => (i.line ?? Number.MAX_SAFE_INTEGER) * 1e6 + (i.column ?? 0);
  return issues.map((issue, index) => ({ issue, index })).sort((a, b) => key(a.issue) - key(b.issue) || a.index - b.index).map((x) => x.issue);
}

/**
 * Source offset of the node at `path` (of its key when `atKey`), or of the
 * deepest existing ancestor when the path runs out (a missing key points at
 * the mapping that lacks it).
 */
function locate(doc: Document.Parsed, path: readonly PropertyKey[], atKey: boolean): number | undefined {
  let node: unknown = doc.contents;
  let offset = startOf(node);
  for (let i = 0; i < path.length; i++) {
    if (isAlias(node)) node = node.resolve(doc);
    const part = path[i];
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(part));
      if (pair === undefined) break;
      if (i === path.length - 1 && atKey) return startOf(pair.key) ?? offset;
      node = pair.value;
      offset = startOf(pair.value) ?? startOf(pair.key) ?? offset;
    } else if (isSeq(node) && typeof part === 'number') {
      node = node.items[part];
      offset = startOf(node) ?? offset;
    } else break;
  }
  return offset;
}

/** Source offset of the first map key that is not a plain scalar, or undefined. */
function firstComplexKey(doc: Document.Parsed): number | undefined {
  let found: number | undefined;
  visit(doc, {
    Pair(_, pair) {
      // `!!binary` and other tags make even a scalar key an object (and yaml warns on stderr).
      const plain = isScalar(pair.key) && (pair.key.value === null || typeof pair.key.value !== 'object');
      if (pair.key !== null && !plain) {
        found = startOf(pair.key) ?? 0;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}

function startOf(node: unknown): number | undefined {
  const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
  return range?.[0];
}

/** Deepest flow nesting accepted; checked before parsing because the YAML parser recurses on it. */
const MAX_FLOW_DEPTH = 64;

/** Maximum nesting of flow brackets outside quotes and comments (a cheap upper bound, O(n)). */
function flowDepth(text: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '[' || c === '{') max = Math.max(max, ++depth);
    else if (c === ']' || c === '}') depth = Math.max(0, depth - 1);
    else if ((c === '"' || c === "'") && (i === 0 || /[\s[{,:]/.test(text[i - 1] ?? ''))) {
      for (i++; i < text.length && text[i] !== c; i++) if (c === '"' && text[i] === '\\') i++;
    } else if (c === '#' && (i === 0 || /\s/.test(text[i - 1] ?? ''))) {
      while (i < text.length && text[i] !== '\n') i++;
    }
  }
  return max;
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return (text.split('\n')[0] ?? text).trim();
}
