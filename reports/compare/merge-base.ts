/**
 * `--baseline merge-base[:<branch>]`: the newest complete run recorded at the
 * commit where HEAD left `<branch>` (`git merge-base HEAD <branch>`), so a
 * pull request is judged against the code it started from, not against
 * whatever ran last. When no run was recorded at that very commit (a main
 * branch that is benchmarked on a schedule, not on every push), the nearest
 * first-parent ancestor of it that has one is taken, up to
 * {@link MAX_ANCESTORS} commits back, and the choice says so.
 *
 * The branch: the one named, else the pull/merge request's target as CI
 * sets it (`GITHUB_BASE_REF`, `CI_MERGE_REQUEST_TARGET_BRANCH_NAME`), else
 * `main`. A branch that exists only as `origin/<branch>` (CI checkouts) is
 * found there. Revisions are matched as recorded (`runs.git_rev`): a run from
 * a work tree with uncommitted changes (`<sha>+dirty`) is not the merge base's
 * code and is never chosen.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Store } from '../../results/store.js';
import { CAPACITY_COMMAND } from '../capacity/types.js';
import { CompareInputError } from './errors.js';

const run = promisify(execFile);

/** How far back along the first-parent line a run is looked for, commits. */
export const MAX_ANCESTORS = 200;

/** The run chosen and why, for the output. */
export interface MergeBaseChoice {
  readonly run_id: string;
  /** The revision the run was recorded at. */
  readonly rev: string;
  /** The merge base itself. */
  readonly merge_base: string;
  /** The branch HEAD was compared with. */
  readonly branch: string;
  /** Commits between the merge base and `rev` (0: the merge base itself). */
  readonly commits_back: number;
  /** One sentence: which run, recorded where, and why that one. */
  readonly why: string;
}

/** Options of {@link resolveMergeBase}. */
export interface MergeBaseOptions {
  /** The git work tree whose HEAD is meant (hotbench's own checkout, where runs record their revision). */
  readonly cwd: string;
  /** Only runs of this scenario. */
  readonly scenario?: string;
  /** Never this run (the candidate). */
  readonly exclude?: string;
  /** Where the default branch is read from. Default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
}

/** The branch `merge-base` means when none is named, and where that came from. */
export function defaultBranch(env: NodeJS.ProcessEnv = process.env): { readonly branch: string; readonly from: string } {
  for (const name of ['GITHUB_BASE_REF', 'CI_MERGE_REQUEST_TARGET_BRANCH_NAME']) {
    const v = env[name]?.trim();
    if (v) return { branch: v, from: name };
  }
  return { branch: 'main', from: 'the default' };
}

async function git(args: readonly string[], cwd: string): Promise<string> {
  const { stdout } = await run('git', args as string[], { cwd, timeout: 10_000, maxBuffer: 4 * 1024 * 1024 });
  return stdout.trim();
}

/** `git merge-base HEAD <branch>`, trying `origin/<branch>` when the local branch is absent. */
async function mergeBaseOf(branch: string, cwd: string): Promise<{ sha: string; ref: string }> {
  const problems: string[] = [];
  for (const ref of [branch, `origin/${branch}`]) {
    try {
      return { sha: await git(['merge-base', 'HEAD', ref], cwd), ref };
    } catch (err) {
      problems.push(((err as { stderr?: string }).stderr ?? '').trim().split('\n')[0] || (err as Error).message.split('\n')[0]!);
    }
  }
  throw new CompareInputError([
    `--baseline merge-base:${branch}: git cannot find where HEAD left ${branch} in ${cwd} (${problems.filter((p) => p !== '').join('; ') || 'no merge base'}); fetch the branch (actions/checkout with fetch-depth: 0, or GIT_DEPTH: 0 on GitLab) or name another with merge-base:<branch>`,
  ]);
}

/**
 * The run `merge-base[:branch]` stands for. Throws {@link CompareInputError}
 * (one line: what, where, how to fix) when git cannot find the merge base or
 * no complete run was recorded there or at any of its first-parent ancestors.
 */
export async function resolveMergeBase(store: Store, branch: string | undefined, options: MergeBaseOptions): Promise<MergeBaseChoice> {
  const chosen = branch !== undefined ? { branch, from: 'named' } : defaultBranch(options.env);
  // A name git would read as an option is refused before it reaches git.
  if (chosen.branch.startsWith('-')) throw new CompareInputError([`--baseline merge-base: branch ${JSON.stringify(chosen.branch)} (${chosen.from}) starts with '-'; name a branch`]);
  const base = await mergeBaseOf(chosen.branch, options.cwd);
  const line = (await git(['rev-list', '--first-parent', `--max-count=${MAX_ANCESTORS}`, base.sha], options.cwd)).split('\n').filter((s) => /^[0-9a-f]{7,64}$/.test(s));
  const where = ["command != {capacity:String}", "run_id IN (SELECT run_id FROM run_ends WHERE status = 'complete')", 'has({revs:Array(String)}, git_rev)', 'run_id != {exclude:String}'];
  const params: Record<string, string | readonly string[]> = { capacity: CAPACITY_COMMAND, revs: line, exclude: options.exclude ?? '' };
  if (options.scenario !== undefined) {
    where.push('scenario = {scenario:String}');
    params['scenario'] = options.scenario;
  }
  const rows = await store.query<{ run_id: string; git_rev: string; started_at: string }>(`SELECT run_id, git_rev, started_at FROM runs WHERE ${where.join(' AND ')} ORDER BY started_at DESC, run_id DESC`, params);
  const short = (sha: string) => sha.slice(0, 10);
  const branchText = `${chosen.branch}${chosen.from === 'named' ? '' : ` (${chosen.from === 'the default' ? 'default branch' : `from ${chosen.from}`})`}`;
  let best: { row: (typeof rows)[number]; back: number } | undefined;
  for (const row of rows) {
    const back = line.indexOf(row.git_rev);
    if (back >= 0 && (!best || back < best.back)) best = { row, back }; // rows are newest first: the first at a commit is its newest
  }
  if (!best) {
    const scope = options.scenario !== undefined ? ` of scenario ${options.scenario}` : '';
    throw new CompareInputError([
      `--baseline merge-base: no complete run${scope} was recorded at ${short(base.sha)} (where HEAD left ${branchText}) or its ${line.length - 1} earlier first-parent commits in ${store.description}; record one on ${chosen.branch} (e.g. a CI job on pushes to it, keeping the data folder in a cache), or give a run id`,
    ]);
  }
  const at = best.back === 0 ? `at the merge base ${short(base.sha)}` : `at ${short(best.row.git_rev)}, ${best.back} commit${best.back === 1 ? '' : 's'} before the merge base ${short(base.sha)} (no run at the merge base itself)`;
  return {
    run_id: best.row.run_id,
    rev: best.row.git_rev,
    merge_base: base.sha,
    branch: chosen.branch,
    commits_back: best.back,
    why: `baseline ${best.row.run_id} (started ${best.row.started_at} UTC): the newest complete run recorded ${at} of HEAD and ${branchText}${base.ref !== chosen.branch ? ` (as ${base.ref})` : ''}`,
  };
}
