/**
 * The CI examples (examples/ci/) are copied as they are, so every hotbench
 * command and flag they use must exist: each file is parsed as YAML, its
 * shell lines searched for `hotbench <command> --flag ...`, and each command
 * and flag looked up in what the CLI itself answers to `--help`. The parts
 * the examples promise (PostgreSQL and Redis services, the data folder
 * cached, JUnit reports, the HTML report kept) are checked to be there.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { parse } from 'yaml';
import { packageRoot } from '../scenarios/index.js';
import { runCli } from './support/cli.js';

const dir = join(packageRoot(), 'examples', 'ci');

interface Invocation {
  readonly file: string;
  readonly command: string;
  readonly flags: readonly string[];
  readonly text: string;
}

/** Every string under `node` whose key is a shell-script key (`run`, `script`, `before_script`, `after_script`). */
function shellTexts(node: unknown, key = ''): string[] {
  if (typeof node === 'string') return ['run', 'script', 'before_script', 'after_script'].includes(key) ? [node] : [];
  if (Array.isArray(node)) return node.flatMap((n) => shellTexts(n, key));
  if (node !== null && typeof node === 'object') return Object.entries(node).flatMap(([k, v]) => shellTexts(v, k));
  return [];
}

/** `hotbench <command> ...` in shell text (continuations joined, up to the next ; & | or line end). */
function invocations(file: string, texts: readonly string[]): Invocation[] {
  const out: Invocation[] = [];
  for (const text of texts) {
    const joined = text.replace(/\\\n/g, ' ');
    for (const m of joined.matchAll(/\bhotbench\s+([a-z][a-z-]*)([^;&|\n]*)/g)) {
      const flags = [...m[2]!.matchAll(/(?:^|\s)--([a-z0-9][a-z0-9-]*)/g)].map((f) => f[1]!);
      out.push({ file, command: m[1]!, flags, text: m[0].trim() });
    }
  }
  return out;
}

/** The shapes of the two files this test reads (YAML parses to plain objects). */
interface Step { readonly uses?: string; readonly with?: Record<string, unknown> }
interface GithubWorkflow { readonly jobs: { readonly bench: { readonly services: Record<string, unknown>; readonly env: Record<string, string>; readonly steps: readonly Step[] } } }
interface GitlabJob { readonly services: readonly { alias: string }[]; readonly variables: Record<string, unknown>; readonly cache: { readonly paths: readonly string[] }; readonly artifacts: { readonly reports: { readonly junit: string } } }

const docs = {
  github: parse(readFileSync(join(dir, 'github-actions.yml'), 'utf8')) as GithubWorkflow,
  gitlab: parse(readFileSync(join(dir, 'gitlab-ci.yml'), 'utf8')) as { readonly hotbench: GitlabJob },
};
const used = [...invocations('github-actions.yml', shellTexts(docs.github)), ...invocations('gitlab-ci.yml', shellTexts(docs.gitlab))];

/** The flags `hotbench <command> --help` lists. */
const helpFlags = new Map<string, Set<string>>();
let commands = new Set<string>();

beforeAll(async () => {
  const top = await runCli(['--help']);
  expect(top.code).toBe(0);
  commands = new Set([...top.stdout.matchAll(/^\s+hotbench ([a-z][a-z-]*)/gm)].map((m) => m[1]!));
  const asked = [...new Set(used.map((u) => u.command))].filter((c) => commands.has(c));
  const helps = await Promise.all(asked.map((command) => runCli([command, '--help'])));
  asked.forEach((command, i) => {
    expect(helps[i]!.code, `${command} --help`).toBe(0);
    helpFlags.set(command, new Set([...helps[i]!.stdout.matchAll(/--([a-z0-9][a-z0-9-]*)/g)].map((m) => m[1]!)));
  });
}, 180_000); // each --help is a Node start with the CLI's imports: ~10 s apiece on this shared machine

it('finds the hotbench invocations the examples promise (run with --repeat 3 and --junit, compare against merge-base with --junit)', () => {
  for (const file of ['github-actions.yml', 'gitlab-ci.yml']) {
    const mine = used.filter((u) => u.file === file);
    const run = mine.find((u) => u.command === 'run');
    const compare = mine.find((u) => u.command === 'compare');
    expect(run?.text, file).toMatch(/--repeat 3\b/);
    expect(run?.flags, file).toContain('junit');
    expect(compare?.text, file).toMatch(/--baseline merge-base\b/);
    expect(compare?.flags, file).toContain('junit');
  }
});

it('uses only commands and flags the CLI has', () => {
  expect(commands.size).toBeGreaterThan(5);
  const missing: string[] = [];
  for (const u of used) {
    if (!commands.has(u.command)) missing.push(`${u.file}: hotbench ${u.command} (no such command)`);
    else for (const f of u.flags) if (!helpFlags.get(u.command)!.has(f)) missing.push(`${u.file}: hotbench ${u.command} --${f} (no such flag)`);
  }
  expect(missing).toEqual([]);
});

it('starts PostgreSQL and Redis, caches the data folder, keeps the JUnit files and report.html (GitHub Actions)', () => {
  const job = docs.github.jobs.bench;
  expect(Object.keys(job.services).sort()).toEqual(['postgres', 'redis']);
  const step = (action: string) => job.steps.find((s) => String(s.uses).startsWith(`${action}@`));
  expect(step('actions/cache')?.with?.['path']).toBe(job.env['HOTBENCH_HOME']);
  expect(step('actions/upload-artifact')?.with?.['path']).toMatch(/report\.html$/);
  expect(step('actions/checkout')?.with?.['fetch-depth']).toBe(0);
});

it('starts PostgreSQL and Redis, caches the data folder, reports the JUnit files (GitLab CI)', () => {
  const job = docs.gitlab.hotbench;
  expect(job.services.map((s) => s.alias).sort()).toEqual(['postgres', 'redis']);
  expect(job.cache.paths).toEqual([`${job.variables['HOTBENCH_HOME']}/`]);
  expect(job.artifacts.reports.junit).toBe('hotbench-*.xml');
  expect(job.variables['GIT_DEPTH']).toBe(0);
});
