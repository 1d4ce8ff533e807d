/**
 * The CI outputs through the real CLI, on two short recorded runs (real
 * PostgreSQL, chdb in a data folder of their own): `run --junit` and
 * `compare --junit` write JUnit XML an XML parser reads back, with one case
 * per strategy × check and per metric; with GITHUB_STEP_SUMMARY set, the
 * Markdown verdict is appended to that file and stdout is what it is
 * without it; `export --format bmf` is Bencher's format and `--format csv`
 * holds every recorded op; `history` lists both runs by revision.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { z } from 'zod';
import { tempDataDir } from './compare-fixture.js';
import { runCli, type CliResult } from './support/cli.js';
import { PG_URL } from './support/database.js';

const dir = tempDataDir('hbt-ci-cli-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const store = ['--data-dir', join(dir, 'data')];
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name) });

interface Case { name: string; failure?: { message: string }; skipped?: { message: string } }
interface Doc { testsuites: { tests: string; failures: string; skipped: string; testsuite: { name: string; testcase: Case[] }[] } }

const runIds: string[] = [];
let firstRun: CliResult;

async function record(n: number): Promise<CliResult> {
  const result = await runCli(
    ['run', '--pg', PG_URL, ...store, '--out', join(dir, 'out'), '--strategies', 'atomic', '--duration', '2s', '--rate-scale', '0.1', '--progress', 'off', '--junit', join(dir, `run-${n}.xml`)],
    { env: { GITHUB_STEP_SUMMARY: join(dir, `summary-run-${n}.md`) }, timeoutMs: 240_000 },
  );
  expect(result.code, result.stderr).toBe(0);
  runIds.push(/run (\S+): complete/.exec(result.stderr + result.stdout)![1]!);
  return result;
}

beforeAll(async () => {
  firstRun = await record(1);
  await record(2);
}, 600_000);

it('run --junit: one case per check of the strategy, counts matching, the verdict appended to the step summary', () => {
  const doc = parser.parse(readFileSync(join(dir, 'run-1.xml'), 'utf8')) as Doc;
  const report = JSON.parse(readFileSync(join(dir, 'out', runIds[0]!, 'report.json'), 'utf8')) as { verdict: { pick: string | null; judged: { checks: { rule: string; ok: boolean; outcome?: string; status?: string }[] }[] } };
  const checks = report.verdict.judged[0]!.checks;
  const suite = doc.testsuites.testsuite[0]!;
  expect(suite.name).toBe('atomic [postgres]');
  expect(suite.testcase.map((c) => c.name)).toEqual(checks.map((c) => c.rule));
  // A check whose interval straddles its limit is `uncertain`: skipped with the reason, not failed.
  const uncertain = (c: (typeof checks)[number]): boolean => (c.outcome ?? c.status) === 'uncertain';
  expect(suite.testcase.filter((c) => c.failure).length).toBe(checks.filter((c) => !c.ok && !uncertain(c)).length);
  expect(suite.testcase.filter((c) => c.skipped).length).toBe(checks.filter(uncertain).length);
  expect(Number(doc.testsuites.tests)).toBe(checks.length);
  const summary = readFileSync(join(dir, 'summary-run-1.md'), 'utf8');
  expect(summary).toContain(`### hotbench run ${runIds[0]} (advertiser-burst): pick ${report.verdict.pick ?? 'none'}`);
  expect(firstRun.stdout).not.toContain('### hotbench run');
});

it('compare --junit: one case per metric; the step summary gets the Markdown and stdout stays the same', async () => {
  const args = ['compare', '--baseline', runIds[0]!, '--candidate', runIds[1]!, ...store];
  const plain = await runCli(args);
  const summaryFile = join(dir, 'summary-compare.md');
  const gated = await runCli([...args, '--junit', join(dir, 'compare.xml')], { env: { GITHUB_STEP_SUMMARY: summaryFile } });
  expect(gated.code).toBe(plain.code);
  expect([0, 1, 3]).toContain(gated.code);
  expect(gated.stdout).toBe(plain.stdout);
  expect(readFileSync(summaryFile, 'utf8')).toBe(`${plain.stdout.endsWith('\n') ? plain.stdout : `${plain.stdout}\n`}\n`);
  const doc = parser.parse(readFileSync(join(dir, 'compare.xml'), 'utf8')) as Doc;
  const suite = doc.testsuites.testsuite[0]!;
  expect(suite.name).toBe('atomic [postgres]');
  expect(suite.testcase.map((c) => c.name)).toContain('p99_ack_ms');
  expect(suite.testcase.map((c) => c.name)).toContain('goodput');
  expect(new Set(suite.testcase.map((c) => c.name)).size).toBe(suite.testcase.length);
  expect(Number(doc.testsuites.failures)).toBe(suite.testcase.filter((c) => c.failure).length);
  if (gated.code === 1) expect(Number(doc.testsuites.failures)).toBeGreaterThan(0);
});

it('export --format bmf writes Bencher Metric Format; --format csv every op', async () => {
  const bmf = await runCli(['export', runIds[0]!, '--format', 'bmf', ...store]);
  expect(bmf.code, bmf.stderr).toBe(0);
  const metric = z.object({ value: z.number(), lower_value: z.number().optional(), upper_value: z.number().optional() }).strict();
  const parsed = z.record(z.string().max(1024), z.record(z.string().max(64), metric)).parse(JSON.parse(bmf.stdout));
  expect(Object.keys(parsed)).toEqual(['advertiser-burst/atomic']);
  expect(Object.keys(parsed['advertiser-burst/atomic']!)).toEqual(expect.arrayContaining(['goodput-ops-per-s', 'p99-ack-ms', 'posting-delay-p99-ms', 'overdraft-count']));
  const csv = await runCli(['export', runIds[0]!, '--format', 'csv', ...store]);
  expect(csv.code, csv.stderr).toBe(0);
  const lines = csv.stdout.trimEnd().split('\n');
  expect(lines[0]).toMatch(/^strategy,rep,op_id,kind,/);
  const report = JSON.parse(readFileSync(join(dir, 'out', runIds[0]!, 'report.json'), 'utf8')) as { strategies: { ops: { recorded: number } }[] };
  expect(lines.length - 1).toBe(report.strategies[0]!.ops.recorded);
});

it('history lists both runs of the scenario by revision, and says two runs are too few to find a step', async () => {
  const result = await runCli(['history', '--scenario', 'advertiser-burst', ...store]);
  expect(result.code, result.stderr).toBe(0);
  for (const id of runIds) expect(result.stdout).toContain(id);
  expect(result.stdout).toMatch(/atomic: no change point/);
  expect(result.stdout).toMatch(/2 runs with a value: a step needs about 4 runs on each side/);
  expect(existsSync(join(dir, 'data'))).toBe(true);
});
