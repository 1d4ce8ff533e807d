/**
 * Malformed scenario files and malformed flags, through the compiled CLI:
 * each gets one clear line per problem and a non-zero exit; none crashes
 * (no stack trace, no signal) or hangs (a time limit per case), and none
 * runs the command anyway (nothing on stdout). `--dry-run`
 * where it applies, so no server is contacted.
 */
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hasStackTrace, runCli } from './support/cli.js';
import { seededRandom } from './support/ops.js';

const dir = mkdtempSync(join(tmpdir(), 'hbt-bad-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const data = ['--data-dir', join(dir, 'data'), '--out', join(dir, 'out')];

/** A complete, valid scenario; cases break one thing in it. */
const VALID = `name: ok
description: one account, steady charges
accounts: { count: 10, balance: 1000, floor: 0 }
phases:
  - { name: steady, duration: 2s, arrival: { process: constant, rate: 10 } }
mix: { charge: 1 }
`;

interface Case {
  readonly name: string;
  /** Writes the file (returns its path) or gives the CLI arguments. */
  readonly args: () => string[];
  /** Each stderr line, in order. */
  readonly lines: readonly RegExp[];
  /** Expected exit code. Default 2. */
  readonly code?: number;
}

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const scenario = (name: string, content: string | Buffer) => () => ['run', '--scenario', file(name, content), '--dry-run', ...data];
const at = (name: string, rest = '') => new RegExp(`^(hotbench: )?\\S*${name.replace('.', '\\.')}:\\d+:\\d+: ${rest}`);
const whole = (name: string, rest: string) => new RegExp(`^hotbench: \\S*${name.replace('.', '\\.')}: ${rest}`);

const random = seededRandom(42);
const garbage = Buffer.from(Array.from({ length: 4096 }, () => Math.floor(random() * 256)));
const aliasBomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...'bcdefghi'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`)].join('\n');

const SCENARIO_CASES: Case[] = [
  { name: 'an empty file', args: scenario('empty.yaml', ''), lines: [whole('empty.yaml', 'is empty: expected a scenario')] },
  { name: 'only comments', args: scenario('comments.yaml', '# nothing\n# here\n'), lines: [whole('comments.yaml', 'is empty')] },
  {
    name: 'wrong types',
    args: scenario('types.yaml', VALID.replace('count: 10', 'count: "ten"').replace('rate: 10', 'rate: [10]')),
    lines: [at('types.yaml', 'accounts\\.count: expected a number, got "ten"'), at('types.yaml', 'phases\\[0\\]\\.arrival\\.rate: expected a rate')],
  },
  { name: 'a negative rate', args: scenario('negative.yaml', VALID.replace('rate: 10', 'rate: -10')), lines: [at('negative.yaml', 'phases\\[0\\]\\.arrival\\.rate: ')] },
  {
    name: 'unknown keys, top level and nested',
    args: scenario('unknown.yaml', `${VALID}pg_url: postgres://x\n`.replace('rate: 10 }', 'rate: 10, speed: 3 }')),
    lines: [at('unknown.yaml', 'phases\\[0\\]\\.arrival\\.speed: unknown key'), at('unknown.yaml', 'pg_url: unknown key')],
  },
  {
    name: 'huge numbers',
    args: scenario('huge.yaml', VALID.replace('count: 10', 'count: 1e300').replace('balance: 1000', 'balance: 9007199254740993').replace('rate: 10', 'rate: 1e308')),
    // One line per problem: the schema's bound, not also the safe-integer bound z.int() checks.
    lines: [at('huge.yaml', 'accounts\\.count: must be ≤ 1000000, got 1e\\+300$'), at('huge.yaml', 'accounts\\.balance: must be ≤ 1e\\+15, '), at('huge.yaml', 'phases\\[0\\]\\.arrival\\.rate: must be ≤ 10000000, got 1e\\+308$')],
  },
  { name: 'NaN and Infinity', args: scenario('nan.yaml', VALID.replace('rate: 10', 'rate: .nan').replace('count: 10', 'count: .inf')), lines: [at('nan.yaml', 'accounts\\.count'), at('nan.yaml', 'phases\\[0\\]\\.arrival\\.rate')] },
  { name: 'empty phases', args: scenario('nophases.yaml', VALID.replace(/phases:\n.*\n/, 'phases: []\n')), lines: [at('nophases.yaml', 'phases: ')] },
  { name: 'non-UTF-8 bytes', args: scenario('latin1.yaml', Buffer.concat([Buffer.from('name: caf'), Buffer.from([0xe9]), Buffer.from('\n')])), lines: [whole('latin1.yaml', 'is not UTF-8 text \\(invalid byte 0xe9 at line 1, byte offset 9\\)')] },
  { name: 'binary garbage', args: scenario('garbage.yaml', garbage), lines: [whole('garbage.yaml', 'is not UTF-8 text')] },
  {
    name: 'NUL and control bytes (valid UTF-8), three keys missing',
    args: scenario('nul.yaml', 'name: a\u0000b\u0007\ndescription: x\n'),
    lines: [at('nul.yaml', 'accounts: missing'), at('nul.yaml', 'phases: missing'), at('nul.yaml', 'mix: missing'), at('nul.yaml', 'name: expected a name .*got "a\\\\u0000b\\\\u0007"$')],
  },
  {
    name: 'a 50 MB file (refused unread)',
    args: () => {
      const path = join(dir, 'big.yaml');
      writeFileSync(path, '');
      truncateSync(path, 50 * 1024 * 1024);
      return ['run', '--scenario', path, '--dry-run', ...data];
    },
    lines: [whole('big.yaml', 'is 52428800 bytes, over the 1048576-byte \\(1 MiB\\) limit')],
  },
  { name: 'deep flow nesting', args: scenario('deepflow.yaml', `name: ${'['.repeat(200_000)}`), lines: [whole('deepflow.yaml', 'nests \\[ \\] or \\{ \\} deeper than 64 levels')] },
  { name: 'deep block nesting', args: scenario('deepblock.yaml', `${'- '.repeat(400_000)}1\n`), lines: [at('deepblock.yaml', 'YAML nesting is too deep')] },
  { name: 'deep indented nesting', args: scenario('deepindent.yaml', Array.from({ length: 1_400 }, (_, i) => `${' '.repeat(i)}a:`).join('\n')), lines: [at('deepindent.yaml', 'YAML nesting is too deep')] },
  { name: 'a YAML alias bomb', args: scenario('bomb.yaml', aliasBomb), lines: [whole('bomb.yaml', 'expands YAML aliases too many times \\(limit 100\\)')] },
  { name: 'nested complex keys (exponential to stringify)', args: scenario('keys.yaml', `${'? '.repeat(100)}a\n`), lines: [at('keys.yaml', 'uses a mapping, list or alias as a key')] },
  { name: 'a !!binary key (an object to JS: yaml would warn on stderr)', args: scenario('binkey.yaml', `${VALID}!!binary aGVsbG8=: 1\n`), lines: [at('binkey.yaml', 'uses a mapping, list or alias as a key')] },
  { name: 'a list instead of a mapping', args: scenario('list.yaml', '- 1\n- 2\n'), lines: [at('list.yaml', '\\(top level\\): expected a mapping')] },
  { name: 'a YAML syntax error', args: scenario('syntax.yaml', 'name: [unclosed\n'), lines: [at('syntax.yaml', 'YAML syntax error')] },
  { name: 'duplicate keys', args: scenario('dup.yaml', `${VALID}name: again\n`), lines: [at('dup.yaml', 'YAML syntax error: Map keys must be unique')] },
  { name: 'a scenario name with markup', args: scenario('markup.yaml', VALID.replace('name: ok', 'name: "<script>x</script>"')), lines: [at('markup.yaml', 'name: expected a name of lowercase letters')] },
  {
    name: 'a directory',
    args: () => {
      mkdirSync(join(dir, 'adir.yaml'), { recursive: true });
      return ['run', '--scenario', join(dir, 'adir.yaml'), '--dry-run', ...data];
    },
    lines: [whole('adir.yaml', 'is a directory')],
  },
  {
    name: 'a FIFO (never opened: it could block forever)',
    args: () => {
      execFileSync('mkfifo', [join(dir, 'fifo.yaml')]);
      return ['run', '--scenario', join(dir, 'fifo.yaml'), '--dry-run', ...data];
    },
    lines: [whole('fifo.yaml', 'is not a regular file')],
  },
  { name: 'a missing file', args: () => ['run', '--scenario', join(dir, 'missing.yaml'), '--dry-run', ...data], lines: [whole('missing.yaml', 'no such file')] },
  { name: 'an unknown built-in', args: () => ['run', '--scenario', 'no-such-scenario', '--dry-run', ...data], lines: [/^hotbench: no-such-scenario: no built-in scenario by that name/] },
  { name: 'an empty --scenario', args: () => ['run', '--scenario', '', '--dry-run', ...data], lines: [/^hotbench: \(no scenario\): an empty name was given/] },
];

const run = (...flags: string[]) => () => ['run', '--dry-run', ...flags, ...data];
const FLAG_CASES: Case[] = [
  { name: '--strategies unknown', args: run('--strategies', 'row-lock,nosuch'), lines: [/^hotbench: .*unknown strategy 'nosuch'/] },
  { name: '--strategies bad parameter', args: run('--strategies', 'aggregate:window=abc'), lines: [/^hotbench: strategy spec 'aggregate:window=abc': bad value for aggregate parameter 'window'/] },
  { name: '--strategies SQL', args: run('--strategies', "row-lock'; DROP TABLE ops; --"), lines: [/^hotbench: /] },
  { name: '--duration word', args: run('--duration', 'soon'), lines: [/^hotbench: --duration: "soon" is not a duration/] },
  { name: '--duration bare number', args: run('--duration', '10'), lines: [/^hotbench: --duration: "10" has no unit/] },
  { name: '--duration zero', args: run('--duration=0s'), lines: [/^hotbench: --duration: "0s" must be a positive duration/] },
  { name: '--duration negative', args: run('--duration=-1s'), lines: [/^hotbench: --duration: "-1s" is not a duration/] },
  { name: '--duration of 5,000 characters (the line is cut, not the message)', args: run('--duration', 'x'.repeat(5_000)), lines: [/^hotbench: --duration: "x{200,}.* …\(\d+ characters cut\)… x+" is not a duration; use e\.g\. 10s, 500ms, 2m\.$/] },
  { name: '--progress not a choice (the command must not run)', args: run('--progress', 'loud'), lines: [/^hotbench: Invalid values: Argument: progress, Given: "loud", Choices: /] },
  { name: '--duration too long', args: run('--duration', '999999h'), lines: [/^hotbench: --duration: "999999h" is too long/] },
  { name: '--rate-scale word', args: run('--rate-scale', 'abc'), lines: [/^hotbench: --rate-scale: the value given \(not a number\) is not a positive number\.$/] },
  { name: '--rate-scale negative', args: run('--rate-scale=-2'), lines: [/^hotbench: --rate-scale: -2 is not a positive number/] },
  { name: '--rate-scale huge', args: run('--rate-scale', '1e308'), lines: [/^hotbench: --rate-scale: 1e\+308 is too large; at most 10000/] },
  { name: '--seed fraction', args: run('--seed', '1.5'), lines: [/^hotbench: --seed: 1\.5 is not a seed/] },
  { name: '--seed beyond 2^53', args: run('--seed', '9007199254740993'), lines: [/^hotbench: --seed: .* is not a seed/] },
  { name: '--seed word', args: run('--seed', 'abc'), lines: [/^hotbench: --seed: the value given \(not a number\) is not a seed/] },
  { name: '--concurrency zero', args: run('--concurrency', '0'), lines: [/^hotbench: --concurrency: 0 is not a positive integer/] },
  { name: '--connections fraction', args: run('--connections', '2.5'), lines: [/^hotbench: --connections: 2\.5 is not a positive integer/] },
  { name: '--repeat too many', args: run('--repeat', '1e9'), lines: [/^hotbench: --repeat: 1000000000 is too large; at most 1000/] },
  { name: '--late-threshold word', args: run('--late-threshold', 'x'), lines: [/^hotbench: --late-threshold: "x" is not a duration/] },
  { name: '--via unknown', args: run('--via', 'smtp'), lines: [/^hotbench: Invalid values: Argument: via, Given: "smtp", Choices: "direct", "http", "http-inprocess" \(see hotbench --help\)$/] },
  { name: '--stack unknown', args: run('--stack', 'nope'), lines: [/^hotbench: --stack: "nope" is not a known stack/] },
  { name: '--fault malformed', args: run('--fault', 'nope'), lines: [/^hotbench: --fault: "nope" is not <part>:<action>@<time>/] },
  { name: '--fault unknown', args: run('--fault', 'kafka:kill@1s'), lines: [/^hotbench: --fault: unknown fault "kafka:kill"/] },
  { name: '--fault empty', args: run('--fault'), lines: [/^hotbench: --fault: no fault given/] },
  { name: '--kafka malformed', args: run('--kafka', 'a b'), lines: [/^hotbench: --kafka: "a b" is not host:port/] },
  { name: '--pg not a URL', args: run('--pg', 'notaurl'), lines: [/^hotbench: --pg: not a URL; give postgres:\/\/user@host:5432\/database\.$/] },
  { name: '--pg wrong scheme', args: run('--pg', 'mysql://u:pw@h/db'), lines: [/^hotbench: --pg: must start with postgres:\/\/ or postgresql:\/\/ \(got mysql:\/\/\)/] },
  { name: '--pg-replica no host', args: run('--pg-replica', 'postgres://'), lines: [/^hotbench: --pg-replica: has no host/] },
  { name: '--redis wrong scheme', args: run('--redis', 'ftp://x'), lines: [/^hotbench: --redis: must start with redis:\/\/ or rediss:\/\//] },
  { name: '--clickhouse not a URL', args: run('--clickhouse', 'zz'), lines: [/^hotbench: --clickhouse: not a URL/] },
  { name: '--out empty', args: () => ['run', '--dry-run', '--out', '', '--data-dir', join(dir, 'data')], lines: [/^hotbench: --out: empty; give a folder/] },
  { name: '--data-dir empty', args: () => ['run', '--dry-run', '--data-dir', '', '--out', join(dir, 'out')], lines: [/^hotbench: --data-dir: empty; give a folder/] },
  { name: '--slo malformed', args: run('--slo', 'p99<x'), lines: [/^hotbench: --slo: "p99<x" is not a limit/] },
  { name: 'an unknown flag', args: run('--no-such-flag'), lines: [/^hotbench: Unknown argument/] },
  { name: 'a stray argument', args: run('--keep-databases', 'maybe'), lines: [/^hotbench: Unknown argument: maybe/] },
  { name: 'an unknown command', args: () => ['frobnicate'], lines: [/^hotbench: Unknown argument: frobnicate \(see hotbench --help\)$/] },
  { name: 'a misspelt command', args: () => ['runz'], lines: [/^hotbench: Unknown argument: runz \(did you mean runs\?\) \(see hotbench --help\)$/] },
  { name: 'no command', args: () => [], lines: [/^hotbench: name a command/] },
  { name: 'report without a run id', args: () => ['report', ...data.slice(0, 2)], lines: [/^hotbench: Not enough non-option arguments: got 0, need at least 1 \(see hotbench --help\)$/] },
  { name: 'report with SQL in the run id', args: () => ['report', "x'; DROP TABLE ops; --", ...data.slice(0, 2)], lines: [/^hotbench: run id "x'; DROP TABLE ops; --" is not valid/] },
  { name: 'report with an overlong run id', args: () => ['report', 'a'.repeat(65), ...data.slice(0, 2)], lines: [/^hotbench: run id "a+" is not valid/] },
  { name: 'report of an unknown run', args: () => ['report', 'no-such-run', ...data.slice(0, 2)], lines: [/^hotbench: no run no-such-run in chdb at /] },
  { name: 'runs with a bad --limit', args: () => ['runs', '--limit', 'abc', ...data.slice(0, 2)], lines: [/^hotbench: --limit: give a whole number of runs/] },
  { name: 'compare with SQL in --baseline', args: () => ['compare', '--baseline', "1' OR '1'='1", ...data.slice(0, 2)], lines: [/^hotbench: --baseline "1' OR '1'='1": give a run id/] },
  { name: 'compare with SQL in --candidate', args: () => ['compare', '--baseline', 'latest', '--candidate', 'a;b', ...data.slice(0, 2)], lines: [/^hotbench: --candidate "a;b": give a run id/] },
];

/** Runs `cases` four at a time (each is a separate CLI process) and checks each. */
async function check(cases: readonly Case[]): Promise<void> {
  const failures: string[] = [];
  for (let i = 0; i < cases.length; i += 4) {
    await Promise.all(
      cases.slice(i, i + 4).map(async (c) => {
        const started = Date.now();
        const res = await runCli(c.args(), { timeoutMs: 30_000 });
        const lines = res.stderr.trim() === '' ? [] : res.stderr.trim().split('\n');
        const problems: string[] = [];
        if (res.signal !== null) problems.push(`ended by ${res.signal} after ${Date.now() - started} ms (hang or crash)`);
        if (res.code !== (c.code ?? 2)) problems.push(`exit ${res.code}, expected ${c.code ?? 2}`);
        if (hasStackTrace(res.stderr) || /internal error/.test(res.stderr)) problems.push('printed a stack or an internal error');
        if (res.stdout.trim() !== '') problems.push(`printed to stdout (the command ran): ${res.stdout.slice(0, 80)}`);
        if (lines.length !== c.lines.length) problems.push(`${lines.length} lines, expected ${c.lines.length}`);
        c.lines.forEach((re, k) => {
          if (!re.test(lines[k] ?? '')) problems.push(`line ${k + 1} does not match ${re}`);
        });
        for (const line of lines) if (line.length > 400) problems.push(`a line of ${line.length} characters`);
        if (problems.length > 0) failures.push(`${c.name}: ${problems.join('; ')}\n    stderr: ${res.stderr.slice(0, 600)}`);
      }),
    );
  }
  expect(failures, failures.join('\n')).toEqual([]);
}

describe('bad input through the CLI', () => {
  it(`malformed scenario files (${SCENARIO_CASES.length} kinds): one line per problem, exit 2, no crash, no hang`, () => check(SCENARIO_CASES), 300_000);
  it(`malformed flags, commands and run ids (${FLAG_CASES.length}): one line each, exit 2, no crash, no hang`, () => check(FLAG_CASES), 300_000);
});
