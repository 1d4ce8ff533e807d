/**
 * What a post-replay analysis is and receives: shared by the analyses and
 * the list that runs them (./index.ts), in a module of their own so neither
 * imports the other's module.
 */
import type { Pool } from 'pg';
import type { Plan } from '../../scenarios/index.js';
import type { Store } from '../../results/store.js';
import type { OpFates } from '../audit/fates.js';
import type { RunReplayKey } from '../../results/rows.js';
import type { RowSink } from '../replay/sink.js';

/** What every analysis receives. */
export interface AnalysisContext {
  /** Identifies the replay in every row it writes. */
  readonly key: RunReplayKey;
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
