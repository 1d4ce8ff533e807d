/**
 * How every report shows the per-op waits (lock wait, pool wait, batch
 * queue): the same cells and the same legend in the terminal, Markdown and
 * HTML tables, named through the metric catalog (`./metrics.ts`). A wait
 * shows its figures when some op measured it, "n/a" when no op of the replay
 * could have it (no row lock, no pool connection, no batcher), and "—" when
 * some could but none brought a figure back (see {@link WaitSummary.shown}).
 */
import type { StrategyReport, WaitSummary } from './report-types.js';
import { NONE, formatMs, formatSeconds } from './format.js';
import { metricNamed } from './metrics.js';

/** Shown for a wait the replay's ops cannot have. */
export const NOT_APPLICABLE = 'n/a';

/** One of the per-op waits, with its catalog metrics. */
export interface WaitKind {
  /** Short title used in headers: `lock wait`, `pool wait`, `batch queue`. */
  readonly title: string;
  /** The catalog metric of its summed seconds, when it has one. */
  readonly sumMetric: string | undefined;
  /** The catalog metric of its 99th percentile. */
  readonly p99Metric: string;
  of(s: StrategyReport): WaitSummary;
}

/** The per-op waits, in table order. */
export const WAIT_KINDS = {
  lock: { title: 'lock wait', sumMetric: 'lock_wait_s', p99Metric: 'lock_wait_p99_ms', of: (s) => s.lock_wait },
  pool: { title: 'pool wait', sumMetric: 'pool_wait_s', p99Metric: 'pool_wait_p99_ms', of: (s) => s.pool_wait },
  queue: { title: 'batch queue', sumMetric: undefined, p99Metric: 'batch_queue_p99_ms', of: (s) => s.batch_queue },
} as const satisfies Record<string, WaitKind>;

/** `n/a` or `—` when the wait has no figures, else undefined. */
function absent(w: WaitSummary): string | undefined {
  if (w.shown === 'measured') return undefined;
  return w.shown === 'not_applicable' ? NOT_APPLICABLE : NONE;
}

/** Summed seconds: `0` for a measured zero, `1.23`, or `n/a` / `—`. */
export function waitSecondsCell(w: WaitSummary): string {
  return absent(w) ?? (w.total_s === 0 ? '0' : formatSeconds(w.total_s));
}

/** 99th percentile in ms: `0` for a measured zero, `4.12`, or `n/a` / `—`. */
export function waitP99Cell(w: WaitSummary): string {
  return absent(w) ?? (w.p99_us === 0 ? '0' : formatMs(w.p99_us));
}

/** `seconds / p99 ms` in one cell, or `n/a` / `—` alone. */
export function waitCell(w: WaitSummary): string {
  return absent(w) ?? `${waitSecondsCell(w)} / ${waitP99Cell(w)}`;
}

/** The header of a {@link waitCell} column, in the catalog's names: `lock_wait_s / lock_wait_p99_ms`. */
export function waitHeader(kind: WaitKind): string {
  return kind.sumMetric === undefined ? kind.p99Metric : `${kind.sumMetric} / ${kind.p99Metric}`;
}

/** One definition line per wait, from the catalog's descriptions, and the legend of n/a, — and 0. */
export function waitDefinitions(): string[] {
  const lines = Object.values(WAIT_KINDS).map((k: WaitKind) => {
    const sum = k.sumMetric === undefined ? undefined : metricNamed(k.sumMetric);
    const p99 = metricNamed(k.p99Metric);
    const parts = [sum ? `${sum.name}: ${sum.describe}` : undefined, p99 ? `${p99.name}: ${p99.describe}` : undefined].filter((x) => x !== undefined);
    return `${k.title}: ${parts.join('; ')}`;
  });
  return [...lines, WAIT_LEGEND];
}

/** What n/a, — and 0 mean in the wait columns. */
export const WAIT_LEGEND = `waits: ${NOT_APPLICABLE} = not applicable (the strategy takes no row lock, no pool connection or no batcher for these ops); ${NONE} = none measured (the ops failed before a figure came back, or the run was recorded before this wait was measured); 0 = measured, no wait`;
