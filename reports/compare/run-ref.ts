/**
 * Which runs to compare: `<run-id>`, `latest` or `latest:<branch>`, resolved
 * against the results store.
 *
 * `latest` is the newest complete run (by start time) other than the one it
 * is compared with; `latest:<branch>` the newest complete one recorded on
 * that git branch (`runs.git_branch`). Both skip `hotbench capacity` runs
 * (their replays are load steps, not strategies) and, when a scenario is
 * given, runs of other scenarios, so a CI job recording several scenarios
 * finds the baseline of the one it compares.
 */
import { checkRunId, runExists } from '../run/queries.js';
import { selectRunEnd } from '../run/run-sql.js';
import type { Store } from '../../results/store.js';
import { CAPACITY_COMMAND } from '../capacity/types.js';
import { packageRoot } from '../../scenarios/catalog.js';
import { CompareInputError } from './errors.js';
import { resolveMergeBase } from './merge-base.js';

/** A parsed run reference. */
export type RunRef =
  | { readonly kind: 'id'; readonly id: string }
  | { readonly kind: 'latest'; readonly branch: string | undefined }
  | { readonly kind: 'merge-base'; readonly branch: string | undefined };

// eslint-disable-next-line no-control-regex
const BAD_BRANCH = /[\u0000-\u001f\s]/;

/** Parses `<run-id>`, `latest`, `latest:<branch>`, `merge-base` or `merge-base:<branch>`; `flag` names the option in errors. */
export function parseRunRef(text: string, flag: string): RunRef {
  const t = text.trim();
  if (t === 'latest') return { kind: 'latest', branch: undefined };
  if (t === 'merge-base') return { kind: 'merge-base', branch: undefined };
  if (t.startsWith('merge-base:')) {
    const branch = t.slice('merge-base:'.length).trim();
    if (branch === '' || branch.length > 255 || BAD_BRANCH.test(branch) || branch.startsWith('-')) throw new CompareInputError([`${flag} ${JSON.stringify(t)}: name a git branch after merge-base:, e.g. merge-base:main`]);
    return { kind: 'merge-base', branch };
  }
  if (t.startsWith('latest:')) {
    const branch = t.slice('latest:'.length).trim();
    // eslint-disable-next-line no-control-regex
    if (branch === '' || branch.length > 255 || /[\u0000-\u001f\s]/.test(branch)) throw new CompareInputError([`${flag} ${JSON.stringify(t)}: name a git branch after latest:, e.g. latest:main`]);
    return { kind: 'latest', branch };
  }
  try {
    return { kind: 'id', id: checkRunId(t) };
  } catch {
    throw new CompareInputError([`${flag} ${JSON.stringify(t)}: give a run id (letters, digits, - and _; see \`hotbench runs\`), latest, latest:<branch>, merge-base or merge-base:<branch>`]);
  }
}

/** Narrows `latest`. */
export interface ResolveOptions {
  /** Never pick this run (the other side of the comparison). */
  readonly exclude?: string;
  /** Only runs of this scenario. */
  readonly scenario?: string;
  /** Told which run a `latest` or `merge-base` reference chose, and why (one sentence). */
  readonly onChoice?: (why: string) => void;
  /** The git work tree `merge-base` reads (default: hotbench's own checkout, whose revision runs record). */
  readonly cwd?: string;
}

/** The run id `ref` stands for. Throws {@link CompareInputError} when there is none. */
export async function resolveRunRef(store: Store, ref: RunRef, flag: string, options: ResolveOptions = {}): Promise<string> {
  if (ref.kind === 'id') {
    if (!(await runExists(store, ref.id))) throw new CompareInputError([`${flag}: no run ${ref.id} in ${store.description}; see \`hotbench runs\` for the recorded ones`]);
    return ref.id;
  }
  if (ref.kind === 'merge-base') {
    const choice = await resolveMergeBase(store, ref.branch, {
      cwd: options.cwd ?? packageRoot(),
      ...(options.scenario !== undefined ? { scenario: options.scenario } : {}),
      ...(options.exclude !== undefined ? { exclude: options.exclude } : {}),
    });
    options.onChoice?.(`${flag.replace(/^--/, '')}: ${choice.why.replace(/^baseline /, '')}`);
    return choice.run_id;
  }
  const where = ['run_id != {exclude:String}', 'command != {capacity:String}', "run_id IN (SELECT run_id FROM run_ends WHERE status = 'complete')"];
  const params: Record<string, string> = { exclude: options.exclude ?? '', capacity: CAPACITY_COMMAND };
  if (ref.branch !== undefined) {
    where.push('git_branch = {branch:String}');
    params['branch'] = ref.branch;
  }
  if (options.scenario !== undefined) {
    where.push('scenario = {scenario:String}');
    params['scenario'] = options.scenario;
  }
  const rows = await store.query<{ run_id: string }>(`SELECT run_id FROM runs WHERE ${where.join(' AND ')} ORDER BY started_at DESC, run_id DESC LIMIT 1`, params);
  const found = rows[0]?.run_id;
  if (found === undefined) {
    const what = [ref.branch !== undefined ? `on branch ${ref.branch}` : '', options.scenario !== undefined ? `of scenario ${options.scenario}` : '', options.exclude ? `other than ${options.exclude}` : '']
      .filter((s) => s !== '')
      .join(' ');
    throw new CompareInputError([`${flag} latest${ref.branch !== undefined ? `:${ref.branch}` : ''}: no complete run ${what} in ${store.description}; record one with \`hotbench run\`, or give a run id (see \`hotbench runs\`)`]);
  }
  const scope = [ref.branch !== undefined ? `on branch ${ref.branch}` : '', options.scenario !== undefined ? `of scenario ${options.scenario}` : ''].filter((x) => x !== '').join(' ');
  options.onChoice?.(`${flag.replace(/^--/, '')}: ${found}: the newest complete run${scope ? ` ${scope}` : ''}${options.exclude ? ` other than ${options.exclude}` : ''} (${flag} latest${ref.branch !== undefined ? `:${ref.branch}` : ''})`);
  return found;
}

/** Throws unless `runId` ended `complete`: partial runs make misleading baselines and candidates. */
export async function requireComplete(store: Store, runId: string, flag: string): Promise<void> {
  const end = await selectRunEnd(store, runId);
  if (end?.status === 'complete') return;
  const why = end ? `${end.status}${end.reason ? `: ${end.reason}` : ''}` : 'no end was recorded (killed, or still running)';
  throw new CompareInputError([`${flag}: run ${runId} is not complete (${why}); compare complete runs (see \`hotbench runs\`)`]);
}
