/**
 * `hotbench compare` as a CI gate, end to end: three recorded runs of the
 * same strategy label (`sleepy`, 5 repetitions each, 2 s at 100 ops/s on one
 * hot account): two of the same code (2 ms pause), one of a change that made
 * it much slower (1 s pause: unmistakable even on a shared machine whose
 * load alone moves a 2 ms strategy's p99 by hundreds of ms). The compiled
 * CLI must call the slow one a regression (exit 1, p99_ack_ms named in the
 * table and on stderr) and never the identical one (exit 0 or, when the
 * suite's own load makes the repetitions too noisy to rule out a 10% change,
 * 3: inconclusive; never 1), write the Markdown with --out, and print JSON
 * with --json.
 *
 * Why 5 repetitions: the p99 of 200 ops of a 2 ms strategy moves 7–30 ms
 * between repetitions under the suite's own load. With the old range rule
 * and 3 repetitions, identical runs breached 1 run in 5. A regression now
 * needs the bootstrap interval of the change wholly above 0 (with 5 against
 * 5, near-complete separation) and a change of at least the 10% minimum effect.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Comparison } from '../reports/compare/types.js';
import { packageRoot } from '../scenarios/index.js';
import { HOT_SCENARIO, recordRun, sleepyRegistry, tempDataDir } from './compare-fixture.js';
import { hasStackTrace, runCli } from './support/cli.js';

describe('compare catches a planted regression', () => {
  const dir = tempDataDir('hotbench-compare-');
  const ids = { base: '', same: '', slow: '', other: '' };

  beforeAll(async () => {
    const run = (pause: string) => recordRun(sleepyRegistry(pause), dir, { scenario: HOT_SCENARIO, strategies: 'sleepy', duration: '2s', rateScale: 0.1, repeat: 5 });
    ids.base = await run('2ms');
    ids.same = await run('2ms');
    ids.slow = await run('1s');
    ids.other = await recordRun(sleepyRegistry('2ms'), dir, { scenario: join(packageRoot(), 'bench', 'scenarios', 'hot-account.yaml'), strategies: 'sleepy', duration: '1s', rateScale: 0.05 });
  }, 360_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('flags the slower code: exit 1, p99_ack_ms a regression in the table and on stderr', async () => {
    const out = join(dir, 'pr-comment.md');
    const res = await runCli(['compare', '--baseline', ids.base, '--candidate', ids.slow, '--data-dir', dir, '--out', out]);
    expect(res.code, res.stderr).toBe(1);
    expect(res.stdout).toContain('## hotbench compare: ❌');
    expect(res.stdout).toMatch(/\| p99\\_ack\\_ms \| [^|]+ \| [\d,.]+ ms \([^|]+\) \| \+\d+(\.\d)?% \| \+[\d.]+%\.\.\+[\d.]+% \| \+10% \| \*\*REGRESSION\*\* \|/);
    expect(res.stdout).toContain('5 baseline vs 5 candidate repetitions; bootstrap over repetitions (median, seeded)');
    expect(res.stderr).toMatch(/compare: REGRESSION: p99_ack_ms on sleepy: \+\d+(\.\d)?% worse \(95% CI \+[\d.]+% \.\. \+[\d.]+%\): worse beyond noise and beyond the 10% minimum effect \(\+10%\)/);
    expect(readFileSync(out, 'utf8')).toBe(res.stdout);
  }, 60_000);

  it('does not flag two runs of the same code (exit 0 or 3, never 1), and --json carries the same verdicts', async () => {
    const res = await runCli(['compare', '--baseline', ids.base, '--candidate', ids.same, '--data-dir', dir, '--json']);
    expect([0, 3], `${res.stdout}\n${res.stderr}`).toContain(res.code);
    expect(hasStackTrace(res.stderr)).toBe(false);
    const c = JSON.parse(res.stdout) as Comparison;
    expect(c.format).toBe('hotbench-compare/2');
    expect(c.breaches).toEqual([]);
    expect(c.exit_code).toBe(res.code);
    expect(c.same_stream).toBe(true);
    const sleepy = c.strategies.find((s) => s.label === 'sleepy')!;
    expect(sleepy.reps).toEqual({ baseline: 5, candidate: 5 });
    const p99 = sleepy.metrics.find((m) => m.metric === 'p99_ack_ms')!;
    expect(p99.baseline?.n).toBe(5);
    expect(p99.test).toBe('bootstrap');
    expect(['pass', 'inconclusive', 'improved']).toContain(p99.verdict);
    expect(sleepy.metrics.find((m) => m.metric === 'overdraft_count')).toMatchObject({ verdict: 'pass', test: 'cap' });
  }, 60_000);

  it('latest picks the newest complete run other than the candidate, with its scenario', async () => {
    const res = await runCli(['compare', '--baseline', 'latest', '--candidate', ids.same, '--data-dir', dir, '--json']);
    // The newest other run is the slow one: against it the same code is faster, which is no regression.
    expect(res.code, res.stderr).not.toBe(1);
    expect(res.code, res.stderr).not.toBe(2);
    const c = JSON.parse(res.stdout) as Comparison;
    expect(c.baseline.run_id).toBe(ids.slow);
    expect(c.candidate.run_id).toBe(ids.same);
    expect(c.strategies[0]!.metrics.find((m) => m.metric === 'p99_ack_ms')!.verdict).toBe('improved');
    // latest:<branch>: the runs were recorded on this checkout's branch (runs.git_branch).
    const branch = c.candidate.git.branch;
    const onBranch = await runCli(['compare', '--baseline', `latest:${branch}`, '--candidate', ids.same, '--data-dir', dir, '--json']);
    expect((JSON.parse(onBranch.stdout) as Comparison).baseline.run_id, onBranch.stderr).toBe(ids.slow);
    const none = await runCli(['compare', '--baseline', 'latest:no-such-branch', '--candidate', ids.same, '--data-dir', dir]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain(`--baseline latest:no-such-branch: no complete run on branch no-such-branch of scenario capacity-hot-account other than ${ids.same}`);
  }, 90_000);

  it('refuses runs of different scenarios (exit 2, one line) unless --allow-different-scenario', async () => {
    const res = await runCli(['compare', '--baseline', ids.base, '--candidate', ids.other, '--data-dir', dir]);
    expect(res.code).toBe(2);
    expect(res.stderr.trim().split('\n')).toEqual([
      `hotbench: baseline ${ids.base} ran scenario capacity-hot-account but candidate ${ids.other} ran hot-account: refusing to compare different traffic; pass --allow-different-scenario to compare anyway`,
    ]);
    const allowed = await runCli(['compare', '--baseline', ids.base, '--candidate', ids.other, '--data-dir', dir, '--allow-different-scenario', '--json']);
    expect(allowed.code, allowed.stderr).not.toBe(2);
    const c = JSON.parse(allowed.stdout) as Comparison;
    expect(c.same_scenario).toBe(false);
    expect(c.notes[0]).toContain('different scenarios (baseline capacity-hot-account, candidate hot-account)');
    expect(c.strategies[0]!.test).toBe('batch-means'); // 5 repetitions against 1: the single replay's batches
  }, 60_000);
});
