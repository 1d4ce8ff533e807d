/**
 * Post-replay analyses: metrics that need both the ledger (PostgreSQL) and
 * what the driver recorded (ClickHouse), computed after the audit and written
 * back as rows (incidents, samples). Examples: false declines, stale reads,
 * stop-delivery delay.
 *
 * The list is explicit (STYLE.md §5): add an analysis by adding it to
 * {@link ANALYSES}. Each one must stream (O(accounts) memory, never O(ops))
 * and must not throw for a strategy it does not apply to: it returns early.
 */
import type { Analysis, AnalysisContext } from './types.js';
import { falseDeclines } from './false-declines.js';
import { postingTruth } from './posting-truth.js';
import { staleReads } from './stale-reads.js';
import { stopDelivery } from './stop-delivery.js';
import { sweepDelay } from './sweep-delay.js';

export type { Analysis, AnalysisContext } from './types.js';

/** The analyses run after every replay, in order. */
export const ANALYSES: readonly Analysis[] = [falseDeclines, staleReads, stopDelivery, sweepDelay, postingTruth];

/** Runs every analysis; a failing one is logged and recorded as a note, never fatal. */
export async function runAnalyses(ctx: AnalysisContext, analyses: readonly Analysis[] = ANALYSES): Promise<void> {
  for (const analysis of analyses) {
    try {
      await analysis.run(ctx);
    } catch (err) {
      const detail = `${analysis.name} failed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
      ctx.log(detail);
      ctx.rows.push('events', { ...ctx.key, at_us: -1, type: 'note', kind: 'analysis_failed', account: -1, detail: detail.slice(0, 500) });
    }
  }
}
