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
import type { Pool } from 'pg';
import type { Plan } from '../../scenarios/index.js';
import type { Store } from '../../results/store.js';
import type { OpFates } from '../audit/fates.js';
import type { ReplayKey, RowSink } from '../replay/sink.js';
import { falseDeclines } from './false-declines.js';
import { postingTruth } from './posting-truth.js';
import { staleReads } from './stale-reads.js';
import { stopDelivery } from './stop-delivery.js';
import { sweepDelay } from './sweep-delay.js';

/** What every analysis receives. */
export interface AnalysisContext {
  /** Identifies the replay in every row it writes. */
  readonly key: ReplayKey;
  /** Registry name of the strategy, e.g. `split`. */
  readonly strategyName: string;
  /** A pool on the strategy's ledger database (read it; never write). */
  readonly ledger: Pool;
  /**
   * The results store, already holding every `ops`/`postings`/`events`/`samples`
   * row of this replay (the recorder was flushed before analyses run).
   */
  readonly store: Store;
  readonly plan: Plan;
  readonly fates: OpFates;
  /**
   * Converts a PostgreSQL timestamp (µs since the Unix epoch, e.g.
   * `extract(epoch from created_at) * 1e6`) to the replay's schedule clock, µs.
   * Measured at schedule start with one round trip; its uncertainty is
   * {@link pgClockUncertaintyUs}.
   */
  readonly pgToScheduleUs: (pgEpochUs: number) => number;
  /** Half the round trip of the clock measurement, µs. */
  readonly pgClockUncertaintyUs: number;
  /** Where incidents and samples go (the recorder). */
  readonly rows: RowSink;
  log(line: string): void;
}

/** One analysis. */
export interface Analysis {
  /** Short name for logs, e.g. `false-declines`. */
  readonly name: string;
  run(ctx: AnalysisContext): Promise<void>;
}

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
