/**
 * `hotbench history`: one figure of one scenario across recorded runs, in
 * the order they were recorded, with the git revision of each, per strategy
 * label, and the change points E-Divisive means finds in it
 * (`./e-divisive.ts`): where a figure moved and stayed moved, named at the
 * first run of the new level rather than at every run after it.
 *
 * Runs counted: complete `hotbench run`s of the scenario (capacity searches
 * are load steps, not strategies), optionally of one branch, the newest
 * `limit` of them. A run's value is the metric's median over its completed
 * repetitions, read from the same report every other output is built from.
 */
import type { Store } from '../../results/store.js';
import { CAPACITY_COMMAND } from '../capacity/types.js';
import { METRICS, type Direction, type MetricDef } from '../common/metrics.js';
import { loadRunReport } from '../run/queries.js';
import { changePoints, type EDivisiveOptions } from './e-divisive.js';

/** What to look at. */
export interface HistoryQuery {
  readonly scenario: string;
  /** A strategy label or registry name; every label when absent. */
  readonly strategy?: string;
  /** Only runs recorded on this git branch. */
  readonly branch?: string;
  /** A metric of the compare catalog. Default `p99_ack_ms`. */
  readonly metric?: string;
  /** Newest runs taken, 2..1000. Default 50. */
  readonly limit?: number;
  /** Only runs started at or before this UTC time (`YYYY-MM-DD hh:mm:ss`): the history as it stood at a run. */
  readonly until?: string;
  /** A run taken even before its end is recorded (the run whose report is being written). */
  readonly include?: string;
  readonly detection?: EDivisiveOptions;
}

/** One run's value of the figure. */
export interface HistoryPoint {
  readonly run_id: string;
  /** UTC `YYYY-MM-DD hh:mm:ss`. */
  readonly started_at: string;
  /** As recorded (`<sha>` or `<sha>+dirty`, '' outside a checkout). */
  readonly git_rev: string;
  readonly git_branch: string;
  /** Median over the completed repetitions, in the metric's unit; null when none measured it. */
  readonly value: number | null;
  readonly reps: number;
}

/** A change point, placed on a run. */
export interface HistoryChange {
  /** Index into `points` of the first run of the new level. */
  readonly index: number;
  readonly run_id: string;
  readonly git_rev: string;
  readonly before_mean: number;
  readonly after_mean: number;
  /** (after − before) / |before|; null when before is 0. */
  readonly relative_change: number | null;
  /** The new level is worse, by the metric's direction. */
  readonly worse: boolean;
  readonly p_value: number;
}

/** One strategy label's history. */
export interface HistorySeries {
  readonly label: string;
  readonly points: readonly HistoryPoint[];
  readonly changes: readonly HistoryChange[];
}

/** The `history --json` format. */
export interface History {
  readonly format: 'hotbench-history/1';
  readonly scenario: string;
  readonly metric: string;
  readonly unit: string;
  readonly direction: Direction;
  readonly branch: string | null;
  readonly method: string;
  readonly series: readonly HistorySeries[];
  /** Caveats, one line each (e.g. too few runs to find anything). */
  readonly notes: readonly string[];
}

/** A bad query: one line saying what and how to fix it. */
export class HistoryInputError extends Error {
  override readonly name = 'HistoryInputError';
}

/** Points a side needs before a step can be significant at alpha 0.05 (see e-divisive.ts). */
const USEFUL_SIDE = 4;

/** The metric named `name` of the compare catalog, or a {@link HistoryInputError}. */
export function historyMetric(name: string): MetricDef {
  const def = METRICS.find((m) => m.name === name);
  if (!def) throw new HistoryInputError(`--metric ${JSON.stringify(name)} is not a metric hotbench records; use one of ${METRICS.map((m) => m.name).join(', ')}`);
  return def;
}

/** Reads the history `q` asks for and finds its change points. */
export async function loadHistory(store: Store, q: HistoryQuery): Promise<History> {
  const def = historyMetric(q.metric ?? 'p99_ack_ms');
  const limit = Math.min(1000, Math.max(2, Math.floor(q.limit ?? 50)));
  const where = ['scenario = {scenario:String}', 'command != {capacity:String}', "(run_id IN (SELECT run_id FROM run_ends WHERE status = 'complete') OR run_id = {include:String})"];
  const params: Record<string, string | number> = { scenario: q.scenario, capacity: CAPACITY_COMMAND, limit, include: q.include ?? '' };
  if (q.until !== undefined) {
    where.push("started_at <= toDateTime({until:String}, 'UTC')");
    params['until'] = q.until;
  }
  if (q.branch !== undefined) {
    where.push('git_branch = {branch:String}');
    params['branch'] = q.branch;
  }
  const runs = (
    await store.query<{ run_id: string; started_at: string; git_rev: string; git_branch: string }>(
      `SELECT run_id, started_at, git_rev, git_branch FROM runs WHERE ${where.join(' AND ')} ORDER BY started_at DESC, run_id DESC LIMIT {limit:UInt32}`,
      params,
    )
  ).reverse();
  if (runs.length === 0) throw new HistoryInputError(`no complete run of scenario ${q.scenario}${q.branch !== undefined ? ` on branch ${q.branch}` : ''} in ${store.description}; see \`hotbench runs\` for what was recorded`);

  const byLabel = new Map<string, HistoryPoint[]>();
  for (const run of runs) {
    const report = await loadRunReport(store, run.run_id);
    const labels = [...new Set(report.strategies.map((s) => s.label))];
    for (const label of labels) {
      if (q.strategy !== undefined && label !== q.strategy && label.split(':')[0] !== q.strategy) continue;
      const reps = report.strategies.filter((s) => s.label === label && s.status === 'completed');
      const values = reps.map((s) => def.value(s)).filter((v): v is number => v !== null && Number.isFinite(v));
      const point: HistoryPoint = { ...run, value: values.length > 0 ? median(values) : null, reps: reps.length };
      const list = byLabel.get(label);
      if (list) list.push(point);
      else byLabel.set(label, [point]);
    }
  }
  if (byLabel.size === 0) throw new HistoryInputError(`--strategy ${q.strategy}: none of the ${runs.length} complete runs of scenario ${q.scenario} ran it; see \`hotbench report <run-id>\` for the strategies they ran`);

  const series = [...byLabel.entries()].map(([label, points]) => ({ label, points, changes: changesOf(points, def, q.detection) }));
  const notes: string[] = [];
  const longest = Math.max(...series.map((s) => s.points.filter((p) => p.value !== null).length));
  if (longest < 2 * USEFUL_SIDE) notes.push(`${longest} run${longest === 1 ? '' : 's'} with a value: a step needs about ${USEFUL_SIDE} runs on each side to be significant at alpha ${q.detection?.alpha ?? 0.05}, so an absence of change points says little yet`);
  const dirty = runs.filter((r) => r.git_rev.endsWith('+dirty')).length;
  if (dirty > 0) notes.push(`${dirty} of ${runs.length} runs were recorded from a work tree with uncommitted changes (+dirty): their revision does not name their code`);
  const alpha = q.detection?.alpha ?? 0.05;
  return {
    format: 'hotbench-history/1',
    scenario: q.scenario,
    metric: def.name,
    unit: def.unit,
    direction: def.direction,
    branch: q.branch ?? null,
    method: `E-Divisive means (Matteson & James 2014; as MongoDB and Apache Otava use), permutation test ${q.detection?.permutations ?? 199} shuffles, alpha ${alpha}, seed ${q.detection?.seed ?? 1}`,
    series,
    notes,
  };
}

function changesOf(points: readonly HistoryPoint[], def: MetricDef, options: EDivisiveOptions | undefined): HistoryChange[] {
  const measured = points.map((p, i) => ({ p, i })).filter((x) => x.p.value !== null);
  return changePoints(measured.map((x) => x.p.value!), options).map((c) => {
    const at = measured[c.index]!;
    const rel = c.before_mean !== 0 ? (c.after_mean - c.before_mean) / Math.abs(c.before_mean) : null;
    const up = c.after_mean > c.before_mean;
    return {
      index: at.i,
      run_id: at.p.run_id,
      git_rev: at.p.git_rev,
      before_mean: c.before_mean,
      after_mean: c.after_mean,
      relative_change: rel,
      worse: def.direction === 'higher_is_worse' ? up : !up,
      p_value: c.p,
    };
  });
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
