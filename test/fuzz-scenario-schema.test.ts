/**
 * A seeded fuzzer over the scenario schema (no fuzzing package: a small
 * mutator). It takes the valid built-in scenarios and mutates them: drops,
 * duplicates and renames keys, swaps types, plants extreme numbers (NaN,
 * ±Infinity, -0, 1e308, 2^53+1, negatives, fractions, numbers as strings),
 * grafts deep copies of one part into another, and sometimes plants YAML
 * syntax (tags, anchors, aliases, brackets, NUL, BOM) in the text. Every result must be
 * either a valid scenario whose plan compiles and generates its first ops
 * without throwing, or a ScenarioError whose every issue has the file, a
 * path and a one-line message; never another exception, never a hang.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { compilePlan, generateOps, parseScenario, ScenarioError } from '../scenarios/index.js';
import { builtInNames, libraryDir } from '../scenarios/library.js';
import { seededRandom } from './support/ops.js';

const SEED = Number(process.env['HOTBENCH_FUZZ_SEED'] ?? 20261122);
const CASES = Number(process.env['HOTBENCH_FUZZ_CASES'] ?? 600);
/** Ops generated from each valid mutant. */
const FIRST_OPS = 3_000;
/** Longest any single case may take, ms (a hang shows up as a case far over it). */
const CASE_LIMIT_MS = 3_000;

type Json = null | boolean | number | string | bigint | Json[] | { [k: string]: Json };
type Rand = () => number;

const EXTREMES: Json[] = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 0, 1e308, -1e308, 2n ** 53n + 1n, -1, -100, 0.5, 1e-300, '10', '1e3', 'abc', '', '-0', '10s', true, null];
const TYPE_SWAPS = (value: Json, rand: Rand): Json => {
  const options: Json[] = [String(value), 42, true, null, [], {}, [value], { value }];
  return options[Math.floor(rand() * options.length)]!;
};

function pick<T>(list: readonly T[], rand: Rand): T {
  return list[Math.floor(rand() * list.length)]!;
}

/** Every (container, key) pair in `doc`, containers included: where a mutation can land. */
function slots(doc: Json): { parent: Json[] | { [k: string]: Json }; key: string | number }[] {
  const out: { parent: Json[] | { [k: string]: Json }; key: string | number }[] = [];
  const walk = (node: Json, depth: number): void => {
    if (depth > 12 || node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) node.forEach((child, i) => (out.push({ parent: node, key: i }), walk(child, depth + 1)));
    else {
      for (const [k, child] of Object.entries(node)) {
        out.push({ parent: node, key: k });
        walk(child, depth + 1);
      }
    }
  };
  walk(doc, 0);
  return out;
}

const get = (s: { parent: Json[] | { [k: string]: Json }; key: string | number }): Json => (s.parent as Record<string | number, Json>)[s.key]!;
const set = (s: { parent: Json[] | { [k: string]: Json }; key: string | number }, v: Json): void => {
  (s.parent as Record<string | number, Json>)[s.key] = v;
};

/** Applies 1-4 mutations to a deep copy of `base`; returns the YAML text and what was done. */
function mutate(base: Json, rand: Rand): { text: string; did: string[] } {
  const doc = structuredClone(base);
  const did: string[] = [];
  let duplicateLine: string | undefined;
  const count = 1 + Math.floor(rand() * 4);
  for (let m = 0; m < count; m++) {
    const all = slots(doc);
    if (all.length === 0) break;
    const slot = pick(all, rand);
    const what = Math.floor(rand() * 7);
    const at = String(slot.key);
    if (what === 0 && !Array.isArray(slot.parent)) {
      delete (slot.parent as Record<string, Json>)[at];
      did.push(`drop ${at}`);
    } else if (what === 1 && !Array.isArray(slot.parent)) {
      const renamed = pick([`${at}_x`, at.toUpperCase(), `${at} `, at.replace(/_/g, '-'), `x${at}`], rand);
      const value = get(slot);
      delete (slot.parent as Record<string, Json>)[at];
      (slot.parent as Record<string, Json>)[renamed] = value;
      did.push(`rename ${at} → ${JSON.stringify(renamed)}`);
    } else if (what === 2) {
      set(slot, TYPE_SWAPS(get(slot), rand));
      did.push(`swap type of ${at}`);
    } else if (what === 3 || what === 4) {
      const v = pick(EXTREMES, rand);
      set(slot, v);
      did.push(`${at} = ${String(v)}`);
    } else if (what === 5) {
      // Graft a deep copy of another part here (a phase into the amounts, the whole doc into a phase...).
      const donor = get(pick(all, rand));
      set(slot, structuredClone(donor));
      did.push(`graft a copy into ${at}`);
    } else if (Array.isArray(slot.parent)) {
      const copies = Math.floor(rand() * 50) + 1;
      slot.parent.push(...Array.from({ length: copies }, () => structuredClone(get(slot))));
      did.push(`repeat an item of a list ${copies} times`);
    } else {
      duplicateLine = stringify({ [at]: get(slot) ?? null }, { collectionStyle: 'flow', lineWidth: 0 }).trimEnd();
      did.push(`duplicate key ${at}`);
    }
  }
  let text = stringify(doc, { aliasDuplicateObjects: false, lineWidth: 0 });
  if (duplicateLine !== undefined && rand() < 0.5) text += `${duplicateLine}\n`;
  if (rand() < 0.2) {
    // A few YAML-significant characters planted in the text: syntax errors, tags, anchors, aliases.
    for (let k = 1 + Math.floor(rand() * 3); k > 0; k--) {
      const at = Math.floor(rand() * (text.length + 1));
      const ch = pick([':', '[', '{', '&x ', '*x', '!!str ', '!!binary ', '%YAML 1.1\n', '? ', '- ', '\t', '"', "'", '#', '|\n', '<<: *x\n', '\u0000', '\ufeff'], rand);
      text = text.slice(0, at) + ch + text.slice(at);
    }
    did.push('planted YAML syntax');
  }
  return { text, did };
}

describe('scenario schema fuzzing', () => {
  it(`${CASES} mutants of the built-in scenarios: a valid plan or one-line issues with file and path, nothing else`, async () => {
    const names = await builtInNames();
    const bases = names.map((n) => parse(readFileSync(join(libraryDir(), `${n}.yaml`), 'utf8')) as Json);
    const rand = seededRandom(SEED);
    const outcome = { valid: 0, refused: 0, issues: 0 };
    const failures: string[] = [];
    let slowest = 0;
    // A process warning is a stray line on the CLI's stderr (yaml warns about non-string keys).
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(w.message.slice(0, 200));
    process.on('warning', onWarning);
    const started = Date.now();
    for (let i = 0; i < CASES; i++) {
      const { text, did } = mutate(pick(bases, rand), rand);
      const file = `fuzz-${i}.yaml`;
      const t0 = Date.now();
      try {
        const scenario = parseScenario(text, file);
        const plan = compilePlan({ scenario, file });
        let n = 0;
        let last = 0;
        for (const op of generateOps(plan)) {
          const sane =
            op.id === n &&
            Number.isSafeInteger(op.amount) &&
            Number.isSafeInteger(op.at) &&
            op.at >= last &&
            op.at <= plan.durationUs &&
            Number.isInteger(op.account) &&
            op.account >= 0 &&
            op.account < plan.accounts.length;
          if (!sane) throw new Error(`op ${n} is malformed: ${JSON.stringify(op)}`);
          last = op.at;
          if (++n >= FIRST_OPS) break;
        }
        outcome.valid += 1;
      } catch (err) {
        if (!(err instanceof ScenarioError)) {
          failures.push(`case ${i} (${did.join(', ')}): ${(err as Error).name}: ${(err as Error).message.split('\n')[0]}`);
        } else {
          outcome.refused += 1;
          outcome.issues += err.issues.length;
          if (err.issues.length === 0) failures.push(`case ${i}: a ScenarioError with no issue`);
          for (const issue of err.issues) {
            const bad =
              issue.file !== file ||
              typeof issue.path !== 'string' ||
              typeof issue.message !== 'string' ||
              issue.message.trim() === '' ||
              /[\r\n]/.test(issue.message) ||
              /[\r\n]/.test(issue.path) ||
              issue.message.length > 400 ||
              /\bat \S+ \(/.test(issue.message);
            if (bad) failures.push(`case ${i} (${did.join(', ')}): malformed issue ${JSON.stringify(issue).slice(0, 300)}`);
          }
          const lines = err.message.split('\n');
          if (lines.length !== err.issues.length) failures.push(`case ${i}: ${err.issues.length} issues but ${lines.length} lines`);
        }
      }
      const took = Date.now() - t0;
      slowest = Math.max(slowest, took);
      if (took > CASE_LIMIT_MS) failures.push(`case ${i} (${did.join(', ')}): took ${took} ms`);
    }
    const totalMs = Date.now() - started;
    await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
    process.off('warning', onWarning);
    expect(warnings).toEqual([]);
    console.log(`fuzz seed ${SEED}: ${CASES} cases in ${totalMs} ms (slowest ${slowest} ms): ${outcome.valid} valid, ${outcome.refused} refused with ${outcome.issues} issues`);
    expect(failures, failures.slice(0, 20).join('\n')).toEqual([]);
    // The fuzzer reaches both sides of the schema (a mutator that only ever breaks files proves little).
    expect(outcome.valid).toBeGreaterThan(CASES * 0.03);
    expect(outcome.refused).toBeGreaterThan(CASES * 0.5);
  }, 120_000);
});
