/**
 * `--baseline merge-base`: the newest complete run recorded where HEAD left
 * the branch, else the nearest first-parent ancestor with one (and the
 * output says which and why); never a dirty run, another scenario's, or an
 * incomplete one. Real git repository, real ClickHouse server (a database
 * of its own).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openStore } from '../results/open-store.js';
import type { Store } from '../results/store.js';
import { defaultBranch, resolveMergeBase } from '../reports/compare/merge-base.js';
import { edgeRows } from './recorder-fixture.js';

const CLICKHOUSE_URL = process.env['CLICKHOUSE_URL'] ?? 'http://127.0.0.1:8123';
const database = `hbt_${randomBytes(4).toString('hex')}`;
const repo = mkdtempSync(join(tmpdir(), 'hbt-mb-'));
let store: Store;
const rev: Record<string, string> = {};

function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: repo, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } }).trim();
}
function commit(name: string): void {
  writeFileSync(join(repo, 'f'), name);
  git('add', 'f');
  git('commit', '-qm', name);
  rev[name] = git('rev-parse', 'HEAD');
}

async function record(runId: string, gitRev: string, startedAt: string, options: { scenario?: string; status?: string } = {}): Promise<void> {
  const base = edgeRows(runId).runs[0]!;
  await store.insert('runs', [{ ...base, git_rev: gitRev, started_at: startedAt, scenario: options.scenario ?? 'advertiser-burst', command: 'hotbench run' }]);
  await store.insert('run_ends', [{ run_id: runId, finished_at: startedAt, status: (options.status ?? 'complete') as 'complete', reason: '' }]);
}

beforeAll(async () => {
  git('init', '-q', '-b', 'main');
  commit('A');
  commit('B');
  git('checkout', '-q', '-b', 'feature');
  commit('C');
  git('checkout', '-q', 'main');
  commit('D');
  git('checkout', '-q', 'feature'); // HEAD = C; merge base with main = B
  store = await openStore({ url: CLICKHOUSE_URL, dataDir: repo, database });
  await store.migrate();
});
afterAll(async () => {
  await store?.close();
  await fetch(`${CLICKHOUSE_URL}/`, { method: 'POST', body: `DROP DATABASE IF EXISTS ${database}` });
  rmSync(repo, { recursive: true, force: true });
});

it('picks the ancestor nearest the merge base when none was recorded there, then the merge base newest run once there is one', async () => {
  await record('at-a', rev['A']!, '2026-01-01 10:00:00');
  await record('at-d', rev['D']!, '2026-01-03 10:00:00'); // main moved on: not HEAD's base
  await record('at-c', rev['C']!, '2026-01-03 11:00:00'); // the candidate's own commit
  await record('at-b-dirty', `${rev['B']!}+dirty`, '2026-01-03 12:00:00');
  const older = await resolveMergeBase(store, 'main', { cwd: repo });
  expect(older).toMatchObject({ run_id: 'at-a', rev: rev['A'], merge_base: rev['B'], commits_back: 1, branch: 'main' });
  expect(older.why).toMatch(/1 commit before the merge base .* \(no run at the merge base itself\)/);

  await record('at-b-1', rev['B']!, '2026-01-02 10:00:00');
  await record('at-b-2', rev['B']!, '2026-01-02 11:00:00');
  await record('at-b-failed', rev['B']!, '2026-01-02 12:00:00', { status: 'failed' });
  await record('at-b-other', rev['B']!, '2026-01-02 13:00:00', { scenario: 'settlement' });
  const chosen = await resolveMergeBase(store, undefined, { cwd: repo, scenario: 'advertiser-burst', env: {} });
  expect(chosen).toMatchObject({ run_id: 'at-b-2', rev: rev['B'], commits_back: 0, branch: 'main' });
  expect(chosen.why).toBe(`baseline at-b-2 (started 2026-01-02 11:00:00 UTC): the newest complete run recorded at the merge base ${rev['B']!.slice(0, 10)} of HEAD and main (default branch)`);
  expect((await resolveMergeBase(store, 'main', { cwd: repo, exclude: 'at-b-2', scenario: 'advertiser-burst' })).run_id).toBe('at-b-1');
});

it('says in one line what is missing and how to fix it', async () => {
  await expect(resolveMergeBase(store, 'no-such-branch', { cwd: repo })).rejects.toThrow(/git cannot find where HEAD left no-such-branch .*fetch-depth: 0/);
  await expect(resolveMergeBase(store, 'main', { cwd: repo, scenario: 'fleet-bulk' })).rejects.toThrow(/no complete run of scenario fleet-bulk was recorded at [0-9a-f]{10} \(where HEAD left main\) or its 1 earlier first-parent commits/);
});

it('takes the pull request target branch from the CI variables', () => {
  expect(defaultBranch({ GITHUB_BASE_REF: 'release' })).toEqual({ branch: 'release', from: 'GITHUB_BASE_REF' });
  expect(defaultBranch({ CI_MERGE_REQUEST_TARGET_BRANCH_NAME: 'dev' })).toEqual({ branch: 'dev', from: 'CI_MERGE_REQUEST_TARGET_BRANCH_NAME' });
  expect(defaultBranch({})).toEqual({ branch: 'main', from: 'the default' });
});

it('parses merge-base and merge-base:<branch>, refusing a branch that could be read as a flag', async () => {
  const { parseRunRef } = await import('../reports/compare/run-ref.js');
  expect(parseRunRef('merge-base', '--baseline')).toEqual({ kind: 'merge-base', branch: undefined });
  expect(parseRunRef('merge-base:release/1.2', '--baseline')).toEqual({ kind: 'merge-base', branch: 'release/1.2' });
  expect(() => parseRunRef('merge-base:--exec=x', '--baseline')).toThrow(/name a git branch after merge-base:/);
  expect(() => parseRunRef('merge-base: ', '--baseline')).toThrow(/name a git branch/);
});
