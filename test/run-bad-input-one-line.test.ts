/**
 * Bad input gets one clear line and a non-zero exit, never a stack trace
 * : a missing scenario file, a YAML syntax error, an
 * unknown strategy, an unreachable --pg or --clickhouse.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hasStackTrace, runCli } from './support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'hotbench-bad-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the CLI and checks: non-zero exit, no stack, and `count` lines (one per problem) each matching `pattern`. */
async function expectOneLine(args: string[], pattern: RegExp, count = 1): Promise<string> {
  const res = await runCli([...args, '--data-dir', dir, '--out', join(dir, 'out')], { timeoutMs: 60_000 });
  expect(res.code, res.stderr).not.toBe(0);
  expect(res.code).not.toBeNull();
  expect(hasStackTrace(res.stderr)).toBe(false);
  const lines = res.stderr.trim().split('\n');
  expect(lines, res.stderr).toHaveLength(count);
  for (const line of lines) expect(line).toMatch(pattern);
  return lines[0]!;
}

describe('bad input', () => {
  it('a missing scenario file', async () => {
    await expectOneLine(['run', '--scenario', join(dir, 'nope.yaml')], /nope\.yaml: no such file.*built-in scenario/);
  });

  it('a YAML syntax error names the file, line and column', async () => {
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, 'name: broken\ndescription: "unterminated\n');
    await expectOneLine(['run', '--scenario', file, '--dry-run'], /broken\.yaml:\d+:\d+: YAML syntax error/);
  });

  it('a scenario with several problems lists each on its own line, all at once', async () => {
    const file = join(dir, 'several.yaml');
    writeFileSync(file, 'name: several\ndescription: x\naccounts: { count: 10, balance: 100, floor: 0 }\nphases:\n  - name: a\n    duration: 5s\n    arrival: { process: constant, rate: -3 }\nmix: { charge: 1 }\namounts: { default: { distribution: fixed, value: 1 } }\nbogus: 1\n');
    await expectOneLine(['run', '--scenario', file, '--dry-run'], /several\.yaml:\d+:\d+: /, 2);
  });

  it('an unknown strategy lists the known ones', async () => {
    await expectOneLine(['run', '--strategies', 'row-lock,nosuch', '--dry-run'], /unknown strategy 'nosuch'.*row-lock/);
  });

  it('an unreachable --pg names PostgreSQL and hides the password', async () => {
    const line = await expectOneLine(['run', '--strategies', 'row-lock', '--duration', '1s', '--pg', 'postgres://bob:hunter2secret@127.0.0.1:1/db'], /PostgreSQL at .*127\.0\.0\.1:1.* is unreachable/);
    expect(line).not.toContain('hunter2secret');
  });

  it('an unreachable --clickhouse names ClickHouse and hides the password', async () => {
    const line = await expectOneLine(['run', '--strategies', 'row-lock', '--duration', '1s', '--clickhouse', 'http://default:hunter2secret@127.0.0.1:1'], /ClickHouse.*127\.0\.0\.1:1/);
    expect(line).not.toContain('hunter2secret');
  });

  it('a malformed flag value', async () => {
    await expectOneLine(['run', '--duration', 'soon', '--dry-run'], /--duration.*not a duration/);
  });

  it('an unknown flag', async () => {
    await expectOneLine(['run', '--no-such-flag', '--dry-run'], /Unknown argument|unknown/i);
  });
});
