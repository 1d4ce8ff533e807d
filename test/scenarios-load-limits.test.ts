/**
 * Loading refuses bad files with one clear line and never hangs or crashes:
 * missing files and names, directories, FIFOs, oversized, empty, non-UTF-8,
 * YAML syntax errors (with line:column), alias bombs, deep nesting.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadScenario, MAX_SCENARIO_BYTES, ScenarioError } from '../scenarios/index.js';

const dir = mkdtempSync(join(tmpdir(), 'hb-scenarios-load-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** The error message of loading `ref`, checked to be a clean ScenarioError. */
async function message(ref: string): Promise<string> {
  const err = await loadScenario(ref).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ScenarioError);
  expect((err as Error).name).toBe('ScenarioError');
  return (err as Error).message;
}

/** How the loader shows an absolute path (relative to the working directory when inside it). */
const shown = (path: string) => (relative(process.cwd(), path).startsWith('..') ? path : relative(process.cwd(), path));

describe('loading scenario files', () => {
  it('names the built-ins and says how to give a path when a name is unknown', async () => {
    expect(await message('advertiser-bursts')).toBe(
      'advertiser-bursts: no built-in scenario by that name. Built-in scenarios: advertiser-burst, budget-exhaustion, fleet-bulk, revenue-hot, rider-payouts, settlement. To load your own file, give its path (e.g. ./advertiser-bursts.yaml).',
    );
  });

  it('reports a missing file', async () => {
    const path = join(dir, 'nope.yaml');
    expect(await message(path)).toBe(`${shown(path)}: no such file. Check the path, or give the name of a built-in scenario (\`hotbench scenarios\` lists them).`);
  });

  it('treats anything with a slash or a .yaml/.yml/.json suffix as a path', async () => {
    expect(await message('nope.yml')).toMatch(/^nope\.yml: no such file\./);
    expect(await message('sub/nope')).toMatch(/^sub\/nope: no such file\./);
  });

  it('loads JSON files too', async () => {
    const path = file('json.json', JSON.stringify({ name: 'from-json', description: 'json', accounts: { count: 2, balance: 5 }, phases: [{ duration: 1000, arrival: { process: 'constant', rate: 1 } }], mix: { read: 1 } }));
    const loaded = await loadScenario(path);
    expect(loaded.file).toBe(path);
    expect(loaded.scenario.phases[0]!.duration).toBe(1_000_000); // integer durations are milliseconds, stored as µs
  });

  it('refuses a directory', async () => {
    const sub = join(dir, 'a-dir.yaml');
    mkdirSync(sub);
    expect(await message(sub)).toBe(`${shown(sub)}: is a directory: give the path of a .yaml scenario file inside it`);
  });

  it('refuses a FIFO instead of blocking on it', async () => {
    const fifo = join(dir, 'fifo.yaml');
    execFileSync('mkfifo', [fifo]);
    expect(await message(fifo)).toBe(`${shown(fifo)}: is not a regular file`);
  });

  it('refuses a file over the size cap without reading it (a sparse 3 GiB file)', async () => {
    const big = file('big.yaml', '');
    truncateSync(big, 3 * 1024 ** 3);
    const started = Date.now();
    expect(await message(big)).toBe(
      `${shown(big)}: is ${3 * 1024 ** 3} bytes, over the ${MAX_SCENARIO_BYTES}-byte (1 MiB) limit for a scenario file; describe traffic with phases instead of listing it (or replay a trace file)`,
    );
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('accepts a file just under the cap when it is valid YAML', async () => {
    const body = 'name: padded\ndescription: padded\naccounts: { count: 1, balance: 1 }\nphases: [{ duration: 1s, arrival: { process: constant, rate: 1 } }]\nmix: { charge: 1 }\n';
    const padded = body + '#'.repeat(MAX_SCENARIO_BYTES - body.length - 1) + '\n';
    expect(Buffer.byteLength(padded)).toBe(MAX_SCENARIO_BYTES);
    expect((await loadScenario(file('padded.yaml', padded))).scenario.name).toBe('padded');
    expect(await message(file('over.yaml', padded + '#'))).toMatch(/is 1048577 bytes, over the 1048576-byte \(1 MiB\) limit/);
  });

  it('reports an empty file and a comments-only file as empty', async () => {
    for (const [name, content] of [['empty.yaml', ''], ['comments.yaml', '\n# nothing here\n\n']] as const) {
      const path = file(name, content);
      expect(await message(path)).toBe(`${shown(path)}: is empty: expected a scenario (name, description, accounts, phases, mix); see scenarios/library/ for examples`);
    }
  });

  it('reports bytes that are not UTF-8 with their line', async () => {
    const path = file('latin1.yaml', Buffer.concat([Buffer.from('name: x\ndescription: caf'), Buffer.from([0xe9]), Buffer.from('\n')]));
    expect(await message(path)).toBe(`${shown(path)}: is not UTF-8 text (invalid byte 0xe9 at line 2, byte offset 24): save it as UTF-8`);
  });

  it('reports YAML syntax errors with line:column', async () => {
    const path = file('syntax.yaml', 'name: ok\ndescription: [unclosed\nmix: {}\n');
    const text = await message(path);
    expect(text.split('\n')[0]).toMatch(new RegExp(`^${shown(path).replace(/[.]/g, '\\.')}:\\d+:\\d+: YAML syntax error: `));
  });

  it('reports duplicate keys as YAML errors', async () => {
    const path = file('dup.yaml', 'name: a\nname: b\n');
    expect(await message(path)).toBe(`${shown(path)}:2:1: YAML syntax error: Map keys must be unique`);
  });

  it('refuses a YAML alias bomb', async () => {
    const bomb = ['a: &a [x,x,x,x,x,x,x,x,x,x]', 'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]', 'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]', 'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]', 'e: [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]'].join('\n');
    const path = file('bomb.yaml', bomb + '\n');
    expect(await message(path)).toBe(`${shown(path)}: expands YAML aliases too many times (limit 100)`);
  });

  it('survives absurd block nesting (the parser stops it)', async () => {
    const lines = ['a:', ...Array.from({ length: 1300 }, (_, i) => `${' '.repeat(i + 1)}b:`)];
    const path = file('deep-block.yaml', lines.join('\n') + '\n');
    expect(await message(path)).toMatch(/:\d+:\d+: YAML nesting is too deep$/m);
  });

  it('refuses absurd flow nesting before parsing', async () => {
    const path = file('deep.yaml', '['.repeat(200_000) + ']'.repeat(200_000) + '\n');
    expect(await message(path)).toBe(`${shown(path)}: nests [ ] or { } deeper than 64 levels`);
  });
});
