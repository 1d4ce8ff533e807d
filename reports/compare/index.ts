/**
 * `hotbench compare`'s programmatic API: resolve two run references, load
 * both run reports from ClickHouse, refuse comparisons that make no sense,
 * compare. Rendering is in `./render.ts`.
 *
 * Typical use (what the CLI does):
 *   const thresholds = buildThresholds({ flags: ['p99_ack_ms=+10%'] });
 *   const c = await compareRuns(store, { baseline: parseRunRef('latest:main', '--baseline'), candidate: parseRunRef(id, '--candidate'), thresholds });
 *   process.exitCode = c.exit_code; // 0 pass, 1 regression, 3 inconclusive
 */
import { loadRunReport } from '../run/queries.js';
import type { Store } from '../../results/store.js';
import { compareReports, type LabelPairs } from './compare.js';
import { selectBatchIntervals } from '../noise/batch-sql.js';
import { CompareInputError } from './errors.js';
import { requireComplete, resolveRunRef, type RunRef } from './run-ref.js';
import type { ThresholdSet } from './thresholds.js';
import type { Comparison } from './types.js';

export { compareReports, type LabelPairs } from './compare.js';
export { CompareInputError } from './errors.js';
export { METRICS, metricNamed, metricNames, type MetricDef } from '../common/metrics.js';
export { renderCompareJson, renderCompareMarkdown, renderCompareTerminal } from './render.js';
export { parseRunRef, resolveRunRef, type RunRef } from './run-ref.js';
export { buildThresholds, DEFAULT_NOISE, DEFAULT_THRESHOLDS, defaultThresholds, type ThresholdSet } from './thresholds.js';
export { COMPARE_FORMAT, type Comparison } from './types.js';

/** What to compare. */
export interface CompareRunsOptions {
  readonly baseline: RunRef;
  readonly candidate: RunRef;
  readonly thresholds: ThresholdSet;
  /** Compare runs of different scenarios instead of refusing. Default false. */
  readonly allowDifferentScenario?: boolean;
  /** `--pair a=b`: baseline label a judged against candidate label b. Default none. */
  readonly pairs?: LabelPairs;
}

/**
 * Resolves and compares the two runs. Throws {@link CompareInputError} (one
 * line per problem) for an unknown or incomplete run, the same run twice, a
 * different scenario (unless allowed), or no strategy in common.
 */
export async function compareRuns(store: Store, options: CompareRunsOptions): Promise<Comparison> {
  const choices: string[] = [];
  const onChoice = (why: string): void => void choices.push(why);
  const candidateId = await resolveRunRef(store, options.candidate, '--candidate', { onChoice, ...(options.baseline.kind === 'id' ? { exclude: options.baseline.id } : {}) });
  await requireComplete(store, candidateId, '--candidate');
  const candidate = await loadRunReport(store, candidateId);
  const baselineId = await resolveRunRef(store, options.baseline, '--baseline', {
    onChoice,
    exclude: candidateId,
    ...(options.allowDifferentScenario ? {} : { scenario: candidate.run.scenario }),
  });
  if (baselineId === candidateId) throw new CompareInputError([`--baseline and --candidate are the same run (${candidateId}); compare two different runs`]);
  await requireComplete(store, baselineId, '--baseline');
  const baseline = await loadRunReport(store, baselineId);
  if (baseline.run.scenario !== candidate.run.scenario && !options.allowDifferentScenario) {
    throw new CompareInputError([
      `baseline ${baselineId} ran scenario ${baseline.run.scenario} but candidate ${candidateId} ran ${candidate.run.scenario}: refusing to compare different traffic; pass --allow-different-scenario to compare anyway`,
    ]);
  }
  // Sides recorded once are judged by their batch means: read them only when some label has a single completed repetition.
  const once = (r: typeof baseline): boolean => {
    const counts = new Map<string, number>();
    for (const s of r.strategies) if (s.status === 'completed') counts.set(s.label, (counts.get(s.label) ?? 0) + 1);
    return [...counts.values()].some((n) => n === 1);
  };
  const batches =
    once(baseline) || once(candidate)
      ? { baseline: await selectBatchIntervals(store, baselineId, baseline.run.schedule_us), candidate: await selectBatchIntervals(store, candidateId, candidate.run.schedule_us) }
      : undefined;
  const pairs = options.pairs ?? [];
  const missing = pairs.flatMap(([a, b]) => [
    ...(baseline.strategies.some((s) => s.label === a) ? [] : [`--pair ${a}=${b}: the baseline ${baselineId} has no strategy labelled ${a} (it has ${[...new Set(baseline.strategies.map((s) => s.label))].join(', ') || 'none'})`]),
    ...(candidate.strategies.some((s) => s.label === b) ? [] : [`--pair ${a}=${b}: the candidate ${candidateId} has no strategy labelled ${b} (it has ${[...new Set(candidate.strategies.map((s) => s.label))].join(', ') || 'none'})`]),
  ]);
  if (missing.length > 0) throw new CompareInputError(missing);
  const compared = compareReports(baseline, candidate, options.thresholds, batches, pairs);
  // Which runs `latest` and `merge-base` stood for, and why: first among the notes, so every output says it.
  const comparison: Comparison = { ...compared, notes: [...choices.map((c) => `chosen: ${c}`), ...compared.notes] };
  if (comparison.strategies.length === 0) {
    const labels = (r: typeof baseline) => [...new Set(r.strategies.map((s) => s.label))].join(', ') || 'none';
    throw new CompareInputError([`no strategy in common (baseline ${baselineId}: ${labels(baseline)}; candidate ${candidateId}: ${labels(candidate)}); strategies are matched by label`]);
  }
  return comparison;
}
